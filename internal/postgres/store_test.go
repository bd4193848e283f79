package postgres

import (
	"github.com/kurultai/kurultai/internal/markingrefs"

	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kurultai/kurultai/internal/auditlog"

	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/storetest"
)

// TestShared runs the shared-database suite: two stores on one schema, as
// two Kurultai processes on one database.
func TestShared(t *testing.T) {
	serverURL(t)
	storetest.RunShared(t, func(t *testing.T) (kurultai.Store, kurultai.Store) {
		url := freshSchema(t)
		return openURL(t, url, Options{}), openURL(t, url, Options{})
	})
}

// fixtureVersion returns indicator n modified at mod, with the refs.
func fixtureVersion(n int, mod time.Time, refs ...string) *kurultai.ObjectVersion {
	v := benchVersion(n, true)
	ts := mod.UTC().Format("2006-01-02T15:04:05.000Z")
	v.Created, v.Modified, v.Version, v.VersionKey, v.MarkingRefs = mod, mod, ts, mod.UnixNano(), refs
	v.Raw = []byte(`{"type":"indicator","id":"` + v.ID + `","modified":"` + ts + `"}`)
	return v
}

func addOne(t *testing.T, s *Store, status string, v *kurultai.ObjectVersion) {
	t.Helper()
	st, err := s.AddObjects(context.Background(), kurultai.Write{Principal: benchPrincipal, Collection: benchColl, StatusID: status, Objects: []*kurultai.ObjectVersion{v}})
	if err != nil || len(st.Failures) > 0 {
		t.Fatalf("AddObjects: %v %+v", err, st.Failures)
	}
}

