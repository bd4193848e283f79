package storetest

import (
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// versionsOf lists the versions of id selected by vf.
func versionsOf(t *testing.T, s kurultai.Store, id string, vf kurultai.VersionFilter) []*kurultai.ObjectVersion {
	t.Helper()
	vs, _ := all(t, s, kurultai.Query{Collection: collID, IDs: []string{id}, Versions: vf, Limit: 100}, everyone)
	return vs
}

// keys returns the version keys of vs as offsets in hours from t0.
func hours(vs []*kurultai.ObjectVersion) []int64 {
	out := make([]int64, len(vs))
	for i, v := range vs {
		out[i] = (v.VersionKey - t0.UnixNano()) / int64(time.Hour)
	}
	return out
}

func testEffectiveMarkings(t *testing.T, s kurultai.Store) {
	fixture(t, s)
	id := objectID("report", 1)
	at := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }
	add(t, s, kz, collID, newVersion(id, at(1), relMembers))
	// A newer version narrows: the older one is narrowed too.
	v2 := newVersion(id, at(2), relMembers, relKZ)
	add(t, s, kz, collID, v2)
	if !sameSet(v2.EffectiveMarkingRefs, []string{relMembers, relKZ}) {
		t.Errorf("new version's effective refs %v", v2.EffectiveMarkingRefs)
	}
	// An older version arriving late takes the refs of every newer one.
	v0 := newVersion(id, at(0), kurultai.TLP2GreenID)
	add(t, s, kz, collID, v0)
	if !sameSet(v0.EffectiveMarkingRefs, []string{kurultai.TLP2GreenID, relMembers, relKZ}) {
		t.Errorf("late older version's effective refs %v", v0.EffectiveMarkingRefs)
	}
	// A newer version that widens does not widen the older ones, and its
	// refs reach them; two versions in one write settle together.
	v3 := newVersion(id, at(3), relTR)
	v4 := newVersion(id, at(4), kurultai.TLP2RedID)
	add(t, s, kz, collID, v4, v3)

	want := map[int64][]string{
		0: {kurultai.TLP2GreenID, relMembers, relKZ, relTR, kurultai.TLP2RedID},
		1: {relMembers, relKZ, relTR, kurultai.TLP2RedID},
		2: {relMembers, relKZ, relTR, kurultai.TLP2RedID},
		3: {relTR, kurultai.TLP2RedID},
		4: {kurultai.TLP2RedID},
	}
	own := map[int64][]string{0: {kurultai.TLP2GreenID}, 1: {relMembers}, 2: {relMembers, relKZ}, 3: {relTR}, 4: {kurultai.TLP2RedID}}
	vs := versionsOf(t, s, id, kurultai.VersionFilter{All: true})
	if len(vs) != 5 {
		t.Fatalf("%d versions, want 5", len(vs))
	}
	for _, v := range vs {
		h := hours([]*kurultai.ObjectVersion{v})[0]
		if !sameSet(v.EffectiveMarkingRefs, want[h]) {
			t.Errorf("version +%dh: effective refs %v, want %v", h, v.EffectiveMarkingRefs, want[h])
		}
		if !sameSet(v.MarkingRefs, own[h]) {
			t.Errorf("version +%dh: own refs %v, want %v", h, v.MarkingRefs, own[h])
		}
	}
	if !sameSet(v3.EffectiveMarkingRefs, want[3]) || !sameSet(v4.EffectiveMarkingRefs, want[4]) {
		t.Errorf("returned effective refs: v3 %v, v4 %v", v3.EffectiveMarkingRefs, v4.EffectiveMarkingRefs)
	}
}

func testFirstLast(t *testing.T, s kurultai.Store) {
	fixture(t, s)
	id := objectID("report", 1)
	at := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }
	// Added out of order: 2, 1, 4, 3.
	add(t, s, kz, collID, newVersion(id, at(2)))
	add(t, s, kz, collID, newVersion(id, at(1)))
	add(t, s, kz, collID, newVersion(id, at(4)), newVersion(id, at(3)))
	other := objectID("report", 2)
	add(t, s, kz, collID, newVersion(other, at(5)))

	for _, tc := range []struct {
		name string
		vf   kurultai.VersionFilter
		want []int64 // hours, in date-added order
	}{
		{"default", kurultai.VersionFilter{}, []int64{4}},
		{"last", kurultai.VersionFilter{Last: true}, []int64{4}},
		{"first", kurultai.VersionFilter{First: true}, []int64{1}},
		{"first+last", kurultai.VersionFilter{First: true, Last: true}, []int64{1, 4}},
		{"all", kurultai.VersionFilter{All: true}, []int64{2, 1, 4, 3}},
		{"keys", kurultai.VersionFilter{Keys: []int64{at(3).UnixNano(), at(2).UnixNano(), at(9).UnixNano()}}, []int64{2, 3}},
		{"first+key", kurultai.VersionFilter{First: true, Keys: []int64{at(2).UnixNano()}}, []int64{2, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := hours(versionsOf(t, s, id, tc.vf))
			if !equalInts(got, tc.want) {
				t.Errorf("versions %v, want %v", got, tc.want)
			}
		})
	}
	// Without match[id], the default still gives one version per object.
	vs, _ := all(t, s, kurultai.Query{Collection: collID, Types: []string{"report"}, Limit: 10}, everyone)
	if got := hours(vs); !equalInts(got, []int64{4, 5}) {
		t.Errorf("last versions of reports %v, want [4 5]", got)
	}
}

