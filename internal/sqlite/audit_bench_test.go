package sqlite

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/auditlog"
	"github.com/kurultai/kurultai/internal/kurultai"
)

// readEntry is the audit entry of a page read naming refs versions, as
// the TAXII server appends it.
func readEntry(refs int) kurultai.AuditEntry {
	e := kurultai.AuditEntry{Time: time.Now(), Username: "kz-liaison", Participant: "KZ", Action: kurultai.ActionObjectsRead,
		Query: "collection=8f6b2b8e-9f5e-4d1c-8a43-5a4a3c1f0b10&limit=1000", Decision: kurultai.DecisionAllow,
		Detail: fmt.Sprintf("returned %d, withheld 0", refs)}
	for i := range refs {
		e.Objects = append(e.Objects, kurultai.ObjectRef{ID: fmt.Sprintf("indicator--%08x-0000-4000-8000-000000000000", i), Version: "2022-01-05T00:00:00.000Z"})
	}
	return e
}

// BenchmarkAppendAudit measures durable audit appends with the tree kept
// in the same transaction: one entry per call from many goroutines (group
// commit, as concurrent requests do), entries naming one object or a
// whole page of 1000, and the hashing alone.
func BenchmarkAppendAudit(b *testing.B) {
	for _, refs := range []int{1, 1000} {
		b.Run(fmt.Sprintf("parallel/refs=%d", refs), func(b *testing.B) {
			s := openTest(b)
			e := readEntry(refs)
			ctx := context.Background()
			b.SetParallelism(8)
			c0 := cpuTime(b)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := s.AppendAudit(ctx, e); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "entries/s")
			b.ReportMetric(float64(b.N*refs)/b.Elapsed().Seconds(), "objects/s")
			b.ReportMetric(float64((cpuTime(b)-c0).Nanoseconds())/float64(b.N), "cpu-ns/entry")
			if rep, err := auditlog.VerifyLog(ctx, s, auditlog.VerifyOptions{}); err != nil || !rep.OK() {
				b.Fatalf("log does not verify: %v %v", rep.Problems, err)
			}
		})
	}
	b.Run("batch=100", func(b *testing.B) {
		s := openTest(b)
		es := make([]kurultai.AuditEntry, 100)
		for i := range es {
			es[i] = readEntry(1)
		}
		ctx := context.Background()
		c0 := cpuTime(b)
		for b.Loop() {
			if err := s.AppendAudit(ctx, es...); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N*len(es))/b.Elapsed().Seconds(), "entries/s")
		b.ReportMetric(float64((cpuTime(b)-c0).Nanoseconds())/float64(b.N*len(es)), "cpu-ns/entry")
	})
	for _, refs := range []int{1, 1000} {
		b.Run(fmt.Sprintf("leaf-hash/refs=%d", refs), func(b *testing.B) {
			e := readEntry(refs)
			var buf []byte
			for b.Loop() {
				var err error
				if buf, err = auditlog.AppendLeaf(buf[:0], 12345, auditlog.Sanitize(e)); err != nil {
					b.Fatal(err)
				}
				auditlog.LeafHash(buf)
			}
			b.ReportMetric(float64(len(buf)), "leaf-bytes")
		})
	}
}

// BenchmarkVerifyLog measures 'kurultai audit verify': re-encoding and
// hashing every stored entry (naming 10 versions each) and rebuilding the
// tree.
func BenchmarkVerifyLog(b *testing.B) {
	s := openTest(b)
	ctx := context.Background()
	const n = 20_000
	es := make([]kurultai.AuditEntry, 1000)
	for i := range es {
		es[i] = readEntry(10)
	}
	for range n / len(es) {
		if err := s.AppendAudit(ctx, es...); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		rep, err := auditlog.VerifyLog(ctx, s, auditlog.VerifyOptions{})
		if err != nil || !rep.OK() || rep.Entries != n {
			b.Fatalf("%+v %v", rep, err)
		}
	}
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "entries/s")
}