// TestDateAddedNeverReused: the date added keeps increasing across a
// restart, and across processes, even when the clock goes back and the
// newest version is deleted.
func TestDateAddedNeverReused(t *testing.T) {
	url := freshSchema(t)
	fixed := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	s := openURL(t, url, Options{Clock: func() time.Time { return fixed }})
	benchSetup(t, s)
	v := fixtureVersion(1, fixed)
	addOne(t, s, "a", v)
	first := v.DateAdded
	all := func(*kurultai.ObjectVersion) bool { return true }
	if _, err := s.DeleteObject(context.Background(), benchColl, v.ID, kurultai.VersionFilter{All: true}, all, kurultai.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	// Another process, whose clock is an hour behind.
	other := openURL(t, url, Options{Clock: func() time.Time { return fixed.Add(-time.Hour) }})
	w := fixtureVersion(2, fixed)
	addOne(t, other, "b", w)
	if !w.DateAdded.After(first) {
		t.Errorf("date added %v after restart, not after %v", w.DateAdded, first)
	}
}

// TestSchemaNewer: a database migrated by a newer binary is refused, and
// left as it is.
func TestSchemaNewer(t *testing.T) {
	url := freshSchema(t)
	s := openURL(t, url, Options{})
	if _, err := s.pool.Exec(context.Background(), `INSERT INTO schema_migrations (version, name, applied) VALUES (999, '0999_future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), url, Options{})
	if !errors.Is(err, ErrSchemaNewer) {
		t.Fatalf("Open of a newer schema: %v, want ErrSchemaNewer", err)
	}
	var n int
	if err := s.pool.QueryRow(context.Background(), `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil || n != knownMigrations(t)+1 {
		t.Errorf("schema_migrations has %d rows (%v), want %d", n, err, knownMigrations(t)+1)
	}
}

// TestMigrateTwice: opening a migrated database applies nothing again, and
// two processes opening a new one at once both succeed.
func TestMigrateTwice(t *testing.T) {
	url := freshSchema(t)
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			s, err := Open(context.Background(), url, Options{})
			if err == nil {
				err = s.Close()
			}
			errs <- err
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatalf("concurrent Open: %v", err)
		}
	}
	s := openURL(t, url, Options{})
	var n int
	if err := s.pool.QueryRow(context.Background(), `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil || n != knownMigrations(t) {
		t.Errorf("schema_migrations has %d rows (%v), want %d", n, err, knownMigrations(t))
	}
}

// knownMigrations returns the number of embedded migrations.
func knownMigrations(t *testing.T) int {
	t.Helper()
	ms, err := loadMigrations(migrationFiles)
	if err != nil {
		t.Fatal(err)
	}
	return len(ms)
}

// TestAppendOnlyAuditLog: the database itself refuses to change or remove
// audit entries.
func TestAppendOnlyAuditLog(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	if err := s.AppendAudit(ctx, kurultai.AuditEntry{Username: "u", Action: kurultai.ActionLogin, Decision: kurultai.DecisionAllow}); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{`UPDATE audit_log SET detail = 'x'`, `DELETE FROM audit_log`, `TRUNCATE audit_log`} {
		err := s.submit(ctx, 1, func(ctx context.Context, w *wtx) error {
			_, err := w.tx.Exec(ctx, stmt)
			return err
		})
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want refused as append-only", stmt, err)
		}
	}
	if es, _, err := s.AuditEntries(ctx, 0, 10); err != nil || len(es) != 1 {
		t.Errorf("audit log after refused changes: %d entries, %v; want 1", len(es), err)
	}
}

// TestTextPostgresCannotHold: keys with NUL or invalid UTF-8 find nothing
// (as in the SQLite store) instead of failing, and audit text is recorded
// with U+FFFD in their place.
func TestTextPostgresCannotHold(t *testing.T) {
	s := openTest(t)
	benchSetup(t, s)
	ctx := context.Background()
	bad := "a\x00b\xff"
	for name, err := range map[string]error{
		"Participant": second(s.Participant(ctx, bad)),
		"UserByName":  second(s.UserByName(ctx, bad)),
		"TokenByID":   second(s.TokenByID(ctx, bad)),
		"Collection":  second(s.Collection(ctx, bad)),
		"Status":      second(s.Status(ctx, bad)),
		"ListObjects": second(s.ListObjects(ctx, kurultai.Query{Collection: bad, Limit: 1}, nil)),
		"DeleteObject": second(s.DeleteObject(ctx, benchColl, bad, kurultai.VersionFilter{All: true},
			func(*kurultai.ObjectVersion) bool { return true }, kurultai.AuditEntry{})),
	} {
		if kurultai.ErrorCode(err) != kurultai.CodeNotFound {
			t.Errorf("%s(NUL and bad UTF-8): %v, want not found", name, err)
		}
	}
	p, err := s.ListObjects(ctx, kurultai.Query{Collection: benchColl, Limit: 5, IDs: []string{bad}, Types: []string{bad}}, func(*kurultai.ObjectVersion) bool { return true })
	if err != nil || len(p.Items) != 0 {
		t.Errorf("ListObjects(bad match[id]): %d items, %v; want none", len(p.Items), err)
	}
	if err := s.AppendAudit(ctx, kurultai.AuditEntry{Username: bad, Query: "q=" + bad, Action: kurultai.ActionLogin, Decision: kurultai.DecisionDeny}); err != nil {
		t.Fatalf("AppendAudit(bad text): %v", err)
	}
	es, _, err := s.AuditEntries(ctx, 0, 100)
	if err != nil || len(es) == 0 || es[len(es)-1].Username != "a\uFFFDb\uFFFD" {
		t.Errorf("audit entry read back as %+v, %v", es, err)
	}
}

func second[T any](_ T, err error) error { return err }

// TestQueryPlans: each listing shape walks the index it was written for.
// Sequential and bitmap scans are turned off for the check: on a small
// table the planner rightly prefers them, and the question is which index
// it walks on a large one.
func TestQueryPlans(t *testing.T) {
	s := openTest(t)
	benchSetup(t, s)
	ctx := context.Background()
	var vs []*kurultai.ObjectVersion
	for i := range 300 {
		vs = append(vs, fixtureVersion(i, time.Unix(1700000000, 0)))
	}
	if st, err := s.AddObjects(ctx, kurultai.Write{Principal: benchPrincipal, Collection: benchColl, StatusID: "s", Objects: vs}); err != nil || len(st.Failures) > 0 {
		t.Fatal(err, st.Failures)
	}
	if _, err := s.pool.Exec(ctx, `ANALYZE objects`); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		q     kurultai.Query
		index string
	}{
		{"collection", kurultai.Query{}, "objects_pkey"},
		{"one type", kurultai.Query{Types: []string{"indicator"}}, "objects_type"},
		{"two types", kurultai.Query{Types: []string{"indicator", "report"}}, "objects_type"},
		{"ids", kurultai.Query{IDs: []string{vs[3].ID, vs[7].ID}}, "objects_version"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			query, args := listQuery(1, 0, 11, tc.q)
			plan := explain(t, s, query, args...)
			if !strings.Contains(plan, "Index Scan using "+tc.index) || strings.Contains(plan, "Seq Scan") {
				t.Errorf("plan of %s does not use %s:\n%s", query, tc.index, plan)
			}
		})
	}
}

func explain(t *testing.T, s *Store, query string, args ...any) string {
	t.Helper()
	ctx := context.Background()
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off`); err != nil {
		t.Fatal(err)
	}
	rows, err := tx.Query(ctx, "EXPLAIN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

// TestRefsEncoding: the refs columns use the SQLite store's encoding.
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

// TestAuditCatchUp: audit rows written before the audit tree existed
// (migration 0002) get their leaves and join the tree at the next start.
func TestAuditCatchUp(t *testing.T) {
	url := freshSchema(t)
	ctx := context.Background()
	ms, err := loadMigrations(migrationFiles)
	if err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if err := applyMigrations(ctx, pool, ms[:1], time.Now, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		_, err := pool.Exec(ctx, `INSERT INTO audit_log (seq, time, username, participant, action, objects, query, decision, detail)
			VALUES ($1, $2, $3, 'KZ', 'login', '[]', '', 'allow', '')`, i+1, int64(1700000000000000000+i), fmt.Sprint("user", i))
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := pool.Exec(ctx, `UPDATE write_state SET audit_seq = 5`); err != nil {
		t.Fatal(err)
	}
	s := openURL(t, url, Options{})
	if err := s.AppendAudit(ctx, kurultai.AuditEntry{Username: "after", Action: kurultai.ActionLogin, Decision: kurultai.DecisionAllow}); err != nil {
		t.Fatal(err)
	}
	head, err := s.TreeHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := s.AuditRows(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var leaves [][]byte
	for _, r := range rows {
		h, err := auditlog.RowLeafHash(r)
		if err != nil || !bytes.Equal(h, r.Leaf) {
			t.Fatalf("row %d: leaf %x, recomputed %x (%v)", r.Seq, r.Leaf, h, err)
		}
		leaves = append(leaves, h)
	}
	if head.Size != 6 || len(rows) != 6 || !bytes.Equal(head.Root, auditlog.RootOf(leaves)) {
		t.Errorf("tree of %d leaves, root %x; want 6 leaves, root %x", head.Size, head.Root, auditlog.RootOf(leaves))
	}
	// The leaf given at catch-up cannot be changed afterwards.
	err = s.submit(ctx, 1, func(ctx context.Context, w *wtx) error {
		_, err := w.tx.Exec(ctx, `UPDATE audit_log SET leaf = '\x00' WHERE seq = 1`)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Errorf("changing a leaf: %v, want refused as append-only", err)
	}
}
