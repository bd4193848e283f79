package storetest

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
)

func testAddAndList(t *testing.T, s kurultai.Store) {
	ctx := t.Context()
	fixture(t, s)
	before, err := s.CountObjects(ctx)
	if err != nil {
		t.Fatalf("CountObjects: %v", err)
	}
	vs := []*kurultai.ObjectVersion{
		newVersion(objectID("indicator", 1), t0, relMembers, kurultai.TLP2GreenID),
		newVersion(objectID("report", 2), t0.Add(time.Second), relKZ),
		newVersion(objectID("malware", 3), t0.Add(2*time.Second)),
	}
	vs[1].Revoked = true
	w := write(kz, collID, vs...)
	start := time.Now()
	st, err := s.AddObjects(ctx, w)
	if err != nil {
		t.Fatalf("AddObjects: %v", err)
	}
	if len(st.Successes) != 3 || len(st.Failures) != 0 {
		t.Fatalf("status: successes %+v failures %+v", st.Successes, st.Failures)
	}
	for i, d := range st.Successes {
		if d.ID != vs[i].ID || d.Version != vs[i].Version {
			t.Errorf("success %d = %+v, want id %s version %s", i, d, vs[i].ID, vs[i].Version)
		}
	}
	var last time.Time
	for _, v := range vs {
		if v.Originator != "KZ" || v.Collection != collID {
			t.Errorf("%s: Originator %q Collection %q, want KZ and %s", v.ID, v.Originator, v.Collection, collID)
		}
		if !v.DateAdded.After(last) || v.DateAdded.Before(start.Add(-time.Minute)) {
			t.Errorf("%s: DateAdded %v, want after %v and about now", v.ID, v.DateAdded, last)
		}
		last = v.DateAdded
		if !sameSet(v.EffectiveMarkingRefs, v.MarkingRefs) {
			t.Errorf("%s: EffectiveMarkingRefs %v, want %v", v.ID, v.EffectiveMarkingRefs, v.MarkingRefs)
		}
	}
	after, err := s.CountObjects(ctx)
	if err != nil || after != before+3 {
		t.Errorf("CountObjects = %d, %v; want %d", after, err, before+3)
	}

	// Listing returns what was stored, with raw, in date-added order after
	// the fixture's markings.
	page, err := s.ListObjects(ctx, kurultai.Query{Collection: collID, Limit: 10, WithRaw: true, Types: []string{"indicator", "report", "malware"}}, everyone)
	if err != nil {
		t.Fatalf("ListObjects: %v", err)
	}
	if page.More || len(page.Items) != 3 {
		t.Fatalf("ListObjects: %d items, more %v; want 3, false", len(page.Items), page.More)
	}
	for i, got := range page.Items {
		want := vs[i]
		if got.ID != want.ID || got.Type != want.Type || got.SpecVersion != "2.1" || got.Version != want.Version ||
			got.VersionKey != want.VersionKey || !got.Created.Equal(want.Created) || !got.Modified.Equal(want.Modified) ||
			got.Revoked != want.Revoked || got.Originator != "KZ" || got.Collection != collID ||
			!got.DateAdded.Equal(want.DateAdded) || !bytes.Equal(got.Raw, want.Raw) ||
			!slices.Equal(got.MarkingRefs, want.MarkingRefs) || !sameSet(got.EffectiveMarkingRefs, want.MarkingRefs) {
			t.Errorf("item %d = %+v\nwant %+v", i, got, want)
		}
	}
	// Without WithRaw, no raw.
	page, err = s.ListObjects(ctx, kurultai.Query{Collection: collID, Limit: 10, IDs: []string{vs[0].ID}}, everyone)
	if err != nil || len(page.Items) != 1 || page.Items[0].Raw != nil {
		t.Errorf("ListObjects without raw: %+v, %v; want one item without Raw", page, err)
	}
	// The other collection is empty.
	page, err = s.ListObjects(ctx, kurultai.Query{Collection: otherColl, Limit: 10}, everyone)
	if err != nil || len(page.Items) != 0 || page.More {
		t.Errorf("other collection: %+v, %v; want empty", page, err)
	}
	_, err = s.ListObjects(ctx, kurultai.Query{Collection: "00000000-0000-0000-0000-000000000000", Limit: 10}, everyone)
	wantCode(t, "ListObjects(unknown collection)", err, kurultai.CodeNotFound)
}

