package storetest

import (
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
)

func testAudit(t *testing.T, s kurultai.Store) {
	ctx := t.Context()
	if err := s.AppendAudit(ctx); err != nil {
		t.Fatalf("AppendAudit(): %v", err)
	}
	at := time.Date(2022, 1, 6, 12, 0, 0, 123456789, time.UTC)
	want := []kurultai.AuditEntry{
		{Time: at, Username: "aigerim", Participant: "KZ", Action: kurultai.ActionObjectsRead, Query: "collection=x&match[type]=report",
			Decision: kurultai.DecisionAllow, Detail: "returned 3, withheld 1"},
		{Time: at.Add(time.Second), Username: "mehmet", Participant: "TR", Action: kurultai.ActionObjectRead,
			Objects:  []kurultai.ObjectRef{{ID: objectID("report", 1), Version: "2022-01-02T10:00:00.000Z"}, {ID: objectID("report", 2)}},
			Decision: kurultai.DecisionDeny, Detail: "not found"},
	}
	if err := s.AppendAudit(ctx, want...); err != nil {
		t.Fatalf("AppendAudit: %v", err)
	}
	if err := s.AppendAudit(ctx, kurultai.AuditEntry{Username: "x", Action: kurultai.ActionLogin, Decision: kurultai.DecisionAllow}); err != nil {
		t.Fatalf("AppendAudit: %v", err)
	}
	got := auditLog(t, s)
	if len(got) != 3 {
		t.Fatalf("%d entries, want 3", len(got))
	}
	for i, w := range want {
		g := got[i]
		if !g.Time.Equal(w.Time) {
			t.Errorf("entry %d time %v, want %v", i, g.Time, w.Time)
		}
		g.Time = w.Time
		if !reflect.DeepEqual(g, w) {
			t.Errorf("entry %d = %+v\nwant %+v", i, g, w)
		}
	}
	if got[2].Time.IsZero() {
		t.Errorf("an entry without time was stored without one")
	}
}

func testAuditOfWrites(t *testing.T, s kurultai.Store) {
	ctx := t.Context()
	fixture(t, s)
	n := len(auditLog(t, s))
	w := write(kz, collID, newVersion(objectID("indicator", 1), t0), newVersion(objectID("indicator", 2), t0, "marking-definition--00000000-0000-4000-8000-000000000000"))
	st, err := s.AddObjects(ctx, w)
	if err != nil {
		t.Fatalf("AddObjects: %v", err)
	}
	log := auditLog(t, s)
	if len(log) != n+1 {
		t.Fatalf("audit log grew by %d entries, want 1", len(log)-n)
	}
	e := log[n]
	if e.Action != kurultai.ActionObjectsAdd || e.Decision != kurultai.DecisionAllow || e.Username != kz.Username ||
		e.Participant != "KZ" || e.Detail != "stored 1, failed 1" || !e.Time.Equal(w.Time) ||
		len(e.Objects) != 1 || e.Objects[0] != (kurultai.ObjectRef{ID: st.Successes[0].ID, Version: st.Successes[0].Version}) {
		t.Errorf("audit entry %+v; want objects.add, allow, stored 1, failed 1, naming the stored version", e)
	}
}

// testConcurrentAdds writes from many goroutines at once; every write must
// succeed and every version be listed once, in a single date-added order.
func testConcurrentAdds(t *testing.T, s kurultai.Store) {
	ctx := t.Context()
	fixture(t, s)
	const writers, writes, perWrite = 16, 10, 20
	var wg sync.WaitGroup
	errs := make(chan error, writers*writes)
	for g := range writers {
		wg.Go(func() {
			p := kz
			if g%2 == 1 {
				p = tr
			}
			for i := range writes {
				var vs []*kurultai.ObjectVersion
				for k := range perWrite {
					vs = append(vs, newVersion(objectID("indicator", (g*writes+i)*perWrite+k), t0, relMembers))
				}
				st, err := s.AddObjects(ctx, write(p, otherColl, vs...))
				if err == nil && (len(st.Successes) != perWrite || len(st.Failures) != 0) {
					err = fmt.Errorf("status %d successes, failures %+v", len(st.Successes), st.Failures)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	// Readers run alongside.
	for range 2 {
		wg.Go(func() {
			for range 20 {
				if _, err := s.ListObjects(ctx, kurultai.Query{Collection: otherColl, Limit: 100}, everyone); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	vs, _ := all(t, s, kurultai.Query{Collection: otherColl, Limit: 1000}, everyone)
	if len(vs) != writers*writes*perWrite {
		t.Errorf("%d versions listed, want %d", len(vs), writers*writes*perWrite)
	}
	seen := map[string]bool{}
	for _, v := range vs {
		if seen[v.ID] {
			t.Fatalf("%s listed twice", v.ID)
		}
		seen[v.ID] = true
	}
	checkOrder(t, vs)
}
