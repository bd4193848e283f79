package corpus

import (
	"fmt"
	"path"
	"sort"
	"strings"
	"testing"

	"github.com/kurultai/kurultai/internal/ew"
	"github.com/kurultai/kurultai/internal/ew/text"
)

// corpusDir is the project's corpus, relative to this package.
const corpusDir = "../../../data/corpus"

// minPerLang is the number of articles each language must have.
const minPerLang = 8

// TestCorpus checks the project's corpus against the rules of its README
// and logs its statistics.
func TestCorpus(t *testing.T) {
	t.Parallel()
	docs, gold, err := Load(corpusDir)
	if err != nil {
		t.Fatal(err)
	}
	events := map[string]int{}
	seen := map[string]int{}
	for _, g := range gold {
		events[g.Article]++
		key := fmt.Sprintf("%s %s %s %s", g.Article, g.Type, g.Date, g.Country)
		if prev, dup := seen[key]; dup {
			t.Errorf("gold.jsonl:%d: same (article, type, date, country) as line %d", g.Line, prev)
		}
		seen[key] = g.Line
		if g.Place == "" {
			t.Errorf("gold.jsonl:%d: place is empty (use the country's name)", g.Line)
		}
	}
	perLang := map[ew.Lang][]int{} // word counts
	negatives := map[ew.Lang]int{}
	for _, d := range docs {
		words := len(text.Tokens(d.Text))
		perLang[d.Lang] = append(perLang[d.Lang], words)
		if words < 80 || words > 250 {
			t.Errorf("%s: %d words, want 80-250", d.Path, words)
		}
		if h := d.Published.UTC().Hour(); h < 4 || h >= 16 {
			t.Errorf("%s: published at %02d UTC, want 04-16", d.Path, h)
		}
		negative := strings.Contains(path.Base(d.Path), "-neg-")
		switch {
		case negative:
			negatives[d.Lang]++
			if events[d.Path] > 0 {
				t.Errorf("%s: a negative item has %d gold events", d.Path, events[d.Path])
			}
		case events[d.Path] == 0:
			t.Errorf("%s: no gold events (name negatives <nn>-neg-<slug>.txt)", d.Path)
		}
	}
	for _, l := range ew.Languages {
		n := len(perLang[l])
		total := 0
		for _, w := range perLang[l] {
			total += w
		}
		if n < minPerLang {
			t.Errorf("%s: %d articles, want at least %d", l, n, minPerLang)
			continue
		}
		t.Logf("%s: %d articles (%d negative), %d words, %d per article", l, n, negatives[l], total, total/n)
	}
	byType := map[ew.EventType]int{}
	dated := 0
	for _, g := range gold {
		byType[g.Type]++
		if !g.Date.IsZero() {
			dated++
		}
	}
	var types []string
	for _, ty := range ew.EventTypes {
		types = append(types, fmt.Sprintf("%s=%d", ty, byType[ty]))
	}
	sort.Strings(types)
	t.Logf("%d articles, %d gold events (%d dated): %s", len(docs), len(gold), dated, strings.Join(types, " "))
}
