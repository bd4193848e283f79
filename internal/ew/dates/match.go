package dates

import (
	"strings"
	"time"
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

// dates records a date of one or two days sharing a month and year.
type dates struct {
	d1, d2    int
	span1     ew.Span
	span2     ew.Span // zero when there is one day
	month, yr int
}

func (s *scanner) emitDates(x dates) {
	kind := DayMonth
	if x.yr != 0 {
		kind = Absolute
	}
	s.emit(raw{span: x.span1, kind: kind, date: ew.Date{Year: x.yr, Month: time.Month(x.month), Day: x.d1}})
	if x.span2 != (ew.Span{}) {
		s.emit(raw{span: x.span2, kind: kind, date: ew.Date{Year: x.yr, Month: time.Month(x.month), Day: x.d2}})
	}
}

// dayMonth reads day-first dates at token i: "5 January 2022",
// "5 Ocak'ta", "5-қаңтарда", "the 5th of January", "13–19 января 2022 года".
// withYear allows a year after the month.
func (s *scanner) dayMonth(i int, withYear bool) (dates, int, bool) {
	var x dates
	d1, j, ok := s.day(i)
	if !ok {
		return x, i, false
	}
	x.d1, x.span1 = d1, s.span(i, j)
	k := j
	if c, ok := s.rangeConn(j); ok {
		if d2, k2, ok := s.day(c); ok {
			if m, end, ok := s.monthTail(k2); ok {
				x.d2, x.month, k = d2, m, end
				x.span2 = s.span(c, end)
			}
		}
	}
	if x.month == 0 {
		m, end, ok := s.monthTail(j)
		if !ok {
			return x, i, false
		}
		x.month, k = m, end
		x.span1 = s.span(i, end)
	}
	if withYear {
		if y, end, ok := s.yearAfter(k, false); ok {
			x.yr, k = y, end
			if x.span2 != (ew.Span{}) {
				x.span2.End = int(s.toks[end-1].end)
			} else {
				x.span1.End = int(s.toks[end-1].end)
			}
		}
	}
	return x, k, true
}

// monthTail reads the month after a day: "of"/"من", or a hyphen glued
// between the two ("5-январь"), then the month name.
func (s *scanner) monthTail(k int) (int, int, bool) {
	if e, n := s.match(k, clOf); e != nil {
		k = n
	} else if s.punctIn(k, "-") && s.glued(k-1) && s.glued(k) {
		k++
	}
	m, _, end, ok := s.month(k)
	return m, end, ok
}

func (s *scanner) dayFirst(i int) int {
	x, end, ok := s.dayMonth(i, true)
	if !ok {
		return i
	}
	s.emitDates(x)
	return end
}

// monthDay reads month-first dates at token i: "January 5th",
// "január 5-én", "January 13–19". Only English and Hungarian month names
// are read this way.
func (s *scanner) monthDay(i int) (dates, int, bool) {
	var x dates
	m, e, j, ok := s.month(i)
	if !ok {
		return x, i, false
	}
	if e.langs&(langBit(ew.English)|langBit(ew.Hungarian)) == 0 {
		// Turkic languages put the month first in the genitive:
		// "yanvarın 5-də", "қаңтардың 6-сы", "Ocak ayının 5'inde".
		if of, k := s.match(j, clMonthOf); of != nil {
			j = k
		} else if t := &s.toks[i]; j != i+1 || t.stem < 0 || !inSet(s.lx.genitives, s.text[t.stemEnd:t.end]) {
			return x, i, false
		}
	}
	d1, k, ok := s.day(j)
	if !ok {
		return x, i, false
	}
	x.month, x.d1, x.span1 = m, d1, s.span(i, k)
	if c, ok := s.rangeConn(k); ok {
		if d2, k2, ok := s.day(c); ok {
			x.d2, x.span2, k = d2, s.span(c, k2), k2
		}
	}
	return x, k, true
}

func (s *scanner) monthFirst(i int) int {
	x, k, ok := s.monthDay(i)
	if !ok {
		return i
	}
	if y, end, ok := s.yearAfter(k, true); ok {
		x.yr, k = y, end
		if x.span2 != (ew.Span{}) {
			x.span2.End = int(s.toks[end-1].end)
		} else {
			x.span1.End = int(s.toks[end-1].end)
		}
	}
	s.emitDates(x)
	return k
}

// yearFirst reads dates that start with the year: Hungarian
// "2022. január 5." and Turkic "2022 yil 5 yanvar", "2022-жылдын 5-январында".
func (s *scanner) yearFirst(i int) int {
	y, j, marked, ok := s.year(i)
	if !ok {
		return i
	}
	if j == i+1 && s.glued(i) && s.punctIn(j, ".") {
		if x, k, ok := s.monthDay(j + 1); ok {
			x.yr, x.span1.Start = y, int(s.toks[i].start)
			s.emitDates(x)
			return k
		}
	}
	if !marked {
		return i
	}
	k := j
	if s.punctIn(k, ",") {
		k++
	}
	x, end, ok := s.dayMonth(k, false)
	if !ok {
		if x, end, ok = s.monthDay(k); !ok {
			return i
		}
	}
	x.yr, x.span1.Start = y, int(s.toks[i].start)
	s.emitDates(x)
	return end
}

// numeric reads all-number dates: 2022-01-05, 2022.01.05, 05.01.2022,
// 5/1/2022. Day-month-year is read unless the year comes first; in English
// a slash date is read only when one part exceeds 12, since both orders are
// in use.
func (s *scanner) numeric(i int) int {
	if i+4 >= len(s.toks) {
		return i
	}
	for k := i; k < i+4; k++ {
		if !s.glued(k) {
			return i
		}
	}
	a, p1, b, p2, c := &s.toks[i], &s.toks[i+1], &s.toks[i+2], &s.toks[i+3], &s.toks[i+4]
	if a.kind != tNum || b.kind != tNum || c.kind != tNum || p1.kind != tPunct || p2.kind != tPunct ||
		p1.r != p2.r || !strings.ContainsRune("./-", p1.r) {
		return i
	}
	if s.glued(i-1) && (s.kindAt(i-1) == tNum || s.punctIn(i-1, "./-:,")) {
		return i
	}
	if s.glued(i+4) && s.punctIn(i+5, "./-:") && s.glued(i+5) && s.kindAt(i+6) == tNum {
		return i
	}
	var d ew.Date
	switch {
	case a.ndig == 4 && b.ndig <= 2 && c.ndig <= 2:
		d = ew.Date{Year: int(a.num), Month: time.Month(b.num), Day: int(c.num)}
	case c.ndig == 4 && a.ndig <= 2 && b.ndig <= 2:
		d = ew.Date{Year: int(c.num), Month: time.Month(b.num), Day: int(a.num)}
		if p1.r == '/' && s.lang == ew.English {
			switch {
			case a.num > 12:
			case b.num > 12:
				d.Month, d.Day = time.Month(a.num), int(b.num)
			default:
				return i + 5 // ambiguous: neither order is trusted
			}
		}
	default:
		return i
	}
	end := i + 5
	if c.ndig == 4 {
		if k, _, ok := s.yearTail(i + 4); ok {
			end = k
		}
	}
	s.emit(raw{span: s.span(i, end), kind: Absolute, date: d})
	return end
}

// ordinalDay reads Arabic ordinal days: "العاشر من يناير",
// "الحادي عشر من كانون الثاني 2022", "الخامس والعشرين من مارس".
func (s *scanner) ordinalDay(i int) int {
	e, j := s.match(i, clOrdinal)
	if e == nil {
		return i
	}
	d := int(e.val)
	if d <= 9 {
		if t, k := s.match(j, clTeen); t != nil {
			d, j = d+10, k
		} else if t, k := s.match(j, clTens); t != nil {
			d, j = d+int(t.val), k
		}
	}
	of, k := s.match(j, clOf)
	if of == nil {
		return i
	}
	m, _, end, ok := s.month(k)
	if !ok {
		return i
	}
	x := dates{d1: d, month: m}
	if y, e2, ok := s.yearAfter(end, false); ok {
		x.yr, end = y, e2
	}
	x.span1 = s.span(i, end)
	s.emitDates(x)
	return end
}

// relative reads words counted from publication: "yesterday", "вчера",
// "أول أمس", unless a neighbouring word gives them another sense
// ("Russia Today", "bugun kecha").
func (s *scanner) relative(i int) int {
	e, j := s.match(i, clRelative)
	if e == nil {
		return i
	}
	if s.wordIn(i-1, e.blockPrev) || s.wordIn(j, e.blockNext) {
		return i
	}
	s.emit(raw{span: s.span(i, j), kind: Relative, rel: int(e.val)})
	return j
}

// wordIn reports whether token i is a word that folds to one of words.
func (s *scanner) wordIn(i int, words []string) bool {
	if len(words) == 0 || s.kindAt(i) != tWord {
		return false
	}
	w := s.text[s.toks[i].start:s.toks[i].end]
	for _, k := range words {
		if foldEqual(w, k) {
			return true
		}
	}
	return false
}

// weekday reads a named weekday with its modifiers and follower: "on
// Wednesday", "last Friday", "в прошлую среду", "Cuma günü",
// "الأربعاء الماضي". Languages with prepositions for weekdays (Russian)
// need one before it.
func (s *scanner) weekday(i int) int {
	dir, k := 0, i
	if e, j := s.match(i, clModifier); e != nil {
		dir, k = int(e.val), j
	}
	w, end := s.match(k, clWeekday)
	if w == nil {
		return i
	}
	if s.lx.needsPrep&s.bit != 0 && !s.prepBefore(i) {
		return i
	}
	if f, j := s.match(end, clFollower); f != nil {
		end = j
	} else if w.flags&fStrict != 0 {
		return i
	}
	if p, j := s.match(end, clPostModifier); p != nil {
		dir, end = int(p.val), j
	}
	s.emit(raw{span: s.span(i, end), kind: Weekday, wd: time.Weekday(w.val), dir: dir})
	return end
}

// prepBefore reports whether a weekday preposition ends right before token i.
func (s *scanner) prepBefore(i int) bool {
	for back := 1; back <= 2; back++ {
		if e, k := s.match(i-back, clPrep); e != nil && k == i {
			return true
		}
	}
	return false
}
