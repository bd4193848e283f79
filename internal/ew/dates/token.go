package dates

import (
	"unicode"
	"unicode/utf8"
)

// tokKind is the kind of a token.
type tokKind uint8

const (
	tNum   tokKind = iota + 1 // a run of digits (ASCII or Eastern Arabic)
	tWord                     // letters and marks, with inner apostrophes
	tPunct                    // any other single visible character
)

// token is one unit of the text. Spaces separate tokens and are not tokens;
// two tokens are glued when one ends where the next starts.
type token struct {
	start, end int32 // byte offsets in the text
	kind       tokKind
	ndig       uint8 // digits in a number
	upper      bool  // a word whose first letter is upper case
	r          rune  // the character of a punctuation token
	num        int32 // value of a number; -1 when it has more than 6 digits
	exact      int32 // lexicon node of the whole word, or -1
	stem       int32 // lexicon node of a stem followed by a case suffix, or -1
	stemEnd    int32 // byte offset where that stem ends
}

// digitValue returns the value of an ASCII, Arabic-Indic or Extended
// Arabic-Indic (Persian) digit, or -1.
func digitValue(r rune) int {
	switch {
	case r >= '0' && r <= '9':
		return int(r - '0')
	case r >= '\u0660' && r <= '\u0669':
		return int(r - '\u0660')
	case r >= '\u06F0' && r <= '\u06F9':
		return int(r - '\u06F0')
	}
	return -1
}

// isApostrophe reports whether r is one of the apostrophe forms used in
// Turkish, Azerbaijani and Uzbek Latin spelling.
func isApostrophe(r rune) bool {
	switch r {
	case '\'', '\u2019', '\u2018', '\u02BC', '\u02BB', '`', '\u00B4', '\u2032':
		return true
	}
	return false
}

// isProclitic reports whether r is an Arabic one-letter word that is
// written joined to the next word: و (and), ف (so), ب (in), ل (to).
func isProclitic(r rune) bool {
	return r == 'و' || r == 'ف' || r == 'ب' || r == 'ل'
}

// isWordRune reports whether r can be part of a word.
func isWordRune(r rune) bool {
	switch {
	case r < utf8.RuneSelf:
		r |= 0x20 // lower-case ASCII letters; no other ASCII lands in a–z
		return 'a' <= r && r <= 'z'
	case r >= 'А' && r <= 'я', r >= 'ء' && r <= 'غ', r >= 'ف' && r <= 'ي':
		return true
	}
	return unicode.IsLetter(r) || unicode.IsMark(r)
}

// isSkip reports whether r separates tokens without being one: white space
// and invisible format characters (direction marks, zero-width joiners),
// which Arabic text carries around numbers.
func isSkip(r rune) bool {
	return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r)
}

// tokenize splits text into tokens and looks every word up in the lexicon.
// Invalid UTF-8 bytes become punctuation tokens of their own.
func tokenize(text string, lx *lexicon, toks []token) []token {
	i := 0
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case r < utf8.RuneSelf && r == ' ':
			i += size
		case digitValue(r) >= 0:
			start := i
			var v int64
			n := 0
			for i < len(text) {
				r, size = utf8.DecodeRuneInString(text[i:])
				d := digitValue(r)
				if d < 0 {
					break
				}
				if n < 7 {
					v = v*10 + int64(d)
				}
				n++
				i += size
			}
			t := token{start: int32(start), end: int32(i), kind: tNum, num: int32(v), exact: -1, stem: -1}
			if n > 6 {
				t.num = -1
			}
			if n > 255 {
				n = 255
			}
			t.ndig = uint8(n)
			toks = append(toks, t)
		case isWordRune(r):
			start := i
			i += size
			for i < len(text) {
				r, size = utf8.DecodeRuneInString(text[i:])
				if isWordRune(r) {
					i += size
					continue
				}
				if isApostrophe(r) && i+size < len(text) {
					if r2, _ := utf8.DecodeRuneInString(text[i+size:]); isWordRune(r2) {
						i += size
						continue
					}
				}
				break
			}
			first, _ := utf8.DecodeRuneInString(text[start:])
			t := token{start: int32(start), end: int32(i), kind: tWord, upper: unicode.IsUpper(first)}
			t.exact, t.stem, t.stemEnd = lx.lookup(text[start:i])
			if t.exact < 0 && t.stem < 0 && isProclitic(first) && i-start > 2*len("و") {
				// Arabic writes "and", "in", "to" and "so" joined to the
				// next word: "والخامس من يناير". The word starts after it.
				if e, _, _ := lx.lookup(text[start+len("و") : i]); e >= 0 {
					t.exact, t.start = e, int32(start+len("و"))
				}
			}
			if t.stem >= 0 {
				t.stemEnd += int32(start)
			}
			toks = append(toks, t)
		case isSkip(r):
			i += size
		default:
			toks = append(toks, token{start: int32(i), end: int32(i + size), kind: tPunct, r: r, exact: -1, stem: -1})
			i += size
		}
	}
	return toks
}

// fold maps a rune to the form the lexicon stores: lower case, Turkish
// dotless i as i, every apostrophe as ', ё as е, and Arabic letter variants
// (hamza seats on alif, alif maqsura, ta marbuta, Persian yeh and kaf) to one
// letter each. It returns 0 for runes that are dropped: Arabic vowel marks
// and the tatweel.
func fold(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		if r == '`' {
			return '\''
		}
		return r
	}
	switch {
	case r >= 'а' && r <= 'я':
		return r
	case r >= 'А' && r <= 'Я':
		return r + 'а' - 'А'
	case r == 'ı':
		return 'i'
	case isApostrophe(r):
		return '\''
	case r == 'ё' || r == 'Ё':
		return 'е'
	case r == 'أ' || r == 'إ' || r == 'آ' || r == 'ٱ':
		return 'ا'
	case r == 'ى' || r == 'ی':
		return 'ي'
	case r == 'ة':
		return 'ه'
	case r == 'ک':
		return 'ك'
	case r == 'ـ' || (r >= '\u064B' && r <= '\u065F') || r == '\u0670':
		return 0
	case r >= '\u0600' && r <= '\u06FF':
		return r // Arabic has no case
	}
	return unicode.ToLower(r)
}

// foldString folds every rune of s; it builds the lexicon's keys.
func foldString(s string) string {
	b := make([]rune, 0, len(s))
	for _, r := range s {
		if f := fold(r); f != 0 {
			b = append(b, f)
		}
	}
	return string(b)
}

// foldEqual reports whether word folds to the already folded key.
func foldEqual(word, key string) bool {
	j := 0
	for _, r := range word {
		f := fold(r)
		if f == 0 {
			continue
		}
		k, size := utf8.DecodeRuneInString(key[j:])
		if size == 0 || k != f {
			return false
		}
		j += size
	}
	return j == len(key)
}