func testAddUnknownCollection(t *testing.T, s kurultai.Store) {
	fixture(t, s)
	_, err := s.AddObjects(t.Context(), write(kz, "00000000-0000-0000-0000-000000000000", newVersion(objectID("indicator", 1), t0)))
	wantCode(t, "AddObjects(unknown collection)", err, kurultai.CodeNotFound)
}

func testIdempotentRepost(t *testing.T, s kurultai.Store) {
	ctx := t.Context()
	fixture(t, s)
	v := newVersion(objectID("indicator", 1), t0, relMembers)
	add(t, s, kz, collID, v)
	first := v.DateAdded
	n, _ := s.CountObjects(ctx)

	again := newVersion(objectID("indicator", 1), t0, relMembers)
	st := add(t, s, kz, collID, again, again) // twice in one write, too
	if st.Successes[0].ID != v.ID {
		t.Errorf("status %+v", st)
	}
	if !again.DateAdded.Equal(first) {
		t.Errorf("re-posted DateAdded %v, want the original %v", again.DateAdded, first)
	}
	if m, _ := s.CountObjects(ctx); m != n {
		t.Errorf("CountObjects after re-post = %d, want %d", m, n)
	}
}

func testConflictingVersion(t *testing.T, s kurultai.Store) {
	ctx := t.Context()
	fixture(t, s)
	id := objectID("indicator", 1)
	add(t, s, kz, collID, newVersion(id, t0))
	changed := versionWith(id, t0, map[string]any{"name": "changed"})
	other := newVersion(objectID("indicator", 2), t0)
	st, err := s.AddObjects(ctx, write(kz, collID, changed, other))
	if err != nil {
		t.Fatalf("AddObjects: %v", err)
	}
	if len(st.Failures) != 1 || st.Failures[0].ID != id || !strings.Contains(st.Failures[0].Message, "already exists with different content") {
		t.Errorf("failures = %+v; want %s refused as existing with different content", st.Failures, id)
	}
	if len(st.Successes) != 1 || st.Successes[0].ID != other.ID {
		t.Errorf("successes = %+v; want only %s", st.Successes, other.ID)
	}
	vs := listAll(t, s, collID)
	if got := find(vs, id, changed.VersionKey); got == nil || bytes.Contains(got.Raw, []byte("changed")) {
		t.Errorf("stored version = %+v; want the original content", got)
	}
}

