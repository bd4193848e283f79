package sqlite

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// TestSnapshotDuringWrites snapshots a database while a writer keeps
// appending audit entries: the copy is a consistent database whose audit
// tree covers exactly its entries, and the live file is untouched.
func TestSnapshotDuringWrites(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "kurultai.db")
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	entry := kurultai.AuditEntry{Username: "u", Participant: "KZ", Action: kurultai.ActionObjectsRead, Decision: kurultai.DecisionAllow}
	if err := s.AppendAudit(ctx, entry); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var werr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			e := entry
			e.Query = fmt.Sprint("page=", i)
			if err := s.AppendAudit(ctx, e); err != nil {
				werr = err
				return
			}
		}
	}()
	var snaps []string
	for i := range 3 {
		out := filepath.Join(dir, fmt.Sprintf("snap%d.db", i))
		if err := Snapshot(ctx, path, out); err != nil {
			t.Fatalf("Snapshot: %v", err)
		}
		snaps = append(snaps, out)
	}
	close(stop)
	wg.Wait()
	if werr != nil {
		t.Fatalf("writer: %v", werr)
	}
	for _, out := range snaps {
		if err := CheckIntegrity(ctx, out); err != nil {
			t.Fatal(err)
		}
		info, err := Describe(ctx, out)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := strings.Join(info.Migrations, ","), strings.Join(Migrations(), ","); got != want {
			t.Errorf("migrations %s, want %s", got, want)
		}
		var rows int64 = -1
		for _, tr := range info.Tables {
			if tr.Name == "audit_log" {
				rows = tr.Rows
			}
		}
		db := rawDB(t, out)
		var size int64
		if err := db.QueryRowContext(ctx, `SELECT size FROM audit_tree WHERE id = 1`).Scan(&size); err != nil {
			t.Fatal(err)
		}
		if rows < 1 || size != rows {
			t.Errorf("%s: %d audit rows, tree of %d: not one consistent moment", out, rows, size)
		}
	}
	if err := Snapshot(ctx, path, snaps[0]); err == nil {
		t.Error("Snapshot over an existing file: no error")
	}
}

func TestMigrateFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	clock := func() time.Time { return time.Unix(1700000000, 0) }
	if _, err := Migrate(ctx, filepath.Join(dir, "none.db"), false, clock, nil); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v, want not exist", err)
	}
	// A database holding only migration 1.
	path := filepath.Join(dir, "old.db")
	db := rawDB(t, path)
	ms, err := loadMigrations(migrationFiles)
	if err != nil {
		t.Fatal(err)
	}
	if err := applyMigrations(ctx, db, ms[:1], clock, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	res, err := Migrate(ctx, path, true, clock, nil)
	if err != nil || res.From != 1 || res.To != 1 || len(res.Migrations) != len(ms)-1 || res.Migrations[0] != ms[1].name {
		t.Fatalf("dry run: %+v, %v", res, err)
	}
	if got := appliedVersions(t, rawDB(t, path)); len(got) != 1 {
		t.Fatalf("a dry run applied %v", got)
	}
	res, err = Migrate(ctx, path, false, clock, nil)
	if err != nil || res.From != 1 || res.To != len(ms) || len(res.Migrations) != len(ms)-1 {
		t.Fatalf("migrate: %+v, %v", res, err)
	}
	if got := appliedVersions(t, rawDB(t, path)); len(got) != len(ms) {
		t.Fatalf("applied %v", got)
	}
	if res, err := Migrate(ctx, path, false, clock, nil); err != nil || len(res.Migrations) != 0 {
		t.Fatalf("again: %+v, %v; want nothing to do", res, err)
	}
	db = rawDB(t, path)
	if _, err := db.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied) VALUES (?, 'future.sql', 0)`, len(ms)+1); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := Migrate(ctx, path, true, clock, nil); !errors.Is(err, ErrSchemaNewer) {
		t.Errorf("newer database: %v, want ErrSchemaNewer", err)
	}
}

func TestInstallReplacesWAL(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "kurultai.db")
	old, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := old.PutParticipant(ctx, kurultai.Participant{Code: "OLD", Name: "old", Kind: kurultai.KindMember}); err != nil {
		t.Fatal(err)
	}
	old.Close()
	if err := os.WriteFile(path+"-wal", []byte("stale"), 0o600); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(dir, "new.db")
	s, err := Open(ctx, tmp, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutParticipant(ctx, kurultai.Participant{Code: "NEW", Name: "new", Kind: kurultai.KindMember}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := Install(tmp, path); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-wal"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the old WAL is still there: %v", err)
	}
	s, err = Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Participant(ctx, "NEW"); err != nil {
		t.Errorf("installed database: %v", err)
	}
	if _, err := s.Participant(ctx, "OLD"); err == nil {
		t.Error("the old database's participant is still there")
	}
}