func equalInts(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func testDelete(t *testing.T, s kurultai.Store) {
	ctx := t.Context()
	fixture(t, s)
	id := objectID("report", 1)
	at := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }
	add(t, s, kz, collID, newVersion(id, at(1)), newVersion(id, at(2)), newVersion(id, at(3)))
	n0, _ := s.CountObjects(ctx)
	entry := kurultai.AuditEntry{Time: time.Now().UTC(), Username: kz.Username, Participant: "KZ", Action: kurultai.ActionObjectDelete,
		Query: "collection=" + collID, Decision: kurultai.DecisionAllow, Detail: "versions written by the caller"}
	mine := func(v *kurultai.ObjectVersion) bool { return v.Originator == "KZ" }
	nobody := func(*kurultai.ObjectVersion) bool { return false }

	_, err := s.DeleteObject(ctx, collID, objectID("report", 99), kurultai.VersionFilter{All: true}, mine, entry)
	wantCode(t, "DeleteObject(missing id)", err, kurultai.CodeNotFound)
	_, err = s.DeleteObject(ctx, collID, id, kurultai.VersionFilter{All: true}, nobody, entry)
	wantCode(t, "DeleteObject(nothing allowed)", err, kurultai.CodeNotFound)
	_, err = s.DeleteObject(ctx, collID, id, kurultai.VersionFilter{Keys: []int64{at(9).UnixNano()}}, mine, entry)
	wantCode(t, "DeleteObject(no such version)", err, kurultai.CodeNotFound)
	_, err = s.DeleteObject(ctx, otherColl, id, kurultai.VersionFilter{All: true}, mine, entry)
	wantCode(t, "DeleteObject(other collection)", err, kurultai.CodeNotFound)
	if n, _ := s.CountObjects(ctx); n != n0 {
		t.Fatalf("refused deletes changed the count: %d, want %d", n, n0)
	}
	logBefore := len(auditLog(t, s))

	n, err := s.DeleteObject(ctx, collID, id, kurultai.VersionFilter{Keys: []int64{at(2).UnixNano()}}, mine, entry)
	if err != nil || n != 1 {
		t.Fatalf("DeleteObject(version 2) = %d, %v; want 1, nil", n, err)
	}
	if got := hours(versionsOf(t, s, id, kurultai.VersionFilter{All: true})); !equalInts(got, []int64{1, 3}) {
		t.Errorf("remaining versions %v, want [1 3]", got)
	}
	log := auditLog(t, s)
	if len(log) != logBefore+1 {
		t.Fatalf("audit log grew by %d, want 1", len(log)-logBefore)
	}
	e := log[len(log)-1]
	wantVersion := at(2).Format("2006-01-02T15:04:05.000Z")
	if e.Action != kurultai.ActionObjectDelete || e.Participant != "KZ" || e.Detail != entry.Detail ||
		len(e.Objects) != 1 || e.Objects[0].ID != id || e.Objects[0].Version != wantVersion {
		t.Errorf("audit entry %+v; want the caller's entry naming %s %s", e, id, wantVersion)
	}
	n, err = s.DeleteObject(ctx, collID, id, kurultai.VersionFilter{All: true}, mine, entry)
	if err != nil || n != 2 {
		t.Fatalf("DeleteObject(all) = %d, %v; want 2, nil", n, err)
	}
	if vs := versionsOf(t, s, id, kurultai.VersionFilter{All: true}); len(vs) != 0 {
		t.Errorf("%d versions left, want 0", len(vs))
	}
	if n, _ := s.CountObjects(ctx); n != n0-3 {
		t.Errorf("CountObjects = %d, want %d", n, n0-3)
	}
	// Once every version is gone, the id is free again... for its writer.
	add(t, s, kz, collID, newVersion(id, at(5)))
}

func testDeleteFirstLast(t *testing.T, s kurultai.Store) {
	ctx := t.Context()
	fixture(t, s)
	id := objectID("report", 1)
	at := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }
	add(t, s, kz, collID, newVersion(id, at(1)), newVersion(id, at(2)), newVersion(id, at(3)), newVersion(id, at(4)))
	entry := kurultai.AuditEntry{Username: kz.Username, Participant: "KZ", Action: kurultai.ActionObjectDelete, Decision: kurultai.DecisionAllow}

	// Deleting the last version (the default filter) makes the previous one
	// last; deleting the first makes the next one first.
	if n, err := s.DeleteObject(ctx, collID, id, kurultai.VersionFilter{}, everyone, entry); err != nil || n != 1 {
		t.Fatalf("DeleteObject(last) = %d, %v", n, err)
	}
	if n, err := s.DeleteObject(ctx, collID, id, kurultai.VersionFilter{First: true}, everyone, entry); err != nil || n != 1 {
		t.Fatalf("DeleteObject(first) = %d, %v", n, err)
	}
	if got := hours(versionsOf(t, s, id, kurultai.VersionFilter{Last: true})); !equalInts(got, []int64{3}) {
		t.Errorf("last after deletes %v, want [3]", got)
	}
	if got := hours(versionsOf(t, s, id, kurultai.VersionFilter{First: true})); !equalInts(got, []int64{2}) {
		t.Errorf("first after deletes %v, want [2]", got)
	}
	// A new version after the deletes is last again, the old last is not.
	add(t, s, kz, collID, newVersion(id, at(6)))
	if got := hours(versionsOf(t, s, id, kurultai.VersionFilter{Last: true})); !equalInts(got, []int64{6}) {
		t.Errorf("last after a new version %v, want [6]", got)
	}
	if got := hours(versionsOf(t, s, id, kurultai.VersionFilter{First: true, Last: true})); !equalInts(got, []int64{2, 6}) {
		t.Errorf("first and last %v, want [2 6]", got)
	}
}
