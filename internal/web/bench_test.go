package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/crisis"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/seed"
)

// bigWorld stores situations crisis situations (each raised, with a
// consultation request, a mode change and a draft) and fills the store up
// to objects versions with shared intel under assorted markings.
func bigWorld(b *testing.B, situations, objects int) (*world, []string) {
	b.Helper()
	w := newWorld(b)
	ch := w.m
	sec, kz, chair := w.users["sec-officer"], w.users["kz-liaison"], w.users["tr-chair"]
	var raws [][]byte
	var ids []string
	store := func(p kurultai.Principal, coll string) {
		if len(raws) == 0 {
			return
		}
		if err := seed.AddRaw(w.ctx, w.store, p, coll, raws, w.clock.Tick); err != nil {
			b.Fatal(err)
		}
		raws = raws[:0]
	}
	base := w.clock.Now().Add(-90 * 24 * time.Hour)
	type step struct {
		p kurultai.Principal
		a func(st *crisis.State) crisis.Action
	}
	steps := []step{
		{kz, func(*crisis.State) crisis.Action { return &crisis.RequestConsultation{Reason: "spreading"} }},
		{chair, func(*crisis.State) crisis.Action { return &crisis.ChangeMode{To: "consultation"} }},
		{sec, func(*crisis.State) crisis.Action {
			return &crisis.DraftStatement{Title: "Statement", Text: "The members express their solidarity."}
		}},
	}
	// Records are grouped by writer so that each write has one principal.
	byWriter := map[string][][]byte{}
	for i := range situations {
		at := base.Add(time.Duration(i) * 2 * time.Hour)
		res, err := ch.Act(nil, sec, &crisis.RaiseAlert{Title: fmt.Sprintf("Situation %04d", i), Onset: at.Add(-time.Hour), Affected: []string{"KZ"}}, at)
		if err != nil {
			b.Fatal(err)
		}
		id := res.Records[0].Base().Situation
		ids = append(ids, id)
		recs := res.Records
		byWriter["sec-officer"] = append(byWriter["sec-officer"], res.Objects...)
		for j, s := range steps {
			st, err := ch.Derive(id, recs, at.Add(time.Duration(j+1)*time.Minute))
			if err != nil {
				b.Fatal(err)
			}
			r, err := ch.Act(st, s.p, s.a(st), at.Add(time.Duration(j+1)*time.Minute))
			if err != nil {
				b.Fatal(err)
			}
			recs = append(recs, r.Records...)
			byWriter[s.p.Username] = append(byWriter[s.p.Username], r.Objects...)
		}
	}
	for user, objs := range byWriter {
		for len(objs) > 0 {
			n := min(2000, len(objs))
			raws = append(raws, objs[:n]...)
			store(w.users[user], crisis.CollectionID)
			objs = objs[n:]
		}
	}
	crisisRecords := situations * (1 + len(steps))
	audiences := []string{kurultai.AudienceMembers, "KZ", "UZ", kurultai.AudienceMembersObservers}
	for i := range objects - crisisRecords {
		raws = append(raws, []byte(intelObject(fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i), fmt.Sprintf("Report %d", i), kurultai.TLP2GreenID, audiences[i%len(audiences)])))
		if len(raws) == 5000 {
			store(kz, seed.IntelCollectionID)
		}
	}
	store(kz, seed.IntelCollectionID)
	return w, ids
}

// benchPage serves path to a signed-in user b.N times and reports the
// page size.
func benchPage(b *testing.B, w *world, user, path string, each func()) {
	b.Helper()
	sess, err := w.web.sessions.create(w.ctx, w.users[user], w.clock.Now())
	if err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux()
	w.web.Routes(mux)
	size := 0
	b.ReportAllocs()
	cpu0 := cpuTime(b)
	b.ResetTimer()
	for b.Loop() {
		if each != nil {
			each()
		}
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: sess.id})
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("GET %s: %d\n%s", path, rec.Code, rec.Body)
		}
		size = rec.Body.Len()
	}
	b.StopTimer()
	// CPU time of the process per page (the store's writer included): on
	// a loaded machine wall time measures the neighbours.
	b.ReportMetric(float64(cpuTime(b)-cpu0)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(size), "page-bytes")
}

// cpuTime is the user and system CPU time of the process so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkCrisisDesk renders the desk of a member among 1,000 situations
// and 100,000 stored versions: warm (derived states cached, as between
// two views when nothing changed) and cold (every situation derived).
func BenchmarkCrisisDesk(b *testing.B) {
	w, _ := bigWorld(b, 1000, 100_000)
	b.Run("warm", func(b *testing.B) { benchPage(b, w, "uz-liaison", "/", nil) })
	b.Run("cold", func(b *testing.B) {
		benchPage(b, w, "uz-liaison", "/", func() { w.svc.cache = newStateCache(8192) })
	})
}

// BenchmarkSituationRoom renders one situation's room among 1,000
// situations and 100,000 stored versions.
func BenchmarkSituationRoom(b *testing.B) {
	w, ids := bigWorld(b, 1000, 100_000)
	b.Run("warm", func(b *testing.B) { benchPage(b, w, "tr-chair", "/situations/"+ids[500], nil) })
	b.Run("cold", func(b *testing.B) {
		benchPage(b, w, "tr-chair", "/situations/"+ids[500], func() { w.svc.cache = newStateCache(8192) })
	})
}
