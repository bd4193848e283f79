// Package tok splits early-warning text into word tokens and folds them for
// matching, keeping each token's byte offsets in the original text. The
// gazetteer, signals and attribution packages share it.
//
// It overlaps with internal/ew/text (Fold, tokenisation), which was written
// at the same time; once that package settles, tok should delegate to it.
// Folding here is deliberately tolerant of text that was not normalised:
// it unifies apostrophes, Arabic letter variants and digits itself.
package tok

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/language"

	"github.com/kurultai/kurultai/internal/ew"
)

// Token is one word of a text. It holds no pointers, so token slices
// cost the garbage collector nothing.
type Token struct {
	Start, End int   // byte offsets in the text
	kLo, kHi   int32 // the folded key in Doc.Keys
	Title      bool  // the first letter is upper-case
	Caps       bool  // every letter is upper-case (an acronym), at least two letters
}

// Doc is a tokenised text.
type Doc struct {
	Keys   string // the folded keys of all tokens, concatenated
	Tokens []Token
}

// Key returns the folded form of token i, used for matching.
func (d *Doc) Key(i int) string { t := d.Tokens[i]; return d.Keys[t.kLo:t.kHi] }

// Tokenize returns the tokens of s. Pass a previous result as reuse to
// recycle its token slice (nil is fine).
func Tokenize(s string, l ew.Lang, reuse *Doc) *Doc {
	d := reuse
	if d == nil {
		d = &Doc{}
	}
	var keys []byte
	d.Tokens, keys = tokens(s, l, d.Tokens[:0])
	d.Keys = string(keys)
	return d
}

// Fold returns a word or phrase folded for matching in language l: lower
// case by the language's rules (Turkish and Azerbaijani map I to ı and İ to
// i), ё as е, every apostrophe-like mark as ', and for Arabic no harakat or
// tatweel, bare alef for its hamza and madda forms, ي for ى and ه for ة.
// Fold uses golang.org/x/text/cases; Tokens folds rune by rune with the
// same result (tested), because it runs on every word of every article.
func Fold(s string, l ew.Lang) string {
	tag := language.Und
	if Turkic(l) {
		tag = language.Turkish
	}
	lower := cases.Lower(tag).String(s)
	b := make([]byte, 0, len(lower))
	for _, r := range lower {
		if r == 0x307 { // combining dot left by lower-casing İ outside Turkish
			continue
		}
		b = appendFolded(b, r)
	}
	return string(b)
}

// Turkic reports whether l uses Turkish casing (dotted and dotless i).
func Turkic(l ew.Lang) bool { return l == ew.Turkish || l == ew.Azerbaijani }

// tokens appends the tokens of s to dst, returning it and their keys.
func tokens(s string, l ew.Lang, dst []Token) ([]Token, []byte) {
	turkic := Turkic(l)
	if est := len(s)/5 + 1; cap(dst)-len(dst) < est {
		grown := make([]Token, len(dst), len(dst)+est)
		copy(grown, dst)
		dst = grown
	}
	keys := make([]byte, 0, len(s)+8)
	var (
		in             bool // inside a token
		start, ks      int  // the token's start in s and in keys
		title          bool
		letters, upper int
		apos           int // offset of a pending apostrophe, or -1
	)
	end := func(at int) {
		in = false
		if len(keys) == ks { // only marks that fold away
			return
		}
		dst = append(dst, Token{Start: start, End: at, kLo: int32(ks), kHi: int32(len(keys)), Title: title, Caps: letters >= 2 && upper == letters})
	}
	apos = -1
	for i, r := range s {
		c := class(r)
		if in && apos >= 0 {
			if c&clLetter != 0 {
				keys = append(keys, '\'')
				apos = -1
			} else {
				end(apos)
				apos = -1
			}
		}
		if c&clWord == 0 {
			if in && isApostrophe(r) {
				apos = i
				continue
			}
			if in {
				end(i)
			}
			continue
		}
		if !in {
			in, start, ks = true, i, len(keys)
			title = c&clUpper != 0
			letters, upper = 0, 0
		}
		if c&clLetter != 0 {
			letters++
			if c&clUpper != 0 {
				upper++
			}
		}
		keys = appendLower(keys, r, turkic)
	}
	if in {
		if apos >= 0 {
			end(apos)
		} else {
			end(len(s))
		}
	}
	return dst, keys
}

