package jcs

import (
	"encoding/binary"
	"unicode/utf16"
	"unicode/utf8"
)

// scanString checks the string token at raw[i] (the opening quote) and
// returns the index after its closing quote and whether it has escapes.
// It refuses control characters, invalid UTF-8 and \u escapes that are
// lone surrogates.
func scanString(raw []byte, i int) (end int, escaped bool, err error) {
	start := i
	i++
	for {
		// Fast path: plain ASCII, eight bytes at a time.
		for i+8 <= len(raw) && plain8(binary.LittleEndian.Uint64(raw[i:])) {
			i += 8
		}
		for i < len(raw) {
			c := raw[i]
			if c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
				break
			}
			i++
		}
		if i >= len(raw) {
			return i, false, errAt(start, ErrSyntax, "unterminated string")
		}
		switch c := raw[i]; {
		case c == '"':
			return i + 1, escaped, nil
		case c == '\\':
			escaped = true
			if i+1 >= len(raw) {
				return i, false, errAt(start, ErrSyntax, "unterminated string")
			}
			switch raw[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				r, ok := hex4(raw, i+2)
				if !ok {
					return i, false, errAt(i, ErrSyntax, "invalid \\u escape")
				}
				i += 6
				switch {
				case utf16.IsSurrogate(r) && r < 0xdc00:
					lo, ok := rune(0), false
					if i+1 < len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
						lo, ok = hex4(raw, i+2)
					}
					if !ok || lo < 0xdc00 || lo > 0xdfff {
						return i - 6, false, errAt(i-6, ErrLoneSurrogate, "")
					}
					i += 6
				case utf16.IsSurrogate(r):
					return i - 6, false, errAt(i-6, ErrLoneSurrogate, "")
				}
			default:
				return i, false, errAt(i, ErrSyntax, "invalid escape")
			}
		case c < 0x20:
			return i, false, errAt(i, ErrSyntax, "control character in string")
		default:
			r, size := utf8.DecodeRune(raw[i:])
			if r == utf8.RuneError && size == 1 {
				return i, false, errAt(i, ErrUTF8, "")
			}
			i += size
		}
	}
}

// plain8 reports whether the eight bytes in x are all ASCII that a string
// holds as is: no control character, quote or backslash.
func plain8(x uint64) bool {
	const (
		ones = 0x0101010101010101
		high = 0x8080808080808080
	)
	if x&high != 0 {
		return false
	}
	// With every high bit clear, v-ones sets a byte's high bit exactly when
	// some byte of v is zero (borrows only follow a true hit).
	quote, backslash := x^('"'*ones), x^('\\'*ones)
	return ((x-0x20*ones)|(quote-ones)|(backslash-ones))&high == 0
}

// hex4 reads four hex digits at raw[i:].
func hex4(raw []byte, i int) (rune, bool) {
	if len(raw)-i < 4 {
		return 0, false
	}
	var r rune
	for _, c := range raw[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// escapeAt decodes the escape at tok[i] (a backslash) of a string token
// that scanString accepted, returning the character and the index after.
func escapeAt(tok []byte, i int) (rune, int) {
	switch tok[i+1] {
	case 'b':
		return '\b', i + 2
	case 'f':
		return '\f', i + 2
	case 'n':
		return '\n', i + 2
	case 'r':
		return '\r', i + 2
	case 't':
		return '\t', i + 2
	case 'u':
		r, _ := hex4(tok, i+2)
		if utf16.IsSurrogate(r) {
			lo, _ := hex4(tok, i+8)
			return utf16.DecodeRune(r, lo), i + 12
		}
		return r, i + 6
	default: // '"', '\\', '/'
		return rune(tok[i+1]), i + 2
	}
}

// appendDecoded appends the characters of a string token that scanString
// accepted (quotes included) to dst, unescaped.
func appendDecoded(dst, tok []byte) []byte {
	tok = tok[1 : len(tok)-1]
	for i := 0; i < len(tok); {
		if tok[i] != '\\' {
			j := i + 1
			for j < len(tok) && tok[j] != '\\' {
				j++
			}
			dst = append(dst, tok[i:j]...)
			i = j
			continue
		}
		var r rune
		r, i = escapeAt(tok, i)
		dst = utf8.AppendRune(dst, r)
	}
	return dst
}

// appendUnescaped appends a string token that scanString accepted with
// the escapes of the canonical form.
func appendUnescaped(dst, tok []byte) []byte {
	dst = append(dst, '"')
	tok = tok[1 : len(tok)-1]
	for i := 0; i < len(tok); {
		if tok[i] != '\\' {
			j := i + 1
			for j < len(tok) && tok[j] != '\\' {
				j++
			}
			dst = append(dst, tok[i:j]...)
			i = j
			continue
		}
		var r rune
		r, i = escapeAt(tok, i)
		dst = appendRune(dst, r)
	}
	return append(dst, '"')
}

// appendString appends s (valid UTF-8) as a canonical string token.
func appendString(dst, s []byte) []byte {
	dst = append(dst, '"')
	start := 0
	for i, c := range s {
		if c < 0x20 || c == '"' || c == '\\' {
			dst = append(dst, s[start:i]...)
			dst = appendRune(dst, rune(c))
			start = i + 1
		}
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

const hexDigits = "0123456789abcdef"

// appendRune appends r as the canonical form writes it inside a string.
func appendRune(dst []byte, r rune) []byte {
	switch r {
	case '"':
		return append(dst, '\\', '"')
	case '\\':
		return append(dst, '\\', '\\')
	case '\b':
		return append(dst, '\\', 'b')
	case '\f':
		return append(dst, '\\', 'f')
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	}
	if r < 0x20 {
		return append(dst, '\\', 'u', '0', '0', hexDigits[r>>4], hexDigits[r&0xf])
	}
	return utf8.AppendRune(dst, r)
}

// compareNames orders two member names (valid UTF-8) as RFC 8785 §3.2.3
// does: by their UTF-16 code units. UTF-8 byte order is code point order,
// which differs only where a character above U+FFFF (a surrogate pair in
// UTF-16, from 0xD800) meets one in U+E000..U+FFFF.
func compareNames(a, b []byte) int {
	n := min(len(a), len(b))
	i := 0
	for i < n && a[i] == b[i] {
		i++
	}
	if i == n {
		return len(a) - len(b)
	}
	if a[i] < 0x80 && b[i] < 0x80 {
		return int(a[i]) - int(b[i])
	}
	// Back up to the start of the character that differs; the prefix is
	// shared, so it starts at the same index in both.
	for i > 0 && !utf8.RuneStart(a[i]) {
		i--
	}
	ra, _ := utf8.DecodeRune(a[i:])
	rb, _ := utf8.DecodeRune(b[i:])
	ua, ub := firstUnit(ra), firstUnit(rb)
	if ua != ub {
		return int(ua) - int(ub)
	}
	return int(ra) - int(rb)
}

// firstUnit returns r's first UTF-16 code unit.
func firstUnit(r rune) rune {
	if r >= 0x10000 {
		hi, _ := utf16.EncodeRune(r)
		return hi
	}
	return r
}
