package dates

import (
	"strings"
	"unicode/utf8"

	"github.com/kurultai/kurultai/internal/ew"
)

// scanner walks the tokens of one text and collects raw mentions.
type scanner struct {
	text string
	toks []token
	lx   *lexicon
	lang ew.Lang
	bit  uint16
	out  []raw
}

func (s *scanner) scan() {
	for i := 0; i < len(s.toks); {
		if j := s.at(i); j > i {
			i = j
		} else {
			i++
		}
	}
}

// at tries every pattern that can start at token i and returns the index
// after the tokens it used, or i when none matched.
func (s *scanner) at(i int) int {
	t := &s.toks[i]
	switch t.kind {
	case tNum:
		if j := s.numeric(i); j > i {
			return j
		}
		if j := s.yearFirst(i); j > i {
			return j
		}
		return s.dayFirst(i)
	case tWord:
		if t.exact < 0 && t.stem < 0 {
			return i
		}
		if j := s.monthFirst(i); j > i {
			return j
		}
		if j := s.ordinalDay(i); j > i {
			return j
		}
		if j := s.relative(i); j > i {
			return j
		}
		return s.weekday(i)
	}
	return i
}

func (s *scanner) emit(r raw) { s.out = append(s.out, r) }

func (s *scanner) span(from, to int) ew.Span {
	return ew.Span{Start: int(s.toks[from].start), End: int(s.toks[to-1].end)}
}

// glued reports whether token i+1 starts where token i ends.
func (s *scanner) glued(i int) bool {
	return i >= 0 && i+1 < len(s.toks) && s.toks[i+1].start == s.toks[i].end
}

func (s *scanner) kindAt(i int) tokKind {
	if i < 0 || i >= len(s.toks) {
		return 0
	}
	return s.toks[i].kind
}

// punctIn reports whether token i is one of the punctuation runes in set.
func (s *scanner) punctIn(i int, set string) bool {
	return s.kindAt(i) == tPunct && strings.ContainsRune(set, s.toks[i].r)
}

// global reports whether words of class c are read in every language.
func global(c class) bool {
	switch c {
	case clWeekday, clRelative, clModifier, clPostModifier, clFollower, clPrep:
		return false
	}
	return true
}

// match finds the longest entry of class c that starts at token i, and
// returns it with the index of the token after it.
func (s *scanner) match(i int, c class) (*entry, int) {
	if s.kindAt(i) != tWord {
		return nil, i
	}
	t := &s.toks[i]
	var best *entry
	end := i
	if t.exact >= 0 {
		best, end = s.matchNode(i, t.exact, false, c, best, end)
	}
	if t.stem >= 0 {
		best, end = s.matchNode(i, t.stem, true, c, best, end)
	}
	return best, end
}

func (s *scanner) matchNode(i int, node int32, stemmed bool, c class, best *entry, end int) (*entry, int) {
	t := &s.toks[i]
	apostrophe := false
	if stemmed {
		r, _ := utf8.DecodeRuneInString(s.text[t.stemEnd:])
		apostrophe = isApostrophe(r)
	}
	for _, idx := range s.lx.nodes[node].entries {
		e := &s.lx.entries[idx]
		if e.cls != c || (!global(c) && e.langs&s.bit == 0) {
			continue
		}
		if stemmed && (e.rest != nil || (!apostrophe && e.flags&fStem == 0)) {
			continue
		}
		if (e.flags&fCap != 0 || (c == clMonth && s.lang == ew.English)) && !t.upper {
			continue
		}
		k := i + 1
		ok := true
		for _, w := range e.rest {
			if s.kindAt(k) != tWord || !foldEqual(s.text[s.toks[k].start:s.toks[k].end], w) {
				ok = false
				break
			}
			k++
		}
		if !ok {
			continue
		}
		if e.flags&fAbbr != 0 && s.glued(k-1) && s.punctIn(k, ".") {
			k++
		}
		if k > end {
			best, end = e, k
		}
	}
	return best, end
}

// month reads a month name at token i, with an alternative name of the same
// month after a slash ("يناير/كانون الثاني").
func (s *scanner) month(i int) (int, *entry, int, bool) {
	e, j := s.match(i, clMonth)
	if e == nil {
		return 0, nil, i, false
	}
	if s.punctIn(j, "/") {
		if e2, k := s.match(j+1, clMonth); e2 != nil && e2.val == e.val {
			j = k
		}
	}
	return int(e.val), e, j, true
}

// freeLeft reports whether the number at token i stands on its own on the
// left: not the end of a decimal, time or code ("1.5", "10:30", "A5").
func (s *scanner) freeLeft(i int) bool {
	if !s.glued(i - 1) {
		return true
	}
	p := &s.toks[i-1]
	switch p.kind {
	case tNum:
		return false
	case tPunct:
		if strings.ContainsRune("#№$€£₽₸+", p.r) {
			return false
		}
		return !(strings.ContainsRune(".,:/", p.r) && s.kindAt(i-2) == tNum && s.glued(i-2))
	case tWord:
		// Arabic joins و (and), ب (in) and ل (to) to the number.
		r, _ := utf8.DecodeLastRuneInString(s.text[p.start:p.end])
		return r >= 0x0600 && r <= 0x06FF
	}
	return true
}

