package lang

import (
	"unicode"
	"unicode/utf8"
)

// eachGram calls f with the key and order of every character 1-, 2- and
// 3-gram of the words of text, lower-cased, with a space marking each
// word's edges; it reads at most limit runes.
func eachGram(text string, limit int, f func(key uint64, order int)) {
	var a, b rune = ' ', ' ' // the two previous characters
	n := 0
	for _, r := range text {
		if n++; n > limit {
			break
		}
		r = foldRune(r)
		if r == skipRune {
			continue
		}
		if r == ' ' {
			if b == ' ' {
				continue
			}
			f(gramKey(b, ' ', 0), 2)
			f(gramKey(a, b, ' '), 3)
			a, b = b, ' '
			continue
		}
		f(gramKey(r, 0, 0), 1)
		f(gramKey(b, r, 0), 2)
		f(gramKey(a, b, r), 3)
		a, b = b, r
	}
	if b != ' ' {
		f(gramKey(b, ' ', 0), 2)
		f(gramKey(a, b, ' '), 3)
	}
}

// eachWord calls f with every folded word of text, reading at most limit
// runes; w is valid only during the call.
func eachWord(text string, limit int, f func(w []byte)) {
	var buf [64]byte
	w := buf[:0]
	n := 0
	for _, r := range text {
		if n++; n > limit {
			break
		}
		r = foldRune(r)
		if r == skipRune {
			continue
		}
		if r == ' ' {
			if len(w) > 0 {
				f(w)
				w = w[:0]
			}
			continue
		}
		if len(w) < len(buf)-utf8.UTFMax {
			w = utf8.AppendRune(w, r)
		}
	}
	if len(w) > 0 {
		f(w)
	}
}

// gramKey packs up to three runes (21 bits each) into a key; zero runes
// pad shorter n-grams, and no letter is zero.
func gramKey(a, b, c rune) uint64 {
	if c == 0 {
		if b == 0 {
			return uint64(a)
		}
		return uint64(a)<<21 | uint64(b)
	}
	return uint64(a)<<42 | uint64(b)<<21 | uint64(c)
}

func keyOrder(k uint64) int {
	switch {
	case k>>42 != 0:
		return 3
	case k>>21 != 0:
		return 2
	}
	return 1
}

// foldRune lower-cases a letter, maps apostrophe forms (part of Uzbek
// letters and Turkic suffixes) to ', and every other character to ' '.
func foldRune(r rune) rune {
	switch {
	case r < 0x80:
		switch {
		case 'a' <= r && r <= 'z':
			return r
		case 'A' <= r && r <= 'Z':
			return r + 'a' - 'A'
		case r == '\'' || r == '`':
			return '\''
		}
		return ' '
	case r == 'ʻ' || r == 'ʼ' || r == '’' || r == '‘':
		return '\''
	case r == 'İ':
		return 'i'
	case unicode.IsLetter(r):
		return unicode.ToLower(r)
	case unicode.IsMark(r):
		return skipRune // a combining mark belongs to its letter
	}
	return ' '
}

// skipRune is what foldRune returns for characters to ignore.
const skipRune = -1
