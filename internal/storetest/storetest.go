// Package storetest is the conformance suite of kurultai.Store. Every store
// implementation (SQLite now, PostgreSQL later) runs Run from its own tests,
// against a real database:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) kurultai.Store { ... a fresh, empty store ... })
//	}
//
// The suite builds object versions by hand (it does not parse STIX), so it
// checks what the store does with versions, not how they were parsed.
//
// Beyond kurultai.Store's doc comments, the suite pins down what every
// store must agree on: the standard TLP marking-definitions are known
// without being posted; Participants lists by code, Users by id and
// Collections in creation order; a user of an unknown participant and a
// token of an unknown user are CodeInvalid, a taken username, token id,
// collection alias or status id CodeConflict; a version refused because
// another participant wrote the object fails with exactly "object id
// belongs to another writer"; a status lists versionless objects (SCOs)
// under their date added; and a listing may return a short page with More
// set only after examining at least 10,000 versions.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// AuditReader is how the suite reads the audit log back. Stores must
// implement it: an audit log nobody can check is not one.
type AuditReader interface {
	// AuditEntries returns up to limit entries with a sequence number
	// greater than after (0: from the start), in log order, and the
	// sequence number of the last one (after itself when there is none).
	AuditEntries(ctx context.Context, after int64, limit int) ([]kurultai.AuditEntry, int64, error)
}

// Run runs the conformance suite. open returns a new, empty store for one
// subtest and arranges for it to be closed when the subtest ends.
func Run(t *testing.T, open func(t *testing.T) kurultai.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s kurultai.Store)
	}{
		{"Ping", testPing},
		{"Participants", testParticipants},
		{"Users", testUsers},
		{"Tokens", testTokens},
		{"Collections", testCollections},
		{"StandardMarkings", testStandardMarkings},
		{"AddAndList", testAddAndList},
		{"AddUnknownCollection", testAddUnknownCollection},
		{"IdempotentRepost", testIdempotentRepost},
		{"ConflictingVersion", testConflictingVersion},
		{"AnotherWriter", testAnotherWriter},
		{"UnknownMarking", testUnknownMarking},
		{"MarkingsInWrite", testMarkingsInWrite},
		{"MarkingImmutable", testMarkingImmutable},
		{"Rejected", testRejected},
		{"EffectiveMarkings", testEffectiveMarkings},
		{"FirstLast", testFirstLast},
		{"VersionlessObjects", testVersionless},
		{"Delete", testDelete},
		{"DeleteFirstLast", testDeleteFirstLast},
		{"Pagination", testPagination},
		{"AddedAfter", testAddedAfter},
		{"Filters", testFilters},
		{"FilterLimits", testFilterLimits},
		{"SparseVisibility", testSparseVisibility},
		{"NothingVisible", testNothingVisible},
		{"Statuses", testStatuses},
		{"Audit", testAudit},
		{"AuditOfWrites", testAuditOfWrites},
		{"ConcurrentAdds", testConcurrentAdds},
		{"AuditTree", testAuditTree},
		{"AuditCheckpoints", testAuditCheckpoints},
		{"AuditObjectVersions", testAuditObjectVersions},
		{"Sessions", testSessions},
		{"SessionExpiry", testSessionExpiry},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t))
		})
	}
}

// Fixture names.
const (
	collID    = "91a7b528-80eb-42ed-a74d-c6fbd5a26116"
	otherColl = "52892447-4d7e-4f70-b94d-d7f22742ff63"
	// relMembers is a releasability marking the fixture stores, audience
	// "members".
	relMembers = "marking-definition--1b8e5bd6-3f0e-4b4b-9c27-3d1d8c0e6a01"
	relKZ      = "marking-definition--1b8e5bd6-3f0e-4b4b-9c27-3d1d8c0e6a02"
	relTR      = "marking-definition--1b8e5bd6-3f0e-4b4b-9c27-3d1d8c0e6a03"
)

// t0 is the fixture's base time for created and modified.
var t0 = time.Date(2022, 1, 2, 10, 0, 0, 0, time.UTC)

