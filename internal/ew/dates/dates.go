package dates

import (
	"strings"
	"sync"
	"time"

	"github.com/kurultai/kurultai/internal/ew"
)

// Kind tells how a mention gives its date.
type Kind uint8

// The kinds of date mention.
const (
	Absolute Kind = iota + 1 // day, month and year written: "5 January 2022", "05.01.2022"
	DayMonth                 // day and month written, year inferred: "5 Ocak'ta"
	Relative                 // counted from publication: "yesterday", "вчера"
	Weekday                  // a named weekday near publication: "on Wednesday"
)

// String returns the kind's name in lower case.
func (k Kind) String() string {
	switch k {
	case Absolute:
		return "absolute"
	case DayMonth:
		return "day_month"
	case Relative:
		return "relative"
	case Weekday:
		return "weekday"
	}
	return "unknown"
}

// Mention is one date found in a text.
type Mention struct {
	Span ew.Span // byte offsets of the words that give the date
	Date ew.Date // the resolved calendar date
	Kind Kind
	Text string // the text at Span
}

// The lexicon is built once on first use and only read afterwards.
var sharedLexicon = sync.OnceValue(func() *lexicon { return buildLexicon(vocabs()) })

// Extract returns the dates mentioned in text, in text order. l selects the
// relative words and weekday names that are read (month names and numeric
// dates of every supported language are read in any text); published is when
// the article appeared: its calendar date in its own location resolves
// relative words, weekdays and years left out. With a zero published time
// relative words and weekdays are not returned, and a day-month is returned
// only when the text has a full date to take the year from. Dates outside
// the years 1900–2100 and impossible dates (31 February) are not returned.
func Extract(text string, l ew.Lang, published time.Time) []Mention {
	lx := sharedLexicon()
	s := scanner{text: text, lx: lx, lang: l, bit: langBit(l)}
	s.toks = tokenize(text, lx, make([]token, 0, len(text)/5+4))
	s.scan()
	return resolve(text, s.out, published)
}

// raw is a mention before its date is resolved.
type raw struct {
	span ew.Span
	kind Kind
	date ew.Date      // Absolute; DayMonth with Year 0
	rel  int          // Relative: days from publication
	wd   time.Weekday // Weekday
	dir  int          // Weekday: -1 strictly before, 0 on or before, +1 after publication
}

// anchorWindow is how far (in days) from publication a full date in the text
// may lie and still lend its year to day-month mentions; farther ones are
// historical references ("16 December 1986").
const anchorWindow = 400

func resolve(text string, raws []raw, published time.Time) []Mention {
	havePub := !published.IsZero()
	var pub ew.Date
	if havePub {
		y, m, d := published.Date()
		pub = ew.Date{Year: y, Month: m, Day: d}
	}
	isAnchor := func(r raw) bool {
		if r.kind != Absolute || !valid(r.date) {
			return false
		}
		return !havePub || abs(dayNumber(r.date)-dayNumber(pub)) <= anchorWindow
	}
	// next[i] is the first anchor after raws[i]; walking forward keeps the
	// last anchor before it. Both stay linear in the number of mentions.
	next := make([]int, len(raws))
	n := -1
	for i := len(raws) - 1; i >= 0; i-- {
		next[i] = n
		if isAnchor(raws[i]) {
			n = i
		}
	}
	prev := -1
	out := make([]Mention, 0, len(raws))
	for i, r := range raws {
		if isAnchor(r) {
			prev = i
		}
		var d ew.Date
		switch r.kind {
		case Absolute:
			d = r.date
		case DayMonth:
			a := pub
			switch {
			case prev >= 0:
				a = raws[prev].date
			case next[i] >= 0:
				a = raws[next[i]].date
			case !havePub:
				continue
			}
			d = inferYear(r.date, a)
		case Relative:
			if !havePub {
				continue
			}
			d = addDays(pub, r.rel)
		case Weekday:
			if !havePub || nextToDate(text, raws, i) {
				continue
			}
			d = weekdayDate(pub, r.wd, r.dir)
		}
		if !valid(d) {
			continue
		}
		out = append(out, Mention{Span: r.span, Date: d, Kind: r.kind, Text: text[r.span.Start:r.span.End]})
	}
	return out
}

// inferYear gives dm (a day and month) the year that puts it nearest the
// anchor, counting days after the anchor double: news mostly reports what
// has happened, so "30 December" read on 2 January is last year's, while
// "15 January" read on 10 January stays in this year.
func inferYear(dm, anchor ew.Date) ew.Date {
	best, bestCost := ew.Date{}, -1
	for y := anchor.Year - 1; y <= anchor.Year+1; y++ {
		c := ew.Date{Year: y, Month: dm.Month, Day: dm.Day}
		if !valid(c) {
			continue
		}
		diff := dayNumber(c) - dayNumber(anchor)
		cost := -diff
		if diff > 0 {
			cost = 2 * diff
		}
		if bestCost < 0 || cost < bestCost {
			best, bestCost = c, cost
		}
	}
	return best
}

// weekdayDate resolves a named weekday: by default the latest such day on or
// before publication; dir -1 ("last Wednesday") the latest strictly before;
// dir +1 ("next Wednesday") the first strictly after.
func weekdayDate(pub ew.Date, wd time.Weekday, dir int) ew.Date {
	cur := pub.Time().Weekday()
	if dir > 0 {
		ahead := (int(wd) - int(cur) + 7) % 7
		if ahead == 0 {
			ahead = 7
		}
		return addDays(pub, ahead)
	}
	back := (int(cur) - int(wd) + 7) % 7
	if back == 0 && dir < 0 {
		back = 7
	}
	return addDays(pub, -back)
}

// nextToDate reports whether the weekday raws[i] stands right before or
// after a written date ("Wednesday, 5 January"): the date says more.
func nextToDate(text string, raws []raw, i int) bool {
	isDate := func(k Kind) bool { return k == Absolute || k == DayMonth }
	if i > 0 && isDate(raws[i-1].kind) && onlyGlue(text[raws[i-1].span.End:raws[i].span.Start]) {
		return true
	}
	return i+1 < len(raws) && isDate(raws[i+1].kind) && onlyGlue(text[raws[i].span.End:raws[i+1].span.Start])
}

// onlyGlue reports whether the text between a weekday and a date only
// joins them: spaces, commas, brackets, "the" or the Arabic "الموافق".
func onlyGlue(s string) bool {
	s = strings.Trim(s, " \t\n\u00a0,،()")
	return s == "" || s == "the" || foldEqual(s, "الموافق")
}

func valid(d ew.Date) bool {
	if d.Year < 1900 || d.Year > 2100 || d.Month < 1 || d.Month > 12 || d.Day < 1 {
		return false
	}
	return d.Day <= daysIn(d.Month, d.Year)
}

func daysIn(m time.Month, y int) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func dayNumber(d ew.Date) int { return int(d.Time().Unix() / 86400) }

func addDays(d ew.Date, n int) ew.Date {
	return ew.DateOf(time.Date(d.Year, d.Month, d.Day+n, 0, 0, 0, 0, time.UTC))
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
