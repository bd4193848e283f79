package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/sqlite"
)

// addSession stores a web session of kz-liaison in the node of dir and
// returns its hash.
func addSession(t *testing.T, dir string) []byte {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "kurultai.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	u, err := st.UserByName(ctx, "kz-liaison")
	if err != nil {
		t.Fatal(err)
	}
	hash := sha256.Sum256([]byte("session id " + dir))
	p := kurultai.Principal{UserID: u.ID, Username: u.Username, Participant: u.Participant, Kind: kurultai.KindMember, Role: u.Role}
	if err := st.CreateSession(ctx, kurultai.WebSession{Hash: hash[:], Principal: p, Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
	return hash[:]
}

// sessionsOf counts the web sessions of a SQLite data directory.
func sessionsOf(t *testing.T, dir string) int {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(dir, "kurultai.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM web_sessions`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// rawSQLiteArchive writes an archive of the database file of dir as it
// is (as a backup written before sessions were left out would hold it).
func rawSQLiteArchive(t *testing.T, dir, out string) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(dir, "kurultai.db")
	info, err := sqlite.Describe(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	h := archiveHeader{Format: archiveFormat, Store: storeSQLite, Created: time.Now().UTC(), Sections: []string{sqliteSection},
		SchemaVersion: info.SchemaVersion, Migrations: info.Migrations}
	for _, tb := range info.Tables {
		h.Tables = append(h.Tables, archiveTable{Name: tb.Name, Rows: tb.Rows})
	}
	var buf bytes.Buffer
	a, err := newArchiveWriter(&buf, h)
	if err != nil {
		t.Fatal(err)
	}
	w, err := a.section()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := io.Copy(w, f); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := a.finish(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestBackupLeavesSessionsOut: a backup holds no web session (not even
// the bytes of its hash), and a restore of an archive that holds one
// leaves the table empty.
func TestBackupLeavesSessionsOut(t *testing.T) {
	src, _ := auditDataDir(t)
	hash := addSession(t, src)
	if sessionsOf(t, src) != 1 {
		t.Fatal("the session was not stored")
	}
	archive := filepath.Join(t.TempDir(), "node.kbak")
	if out, err := runOpCmd(t, runBackup, "--data", src, "--out", archive); err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	data, _ := os.ReadFile(archive)
	a, err := openArchive(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if tb, ok := a.header.table("web_sessions"); !ok || tb.Rows != 0 {
		t.Errorf("the archive lists web_sessions as %+v (listed %v), want 0 rows", tb, ok)
	}
	if bytes.Contains(data, hash) {
		t.Error("the archive holds the session's hash")
	}
	if sessionsOf(t, src) != 1 {
		t.Error("the backup removed the node's live session")
	}
	old := filepath.Join(t.TempDir(), "old.kbak")
	rawSQLiteArchive(t, src, old)
	dst := filepath.Join(t.TempDir(), "dst")
	if out, err := runOpCmd(t, runRestore, "--in", old, "--data", dst); err != nil {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	if n := sessionsOf(t, dst); n != 0 {
		t.Errorf("the restored node holds %d web sessions, want 0", n)
	}
}