var (
	kz = kurultai.Principal{UserID: 1, Username: "kz-liaison", Participant: "KZ", Kind: kurultai.KindMember, Role: kurultai.RoleLiaison}
	tr = kurultai.Principal{UserID: 2, Username: "tr-liaison", Participant: "TR", Kind: kurultai.KindMember, Role: kurultai.RoleLiaison}
)

// fixture stores participants, two collections and three releasability
// markings (written by the secretariat).
func fixture(t *testing.T, s kurultai.Store) {
	t.Helper()
	ctx := t.Context()
	for _, p := range []kurultai.Participant{
		{Code: "KZ", Name: "Kazakhstan", Kind: kurultai.KindMember},
		{Code: "TR", Name: "Türkiye", Kind: kurultai.KindMember},
		{Code: "HU", Name: "Hungary", Kind: kurultai.KindObserver},
		{Code: "SEC", Name: "Secretariat", Kind: kurultai.KindSecretariat},
	} {
		if err := s.PutParticipant(ctx, p); err != nil {
			t.Fatalf("PutParticipant(%s): %v", p.Code, err)
		}
	}
	for _, c := range []kurultai.Collection{
		{ID: collID, Title: "Intel", Alias: "intel"},
		{ID: otherColl, Title: "Other"},
	} {
		if err := s.PutCollection(ctx, c); err != nil {
			t.Fatalf("PutCollection(%s): %v", c.ID, err)
		}
	}
	sec := kurultai.Principal{Username: "system", Participant: "SEC", Kind: kurultai.KindSecretariat, Role: kurultai.RoleSecretariat}
	add(t, s, sec, collID,
		markingVersion(relMembers, kurultai.AudienceMembers),
		markingVersion(relKZ, "KZ"),
		markingVersion(relTR, "TR"))
}

// objectID returns the id of the object of type typ numbered n.
func objectID(typ string, n int) string {
	return fmt.Sprintf("%s--00000000-0000-4000-8000-%012d", typ, n)
}

// newVersion returns a version of the object id modified at mod, with the
// marking refs, as a parser would: JSON and the common properties.
func newVersion(id string, mod time.Time, refs ...string) *kurultai.ObjectVersion {
	return versionWith(id, mod, nil, refs...)
}

// versionWith is newVersion with extra JSON properties.
func versionWith(id string, mod time.Time, extra map[string]any, refs ...string) *kurultai.ObjectVersion {
	typ, _, _ := strings.Cut(id, "--")
	ts := mod.UTC().Format("2006-01-02T15:04:05.000Z")
	m := map[string]any{"type": typ, "spec_version": "2.1", "id": id, "created": t0.Format("2006-01-02T15:04:05.000Z"), "modified": ts}
	if len(refs) > 0 {
		m["object_marking_refs"] = refs
	}
	for k, v := range extra {
		m[k] = v
	}
	raw, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return &kurultai.ObjectVersion{
		ID:          id,
		Type:        typ,
		SpecVersion: "2.1",
		Created:     t0,
		Modified:    mod.UTC(),
		Version:     ts,
		VersionKey:  mod.UnixNano(),
		MarkingRefs: slices.Clone(refs),
		Raw:         raw,
	}
}

// markingVersion returns a releasability marking-definition.
func markingVersion(id string, audience ...string) *kurultai.ObjectVersion {
	ts := t0.Format("2006-01-02T15:04:05.000Z")
	raw, err := json.Marshal(map[string]any{
		"type": "marking-definition", "spec_version": "2.1", "id": id, "created": ts,
		"extensions": map[string]any{kurultai.ReleasabilityExtensionID: map[string]any{
			"extension_type": "property-extension", "audience": audience,
		}},
	})
	if err != nil {
		panic(err)
	}
	return &kurultai.ObjectVersion{
		ID: id, Type: "marking-definition", SpecVersion: "2.1", Created: t0, Version: ts, VersionKey: t0.UnixNano(),
		Marking: &kurultai.Marking{ID: id, Name: "releasable to " + strings.Join(audience, ","), Audience: audience, Releasability: true},
		Raw:     raw,
	}
}

