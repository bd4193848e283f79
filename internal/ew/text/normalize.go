// Package text prepares news text for early warning: Unicode and Arabic
// normalisation, language-aware case folding, sentence splitting and
// tokenisation for the nine languages early warning reads.
//
// The pipeline normalises an article once, with Normalize, and stores the
// result as the article's Text. Every span downstream (sentences, tokens,
// evidence offsets) refers to that normalised text, never to the raw input;
// NormalizeMap also returns an OffsetMap for callers that must point back
// into the original bytes (highlighting a fetched page, for example).
//
// Matching (keywords, gazetteer names, month names) compares Fold of a token
// with Fold of a pattern, so the patterns never need to spell out case or
// letter variants.
package text

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalize returns s in the form the pipeline stores and searches:
//
//   - Unicode NFC; invalid UTF-8 becomes U+FFFD.
//   - Arabic: tatweel and harakat (short vowels, shadda, sukun, Quranic
//     marks, superscript alef) removed; alef with hamza or madda and alef
//     wasla (أ إ آ ٱ) become bare alef ا; alef maksura ى becomes ي, and
//     the Persian forms ی and ک become ي and ك. Teh marbuta ة is kept here,
//     because it carries meaning and reads correctly in evidence; Fold
//     maps it to ه for matching.
//   - Eastern Arabic digits ٠–٩ and Persian digits ۰–۹ become ASCII 0–9,
//     and the Arabic decimal and thousands separators become "." and ",".
//   - Double quotes and guillemets (“ ” „ « » ‹ › ″) become ";
//     apostrophe-like marks (‘ ’ ‚ ‛ ` ´ ′ and the Uzbek okina ʻ and ʼ)
//     become ', so "Ocak’ta" and "Ocak'ta", "oʻzbek" and "o'zbek" match;
//     dashes and the minus sign become -.
//   - Zero-width characters, bidi controls, soft hyphens and other control
//     characters are removed; every other space becomes " ", runs of spaces
//     collapse to one, lines are trimmed, CR LF and CR become LF, and at most
//     one blank line separates paragraphs.
//
// The result is trimmed. Normalize is idempotent.
func Normalize(s string) string {
	var n normalizer
	n.run(s)
	out := n.out.String()
	if n.dropped && !isNFC(out) {
		// a removed control character stood between a letter and its
		// combining mark; one more pass composes them
		return Normalize(out)
	}
	return out
}

// NormalizeMap is Normalize that also returns the map from offsets in the
// normalised text back to offsets in s.
func NormalizeMap(s string) (string, *OffsetMap) {
	n := normalizer{m: &OffsetMap{}}
	n.run(s)
	out := n.out.String()
	n.m.inLen, n.m.outLen = len(s), len(out)
	if n.dropped && !isNFC(out) {
		out2, m2 := NormalizeMap(out)
		m2.inner = n.m
		return out2, m2
	}
	return out, n.m
}

// OffsetMap maps byte offsets in a normalised text to byte offsets in the
// text it was made from. It stores only the points where the two drift
// apart, so it stays small for texts that needed little change.
type OffsetMap struct {
	out, in       []int // breakpoints: out[i] in the result came from in[i]
	inLen, outLen int
	inner         *OffsetMap // set when a second pass was needed: maps its input back
}

// Orig returns the offset in the original text of offset off in the
// normalised text. Offsets inside a character that normalisation replaced
// map to the start of the original character; off is clamped to the text.
func (m *OffsetMap) Orig(off int) int {
	if m == nil {
		return off
	}
	if off >= m.outLen {
		return m.inner.Orig(m.inLen)
	}
	off = max(off, 0)
	// the last breakpoint at or before off; before the first one the
	// texts agree, as if a breakpoint (0, 0) stood there
	i := sort.SearchInts(m.out, off+1) - 1
	outBase, inBase := 0, 0
	if i >= 0 {
		outBase, inBase = m.out[i], m.in[i]
	}
	r := inBase + (off - outBase)
	if i+1 < len(m.in) {
		r = min(r, m.in[i+1]) // inside a replacement that grew
	}
	r = min(r, m.inLen)
	if m.inner != nil {
		return m.inner.Orig(r)
	}
	return r
}

func (m *OffsetMap) mark(out, in int) {
	if m == nil {
		return
	}
	if k := len(m.out); k > 0 {
		if m.in[k-1]-m.out[k-1] == in-out {
			return // same drift as the last point: nothing to record
		}
		if m.out[k-1] == out {
			m.in[k-1] = in
			return
		}
	} else if in == out {
		return
	}
	m.out = append(m.out, out)
	m.in = append(m.in, in)
}

// normalizer holds the state of one Normalize call: pending whitespace is
// written only when the next visible character arrives, which trims lines
// and collapses runs without looking ahead.
type normalizer struct {
	out      strings.Builder
	m        *OffsetMap
	space    bool // a space is pending
	newlines int  // newlines pending (at most 2 are written)
	cr       bool // the last character was a carriage return
	dropped  bool // a character was removed (the result may need composing)
}

func (n *normalizer) run(s string) {
	n.out.Grow(len(s))
	if isNFC(s) {
		n.segment(s, 0, true)
		return
	}
	if n.m == nil {
		n.segment(norm.NFC.String(s), 0, false) // no offsets to keep: one pass
		return
	}
	var it norm.Iter
	it.InitString(norm.NFC, s)
	for !it.Done() {
		start := it.Pos()
		seg := it.Next()
		end := it.Pos()
		exact := string(seg) == s[start:end]
		n.segment(string(seg), start, exact)
	}
}

