package attribution

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kurultai/kurultai/internal/ew"
	"github.com/kurultai/kurultai/internal/ew/corpus"
	"github.com/kurultai/kurultai/internal/ew/gazetteer"
	"github.com/kurultai/kurultai/internal/ew/signals"
	"github.com/kurultai/kurultai/internal/ew/text"
)

func newAnalyzer(t testing.TB) *Analyzer {
	t.Helper()
	g, err := gazetteer.New()
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(g)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestCorpusChains measures the share of gold events whose chain ForEvent
// gets exactly right, reading each event from the first sentence where the
// signal rules find its type. -v lists the misses.
func TestCorpusChains(t *testing.T) {
	const dir = "../../../data/corpus"
	if _, err := os.Stat(dir); err != nil {
		t.Skip("no corpus")
	}
	docs, gold, err := corpus.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	a := newAnalyzer(t)
	m, err := signals.New()
	if err != nil {
		t.Fatal(err)
	}
	byPath := map[string]corpus.Doc{}
	for _, d := range docs {
		byPath[d.Path] = d
	}
	type count struct{ ok, all int }
	per := map[ew.Lang]*count{}
	for _, g := range gold {
		d := byPath[g.Article]
		c := per[d.Lang]
		if c == nil {
			c = &count{}
			per[d.Lang] = c
		}
		c.all++
		// The event's sentence: the first with its type, preferring one
		// that names the gold day (the pipeline matches dates; this test
		// has no date reader).
		var got []string
		day := ""
		if !g.Date.IsZero() {
			day = strconv.Itoa(g.Date.Day)
		}
		found := false
		for pass := 0; pass < 2 && !found; pass++ {
			for _, sp := range text.Sentences(d.Text) {
				s := d.Text[sp.Start:sp.End]
				if pass == 0 && (day == "" || !hasNumber(s, day)) {
					continue
				}
				for _, h := range m.Match(s, d.Lang) {
					if h.Type == g.Type {
						trig := ew.Span{Start: sp.Start + h.Span.Start, End: sp.Start + h.Span.End}
						got = a.ForEvent(d.Text, sp, trig, d.Lang, d.Source, g.Type)
						found = true
						break
					}
				}
				if found {
					break
				}
			}
		}
		if slices.Equal(got, g.Attribution) {
			c.ok++
			continue
		}
		t.Logf("%s %s %s: got %q, want %q", g.Article, g.Type, g.Date, got, g.Attribution)
	}
	for _, l := range ew.Languages {
		if c := per[l]; c != nil {
			t.Logf("%s: %d/%d chains right (%.2f)", l, c.ok, c.all, float64(c.ok)/float64(c.all))
		}
	}
}

// hasNumber reports whether s has the number n as a whole word.
func hasNumber(s, n string) bool {
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r < '0' || r > '9' }) {
		if f == n {
			return true
		}
	}
	return false
}
