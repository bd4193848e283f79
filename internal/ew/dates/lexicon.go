package dates

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/kurultai/kurultai/internal/ew"
)

// class is what a lexicon word means to the date patterns.
type class uint8

const (
	clMonth        class = iota + 1 // val: 1–12
	clWeekday                       // val: time.Weekday
	clRelative                      // val: days from the publication date
	clYearWord                      // "года", "yil", "жылы" after a year
	clYearPrefix                    // "عام", "سنة" before a year
	clModifier                      // before a weekday; val: -1 last, +1 next, 0 this
	clPostModifier                  // after a weekday (Arabic); val as clModifier
	clFollower                      // after a weekday: "günü", "kuni", "күні"
	clPrep                          // a weekday needs one of these before it (Russian "в")
	clRange                         // between two days: "and", "to", "и", "ve"
	clOf                            // between a day and its month: "of", "من"
	clOrdinal                       // Arabic ordinal day word; val: the day
	clTeen                          // Arabic "عشر" after an ordinal: +10
	clTens                          // Arabic "والعشرين"; val: 20 or 30
	clDaySuffix                     // English "st", "nd", "rd", "th"
	clMonthOf                       // "ayının", "айының": "Ocak ayının 5'inde"
)

// flag refines an entry.
type flag uint8

const (
	fStem   flag = 1 << iota // takes the case suffixes of Turkic languages
	fCap                     // must be written with a capital (English names)
	fAbbr                    // an abbreviation; a dot may follow it
	fStrict                  // a weekday that needs a follower word ("Cuma günü")
)

// entry is one meaning of a word or phrase.
type entry struct {
	rest      []string // further folded words of a phrase; nil for one word
	blockPrev []string // folded words that cancel a relative word before it
	blockNext []string // folded words that cancel a relative word after it
	langs     uint16   // bit set of languages the entry belongs to
	cls       class
	flags     flag
	val       int8
}

type edge struct {
	r  rune
	to int32
}

type trieNode struct {
	edges   []edge  // sorted by r
	entries []int32 // indexes into lexicon.entries
	stem    bool    // some entry here takes case suffixes
}

// lexicon is a trie over folded words. It is built once and never changed.
type lexicon struct {
	nodes    []trieNode
	entries  []entry
	suffixes map[string]bool // folded case suffixes of the Turkic languages
	// genitives holds the genitive suffixes: a month in the genitive is
	// followed by its day ("yanvarın 5-də", "қаңтардың 6-сы").
	genitives map[string]bool
	// needsPrep has the bits of languages whose weekdays count only
	// after a preposition.
	needsPrep uint16
}

// langBit returns the bit of l in entry.langs; 0 for unsupported languages.
func langBit(l ew.Lang) uint16 {
	for i, k := range ew.Languages {
		if k == l {
			return 1 << i
		}
	}
	return 0
}

