package pipeline

import (
	"os"
	"testing"

	"github.com/kurultai/kurultai/internal/ew"
	"github.com/kurultai/kurultai/internal/ew/corpus"
)

const corpusDir = "../../../data/corpus"

// minF1 is the event F1 on (type, date, country) each language must keep
// on the project's corpus (issue 5's target).
const minF1 = 0.8

func newPipeline(t testing.TB) *Pipeline {
	t.Helper()
	p, err := New()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func loadCorpus(t testing.TB) ([]corpus.Doc, []corpus.Gold) {
	t.Helper()
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skip("no corpus")
	}
	docs, gold, err := corpus.Load(corpusDir)
	if err != nil {
		t.Fatal(err)
	}
	return docs, gold
}

// TestCorpusF1 scores the whole pipeline on the labelled corpus and fails
// when any language's event F1 drops below minF1; -v lists every miss.
func TestCorpusF1(t *testing.T) {
	docs, gold := loadCorpus(t)
	p := newPipeline(t)
	r := p.Evaluate(docs, gold)
	for _, m := range r.Misses {
		if m.Kind == "chain" {
			t.Logf("%s %s %s %s: chain %q, want %q", m.Kind, m.Article, m.Type, m.Date, m.Got, m.Want)
			continue
		}
		t.Logf("%s %s %s %s %s: %s", m.Kind, m.Article, m.Type, m.Date, m.Country, m.Evidence)
	}
	for _, l := range ew.Languages {
		s := r.Languages[l]
		if s == nil {
			t.Errorf("%s: no documents", l)
			continue
		}
		t.Logf("%s: P %.2f R %.2f F1 %.2f chains %.2f places %d/%d (tp %d fp %d fn %d)",
			l, s.Precision, s.Recall, s.F1, s.ChainShare, s.PlacesRight, s.TP, s.TP, s.FP, s.FN)
		if s.F1 < minF1 {
			t.Errorf("%s: event F1 %.2f < %.2f", l, s.F1, minF1)
		}
	}
	t.Logf("all: %s", r)
}
