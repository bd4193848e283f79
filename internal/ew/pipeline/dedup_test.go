package pipeline

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// TestSketchCorpus measures the sketches on the corpus: every two
// different articles are less similar than DefaultMinSimilarity, and an
// article with a byline added, a prefix or a few words changed stays above
// it.
func TestSketchCorpus(t *testing.T) {
	docs, _ := loadCorpus(t)
	sks := make([]Sketch, len(docs))
	for i, d := range docs {
		sks[i] = NewSketch(d.Text)
	}
	most := 0.0
	for i := range sks {
		for j := i + 1; j < len(sks); j++ {
			most = max(most, Similarity(sks[i], sks[j]))
		}
	}
	t.Logf("most similar two different articles: %.2f", most)
	if most >= DefaultMinSimilarity {
		t.Errorf("two different articles %.2f similar", most)
	}
	least := 1.0
	for i, d := range docs {
		edits := map[string]string{
			"byline": d.Text + "\n(Reporting by the desk; editing by the night shift.)",
			"words":  strings.Replace(strings.Replace(d.Text, " ", "  ", 3), ".", "!", 1),
			"wire":   "WIRE - Almaty - " + d.Text,
			"case":   strings.ToUpper(d.Text),
		}
		for name, e := range edits {
			s := Similarity(sks[i], NewSketch(e))
			least = min(least, s)
			if s < DefaultMinSimilarity {
				t.Errorf("%s with %s edit: %.2f similar", d.Path, name, s)
			}
		}
	}
	t.Logf("least similar edited copy: %.2f", least)
}

func TestDedup(t *testing.T) {
	d := NewDedup(3, DefaultMinSimilarity)
	texts := []string{
		"Protesters gathered on the main square of Zhanaozen on Sunday demanding lower gas prices.",
		"The government of Kazakhstan resigned on Wednesday after days of unrest in several regions.",
		"Wheat exporters expect to ship more grain to the Gulf states this year, traders said.",
		"The football club won its third match in a row on Saturday evening at home.",
	}
	for i, s := range texts[:3] {
		if k, dup := d.Add(fmt.Sprint(i), NewSketch(s)); dup {
			t.Fatalf("text %d: duplicate of %s", i, k)
		}
	}
	if k, dup := d.Add("copy", NewSketch(texts[1]+" ")); !dup || k != "1" {
		t.Errorf("copy of text 1: got %q, %v; want 1, true", k, dup)
	}
	if got := d.Len(); got != 3 {
		t.Errorf("Len = %d, want 3 (a duplicate is not remembered)", got)
	}
	// A fourth article evicts the first.
	if _, dup := d.Add("3", NewSketch(texts[3])); dup {
		t.Fatal("text 3: duplicate")
	}
	if _, dup := d.Check(NewSketch(texts[0])); dup {
		t.Error("text 0 still in a window of 3 after 4 articles")
	}
	if k, dup := d.Check(NewSketch(texts[3])); !dup || k != "3" {
		t.Errorf("text 3: got %q, %v", k, dup)
	}
}

func TestDedupConcurrent(t *testing.T) {
	d := NewDedup(100, DefaultMinSimilarity)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				s := fmt.Sprintf("article %d of worker %d about the events in region %d", i, g, i%7)
				d.Add(s, NewSketch(s))
			}
		}()
	}
	wg.Wait()
	if n := d.Len(); n != 100 {
		t.Errorf("Len = %d, want a full window of 100", n)
	}
}

func BenchmarkSketch(b *testing.B) {
	docs, _ := loadCorpus(b)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		NewSketch(docs[i%len(docs)].Text)
	}
}
