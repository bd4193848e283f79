package api

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/crisis"
	"github.com/kurultai/kurultai/internal/crisis/clock"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/stix"
)

// Size of the benchmark store: 1,000 situations of 100 records each.
const (
	benchSituations = 1000
	benchRecords    = 100
)

// benchEnv fills a store with benchSituations situations of benchRecords
// records (the alert, a mode change, a draft, situation reports), written
// as the store would receive them, and returns one situation in the middle.
func benchEnv(b *testing.B) (*env, string) {
	b.Helper()
	e := newEnv(b)
	m := crisis.New(e.m.Charter, crisis.SequentialIDs("bench"))
	batches := map[string][][]byte{}
	var middle string
	flush := func(force bool) {
		for who, raws := range batches {
			if len(raws) < 1000 && !force {
				continue
			}
			e.write(principals[who], raws)
			delete(batches, who)
		}
	}
	for i := range benchSituations {
		at := t0.Add(time.Duration(i) * time.Minute)
		res, err := m.Act(nil, principals["sec"], &crisis.RaiseAlert{Title: fmt.Sprintf("Situation %d", i), Onset: at, Affected: []string{"KZ"}}, at)
		if err != nil {
			b.Fatal(err)
		}
		batches["sec"] = append(batches["sec"], res.Objects...)
		id := res.Records[0].Base().ID
		if i == benchSituations/2 {
			middle = id
		}
		st, err := m.Derive(id, res.Records, at)
		if err != nil {
			b.Fatal(err)
		}
		mc, err := m.Act(st, principals["chair"], &crisis.ChangeMode{To: "consultation"}, at.Add(time.Hour))
		if err != nil {
			b.Fatal(err)
		}
		batches["chair"] = append(batches["chair"], mc.Objects...)
		st, err = m.Derive(id, append(res.Records, mc.Records...), at.Add(time.Hour))
		if err != nil {
			b.Fatal(err)
		}
		d, err := m.Act(st, principals["sec"], &crisis.DraftStatement{Title: "Statement", Text: "The members follow events."}, at.Add(2*time.Hour))
		if err != nil {
			b.Fatal(err)
		}
		batches["sec"] = append(batches["sec"], d.Objects...)
		for k := range benchRecords - 3 {
			r, err := m.Act(st, principals["kz"], &crisis.PostReport{Text: "Report."}, at.Add(time.Duration(3+k)*time.Hour))
			if err != nil {
				b.Fatal(err)
			}
			batches["kz"] = append(batches["kz"], r.Objects...)
		}
		flush(false)
	}
	flush(true)
	e.clock.Set(t0.Add(benchSituations*time.Minute + benchRecords*time.Hour))
	if n := e.count(); n != benchSituations*benchRecords {
		b.Fatalf("%d records stored, want %d", n, benchSituations*benchRecords)
	}
	return e, middle
}

// write stores raws as p in one write.
func (e *env) write(p kurultai.Principal, raws [][]byte) {
	e.t.Helper()
	w := kurultai.Write{Principal: p, Collection: crisis.CollectionID, StatusID: e.srv.newID(), Time: e.clock.Now()}
	for _, raw := range raws {
		v, err := stix.ParseObject(raw)
		if err != nil {
			e.t.Fatal(err)
		}
		w.Objects = append(w.Objects, v)
	}
	st, err := e.store.AddObjects(context.Background(), w)
	if err != nil || len(st.Failures) > 0 {
		e.t.Fatalf("write: %v %v", err, st.Failures)
	}
}

// BenchmarkGetSituation is GET /api/v1/situations/{id} in a store of
// 1,000 situations and 100,000 records: refresh, access decisions,
// derivation, the available actions, the audit entry, JSON. The web UI
// needs it under 50 ms.
func BenchmarkGetSituation(b *testing.B) {
	e, sit := benchEnv(b)
	req := func() *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/api/v1/situations/"+sit, nil)
		r.Header.Set("Authorization", "Bearer kz")
		return r
	}
	rec := httptest.NewRecorder()
	e.mux.ServeHTTP(rec, req()) // the first request reads the store into the index
	if rec.Code != 200 {
		b.Fatalf("GET = %d: %s", rec.Code, rec.Body)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rec := httptest.NewRecorder()
		e.mux.ServeHTTP(rec, req())
		if rec.Code != 200 {
			b.Fatalf("GET = %d", rec.Code)
		}
	}
}

// BenchmarkSituationState is the same without HTTP and the audit write:
// the index, access decisions, derivation and available actions.
func BenchmarkSituationState(b *testing.B) {
	e, sit := benchEnv(b)
	ctx := context.Background()
	now := e.clock.Now()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := e.srv.refresh(ctx); err != nil {
			b.Fatal(err)
		}
		if _, _, err := e.srv.stateView(principals["kz"], sit, now); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIndexLoad reads 100,000 records into a new index: what the
// first request of a process pays.
func BenchmarkIndexLoad(b *testing.B) {
	e, _ := benchEnv(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		x := newIndexFor(e)
		if err := x.Refresh(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}

func newIndexFor(e *env) *clock.Index {
	return clock.NewIndex(e.store, e.m, crisis.CollectionID, clock.IndexOptions{Clock: e.clock.Now})
}

// BenchmarkNotifications lists a member's notifications over 1,000 open
// situations of 100 records each, all active in the default window.
func BenchmarkNotifications(b *testing.B) {
	e, _ := benchEnv(b)
	req := func() *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/api/v1/notifications", nil)
		r.Header.Set("Authorization", "Bearer kz")
		return r
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rec := httptest.NewRecorder()
		e.mux.ServeHTTP(rec, req())
		if rec.Code != 200 {
			b.Fatalf("GET = %d: %s", rec.Code, rec.Body)
		}
	}
}

// BenchmarkGetCharter is the cheapest audited read: what the audit entry
// (a durable write) costs every request.
func BenchmarkGetCharter(b *testing.B) {
	e := newEnv(b)
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest(http.MethodGet, "/api/v1/charter", nil)
		r.Header.Set("Authorization", "Bearer kz")
		rec := httptest.NewRecorder()
		e.mux.ServeHTTP(rec, r)
		if rec.Code != 200 {
			b.Fatalf("GET = %d", rec.Code)
		}
	}
}
