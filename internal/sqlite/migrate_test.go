package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// rawDB opens the file without the store, for inspecting and tampering.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func appliedVersions(t *testing.T, db *sql.DB) []int {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), `SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var vs []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		vs = append(vs, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return vs
}

func TestMigrateFreshAndReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "k.db")
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	ms, err := loadMigrations(migrationFiles)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutParticipant(ctx, kurultai.Participant{Code: "KZ", Name: "Kazakhstan", Kind: kurultai.KindMember}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if got := appliedVersions(t, rawDB(t, path)); len(got) != len(ms) || got[len(got)-1] != len(ms) {
		t.Errorf("applied %v, want 1..%d", got, len(ms))
	}
	// Re-opening applies nothing and keeps the data.
	s, err = Open(ctx, path, Options{})
	if err != nil {
		t.Fatalf("re-Open: %v", err)
	}
	defer s.Close()
	if p, err := s.Participant(ctx, "KZ"); err != nil || p.Name != "Kazakhstan" {
		t.Errorf("after re-open: %+v, %v", p, err)
	}
	if got := appliedVersions(t, s.rdb); len(got) != len(ms) {
		t.Errorf("after re-open applied %v", got)
	}
}

func TestMigrateRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "k.db")
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db := rawDB(t, path)
	if _, err := db.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied) VALUES (999, '0999_future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = Open(ctx, path, Options{})
	if !errors.Is(err, ErrSchemaNewer) || !strings.Contains(err.Error(), "999") {
		t.Fatalf("Open of a newer schema: %v; want ErrSchemaNewer naming version 999", err)
	}
}

// TestMigrateAppliesMissing runs a made-up migration set against a database
// that has only the first, and one whose second migration fails.
func TestMigrateAppliesMissing(t *testing.T) {
	ctx := context.Background()
	clock := func() time.Time { return time.Unix(1700000000, 0) }
	discard := slog.New(slog.DiscardHandler)
	v1 := &fstest.MapFile{Data: []byte(`CREATE TABLE a (x INTEGER);`)}
	v2 := &fstest.MapFile{Data: []byte(`CREATE TABLE b (y INTEGER); INSERT INTO b VALUES (42);`)}
	bad := &fstest.MapFile{Data: []byte(`CREATE TABLE c (z INTEGER); THIS IS NOT SQL;`)}
	load := func(files fstest.MapFS) []migration {
		ms, err := loadMigrations(files)
		if err != nil {
			t.Fatal(err)
		}
		return ms
	}
	db := rawDB(t, filepath.Join(t.TempDir(), "m.db"))
	if err := applyMigrations(ctx, db, load(fstest.MapFS{"migrations/0001_a.sql": v1}), clock, discard); err != nil {
		t.Fatalf("first: %v", err)
	}
	if err := applyMigrations(ctx, db, load(fstest.MapFS{"migrations/0001_a.sql": v1, "migrations/0002_b.sql": v2}), clock, discard); err != nil {
		t.Fatalf("second: %v", err)
	}
	var y int
	if err := db.QueryRowContext(ctx, `SELECT y FROM b`).Scan(&y); err != nil || y != 42 {
		t.Errorf("migration 2 not applied: %d, %v", y, err)
	}
	err := applyMigrations(ctx, db, load(fstest.MapFS{"migrations/0001_a.sql": v1, "migrations/0002_b.sql": v2, "migrations/0003_c.sql": bad}), clock, discard)
	if err == nil || !strings.Contains(err.Error(), "0003_c.sql") {
		t.Fatalf("bad migration: %v; want an error naming it", err)
	}
	// The failed migration left nothing behind.
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE name = 'c'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("table c exists after a failed migration (%d, %v)", n, err)
	}
	if got := appliedVersions(t, db); len(got) != 2 {
		t.Errorf("applied %v, want [1 2]", got)
	}
}

func TestLoadMigrationsNames(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files fstest.MapFS
	}{
		{"no number", fstest.MapFS{"migrations/init.sql": {}}},
		{"gap", fstest.MapFS{"migrations/0001_a.sql": {}, "migrations/0003_c.sql": {}}},
		{"zero", fstest.MapFS{"migrations/0000_a.sql": {}}},
		{"duplicate", fstest.MapFS{"migrations/0001_a.sql": {}, "migrations/001_b.sql": {}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := loadMigrations(tc.files); err == nil {
				t.Error("loadMigrations accepted bad names")
			}
		})
	}
	// The embedded set is well formed.
	if _, err := loadMigrations(migrationFiles); err != nil {
		t.Errorf("embedded migrations: %v", err)
	}
}

func TestOpenPaths(t *testing.T) {
	ctx := context.Background()
	for _, bad := range []string{"", ":memory:", "file:x.db", filepath.Join(t.TempDir(), "missing-dir", "k.db")} {
		if s, err := Open(ctx, bad, Options{}); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded", bad)
		}
	}
	// Characters that mean something in a URI stay part of the name.
	dir := t.TempDir()
	path := filepath.Join(dir, "odd ?name#1%.db")
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatalf("Open(%q): %v", path, err)
	}
	s.Close()
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database not created at %q: %v", path, err)
	}
}
