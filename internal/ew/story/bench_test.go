package story

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/ew"
	"github.com/kurultai/kurultai/internal/ew/pipeline"
)

type nopSink struct{}

func (nopSink) Articles(context.Context, []ew.Article) error { return nil }
func (nopSink) Events(context.Context, []ew.Event) error     { return nil }
func (nopSink) Stories(context.Context, []Story) error       { return nil }
func (nopSink) Alerts(context.Context, []Alert) error        { return nil }

// BenchmarkMonitorMemory runs the whole chain of a node (dedup window of
// 10,000, pipeline, tracker) over distinct synthetic articles made of
// corpus sentences in random order, a day's worth of a busy node every
// 20,000, and reports the live heap after a GC and the memory the runtime
// holds from the system: the node's budget is 400 MB resident.
func BenchmarkMonitorMemory(b *testing.B) {
	docs := loadCorpus(&testing.T{})
	var sents []string
	for _, d := range docs {
		for _, s := range strings.Split(d.Text, ". ") {
			sents = append(sents, s)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	p, err := pipeline.New()
	if err != nil {
		b.Fatal(err)
	}
	m := &Monitor{Pipeline: p, Dedup: pipeline.NewDedup(10000, 0), Tracker: New(Config{Members: members}), Sink: nopSink{}}
	start := time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		var sb strings.Builder
		for range 8 {
			sb.WriteString(sents[r.IntN(len(sents))])
			sb.WriteString(". ")
		}
		a := ew.Article{URL: fmt.Sprintf("https://x.example/%d", i), Source: "S", Text: sb.String(),
			Lang: docs[i%len(docs)].Lang, Published: start.Add(time.Duration(i) * 4 * time.Second)}
		if err := m.Handle(ctx, []ew.Article{a}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "MB-heap")
	b.ReportMetric(float64(ms.Sys)/(1<<20), "MB-sys")
	b.ReportMetric(float64(len(m.Tracker.Stories())), "stories")
}
