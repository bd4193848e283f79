package sources

import (
	"sync/atomic"
	"testing"

	"github.com/kurultai/kurultai/internal/ew"
	"github.com/kurultai/kurultai/internal/ew/pipeline"
)

// BenchmarkPageToEvents measures the raw-HTML path of the target
// (60 articles/s on two cores): charset detection, page extraction and
// the pipeline, from all procs (go test -cpu 2).
func BenchmarkPageToEvents(b *testing.B) {
	page := readTestdata(b, "page.html")
	p, err := pipeline.New()
	if err != nil {
		b.Fatal(err)
	}
	var events atomic.Int64
	b.SetBytes(int64(len(page)))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			utf, _, err := Decode("text/html", page)
			if err != nil {
				b.Fatal(err)
			}
			a, err := pageArticle(utf, "https://caspian-ledger.example/news/almaty", Source{Name: "Caspian Ledger", Lang: ew.English})
			if err != nil {
				b.Fatal(err)
			}
			events.Add(int64(len(p.Process(a))))
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
	if events.Load() == 0 {
		b.Fatal("no events")
	}
}

// BenchmarkParseFeed measures reading a feed of 50 items.
func BenchmarkParseFeed(b *testing.B) {
	body := []byte(feedOf(50))
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := ParseFeed(body, "S"); err != nil {
			b.Fatal(err)
		}
	}
}

func feedOf(n int) string {
	s := `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>T</title>`
	for i := range n {
		s += `<item><title>Item</title><link>https://x.example/` + string(rune('a'+i%26)) + `</link><description>&lt;p&gt;Hundreds of people gathered on the main square of Zhanaozen on 2 January, demanding lower prices.&lt;/p&gt;</description><pubDate>Mon, 03 Jan 2022 08:30:00 +0000</pubDate></item>`
	}
	return s + `</channel></rss>`
}