// freeRight reports whether the number at token i is not followed by the
// rest of a decimal, time, fraction or percentage ("5.5", "5:30", "5%").
func (s *scanner) freeRight(i int) bool {
	if !s.glued(i) {
		return true
	}
	n := &s.toks[i+1]
	if n.kind != tPunct {
		return true
	}
	if n.r == '%' || n.r == '٪' {
		return false
	}
	return !(strings.ContainsRune(".,:/٫", n.r) && s.glued(i+1) && s.kindAt(i+2) == tNum)
}

// suffixAfter returns the index after a case suffix glued to the number at
// token i with a hyphen or apostrophe ("5-го", "5-én", "2022'de", "2022-ci"),
// or i+1 when there is none. A month after the hyphen is not a suffix.
func (s *scanner) suffixAfter(i int) int {
	j := i + 1
	if s.glued(i) && s.glued(j) && s.kindAt(j+1) == tWord &&
		(s.punctIn(j, "-") || (s.kindAt(j) == tPunct && isApostrophe(s.toks[j].r))) {
		if e, _ := s.match(j+1, clMonth); e == nil {
			return j + 2
		}
	}
	return j
}

// day reads a day of the month (1–31, one or two digits) at token i with
// the suffix glued to it ("5th", "5-го", "5-én"). It returns the day and the
// index after it.
func (s *scanner) day(i int) (int, int, bool) {
	if s.kindAt(i) != tNum {
		return 0, i, false
	}
	t := &s.toks[i]
	if t.ndig > 2 || t.num < 1 || t.num > 31 || !s.freeLeft(i) || !s.freeRight(i) {
		return 0, i, false
	}
	j := i + 1
	if s.glued(i) && s.kindAt(j) == tWord {
		if e, k := s.match(j, clDaySuffix); e != nil {
			j = k
		} else if e, _ := s.match(j, clMonth); e == nil && !s.arabicWord(j) {
			return 0, i, false // "5km"
		}
	} else {
		j = s.suffixAfter(i)
	}
	return int(t.num), j, true
}

func (s *scanner) arabicWord(i int) bool {
	r, _ := utf8.DecodeRuneInString(s.text[s.toks[i].start:])
	return r >= 0x0600 && r <= 0x06FF
}

// year reads a year (four digits from 1000 to 2999) at token i with its
// suffix and year word ("2022 года", "2022-жылы", "2022'de", "2022م").
// marked reports whether a suffix or year word was there. Years outside
// 1900–2100 are read so that "5 January 1850" is not taken for a day-month;
// resolve drops them.
func (s *scanner) year(i int) (y, end int, marked, ok bool) {
	if s.kindAt(i) != tNum {
		return 0, i, false, false
	}
	t := &s.toks[i]
	if t.ndig != 4 || t.num < 1000 || t.num > 2999 || !s.freeLeft(i) || !s.freeRight(i) {
		return 0, i, false, false
	}
	j, marked, ok := s.yearTail(i)
	if !ok {
		return 0, i, false, false
	}
	return int(t.num), j, marked, true
}

// yearTail reads what follows the year number at token i: a glued
// suffix and a year word. ok is false when letters that are no year word are
// glued to the number ("2022km").
func (s *scanner) yearTail(i int) (end int, marked, ok bool) {
	j := i + 1
	if s.glued(i) && s.kindAt(j) == tWord {
		e, k := s.match(j, clYearWord)
		if e == nil {
			return i, false, false
		}
		j, marked = k, true
	} else if k := s.suffixAfter(i); k > j {
		j, marked = k, true
	}
	if e, k := s.match(j, clYearWord); e != nil {
		j, marked = k, true
	}
	return j, marked, true
}

// yearAfter reads an optional year after a month: a comma first when comma
// is set (English "January 5, 2022"), then "عام" or "سنة", then the year.
func (s *scanner) yearAfter(k int, comma bool) (int, int, bool) {
	j := k
	if comma && s.punctIn(j, ",") {
		j++
	}
	if e, n := s.match(j, clYearPrefix); e != nil {
		j = n
	}
	if y, end, _, ok := s.year(j); ok {
		return y, end, true
	}
	return 0, k, false
}

// rangeConn reads the word or dash between two days of a range or a pair
// ("13–19", "5 and 6", "5 و6") and returns the index of the second day.
func (s *scanner) rangeConn(k int) (int, bool) {
	if s.punctIn(k, "-–—") {
		return k + 1, true
	}
	if e, j := s.match(k, clRange); e != nil {
		return j, true
	}
	return k, false
}
