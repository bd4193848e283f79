package dates

import (
	"strings"
	"time"

	"github.com/kurultai/kurultai/internal/ew"
)

// The patterns below start at one token and return the index after the
// tokens they used, or their start when they did not match.

// found is a date of one or two days sharing a month and year.
type found struct {
	d1, d2    int
	span1     ew.Span
	span2     ew.Span // zero when there is one day
	month, yr int
}

func (s *scanner) emitDates(x found) {
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
func (s *scanner) dayMonth(i int, withYear bool) (found, int, bool) {
	var x found
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
func (s *scanner) monthDay(i int) (found, int, bool) {
	var x found
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
	x := found{d1: d, month: m}
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
