package text

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kurultai/kurultai/internal/ew"
)

// Sentences splits s into sentences and returns their spans, trimmed of
// surrounding space. It is rule-based and language-neutral:
//
//   - A sentence ends after ".", "!", "?", "…", the Arabic question mark
//     "؟" or the Urdu full stop "۔" (runs such as "?!" or "..." count once),
//     with any closing quotes or brackets that follow, when space or the end
//     of the text comes next.
//   - It does not end there when the next word starts with a lower-case
//     letter (Hungarian "2022. január 5.", "и т.д. в"), after an initial
//     ("K. Tokayev"), or after an abbreviation that never ends a sentence
//     ("Dr.", "No. 5", "т.е.", "им.", "Prof.", "pl."). Numbers like 5.1
//     have no space after the point and never split.
//   - A blank line always ends a sentence, and so does a line break unless
//     the next line starts with a lower-case letter (hard-wrapped text).
func Sentences(s string) []ew.Span {
	var out []ew.Span
	start := skipSpace(s, 0)
	emit := func(end int) {
		for end > start {
			r, size := utf8.DecodeLastRuneInString(s[start:end])
			if !unicode.IsSpace(r) {
				break
			}
			end -= size
		}
		if end > start {
			out = append(out, ew.Span{Start: start, End: end})
		}
	}
	for i := start; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\n':
			next := skipSpace(s, i)
			blank := strings.Count(s[i:next], "\n") > 1
			if blank || next >= len(s) || !startsLower(s[next:]) {
				emit(i)
				start = next
			}
			i = next
			continue
		case isTerminator(r):
			j := i + size
			for j < len(s) {
				r2, n := utf8.DecodeRuneInString(s[j:])
				if !isTerminator(r2) && !isCloser(r2) {
					break
				}
				j += n
			}
			if j >= len(s) {
				emit(j)
				start = j
				i = j
				continue
			}
			if r2, _ := utf8.DecodeRuneInString(s[j:]); !unicode.IsSpace(r2) {
				i = j
				continue
			}
			next := skipSpace(s, j)
			if strings.Contains(s[j:next], "\n") {
				i = j // the newline rule decides
				continue
			}
			if next < len(s) && !endsHere(s, start, i, j, r, s[next:]) {
				i = next
				continue
			}
			emit(j)
			start = next
			i = next
			continue
		}
		i += size
	}
	emit(len(s))
	return out
}

// endsHere decides a terminator r at s[i] (with its run ending at j) that
// is followed by space and then rest.
func endsHere(s string, start, i, j int, r rune, rest string) bool {
	if startsLower(rest) {
		return false
	}
	if r != '.' || j != i+1 {
		return true // "!", "?", "...", or "." followed by a closer
	}
	word := wordBefore(s[start:i])
	if word == "" {
		return true
	}
	n := utf8.RuneCountInString(word)
	first, _ := utf8.DecodeRuneInString(word)
	if n == 1 && unicode.IsLetter(first) && !unicode.IsLower(first) {
		return false // an initial: "K. Tokayev", Arabic "د."
	}
	w := strings.ToLower(word)
	if noFinalAbbrev[w] {
		return false
	}
	if nr, _ := utf8.DecodeRuneInString(rest); unicode.IsDigit(nr) && beforeNumberAbbrev[w] {
		return false // "No. 5", "Jan. 5", "ст. 4"
	}
	return true
}

// wordBefore returns the letters, digits and inner dots that end s, so
// "т.е" and "e.g" come back whole.
func wordBefore(s string) string {
	i := len(s)
	for i > 0 {
		r, size := utf8.DecodeLastRuneInString(s[:i])
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) || r == '.' || r == '-' {
			i -= size
			continue
		}
		break
	}
	return strings.Trim(s[i:], ".-")
}

// noFinalAbbrev lists lower-cased abbreviations (without their last dot)
// that stand before a name or a word and so never end a sentence.
var noFinalAbbrev = map[string]bool{
	// English
	"dr": true, "mr": true, "mrs": true, "ms": true, "prof": true, "gen": true, "col": true,
	"lt": true, "sgt": true, "capt": true, "st": true, "e.g": true, "i.e": true, "vs": true,
	"cf": true, "approx": true, "rep": true, "sen": true, "gov": true, "pres": true,
	// Russian and other Cyrillic
	"т.е": true, "т.к": true, "им": true, "ул": true, "пр": true, "проф": true, "ген": true,
	"г-н": true, "г-жа": true, "акад": true, "см": true, "напр": true, "обл": true, "пос": true,
	"тов": true, "мкр": true, "пл": true, "с.ш": true, "д-р": true,
	// Turkish and Azerbaijani
	"doç": true, "yrd": true, "av": true, "sn": true, "alb": true, "org": true, "bkz": true,
	"cad": true, "sok": true, "mah": true, "bşk": true, "müd": true,
	// Hungarian
	"ún": true, "ill": true, "kb": true, "ifj": true, "id": true, "pl": true, "özv": true,
	"vö": true, "ld": true,
}

// beforeNumberAbbrev lists abbreviations that do not end a sentence when a
// number follows.
var beforeNumberAbbrev = map[string]bool{
	"no": true, "nr": true, "nos": true, "art": true, "p": true, "pp": true, "vol": true,
	"jan": true, "feb": true, "mar": true, "apr": true, "jun": true, "jul": true, "aug": true,
	"sep": true, "sept": true, "oct": true, "nov": true, "dec": true,
	"ст": true, "п": true, "ч": true, "стр": true, "рис": true, "№": true,
	"md": true, "bd": true, "sz": true, "o": true,
	"ж": true, "y": true, // Kazakh, Kyrgyz and Uzbek "year": "2022 ж. 5 қаңтарда"
}

func isTerminator(r rune) bool {
	switch r {
	case '.', '!', '?', '…', '؟', '۔':
		return true
	}
	return false
}

func isCloser(r rune) bool {
	switch r {
	case '"', '\'', ')', ']', '}', '»', '”', '’', '›':
		return true
	}
	return false
}

func skipSpace(s string, i int) int {
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsSpace(r) {
			break
		}
		i += size
	}
	return i
}

// startsLower reports whether s starts with a lower-case letter, looking
// past opening quotes and brackets.
func startsLower(s string) bool {
	for _, r := range s {
		switch r {
		case '"', '\'', '(', '[', '«', '“', '‘':
			continue
		}
		return unicode.IsLower(r)
	}
	return false
}
