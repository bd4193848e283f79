package dates

import (
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/ew"
)

func FuzzExtract(f *testing.F) {
	seeds := []string{
		"Protests began on 2 January 2022; on January 5th, the 6th of January, 13–19 January.",
		"5 января 2022 года, вчера, в среду, 05.01.2022, 2022-01-05, 1/5/2022",
		"5 Ocak'ta, 5 Ocakta, 2022 жылғы 5 қаңтарда, 2022-жылдын 5-январында, 2022 yil 5 yanvar",
		"2022. január 5-én, tegnap, ma, szerdán",
		"العاشر من يناير، ٥ كانون الثاني ٢٠٢٢، أول من أمس، والخامس والعشرين من ديسمبر",
		"5\x80 January\xff 2022", "5-", "2022.", "31/12/", "—", "'", "Ocak'", "5 و", "الحادي عشر من",
	}
	for i, s := range seeds {
		f.Add(s, uint8(i), int64(1641772800))
	}
	f.Fuzz(func(t *testing.T, text string, lang uint8, unix int64) {
		l := ew.Unknown
		if n := int(lang) % (len(ew.Languages) + 1); n < len(ew.Languages) {
			l = ew.Languages[n]
		}
		var pub time.Time
		if unix%7 != 0 {
			pub = time.Unix(unix%(1<<35), 0)
		}
		bounds := map[int]bool{len(text): true}
		for i := range text {
			bounds[i] = true
		}
		prev := -1
		for _, m := range Extract(text, l, pub) {
			s := m.Span
			if s.Start < 0 || s.End > len(text) || s.Start >= s.End {
				t.Fatalf("span %v out of bounds of %d bytes", s, len(text))
			}
			if !bounds[s.Start] || !bounds[s.End] {
				t.Fatalf("span %v not on rune boundaries of %q", s, text)
			}
			if m.Text != text[s.Start:s.End] {
				t.Fatalf("Text %q is not the text at %v", m.Text, s)
			}
			if s.Start < prev {
				t.Fatalf("mentions out of order at %v", s)
			}
			prev = s.Start
			d := m.Date
			if d.Year < 1900 || d.Year > 2100 || d.Month < 1 || d.Month > 12 || d.Day < 1 || d.Day > daysIn(d.Month, d.Year) {
				t.Fatalf("invalid date %v from %q", d, m.Text)
			}
			if m.Kind < Absolute || m.Kind > Weekday {
				t.Fatalf("bad kind %d", m.Kind)
			}
		}
	})
}