// write returns a Write of vs by p with a fresh status id.
func write(p kurultai.Principal, coll string, vs ...*kurultai.ObjectVersion) kurultai.Write {
	return kurultai.Write{
		Principal:  p,
		Collection: coll,
		StatusID:   newStatusID(),
		Objects:    vs,
		Time:       time.Now().UTC(),
	}
}

// newStatusID returns a random status id.
func newStatusID() string { return "status-" + rand.Text() }

// add stores vs as p and fails the test unless every version succeeded.
func add(t *testing.T, s kurultai.Store, p kurultai.Principal, coll string, vs ...*kurultai.ObjectVersion) kurultai.Status {
	t.Helper()
	st, err := s.AddObjects(t.Context(), write(p, coll, vs...))
	if err != nil {
		t.Fatalf("AddObjects: %v", err)
	}
	if len(st.Failures) > 0 || len(st.Successes) != len(vs) {
		t.Fatalf("AddObjects: %d successes, failures %+v; want %d successes", len(st.Successes), st.Failures, len(vs))
	}
	return st
}

// all lists every version of q that allow accepts, page by page, checking
// each page's shape, and returns them with the number of pages.
func all(t *testing.T, s kurultai.Store, q kurultai.Query, allow func(*kurultai.ObjectVersion) bool) ([]*kurultai.ObjectVersion, int) {
	t.Helper()
	var out []*kurultai.ObjectVersion
	pages := 0
	for {
		page, err := s.ListObjects(t.Context(), q, allow)
		if err != nil {
			t.Fatalf("ListObjects(%+v): %v", q, err)
		}
		pages++
		if len(page.Items) > q.Limit {
			t.Fatalf("page %d has %d items, limit %d", pages, len(page.Items), q.Limit)
		}
		out = append(out, page.Items...)
		if !page.More {
			return out, pages
		}
		if pages > 100_000 {
			t.Fatal("pagination does not end")
		}
		q.After = page.Next
	}
}

// everyone allows every version.
func everyone(*kurultai.ObjectVersion) bool { return true }

// ids returns the ids of vs.
func ids(vs []*kurultai.ObjectVersion) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.ID
	}
	return out
}

// wantCode fails the test unless err has the code.
func wantCode(t *testing.T, what string, err error, code kurultai.Code) {
	t.Helper()
	if got := kurultai.ErrorCode(err); got != code {
		t.Errorf("%s: error %v (code %q), want code %q", what, err, got, code)
	}
}

// sameSet reports whether a and b hold the same strings.
func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(slices.Compact(x), slices.Compact(y))
}

// listAll returns every version of the collection (all versions, raw
// included) in date-added order.
func listAll(t *testing.T, s kurultai.Store, coll string) []*kurultai.ObjectVersion {
	t.Helper()
	vs, _ := all(t, s, kurultai.Query{Collection: coll, Limit: 1000, WithRaw: true, Versions: kurultai.VersionFilter{All: true}}, everyone)
	return vs
}

// find returns the listed version of id with the version key, or nil.
func find(vs []*kurultai.ObjectVersion, id string, key int64) *kurultai.ObjectVersion {
	for _, v := range vs {
		if v.ID == id && v.VersionKey == key {
			return v
		}
	}
	return nil
}

// auditLog returns the whole audit log of s.
func auditLog(t *testing.T, s kurultai.Store) []kurultai.AuditEntry {
	t.Helper()
	ar, ok := s.(AuditReader)
	if !ok {
		t.Fatalf("%T does not implement storetest.AuditReader", s)
	}
	var out []kurultai.AuditEntry
	var after int64
	for {
		es, last, err := ar.AuditEntries(t.Context(), after, 1000)
		if err != nil {
			t.Fatalf("AuditEntries: %v", err)
		}
		if len(es) == 0 {
			return out
		}
		if last <= after {
			t.Fatalf("AuditEntries(after %d) returned %d entries and last %d", after, len(es), last)
		}
		out = append(out, es...)
		after = last
	}
}
