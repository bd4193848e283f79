package sources

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	xunicode "golang.org/x/text/encoding/unicode"
)

// The charsets early warning converts from, by canonical name.
const (
	UTF8        = "utf-8"
	Windows1251 = "windows-1251" // Cyrillic
	KOI8R       = "koi8-r"       // Cyrillic, older Russian sites
	Windows1256 = "windows-1256" // Arabic
	Windows1254 = "windows-1254" // Turkish
	Windows1252 = "windows-1252" // Western European, also for ISO-8859-1
)

// charsetAliases maps the labels found in headers and markup (lower case)
// to a canonical name.
var charsetAliases = map[string]string{
	"utf-8": UTF8, "utf8": UTF8, "unicode-1-1-utf-8": UTF8, "us-ascii": UTF8, "ascii": UTF8,
	"windows-1251": Windows1251, "cp1251": Windows1251, "x-cp1251": Windows1251, "win-1251": Windows1251,
	"koi8-r": KOI8R, "koi8r": KOI8R, "koi8": KOI8R, "cskoi8r": KOI8R,
	"windows-1256": Windows1256, "cp1256": Windows1256, "x-cp1256": Windows1256,
	"windows-1254": Windows1254, "cp1254": Windows1254, "iso-8859-9": Windows1254, "latin5": Windows1254,
	"windows-1252": Windows1252, "cp1252": Windows1252, "iso-8859-1": Windows1252, "latin1": Windows1252,
}

func charsetEncoding(name string) encoding.Encoding {
	switch name {
	case Windows1251:
		return charmap.Windows1251
	case KOI8R:
		return charmap.KOI8R
	case Windows1256:
		return charmap.Windows1256
	case Windows1254:
		return charmap.Windows1254
	case Windows1252:
		return charmap.Windows1252
	}
	return nil
}

// CanonicalCharset returns the canonical name of a charset label, or "" if
// it is not one early warning reads.
func CanonicalCharset(label string) string {
	return charsetAliases[strings.ToLower(strings.Trim(strings.TrimSpace(label), `"'`))]
}

// Charset says which charset a body was read in and how it was chosen.
type Charset struct {
	Name string // canonical name
	// From is "bom", "header", "xml", "meta", "heuristic", or "ascii"; a
	// declaration that the body contradicts is reported as "heuristic"
	// with Declared set.
	From     string
	Declared string // the label a header or markup declared, if any
}

// DetectCharset decides the charset of body: a byte-order mark; else
// the charset of the Content-Type header, the XML prolog or the HTML meta
// tag, in that order, unless the body contradicts it (invalid UTF-8
// declared as UTF-8, or valid multi-byte UTF-8 declared as a single-byte
// charset); else a heuristic. contentType may be empty.
func DetectCharset(contentType string, body []byte) Charset {
	if bytes.HasPrefix(body, []byte("\xEF\xBB\xBF")) {
		return Charset{Name: UTF8, From: "bom"}
	}
	if bytes.HasPrefix(body, []byte("\xFF\xFE")) || bytes.HasPrefix(body, []byte("\xFE\xFF")) {
		return Charset{Name: "utf-16", From: "bom"}
	}
	declared, from := "", ""
	if l := headerCharset(contentType); l != "" {
		declared, from = l, "header"
	} else if l := xmlCharset(body); l != "" {
		declared, from = l, "xml"
	} else if l := metaCharset(body); l != "" {
		declared, from = l, "meta"
	}
	valid := utf8.Valid(body)
	ascii := isASCII(body)
	if ascii {
		return Charset{Name: UTF8, From: "ascii", Declared: declared}
	}
	if name := CanonicalCharset(declared); name != "" {
		switch {
		case name == UTF8 && valid:
			return Charset{Name: UTF8, From: from, Declared: declared}
		case name != UTF8 && !valid:
			return Charset{Name: name, From: from, Declared: declared}
		}
		// The declaration is wrong: fall through to the heuristic.
	}
	if valid {
		return Charset{Name: UTF8, From: "heuristic", Declared: declared}
	}
	return Charset{Name: guessSingleByte(body), From: "heuristic", Declared: declared}
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// headerCharset is the charset parameter of a Content-Type value.
func headerCharset(ct string) string {
	for _, part := range strings.Split(ct, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "charset") {
			return strings.Trim(strings.TrimSpace(v), `"'`)
		}
	}
	return ""
}

// sniffLimit is how far into a body declarations are looked for.
const sniffLimit = 4096

// xmlCharset is the encoding of an XML prolog at the start of body.
func xmlCharset(body []byte) string {
	head := body[:min(len(body), sniffLimit)]
	head = bytes.TrimLeft(head, " \t\r\n")
	if !bytes.HasPrefix(head, []byte("<?xml")) {
		return ""
	}
	end := bytes.Index(head, []byte("?>"))
	if end < 0 {
		return ""
	}
	return attr(string(head[:end]), "encoding")
}