// segment normalises seg, which came from the original offset base; when
// exact is false (NFC changed it) every rune maps to base.
func (n *normalizer) segment(seg string, base int, exact bool) {
	for i := 0; i < len(seg); {
		r, size := utf8.DecodeRuneInString(seg[i:])
		in := base
		if exact {
			in = base + i
		}
		i += size
		if r == '\n' && n.cr {
			n.cr = false
			continue // the LF of a CR LF
		}
		n.cr = r == '\r'
		switch r = mapRune(r); r {
		case dropRune:
			n.dropped = true
			continue
		case '\n':
			n.newlines++
			n.space = false
			continue
		case ' ':
			if n.newlines == 0 {
				n.space = true
			}
			continue
		}
		if n.out.Len() > 0 {
			switch {
			case n.newlines > 0:
				n.out.WriteString("\n\n"[:min(n.newlines, 2)])
			case n.space:
				n.out.WriteByte(' ')
			}
		}
		n.newlines, n.space = 0, false
		n.m.mark(n.out.Len(), in)
		n.out.WriteRune(r)
	}
}

// isNFC reports whether s is in NFC. Text made only of characters that
// are NFC by themselves and never combine with what precedes them (ASCII,
// Latin-1 and Latin Extended letters, Cyrillic and Arabic letters and
// digits, common punctuation) is NFC as it stands; anything else asks the
// norm package, whose general check is several times slower.
func isNFC(s string) bool {
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if !nfcStable(r) {
			return norm.NFC.IsNormalString(s)
		}
		i += size
	}
	return true
}

// nfcStable reports whether r is NFC on its own and starts a new
// combining sequence (TestNFCStable checks every one against the norm
// tables).
func nfcStable(r rune) bool {
	switch {
	case r >= 0xA0 && r < 0x300: // Latin-1, Latin Extended-A and -B, IPA, spacing modifiers
		return true
	case r >= 0x400 && r <= 0x482, r >= 0x48A && r <= 0x52F: // Cyrillic letters
		return true
	case r >= 0x60C && r <= 0x60F, r >= 0x61B && r <= 0x61F,
		r >= 0x621 && r <= 0x64A, r >= 0x660 && r <= 0x66D,
		r >= 0x671 && r <= 0x6D3, r >= 0x6F0 && r <= 0x6F9: // Arabic letters, digits, punctuation
		return true
	case r >= 0x2010 && r <= 0x2027, r >= 0x2030 && r <= 0x205E: // dashes, quotes, bullets
		return true
	}
	return false
}

// dropRune marks characters that Normalize removes.
const dropRune = -1

// mapRune returns the normalised form of one NFC rune: itself, a
// replacement, '\n' or ' ' for line and space characters, or dropRune.
func mapRune(r rune) rune {
	if r < 0x80 {
		switch {
		case r == '\n' || r == '\r' || r == '\v' || r == '\f':
			return '\n'
		case r == ' ' || r == '\t':
			return ' '
		case r < 0x20 || r == 0x7f:
			return dropRune
		case r == '`':
			return '\''
		}
		return r
	}
	if r >= 0xC0 && r <= 0x52F && r != 0x2BB && r != 0x2BC && r != 0x2B9 {
		return r // Latin, IPA and Cyrillic letters: nothing to map
	}
	switch {
	case r >= 0x0660 && r <= 0x0669: // Eastern Arabic digits
		return '0' + r - 0x0660
	case r >= 0x06F0 && r <= 0x06F9: // Persian digits
		return '0' + r - 0x06F0
	case isArabicMark(r):
		return dropRune
	}
	switch r {
	case 'أ', 'إ', 'آ', 'ٱ':
		return 'ا'
	case 'ى', 'ی': // alef maksura, Persian yeh
		return 'ي'
	case 'ک': // Persian kaf
		return 'ك'
	case '٫': // Arabic decimal separator
		return '.'
	case '٬': // Arabic thousands separator
		return ','
	case '٪':
		return '%'
	case '“', '”', '„', '‟', '«', '»', '‹', '›', '″', '〝', '〞', '＂':
		return '"'
	case '‘', '’', '‚', '‛', '´', '′', 'ʻ', 'ʼ', 'ʹ', 'ꞌ', '＇':
		return '\''
	case '‐', '‑', '‒', '–', '—', '―', '−', '﹘', '﹣', '－':
		return '-'
	case 0x0085, 0x2028, 0x2029: // NEL, line and paragraph separators
		return '\n'
	case 0x00AD, 0x061C, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF,
		0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069:
		return dropRune // soft hyphen, zero-width and bidi controls
	}
	if r >= 0x600 && r < 0x1680 {
		return r // no spaces or controls among these scripts
	}
	switch {
	case unicode.IsSpace(r):
		return ' '
	case unicode.IsControl(r):
		return dropRune
	}
	return r
}

// isArabicMark reports whether r is tatweel or a diacritic that Arabic
// matching ignores (harakat, shadda, sukun, superscript alef, Quranic
// annotation signs).
func isArabicMark(r rune) bool {
	switch {
	case r == 0x0640: // tatweel
		return true
	case r >= 0x0610 && r <= 0x061A:
		return true
	case r >= 0x064B && r <= 0x065F:
		return true
	case r == 0x0670:
		return true
	case r >= 0x06D6 && r <= 0x06DC, r >= 0x06DF && r <= 0x06E4,
		r == 0x06E7, r == 0x06E8, r >= 0x06EA && r <= 0x06ED:
		return true
	}
	return false
}
