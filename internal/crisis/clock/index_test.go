package clock

import (
	"bytes"
	"context"
	"slices"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/crisis"
	"github.com/kurultai/kurultai/internal/kurultai"
)

func refresh(t *testing.T, x *Index) {
	t.Helper()
	if err := x.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestIndexGroupsBySituation(t *testing.T) {
	f := newFixture(t)
	x := f.index()
	refresh(t, x)
	if got := x.Situations(); len(got) != 0 {
		t.Fatalf("empty store: situations %v", got)
	}
	f.clock.Set(t0.Add(time.Hour))
	a := f.raise()
	f.clock.Set(t0.Add(2 * time.Hour))
	b := f.act(uz, "", &crisis.RaiseAlert{Title: "Second", Onset: t0, Affected: []string{"UZ"}})
	refresh(t, x)
	if got := x.Situations(); !slices.Equal(got, []string{a, b}) {
		t.Fatalf("situations = %v, want %v oldest first", got, []string{a, b})
	}
	_, va := x.Entries(a)
	_, vb := x.Entries(b)

	f.clock.Set(t0.Add(3 * time.Hour))
	f.act(kz, a, &crisis.RequestConsultation{Reason: "spreading"})
	refresh(t, x)
	ea, va2 := x.Entries(a)
	_, vb2 := x.Entries(b)
	if len(ea) != 2 || va2 == va {
		t.Errorf("situation a: %d entries, version %d -> %d; want 2 entries and a new version", len(ea), va, va2)
	}
	if vb2 != vb {
		t.Errorf("situation b changed version %d -> %d without new records", vb, vb2)
	}
	if n := len(Records(ea)); n != 2 {
		t.Errorf("%d records parsed, want 2", n)
	}
	if e, v := x.Entries("kurultai-situation--00000000-0000-4000-8000-000000000000"); e != nil || v != 0 {
		t.Errorf("unknown situation: %v, %d", e, v)
	}
	// Nothing new: nothing changes.
	refresh(t, x)
	if _, v := x.Entries(a); v != va2 {
		t.Errorf("refresh without writes changed the version")
	}
}

// TestIndexKeepsUnreadableRecords: a record that does not parse is kept
// with its situation and the reason.
func TestIndexKeepsUnreadableRecords(t *testing.T) {
	f := newFixture(t)
	f.clock.Set(t0.Add(time.Hour))
	sit := f.raise()
	st := deriveAll(t, f, sit)
	res, err := f.m.Act(st, kz, &crisis.RequestConsultation{}, f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	raw := bytes.Replace(res.Objects[0], []byte(`"actor_role":"affected"`), []byte(`"actor_role":"emperor"`), 1)
	if bytes.Equal(raw, res.Objects[0]) {
		t.Fatalf("fixture: no actor_role to replace in %s", raw)
	}
	f.write(kz, raw)
	x := f.index()
	refresh(t, x)
	es, _ := x.Entries(sit)
	if len(es) != 2 || es[1].Record != nil || es[1].Problem == "" {
		t.Fatalf("entries %+v, want the situation and an unreadable record with its problem", es)
	}
	if es[1].Version.Raw != nil {
		t.Error("the index keeps the JSON of versions")
	}
}

// TestIndexReloadDropsDeleted: a deleted record disappears at the next full
// read.
func TestIndexReloadDropsDeleted(t *testing.T) {
	f := newFixture(t)
	f.clock.Set(t0.Add(time.Hour))
	sit := f.raise()
	req := f.act(kz, sit, &crisis.RequestConsultation{})
	x := f.index()
	refresh(t, x)
	ctx := context.Background()
	entry := kurultai.AuditEntry{Time: f.clock.Now(), Username: "kz", Participant: "KZ", Action: kurultai.ActionObjectDelete, Decision: kurultai.DecisionAllow}
	if _, err := f.store.DeleteObject(ctx, crisis.CollectionID, req, kurultai.VersionFilter{All: true}, func(*kurultai.ObjectVersion) bool { return true }, entry); err != nil {
		t.Fatal(err)
	}
	refresh(t, x)
	if es, _ := x.Entries(sit); len(es) != 2 {
		t.Fatalf("before the reload: %d entries, want 2", len(es))
	}
	f.clock.Set(f.clock.Now().Add(DefaultReload))
	refresh(t, x)
	if es, _ := x.Entries(sit); len(es) != 1 {
		t.Fatalf("after the reload: %d entries, want 1", len(es))
	}
}

// TestNarrowed: a newer version's markings narrow the older versions the
// index holds, on a copy.
func TestNarrowed(t *testing.T) {
	old := &Entry{Version: &kurultai.ObjectVersion{ID: "x--1", VersionKey: 1, MarkingRefs: []string{"m1"}, EffectiveMarkingRefs: []string{"m1"}}}
	tab := newTable()
	tab.add(old, 1)
	tab.add(&Entry{Version: &kurultai.ObjectVersion{ID: "x--1", VersionKey: 2, MarkingRefs: []string{"m1", "m2"}}}, 2)
	got := tab.byID["x--1"][0].Version.EffectiveMarkingRefs
	if !slices.Equal(got, []string{"m1", "m2"}) {
		t.Errorf("older version's effective refs = %v, want m1 m2", got)
	}
	if !slices.Equal(old.Version.EffectiveMarkingRefs, []string{"m1"}) {
		t.Error("narrowing changed the entry in place")
	}
	// An older version arriving later does not narrow the newer one.
	tab.add(&Entry{Version: &kurultai.ObjectVersion{ID: "x--1", VersionKey: 0, MarkingRefs: []string{"m3"}}}, 3)
	if got := tab.byID["x--1"][1].Version.EffectiveMarkingRefs; got != nil {
		t.Errorf("newer version narrowed by an older one: %v", got)
	}
	if e := narrowed(old, []string{"m1"}); e != old {
		t.Error("narrowed copied an entry that needed nothing")
	}
}

func deriveAll(t *testing.T, f *fixture, sit string) *crisis.State {
	t.Helper()
	recs, _, err := f.m.Load(context.Background(), f.store, crisis.CollectionID, func(*kurultai.ObjectVersion) bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.m.Derive(sit, recs, f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestLock: one holder at a time per situation; other situations go on.
func TestLock(t *testing.T) {
	x := NewIndex(nil, nil, "", IndexOptions{})
	lock := func(sit string) func() {
		t.Helper()
		unlock, err := x.Lock(context.Background(), sit)
		if err != nil {
			t.Fatalf("Lock(%s): %v", sit, err)
		}
		return unlock
	}
	unlock := lock("a")
	got := make(chan string, 2)
	go func() {
		unlock, err := x.Lock(context.Background(), "a")
		if err != nil {
			got <- err.Error()
			return
		}
		defer unlock()
		got <- "second a"
	}()
	func() {
		defer lock("b")()
		got <- "b"
	}()
	if v := <-got; v != "b" {
		t.Fatalf("%s ran while a was held", v)
	}
	unlock()
	if v := <-got; v != "second a" {
		t.Fatalf("got %s", v)
	}
	x.locks.mu.Lock()
	n := len(x.locks.m)
	x.locks.mu.Unlock()
	if n > 1 {
		t.Errorf("%d locks kept after use", n)
	}
}