// metaCharset is the charset of an HTML <meta charset> or <meta
// http-equiv="Content-Type" content="...; charset=..."> tag near the start.
func metaCharset(body []byte) string {
	head := strings.ToLower(string(body[:min(len(body), sniffLimit)]))
	for i := 0; ; {
		j := strings.Index(head[i:], "<meta")
		if j < 0 {
			return ""
		}
		i += j + 5
		end := strings.IndexByte(head[i:], '>')
		if end < 0 {
			return ""
		}
		tag := head[i : i+end]
		if v := attr(tag, "charset"); v != "" {
			return v
		}
		if v := attr(tag, "content"); v != "" {
			if c := headerCharset(v); c != "" {
				return c
			}
		}
	}
}

// attr returns the value of name="value" (or single quotes, or bare) in s.
func attr(s, name string) string {
	for i := 0; ; {
		j := strings.Index(s[i:], name)
		if j < 0 {
			return ""
		}
		i += j + len(name)
		if i > len(name) && isNameByte(s[i-len(name)-1]) {
			continue
		}
		rest := strings.TrimLeft(s[i:], " \t\r\n")
		if !strings.HasPrefix(rest, "=") {
			continue
		}
		rest = strings.TrimLeft(rest[1:], " \t\r\n")
		if rest == "" {
			return ""
		}
		if q := rest[0]; q == '"' || q == '\'' {
			if k := strings.IndexByte(rest[1:], q); k >= 0 {
				return rest[1 : 1+k]
			}
			return ""
		}
		k := strings.IndexAny(rest, " \t\r\n;/>")
		if k < 0 {
			k = len(rest)
		}
		return rest[:k]
	}
}

func isNameByte(c byte) bool {
	return c == '-' || c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// frequent holds, per single-byte charset, the letters its languages use
// most (lower case): text decoded in the right charset is mostly made of
// them, text decoded in a wrong one mostly not.
var frequent = map[string]string{
	Windows1251: "оеаинтсрвлкмдпуяыьгзбчйхжшюцщэфъёіў",
	KOI8R:       "оеаинтсрвлкмдпуяыьгзбчйхжшюцщэфъё",
	Windows1256: "اليمونرتبةعهدسفكقجحشصطزضثخذغظءأإآىئؤ",
	Windows1254: "çğıöşüâîû",
	Windows1252: "éèàçüöäßñáíóúâêôëï",
}

// guessOrder is the order candidates are tried in; ties go to the first.
var guessOrder = []string{Windows1251, KOI8R, Windows1256, Windows1254, Windows1252}

// guessSingleByte picks the single-byte charset under which the non-ASCII
// bytes of body read most like the letters of its languages: frequent
// letters in lower case score, letters of another script inside a Latin
// word and capitals inside a lower-case word cost.
func guessSingleByte(body []byte) string {
	sample := body[:min(len(body), 64<<10)]
	best, bestScore := guessOrder[0], -1<<62
	for _, name := range guessOrder {
		dec, err := charsetEncoding(name).NewDecoder().Bytes(sample)
		if err != nil {
			continue
		}
		if s := plausibility(string(dec), frequent[name]); s > bestScore {
			best, bestScore = name, s
		}
	}
	return best
}

func plausibility(s, freq string) int {
	score := 0
	var prev rune
	for _, r := range s {
		if r >= 0x80 {
			lr := unicode.ToLower(r)
			switch {
			case !unicode.IsLetter(r):
				score -= 2
			case strings.ContainsRune(freq, lr):
				score += 2
				if r != lr && unicode.IsLower(prev) {
					score -= 3 // a capital inside a lower-case word
				}
			default:
				score--
			}
			if prev < 0x80 && unicode.IsLetter(prev) && !sameScript(prev, r) {
				score -= 2 // a non-Latin letter inside a Latin word
			}
		}
		prev = r
	}
	return score
}

func sameScript(a, b rune) bool {
	for _, t := range []*unicode.RangeTable{unicode.Latin, unicode.Cyrillic, unicode.Arabic} {
		if unicode.Is(t, a) && unicode.Is(t, b) {
			return true
		}
	}
	return false
}

// ToUTF8 converts body from charset cs to UTF-8. Invalid UTF-8 in a UTF-8
// body becomes U+FFFD.
func ToUTF8(body []byte, cs Charset) ([]byte, error) {
	switch cs.Name {
	case UTF8:
		b := bytes.TrimPrefix(body, []byte("\xEF\xBB\xBF"))
		if utf8.Valid(b) {
			return b, nil
		}
		return bytes.ToValidUTF8(b, []byte("\uFFFD")), nil
	case "utf-16":
		b, err := xunicode.UTF16(xunicode.LittleEndian, xunicode.UseBOM).NewDecoder().Bytes(body)
		if err != nil {
			return nil, fmt.Errorf("charset utf-16: %w", err)
		}
		return b, nil
	}
	enc := charsetEncoding(cs.Name)
	if enc == nil {
		return nil, fmt.Errorf("charset %q is not supported", cs.Name)
	}
	b, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return nil, fmt.Errorf("charset %s: %w", cs.Name, err)
	}
	return b, nil
}

// Decode detects the charset of body and converts it to UTF-8.
func Decode(contentType string, body []byte) ([]byte, Charset, error) {
	cs := DetectCharset(contentType, body)
	b, err := ToUTF8(body, cs)
	return b, cs, err
}
