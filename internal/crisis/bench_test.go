package crisis

import (
	"testing"
	"time"
)

// BenchmarkDerive derives the rich situation (every record kind, about 50
// records): what the API does for each request about a situation.
func BenchmarkDerive(b *testing.B) {
	w := rich(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := w.m.Derive(w.sit, w.recs, w.now); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDeriveLong derives a situation with 1,000 situation reports
// left open for four years: the repeating deadline's periods dominate.
func BenchmarkDeriveLong(b *testing.B) {
	w := newWorld(b)
	for i := 0; i < 1000; i++ {
		w.advance(12 * time.Hour)
		w.do(kz, &PostReport{Text: "report"})
	}
	now := t0.Add(4 * 365 * 24 * time.Hour)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := w.m.Derive(w.sit, w.recs, now); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkActBreakSilence checks and builds one objection.
func BenchmarkActBreakSilence(b *testing.B) {
	w := newWorld(b)
	w.consult()
	_, silence := w.draftUnderSilence()
	st := w.state()
	a := &BreakSilence{Silence: silence, Kind: Objection, Text: "We object to paragraph 2."}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := w.m.Act(st, az, a, w.now); err != nil {
			b.Fatal(err)
		}
	}
}
