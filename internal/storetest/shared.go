package storetest

import (
	"bytes"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/auditlog"
	"github.com/kurultai/kurultai/internal/kurultai"
)

// RunShared runs the tests of stores that several Kurultai processes share
// (one PostgreSQL database behind several nodes' processes). open returns
// two handles on one new, empty database, as two processes would hold
// them, and arranges for both to be closed when the subtest ends.
func RunShared(t *testing.T, open func(t *testing.T) (a, b kurultai.Store)) {
	tests := []struct {
		name string
		fn   func(t *testing.T, a, b kurultai.Store)
	}{
		{"ReadOtherWrites", testReadOtherWrites},
		{"KeysetFollowsWriters", testKeysetFollowsWriters},
		{"AuditFromBoth", testAuditFromBoth},
		{"SessionsShared", testSessionsShared},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := open(t)
			tc.fn(t, a, b)
		})
	}
}

// testReadOtherWrites: a version acknowledged through one handle is
// listed through the other at once, with the same date added.
func testReadOtherWrites(t *testing.T, a, b kurultai.Store) {
	ctx := t.Context()
	fixture(t, a)
	for i := range 20 {
		w, r := a, b
		if i%2 == 1 {
			w, r = b, a
		}
		v := newVersion(objectID("indicator", i), t0, relMembers)
		add(t, w, kz, collID, v)
		p, err := r.ListObjects(ctx, kurultai.Query{Collection: collID, IDs: []string{v.ID}, Limit: 10}, everyone)
		if err != nil || len(p.Items) != 1 || !p.Items[0].DateAdded.Equal(v.DateAdded) {
			t.Fatalf("write %d: other handle lists %+v, %v; want the version added %v", i, p.Items, err, v.DateAdded)
		}
	}
}

// testKeysetFollowsWriters: while goroutines write through both handles, a
// reader follows the collection page by page from its cursor, as a TAXII
// client polling with added_after or next does. It must see every version
// exactly once, in increasing date added: a version committed after the
// reader moved past its date added would be lost to it for good.
func testKeysetFollowsWriters(t *testing.T, a, b kurultai.Store) {
	ctx := t.Context()
	fixture(t, a)
	const writers, writes, perWrite = 6, 15, 10
	var wg sync.WaitGroup
	var done atomic.Bool
	errs := make(chan error, writers*writes+2)
	for g := range writers {
		wg.Go(func() {
			s := a
			if g%2 == 1 {
				s = b
			}
			for i := range writes {
				var vs []*kurultai.ObjectVersion
				for k := range perWrite {
					vs = append(vs, newVersion(objectID("indicator", (g*writes+i)*perWrite+k), t0))
				}
				st, err := s.AddObjects(ctx, write(kz, otherColl, vs...))
				if err == nil && len(st.Successes) != perWrite {
					err = fmt.Errorf("status %d successes, failures %+v", len(st.Successes), st.Failures)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	var seen []*kurultai.ObjectVersion
	var follower sync.WaitGroup
	follower.Go(func() {
		q := kurultai.Query{Collection: otherColl, Limit: 7}
		deadline := time.Now().Add(2 * time.Minute)
		for r := 0; ; r++ {
			finished := done.Load() // read before the page: a page after it sees every write
			s := a
			if r%2 == 1 {
				s = b
			}
			p, err := s.ListObjects(ctx, q, everyone)
			if err != nil {
				errs <- err
				return
			}
			seen = append(seen, p.Items...)
			if len(p.Items) > 0 {
				q.After = kurultai.Cursor(p.Items[len(p.Items)-1].DateAdded.UnixMicro())
			}
			if p.More {
				q.After = p.Next
				continue
			}
			if finished {
				return
			}
			if time.Now().After(deadline) {
				errs <- fmt.Errorf("follower: writers did not finish")
				return
			}
		}
	})
	wg.Wait()
	done.Store(true)
	follower.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	checkOrder(t, seen)
	want := writers * writes * perWrite
	got := map[string]bool{}
	for _, v := range seen {
		if got[v.ID] {
			t.Fatalf("follower saw %s twice", v.ID)
		}
		got[v.ID] = true
	}
	if len(got) != want {
		t.Errorf("follower saw %d versions, want %d: a version committed behind its cursor", len(got), want)
	}
}

// testAuditFromBoth: entries appended through both handles form one log,
// with every entry once, and (for stores that keep the log as a Merkle
// tree) one tree over all of them.
func testAuditFromBoth(t *testing.T, a, b kurultai.Store) {
	ctx := t.Context()
	var wg sync.WaitGroup
	const per = 20
	for g, s := range []kurultai.Store{a, b, a, b} {
		wg.Go(func() {
			for i := range per {
				e := kurultai.AuditEntry{Username: fmt.Sprintf("u%d-%d", g, i), Participant: "KZ", Action: kurultai.ActionLogin, Decision: kurultai.DecisionAllow}
				if err := s.AppendAudit(ctx, e); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	for _, s := range []kurultai.Store{a, b} {
		log := auditLog(t, s)
		names := map[string]bool{}
		for _, e := range log {
			names[e.Username] = true
		}
		if len(log) != 4*per || len(names) != 4*per {
			t.Errorf("audit log has %d entries (%d distinct), want %d", len(log), len(names), 4*per)
		}
		as, ok := s.(auditlog.Store)
		if !ok {
			continue
		}
		head, err := as.TreeHead(ctx)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := as.AuditRows(ctx, 0, 10_000)
		if err != nil {
			t.Fatal(err)
		}
		leaves := make([][]byte, len(rows))
		for i, r := range rows {
			if leaves[i], err = auditlog.RowLeafHash(r); err != nil {
				t.Fatalf("row %d: %v", r.Seq, err)
			}
		}
		if head.Size != uint64(len(rows)) || !bytes.Equal(head.Root, auditlog.RootOf(leaves)) {
			t.Errorf("tree head %d %x; the %d rows hash to %x", head.Size, head.Root, len(rows), auditlog.RootOf(leaves))
		}
	}
}