func testAnotherWriter(t *testing.T, s kurultai.Store) {
	ctx := t.Context()
	fixture(t, s)
	id := objectID("report", 7)
	add(t, s, tr, collID, newVersion(id, t0))
	mine := newVersion(objectID("report", 8), t0)
	st, err := s.AddObjects(ctx, write(kz, collID, newVersion(id, t0.Add(time.Hour)), mine))
	if err != nil {
		t.Fatalf("AddObjects: %v", err)
	}
	if len(st.Failures) != 1 || st.Failures[0].ID != id || st.Failures[0].Message != "object id belongs to another writer" {
		t.Errorf("failures = %+v; want %s: object id belongs to another writer", st.Failures, id)
	}
	if len(st.Successes) != 1 || st.Successes[0].ID != mine.ID {
		t.Errorf("successes = %+v; want %s", st.Successes, mine.ID)
	}
	// The object keeps its one version by TR; other collections are
	// separate namespaces.
	vs := listAll(t, s, collID)
	n := 0
	for _, v := range vs {
		if v.ID == id {
			n++
			if v.Originator != "TR" {
				t.Errorf("version by %s, want TR", v.Originator)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d versions of %s, want 1", n, id)
	}
	add(t, s, kz, otherColl, newVersion(id, t0.Add(time.Hour)))

	var deny *kurultai.AuditEntry
	log := auditLog(t, s)
	for i := range log {
		if log[i].Decision == kurultai.DecisionDeny && log[i].Action == kurultai.ActionObjectsAdd {
			deny = &log[i]
		}
	}
	if deny == nil || deny.Participant != "KZ" || deny.Username != kz.Username || len(deny.Objects) != 1 || deny.Objects[0].ID != id {
		t.Errorf("deny audit entry = %+v; want one for KZ naming %s", deny, id)
	}
}

func testUnknownMarking(t *testing.T, s kurultai.Store) {
	ctx := t.Context()
	fixture(t, s)
	unknown := "marking-definition--deadbeef-0000-4000-8000-000000000000"
	bad := newVersion(objectID("indicator", 1), t0, relMembers, unknown)
	good := newVersion(objectID("indicator", 2), t0, relMembers, kurultai.TLP2AmberID)
	st, err := s.AddObjects(ctx, write(kz, collID, bad, good))
	if err != nil {
		t.Fatalf("AddObjects: %v", err)
	}
	if len(st.Failures) != 1 || st.Failures[0].ID != bad.ID || !strings.Contains(st.Failures[0].Message, unknown) {
		t.Errorf("failures = %+v; want %s refused naming %s", st.Failures, bad.ID, unknown)
	}
	if len(st.Successes) != 1 || st.Successes[0].ID != good.ID {
		t.Errorf("successes = %+v; want %s", st.Successes, good.ID)
	}
	if find(listAll(t, s, collID), bad.ID, bad.VersionKey) != nil {
		t.Errorf("%s was stored", bad.ID)
	}
}

func testMarkingsInWrite(t *testing.T, s kurultai.Store) {
	ctx := t.Context()
	fixture(t, s)
	newMarking := "marking-definition--1b8e5bd6-3f0e-4b4b-9c27-3d1d8c0e6a99"
	// The object comes before the marking it refers to: the whole write
	// counts.
	obj := newVersion(objectID("indicator", 1), t0, newMarking)
	add(t, s, kz, collID, obj, markingVersion(newMarking, "KZ", "TR"))
	ms, err := s.Markings(ctx)
	if err != nil {
		t.Fatalf("Markings: %v", err)
	}
	var got *kurultai.Marking
	for i := range ms {
		if ms[i].ID == newMarking {
			got = &ms[i]
		}
	}
	if got == nil || !got.Releasability || !sameSet(got.Audience, []string{"KZ", "TR"}) {
		t.Errorf("Markings()[%s] = %+v; want releasability to KZ, TR", newMarking, got)
	}
	// Now stored, later writes may refer to it.
	add(t, s, kz, collID, newVersion(objectID("indicator", 2), t0, newMarking))
	// A releasability marking with an empty audience is kept as such.
	nobody := "marking-definition--1b8e5bd6-3f0e-4b4b-9c27-3d1d8c0e6a98"
	add(t, s, kz, collID, markingVersion(nobody))
	ms, _ = s.Markings(ctx)
	for _, m := range ms {
		if m.ID == nobody && (!m.Releasability || len(m.Audience) != 0) {
			t.Errorf("empty-audience marking read back as %+v", m)
		}
	}
}

func testMarkingImmutable(t *testing.T, s kurultai.Store) {
	ctx := t.Context()
	fixture(t, s)
	// A new version of a stored marking-definition that changes its
	// audience is refused.
	changed := markingVersion(relKZ, "KZ", "TR")
	changed.VersionKey += int64(time.Hour)
	changed.Version = t0.Add(time.Hour).Format("2006-01-02T15:04:05.000Z")
	sec := kurultai.Principal{Username: "system", Participant: "SEC", Kind: kurultai.KindSecretariat, Role: kurultai.RoleSecretariat}
	st, err := s.AddObjects(ctx, write(sec, collID, changed))
	if err != nil {
		t.Fatalf("AddObjects: %v", err)
	}
	if len(st.Failures) != 1 || !strings.Contains(st.Failures[0].Message, "marking-definition") {
		t.Errorf("failures = %+v; want the changed marking refused", st.Failures)
	}
	ms, _ := s.Markings(ctx)
	for _, m := range ms {
		if m.ID == relKZ && !slices.Equal(m.Audience, []string{"KZ"}) {
			t.Errorf("marking %s audience %v, want [KZ]", relKZ, m.Audience)
		}
	}
	// Posting a standard TLP marking-definition as an object agrees with
	// the built-in one.
	tlp := newVersion(kurultai.TLP2GreenID, t0)
	tlp.Marking = &kurultai.Marking{ID: kurultai.TLP2GreenID, Name: "TLP:GREEN", TLP: kurultai.TLPGreen}
	add(t, s, sec, collID, tlp)
	wrong := newVersion(kurultai.TLP2RedID, t0)
	wrong.Marking = &kurultai.Marking{ID: kurultai.TLP2RedID, Name: "TLP:RED", TLP: kurultai.TLPGreen}
	st, err = s.AddObjects(ctx, write(sec, collID, wrong))
	if err != nil || len(st.Failures) != 1 {
		t.Errorf("TLP red defined as green: %+v, %v; want refused", st, err)
	}
}

func testRejected(t *testing.T, s kurultai.Store) {
	fixture(t, s)
	w := write(kz, collID, newVersion(objectID("indicator", 1), t0))
	w.Rejected = []kurultai.StatusDetail{{ID: objectID("indicator", 2), Version: "x", Message: "objects[1].modified: bad"}}
	st, err := s.AddObjects(t.Context(), w)
	if err != nil {
		t.Fatalf("AddObjects: %v", err)
	}
	if len(st.Successes) != 1 || len(st.Failures) != 1 || st.Failures[0] != w.Rejected[0] {
		t.Errorf("status %+v; want one success and the rejected entry as failure", st)
	}
}

func testStatuses(t *testing.T, s kurultai.Store) {
	ctx := t.Context()
	fixture(t, s)
	w := write(kz, collID, newVersion(objectID("indicator", 1), t0), newVersion(objectID("indicator", 2), t0, "marking-definition--00000000-0000-4000-8000-000000000000"))
	w.Rejected = []kurultai.StatusDetail{{Message: "objects[2]: not JSON"}}
	w.Time = time.Date(2025, 3, 4, 5, 6, 7, 890, time.UTC)
	st, err := s.AddObjects(ctx, w)
	if err != nil {
		t.Fatalf("AddObjects: %v", err)
	}
	got, err := s.Status(ctx, w.StatusID)
	if err != nil {
		t.Fatalf("Status: %v", err)
	}
	if got.ID != w.StatusID || got.Collection != collID || got.Owner != "KZ" || got.Status != "complete" ||
		!got.RequestTimestamp.Equal(w.Time) || len(got.Pendings) != 0 ||
		!slices.Equal(got.Successes, st.Successes) || !slices.Equal(got.Failures, st.Failures) {
		t.Errorf("Status = %+v\nwant %+v", got, st)
	}
	if len(got.Successes) != 1 || len(got.Failures) != 2 {
		t.Errorf("Status: %d successes, %d failures; want 1, 2", len(got.Successes), len(got.Failures))
	}
	_, err = s.Status(ctx, "no-such-status")
	wantCode(t, "Status(missing)", err, kurultai.CodeNotFound)
	// A status id is used once.
	w2 := write(kz, collID, newVersion(objectID("indicator", 3), t0))
	w2.StatusID = w.StatusID
	_, err = s.AddObjects(ctx, w2)
	wantCode(t, "AddObjects(reused status id)", err, kurultai.CodeConflict)
}

func testVersionless(t *testing.T, s kurultai.Store) {
	ctx := t.Context()
	fixture(t, s)
	// An SCO has neither created nor modified: no version string, key 0.
	raw := []byte(`{"type":"ipv4-addr","spec_version":"2.1","id":"ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd","value":"198.51.100.3"}`)
	sco := &kurultai.ObjectVersion{ID: "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd", Type: "ipv4-addr", SpecVersion: "2.1", MarkingRefs: []string{relMembers}, Raw: raw}
	st := add(t, s, kz, collID, sco)
	if st.Successes[0].Version == "" {
		t.Errorf("status version of an SCO is empty; want its date added")
	}
	again := *sco
	again.Raw = slices.Clone(raw)
	add(t, s, kz, collID, &again)
	page, err := s.ListObjects(ctx, kurultai.Query{Collection: collID, Limit: 10, Types: []string{"ipv4-addr"}, WithRaw: true}, everyone)
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("ListObjects: %+v, %v; want one SCO", page, err)
	}
	got := page.Items[0]
	if got.Version != "" || got.VersionKey != 0 || !got.Created.IsZero() || !got.Modified.IsZero() || !bytes.Equal(got.Raw, raw) {
		t.Errorf("SCO read back as %+v", got)
	}
}
