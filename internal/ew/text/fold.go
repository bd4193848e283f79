package text

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/language"

	"github.com/kurultai/kurultai/internal/ew"
)

// Fold returns s lower-cased for matching in language l:
//
//   - Turkish and Azerbaijani use their own casing: I → ı and İ → i.
//   - Every other language uses the default Unicode rules, except that
//     İ becomes plain i (not i followed by a combining dot), so a Turkish
//     place name quoted in an English or Russian text still matches.
//   - Arabic also maps teh marbuta ة to ه, the usual folding for matching
//     (Normalize has already unified alef forms and alef maksura).
//   - Russian also maps ё to е, since most Russian text omits the dots.
//
// Fold is meant for normalised text (see Normalize) and for words and
// patterns: it keeps the length in runes, but not always in bytes, so do
// not fold a whole text whose offsets you keep.
//
// The scripts early warning reads lower-case one rune at a time, so Fold
// maps runes with the standard library's tables (unicode.TurkishCase for
// the Turkic languages), which is several times faster than a
// golang.org/x/text/cases Caser and needs no per-call state; FoldCases
// gives the Caser's answer, and a test holds the two equal.
func Fold(s string, l ew.Lang) string {
	turkic := l == ew.Turkish || l == ew.Azerbaijani
	if ascii, lower := scanASCII(s); ascii {
		if lower {
			return s
		}
		if !turkic {
			return asciiLower(s)
		}
	}
	if foldsToItself(s, l) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case turkic:
			r = unicode.TurkishCase.ToLower(r)
		case r == 'İ':
			r = 'i'
		default:
			r = unicode.ToLower(r)
		}
		switch {
		case r == 'ة' && l == ew.Arabic:
			r = 'ه'
		case r == 'ё' && l == ew.Russian:
			r = 'е'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// foldsToItself reports whether Fold would return s unchanged, which is
// the common case for words inside a sentence and costs no allocation.
func foldsToItself(s string, l ew.Lang) bool {
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			if 'A' <= r && r <= 'Z' {
				return false
			}
		case r == 'ة' && l == ew.Arabic, r == 'ё' && l == ew.Russian:
			return false
		case unicode.IsUpper(r) || unicode.IsTitle(r):
			return false
		}
	}
	return true
}

// FoldCases is Fold computed with golang.org/x/text/cases and the
// language's tag. It allocates a Caser per call; Fold is the fast path.
func FoldCases(s string, l ew.Lang) string {
	var out string
	if l == ew.Turkish || l == ew.Azerbaijani {
		out = cases.Lower(language.Make(string(l))).String(s)
	} else {
		out = cases.Lower(language.Und).String(strings.ReplaceAll(s, "İ", "i"))
	}
	switch l {
	case ew.Arabic:
		out = strings.ReplaceAll(out, "ة", "ه")
	case ew.Russian:
		out = strings.ReplaceAll(out, "ё", "е")
	}
	return out
}

// scanASCII reports whether s is all ASCII and, if so, whether it has no
// upper-case letters.
func scanASCII(s string) (ascii, lower bool) {
	lower = true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return false, false
		}
		if 'A' <= c && c <= 'Z' {
			lower = false
		}
	}
	return true, lower
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