func appendLower(b []byte, r rune, turkic bool) []byte {
	if r < tableSize {
		if turkic && r == 'I' {
			return append(b, "ı"...)
		}
		f := tables.fold[r]
		switch {
		case f < 0:
			return b
		case f < utf8.RuneSelf:
			return append(b, byte(f))
		case f < 0x800:
			return append(b, byte(0xC0|f>>6), byte(0x80|f&0x3F))
		}
		return utf8.AppendRune(b, f)
	}
	if turkic {
		r = unicode.TurkishCase.ToLower(r)
	} else {
		r = unicode.ToLower(r)
	}
	return appendFolded(b, r)
}

// appendFolded appends the folded form of the lower-case rune r.
func appendFolded(b []byte, r rune) []byte {
	if r < utf8.RuneSelf {
		if r == '`' {
			r = '\''
		}
		return append(b, byte(r))
	}
	switch {
	case r == 'ё':
		r = 'е'
	case isApostrophe(r):
		r = '\''
	case r >= 0x64B && r <= 0x65F, r == 0x670, r == 0x640: // harakat, superscript alef, tatweel
		return b
	case r == 'أ', r == 'إ', r == 'آ', r == 'ٱ':
		r = 'ا'
	case r == 'ى', r == 'ی':
		r = 'ي'
	case r == 'ک':
		r = 'ك'
	case r == 'ة':
		r = 'ه'
	case r >= 0x660 && r <= 0x669:
		r = '0' + r - 0x660
	case r >= 0x6F0 && r <= 0x6F9:
		r = '0' + r - 0x6F0
	case r == 0xAD || r == 0x200C || r == 0x200D || r == 0x200B:
		return b
	}
	return utf8.AppendRune(b, r)
}

func isApostrophe(r rune) bool {
	switch r {
	case '\'', '’', '‘', 'ʼ', 'ʻ', '`', '´', '′', '‛':
		return true
	}
	return false
}

// TrimSuffixes reports whether rest can be read as at most max suffixes from
// set, optionally after a leading apostrophe (Turkish Almatı'da).
func TrimSuffixes(rest string, set map[string]bool, max int) bool {
	if rest == "" {
		return true
	}
	if rest[0] == '\'' {
		rest = rest[1:]
		if rest == "" {
			return false
		}
	}
	return segment(rest, set, max)
}

// maxSuffixBytes bounds the length of one suffix in a suffix set.
const maxSuffixBytes = 16

func segment(s string, set map[string]bool, max int) bool {
	if s == "" {
		return true
	}
	if max == 0 {
		return false
	}
	for i := min(len(s), maxSuffixBytes); i > 0; i-- {
		if i < len(s) && !utf8.RuneStart(s[i]) {
			continue
		}
		if set[s[:i]] && segment(s[i:], set, max-1) {
			return true
		}
	}
	return false
}

// The character classes of the scripts early warning reads (Latin,
// Cyrillic, Arabic) come from a table filled once from package unicode,
// which is several times faster than the range-table lookups.
const tableSize = 0x800

const (
	clWord = 1 << iota
	clLetter
	clUpper
)

// tables is written only by init and read-only afterwards.
var tables = func() (t struct {
	class [tableSize]uint8
	fold  [tableSize]rune // lower-cased and folded; -1 drops the rune
}) {
	for r := rune(0); r < tableSize; r++ {
		lr := unicode.ToLower(r)
		if r == 'İ' {
			lr = 'i'
		}
		t.fold[r] = -1
		if b := appendFolded(nil, lr); len(b) > 0 {
			t.fold[r], _ = utf8.DecodeRune(b)
		}
		var c uint8
		if unicode.IsLetter(r) {
			c |= clLetter | clWord
		}
		if unicode.IsUpper(r) || unicode.IsTitle(r) {
			c |= clUpper
		}
		if unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || r == 0xAD || r == 0x640 {
			c |= clWord
		}
		t.class[r] = c
	}
	return t
}()

func class(r rune) uint8 {
	if r < tableSize {
		return tables.class[r]
	}
	var c uint8
	if unicode.IsLetter(r) {
		c |= clLetter | clWord
	}
	if unicode.IsUpper(r) || unicode.IsTitle(r) {
		c |= clUpper
	}
	if unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || r == 0x200C || r == 0x200D {
		c |= clWord
	}
	return c
}

func isUpper(r rune) bool { return class(r)&clUpper != 0 }
