package pipeline

import (
	"strings"
	"sync/atomic"
	"testing"

	"github.com/kurultai/kurultai/internal/ew"
)

// BenchmarkProcess runs the pipeline over the corpus articles from all
// procs (go test -cpu 2 for the two-core target of 1,000 articles/s) and
// reports articles per second.
func BenchmarkProcess(b *testing.B) {
	docs, _ := loadCorpus(b)
	p := newPipeline(b)
	var next atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1)
			p.Process(docs[int(i)%len(docs)].Article)
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "articles/s")
}

// BenchmarkNew measures building the pipeline (done once at start).
func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		if _, err := New(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkProcessHostile measures texts made to be slow: one sentence
// with hundreds of dates, and a long chronology. Each must stay in
// milliseconds (it took seconds before the clause and "until" readers
// were bounded).
func BenchmarkProcessHostile(b *testing.B) {
	p := newPipeline(b)
	for name, body := range map[string]string{
		"dates-in-one-sentence": strings.Repeat("protesters clashed with police on 5 January and 6 January ", 400),
		"chronology":            strings.Repeat("Protesters clashed with riot police in Almaty on 5 January. ", 400),
	} {
		a := ew.Article{Text: body, Lang: ew.English, Published: published}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				p.Process(a)
			}
		})
	}
}
