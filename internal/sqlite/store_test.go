package sqlite

import (
	"github.com/kurultai/kurultai/internal/markingrefs"

	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// fixtureVersion returns indicator n, marked TLP green, as JSON and version.
func fixtureVersion(n int, mod time.Time, refs ...string) *kurultai.ObjectVersion {
	id := fmt.Sprintf("indicator--00000000-0000-4000-8000-%012d", n)
	ts := mod.UTC().Format("2006-01-02T15:04:05.000Z")
	raw, _ := json.Marshal(map[string]any{"type": "indicator", "id": id, "spec_version": "2.1", "created": ts, "modified": ts, "object_marking_refs": refs})
	return &kurultai.ObjectVersion{ID: id, Type: "indicator", SpecVersion: "2.1", Created: mod, Modified: mod, Version: ts,
		VersionKey: mod.UnixNano(), MarkingRefs: refs, Raw: raw}
}

// TestScanBudget: with sparse visibility a page stops after scanBudget rows,
// short or empty but with More, and paging on still finds everything.
func TestScanBudget(t *testing.T) {
	s := openTest(t)
	benchSetup(t, s)
	s.scanBudget = 100
	ctx := context.Background()
	var vs []*kurultai.ObjectVersion
	for i := range 1000 {
		vs = append(vs, fixtureVersion(i, time.Unix(1700000000, 0), kurultai.TLP2GreenID))
	}
	if st, err := s.AddObjects(ctx, kurultai.Write{Principal: benchPrincipal, Collection: benchColl, StatusID: "s", Objects: vs}); err != nil || len(st.Failures) > 0 {
		t.Fatal(err, st.Failures)
	}
	visible := map[string]bool{vs[450].ID: true, vs[999].ID: true}
	allow := func(v *kurultai.ObjectVersion) bool { return visible[v.ID] }
	q := kurultai.Query{Collection: benchColl, Limit: 10}
	var got []string
	pages, withheld := 0, 0
	for {
		p, err := s.ListObjects(ctx, q, allow)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		withheld += p.Withheld
		got = append(got, ids(p.Items)...)
		if !p.More {
			break
		}
		q.After = p.Next
	}
	if !slices.Equal(got, []string{vs[450].ID, vs[999].ID}) {
		t.Errorf("found %v", got)
	}
	if pages < 10 || withheld != 1000+1-2 { // the marking-definition of benchSetup too
		t.Errorf("%d pages, %d withheld; want about 10 pages and every other version withheld once", pages, withheld)
	}
}

func ids(vs []*kurultai.ObjectVersion) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.ID
	}
	return out
}

