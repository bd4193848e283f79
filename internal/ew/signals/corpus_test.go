package signals

import (
	"fmt"
	"os"
	"sort"
	"testing"

	"github.com/kurultai/kurultai/internal/ew"
	"github.com/kurultai/kurultai/internal/ew/corpus"
	"github.com/kurultai/kurultai/internal/ew/text"
)

// TestCorpusTypes measures type detection on the project's labelled
// corpus: per language, precision and recall of the (article, event type)
// pairs Match finds in any sentence against the gold events. It fails when
// a language with enough gold drops below minF1; -v prints every miss.
func TestCorpusTypes(t *testing.T) {
	const dir = "../../../data/corpus"
	if _, err := os.Stat(dir); err != nil {
		t.Skip("no corpus")
	}
	docs, gold, err := corpus.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	m := newMatcher(t)
	want := map[string]map[ew.EventType]bool{}
	for _, g := range gold {
		if want[g.Article] == nil {
			want[g.Article] = map[ew.EventType]bool{}
		}
		want[g.Article][g.Type] = true
	}
	type count struct{ tp, fp, fn int }
	per := map[ew.Lang]*count{}
	var misses []string
	for _, d := range docs {
		c := per[d.Lang]
		if c == nil {
			c = &count{}
			per[d.Lang] = c
		}
		got := map[ew.EventType]string{}
		for _, sp := range text.Sentences(d.Text) {
			s := d.Text[sp.Start:sp.End]
			for _, h := range m.Match(s, d.Lang) {
				if _, ok := got[h.Type]; !ok {
					got[h.Type] = fmt.Sprintf("%s [%s] %q", h.Rule, s[h.Span.Start:h.Span.End], s)
				}
			}
		}
		for typ, why := range got {
			if want[d.Path][typ] {
				c.tp++
			} else {
				c.fp++
				misses = append(misses, fmt.Sprintf("FP %s %s: %s", d.Path, typ, why))
			}
		}
		for typ := range want[d.Path] {
			if _, ok := got[typ]; !ok {
				c.fn++
				misses = append(misses, fmt.Sprintf("FN %s %s", d.Path, typ))
			}
		}
	}
	sort.Strings(misses)
	for _, s := range misses {
		t.Log(s)
	}
	for _, l := range ew.Languages {
		c := per[l]
		if c == nil {
			continue
		}
		p := float64(c.tp) / float64(max(1, c.tp+c.fp))
		r := float64(c.tp) / float64(max(1, c.tp+c.fn))
		f1 := 0.0
		if p+r > 0 {
			f1 = 2 * p * r / (p + r)
		}
		t.Logf("%s: P %.2f R %.2f F1 %.2f (tp %d fp %d fn %d)", l, p, r, f1, c.tp, c.fp, c.fn)
		if _, ok := m.langs[l]; ok && c.tp+c.fn >= 10 && f1 < minF1 {
			t.Errorf("%s: type F1 %.2f < %.2f", l, f1, minF1)
		}
	}
}

// minF1 is the least type-detection F1 each language must keep on the
// corpus; the whole pipeline targets 0.8 on (type, date, country).
const minF1 = 0.8

func newMatcher(t testing.TB) *Matcher {
	t.Helper()
	m, err := New()
	if err != nil {
		t.Fatal(err)
	}
	return m
}
