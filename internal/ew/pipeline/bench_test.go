package pipeline

import (
	"sync/atomic"
	"testing"
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