// TestDateAddedNeverReused: the date added keeps increasing across a
// restart even when the clock goes back and the newest version is deleted.
func TestDateAddedNeverReused(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "k.db")
	fixed := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return fixed }
	s, err := Open(ctx, path, Options{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	benchSetup(t, s)
	v := fixtureVersion(1, fixed)
	if _, err := s.AddObjects(ctx, kurultai.Write{Principal: benchPrincipal, Collection: benchColl, StatusID: "a", Objects: []*kurultai.ObjectVersion{v}}); err != nil {
		t.Fatal(err)
	}
	first := v.DateAdded
	if _, err := s.DeleteObject(ctx, benchColl, v.ID, kurultai.VersionFilter{All: true}, func(*kurultai.ObjectVersion) bool { return true }, kurultai.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	back := func() time.Time { return fixed.Add(-time.Hour) }
	s, err = Open(ctx, path, Options{Clock: back})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	w := fixtureVersion(2, fixed)
	if _, err := s.AddObjects(ctx, kurultai.Write{Principal: benchPrincipal, Collection: benchColl, StatusID: "b", Objects: []*kurultai.ObjectVersion{w}}); err != nil {
		t.Fatal(err)
	}
	if !w.DateAdded.After(first) {
		t.Errorf("date added %v after restart, not after %v", w.DateAdded, first)
	}
}

// TestNarrowingSurvivesDelete: deleting the version that narrowed older
// ones does not widen them again.
func TestNarrowingSurvivesDelete(t *testing.T) {
	s := openTest(t)
	benchSetup(t, s)
	ctx := context.Background()
	t0 := time.Unix(1700000000, 0).UTC()
	old := fixtureVersion(1, t0, kurultai.TLP2GreenID)
	newer := fixtureVersion(1, t0.Add(time.Hour), kurultai.TLP2GreenID, benchMarking)
	if _, err := s.AddObjects(ctx, kurultai.Write{Principal: benchPrincipal, Collection: benchColl, StatusID: "a", Objects: []*kurultai.ObjectVersion{old, newer}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteObject(ctx, benchColl, old.ID, kurultai.VersionFilter{Last: true}, func(*kurultai.ObjectVersion) bool { return true }, kurultai.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	p, err := s.ListObjects(ctx, kurultai.Query{Collection: benchColl, IDs: []string{old.ID}, Limit: 10}, func(*kurultai.ObjectVersion) bool { return true })
	if err != nil || len(p.Items) != 1 {
		t.Fatalf("%+v, %v", p, err)
	}
	if got := p.Items[0].EffectiveMarkingRefs; !slices.Contains(got, benchMarking) {
		t.Errorf("effective refs after deleting the narrowing version: %v", got)
	}
}

// TestBusyIsUnavailable: a database locked by someone else for longer than
// the busy timeout is CodeUnavailable, not an internal error.
func TestBusyIsUnavailable(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "k.db")
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	holder := rawDB(t, path)
	conn, err := holder.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(ctx, "ROLLBACK")
	other, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	_, err = other.ExecContext(ctx, `INSERT INTO participants (code, name, kind) VALUES ('KZ', 'x', 'member')`)
	if err == nil {
		t.Fatal("write through a lock succeeded")
	}
	if code := kurultai.ErrorCode(mapErr(err)); code != kurultai.CodeUnavailable {
		t.Errorf("mapErr(%v) has code %q, want unavailable", err, code)
	}
}

func TestAppendOnlyAuditLog(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	if err := s.AppendAudit(ctx, entry(1)); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{`UPDATE audit_log SET detail = 'x'`, `DELETE FROM audit_log`} {
		err := s.submit(ctx, 1, func(ctx context.Context, tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, stmt)
			return err
		})
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want refused as append-only", stmt, err)
		}
	}
}

func TestRefsEncoding(t *testing.T) {
	for _, tc := range []struct {
		refs []string
		text string
	}{
		{nil, ""},
		{[]string{kurultai.TLP2GreenID}, "bab4a63c-aed9-4cf5-a766-dfca5abac2bb"},
		{[]string{kurultai.TLP2GreenID, "marking-definition--1b8e5bd6-3f0e-4b4b-9c27-3d1d8c0e6a01"},
			"bab4a63c-aed9-4cf5-a766-dfca5abac2bb,1b8e5bd6-3f0e-4b4b-9c27-3d1d8c0e6a01"},
		{[]string{"x-custom--abc", "marking-definition--odd--id"}, "x-custom--abc,marking-definition--odd--id"},
	} {
		if got := markingrefs.Encode(tc.refs); got != tc.text {
			t.Errorf("markingrefs.Encode(%q) = %q, want %q", tc.refs, got, tc.text)
		}
		if got := markingrefs.Decode(tc.text); !slices.Equal(got, tc.refs) {
			t.Errorf("markingrefs.Decode(%q) = %q, want %q", tc.text, got, tc.refs)
		}
	}
}

func FuzzRefsRoundTrip(f *testing.F) {
	f.Add("marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", "x--y")
	f.Add("marking-definition--", "abc")
	f.Fuzz(func(t *testing.T, a, b string) {
		refs := []string{a, b}
		if !markingrefs.Valid(a) || !markingrefs.Valid(b) {
			return
		}
		if got := markingrefs.Decode(markingrefs.Encode(refs)); !slices.Equal(got, refs) {
			t.Errorf("round trip of %q gave %q", refs, got)
		}
	})
}
