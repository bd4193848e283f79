package text

import (
	"unicode"
	"unicode/utf8"

	"github.com/kurultai/kurultai/internal/ew"
)

// Token is one word or number of a text and where it stands.
type Token struct {
	Text string  // the token as written (not folded)
	Span ew.Span // its byte offsets in the text given to Tokens
}

// IsNumber reports whether the token starts with a digit.
func (t Token) IsNumber() bool {
	r, _ := utf8.DecodeRuneInString(t.Text)
	return unicode.IsDigit(r)
}

// Tokens splits s into words and numbers; punctuation and space separate
// them and are not returned.
//
//   - A word is a run of letters, combining marks and digits. An apostrophe
//     between two letters or digits stays inside it, so Turkic suffixes
//     ("Ocak'ta", "5'te", "Qazaqstan'da") and Uzbek Latin letters
//     ("O'zbekiston", "ma'lumot") keep the word whole; so does a final
//     apostrophe after o or g in Uzbek ("tog'"). All apostrophe forms
//     count (', ’, ʻ, ʼ, ‘), though Normalize has already made them '.
//   - A hyphen separates tokens ("5-yanvarda" gives "5" and "yanvarda",
//     "Алма-Ата" gives "Алма" and "Ата"), which lets date and name rules
//     work on parts.
//   - A point or comma between digits stays inside a number ("5.1", "1,5").
func Tokens(s string) []Token {
	out := make([]Token, 0, len(s)/6)
	start := -1
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case isWordRune(r):
			if start < 0 {
				start = i
			}
		case start >= 0 && isApostrophe(r):
			next, _ := utf8.DecodeRuneInString(s[i+size:])
			prev, _ := utf8.DecodeLastRuneInString(s[start:i])
			switch {
			case isWordRune(next):
				// inside the word
			case (prev == 'o' || prev == 'g' || prev == 'O' || prev == 'G') && i-start > 1:
				i += size // Uzbek final oʻ or gʻ
				out = append(out, Token{Text: s[start:i], Span: ew.Span{Start: start, End: i}})
				start = -1
				continue
			default:
				out = append(out, Token{Text: s[start:i], Span: ew.Span{Start: start, End: i}})
				start = -1
			}
		case start >= 0 && (r == '.' || r == ','):
			prev, _ := utf8.DecodeLastRuneInString(s[start:i])
			next, _ := utf8.DecodeRuneInString(s[i+size:])
			if !(unicode.IsDigit(prev) && unicode.IsDigit(next)) {
				out = append(out, Token{Text: s[start:i], Span: ew.Span{Start: start, End: i}})
				start = -1
			}
		default:
			if start >= 0 {
				out = append(out, Token{Text: s[start:i], Span: ew.Span{Start: start, End: i}})
				start = -1
			}
		}
		i += size
	}
	if start >= 0 {
		out = append(out, Token{Text: s[start:], Span: ew.Span{Start: start, End: len(s)}})
	}
	return out
}

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r))
}

func isApostrophe(r rune) bool {
	switch r {
	case '\'', '’', 'ʻ', 'ʼ', '‘':
		return true
	}
	return false
}
