package postgres

import (
	"context"
	"fmt"
	"sync"
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

// TestVerifyLogTwoProcesses: writes, deletes and audit appends through two
// stores on one database, at once, leave one log that the auditor's
// verification accepts from either.
func TestVerifyLogTwoProcesses(t *testing.T) {
	url := freshSchema(t)
	a, b := openURL(t, url, Options{}), openURL(t, url, Options{})
	benchSetup(t, a)
	ctx := context.Background()
	var wg sync.WaitGroup
	for g, s := range []*Store{a, b, a, b} {
		wg.Go(func() {
			for i := range 10 {
				v := fixtureVersion(g*100+i, time.Unix(1700000000, 0))
				st, err := s.AddObjects(ctx, kurultai.Write{Principal: benchPrincipal, Collection: benchColl, StatusID: fmt.Sprint("v", g, "-", i), Objects: []*kurultai.ObjectVersion{v}})
				if err != nil || len(st.Failures) > 0 {
					t.Errorf("AddObjects: %v %+v", err, st.Failures)
					return
				}
				if err := s.AppendAudit(ctx, readEntry(i), readEntry(1)); err != nil {
					t.Error(err)
					return
				}
				if i%3 == 0 {
					if _, err := s.DeleteObject(ctx, benchColl, v.ID, kurultai.VersionFilter{All: true},
						func(*kurultai.ObjectVersion) bool { return true }, kurultai.AuditEntry{Username: "bench", Action: kurultai.ActionObjectDelete}); err != nil {
						t.Error(err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	for _, s := range []*Store{a, b} {
		rep, err := auditlog.VerifyLog(ctx, s, auditlog.VerifyOptions{})
		if err != nil || !rep.OK() {
			t.Fatalf("log does not verify: %+v, %v", rep.Problems, err)
		}
	}
	head, err := a.TreeHead(ctx)
	if want := uint64(1 + 4*10*3 + 4*4); err != nil || head.Size != want {
		t.Errorf("tree of %d leaves (%v), want %d", head.Size, err, want)
	}
}

// BenchmarkAppendAudit measures durable audit appends with the tree kept
// in the same transaction, as the SQLite store's benchmark of that name:
// one entry per call from many goroutines (group commit, as concurrent
// requests do), entries naming one object or a whole page of 1000, and
// 100 entries per call.
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
}