func (lx *lexicon) child(n int32, r rune) int32 {
	e := lx.nodes[n].edges
	lo, hi := 0, len(e)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if e[m].r < r {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(e) && e[lo].r == r {
		return e[lo].to
	}
	return -1
}

// lookup finds the node of the whole word (exact) and the longest stem whose
// remainder is a case suffix or an apostrophe suffix (stem, ending at byte
// stemEnd of word). Missing nodes are -1.
func (lx *lexicon) lookup(word string) (exact, stem, stemEnd int32) {
	exact, stem = -1, -1
	type cand struct{ node, end int32 }
	var cands [4]cand
	nc := 0
	n := int32(0)
	i := 0
	for i < len(word) {
		r, size := utf8.DecodeRuneInString(word[i:])
		f := fold(r)
		if f == 0 {
			i += size
			continue
		}
		next := lx.child(n, f)
		if next < 0 {
			break
		}
		n = next
		i += size
		if len(lx.nodes[n].entries) > 0 && i < len(word) {
			if nc == len(cands) {
				copy(cands[:], cands[1:])
				nc--
			}
			cands[nc] = cand{n, int32(i)}
			nc++
		}
	}
	if i == len(word) && len(lx.nodes[n].entries) > 0 {
		exact = n
	}
	for k := nc - 1; k >= 0; k-- {
		c := cands[k]
		if lx.validSuffix(word[c.end:], lx.nodes[c.node].stem) {
			return exact, c.node, c.end
		}
	}
	return exact, -1, 0
}

// validSuffix reports whether s may follow a lexicon word: an apostrophe and
// letters (Turkish "Ocak'ta", English "Wednesday's"), or, after a stem that
// takes them, a known case suffix ("қаңтарда", "yanvarda").
func (lx *lexicon) validSuffix(s string, stem bool) bool {
	r, size := utf8.DecodeRuneInString(s)
	if isApostrophe(r) {
		n := 0
		for _, r := range s[size:] {
			if !isWordRune(r) && !isApostrophe(r) {
				return false
			}
			n++
		}
		return n > 0 && n <= 12
	}
	if !stem {
		return false
	}
	return inSet(lx.suffixes, s)
}

// inSet reports whether s, folded, is in set; it does not allocate.
func inSet(set map[string]bool, s string) bool {
	var buf [64]byte
	b := buf[:0]
	for _, r := range s {
		f := fold(r)
		if f == 0 {
			continue
		}
		if len(b)+utf8.UTFMax > len(buf) {
			return false
		}
		b = utf8.AppendRune(b, f)
	}
	return set[string(b)]
}

func addSet(set map[string]bool, list string) {
	for _, s := range strings.Split(list, "|") {
		if s = strings.TrimSpace(s); s != "" {
			set[foldString(s)] = true
		}
	}
}

// builder collects entries before the trie is frozen.
type builder struct {
	lx *lexicon
}

func newBuilder() *builder {
	return &builder{lx: &lexicon{nodes: []trieNode{{}}, suffixes: map[string]bool{}, genitives: map[string]bool{}}}
}

// add stores word (a phrase when it has spaces) with meaning e. An entry
// equal in all but its languages is merged with the existing one.
func (b *builder) add(word string, e entry) {
	words := strings.Fields(foldString(word))
	if len(words) == 0 {
		return
	}
	if len(words) > 1 {
		e.rest = words[1:]
	}
	n := int32(0)
	for _, r := range words[0] {
		next := b.lx.child(n, r)
		if next < 0 {
			next = int32(len(b.lx.nodes))
			b.lx.nodes = append(b.lx.nodes, trieNode{})
			ed := b.lx.nodes[n].edges
			at, _ := slices.BinarySearchFunc(ed, r, func(x edge, r rune) int { return int(x.r - r) })
			b.lx.nodes[n].edges = slices.Insert(ed, at, edge{r, next})
		}
		n = next
	}
	for _, idx := range b.lx.nodes[n].entries {
		old := &b.lx.entries[idx]
		if old.cls == e.cls && old.val == e.val && old.flags == e.flags && slices.Equal(old.rest, e.rest) &&
			slices.Equal(old.blockPrev, e.blockPrev) && slices.Equal(old.blockNext, e.blockNext) {
			old.langs |= e.langs
			return
		}
	}
	b.lx.entries = append(b.lx.entries, e)
	b.lx.nodes[n].entries = append(b.lx.nodes[n].entries, int32(len(b.lx.entries)-1))
	if e.flags&fStem != 0 {
		b.lx.nodes[n].stem = true
	}
}

// addList adds every "|"-separated alternative of list. An alternative may
// end in ":N" (its value), carry "<a,b" (words that cancel it before) and
// ">a,b" (words that cancel it after), end in "." (an abbreviation) or start
// with "!" (a weekday that needs a follower).
func (b *builder) addList(list string, e entry) {
	for _, alt := range strings.Split(list, "|") {
		alt = strings.TrimSpace(alt)
		if alt == "" {
			continue
		}
		x := e
		if k := strings.IndexByte(alt, '>'); k >= 0 {
			x.blockNext = strings.Split(foldString(alt[k+1:]), ",")
			alt = alt[:k]
		}
		if k := strings.IndexByte(alt, '<'); k >= 0 {
			x.blockPrev = strings.Split(foldString(alt[k+1:]), ",")
			alt = alt[:k]
		}
		if k := strings.LastIndexByte(alt, ':'); k >= 0 {
			v, err := strconv.Atoi(alt[k+1:])
			if err != nil {
				panic("dates: bad value in word list: " + alt)
			}
			x.val = int8(v)
			alt = alt[:k]
		}
		if strings.HasPrefix(alt, "!") {
			x.flags |= fStrict
			alt = alt[1:]
		}
		if strings.HasSuffix(alt, ".") {
			x.flags |= fAbbr
			alt = strings.TrimSuffix(alt, ".")
		}
		b.add(alt, x)
	}
}

// buildLexicon turns the word lists of every language into one lexicon.
func buildLexicon(vs []vocab) *lexicon {
	b := newBuilder()
	for _, v := range vs {
		bit := langBit(v.lang)
		names := flag(0)
		if v.stems {
			names |= fStem
		}
		if v.capital {
			names |= fCap
		}
		for m, list := range v.months {
			b.addList(list, entry{cls: clMonth, val: int8(m + 1), flags: names, langs: bit})
		}
		for d, list := range v.weekdays {
			b.addList(list, entry{cls: clWeekday, val: int8(d), flags: names, langs: bit})
		}
		b.addList(v.relative, entry{cls: clRelative, langs: bit})
		b.addList(v.yearWords, entry{cls: clYearWord, langs: bit})
		b.addList(v.yearPrefixes, entry{cls: clYearPrefix, langs: bit})
		b.addList(v.modifiers, entry{cls: clModifier, langs: bit})
		b.addList(v.postModifiers, entry{cls: clPostModifier, langs: bit})
		b.addList(v.followers, entry{cls: clFollower, langs: bit})
		b.addList(v.preps, entry{cls: clPrep, langs: bit})
		if v.preps != "" {
			b.lx.needsPrep |= bit
		}
		b.addList(v.ranges, entry{cls: clRange, langs: bit})
		b.addList(v.of, entry{cls: clOf, langs: bit})
		b.addList(v.ordinals, entry{cls: clOrdinal, langs: bit})
		b.addList(v.teens, entry{cls: clTeen, langs: bit})
		b.addList(v.tens, entry{cls: clTens, langs: bit})
		b.addList(v.daySuffixes, entry{cls: clDaySuffix, langs: bit})
		b.addList(v.monthOf, entry{cls: clMonthOf, langs: bit})
		addSet(b.lx.suffixes, v.suffixes)
		addSet(b.lx.suffixes, v.genitives)
		addSet(b.lx.genitives, v.genitives)
	}
	return b.lx
}
