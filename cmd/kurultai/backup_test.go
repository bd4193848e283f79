package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kurultai/kurultai/internal/auditlog"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/postgres"
	"github.com/kurultai/kurultai/internal/trust"
)

func runOpCmd(t *testing.T, fn func(context.Context, []string, func(string) string, io.Writer, io.Writer) error, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := fn(context.Background(), args, noEnv, &out, &errOut)
	return out.String() + errOut.String(), err
}

// objectsOf lists the object versions of a SQLite data directory.
func objectsOf(t *testing.T, dir string) string {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(dir, "kurultai.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT id, version, raw FROM objects ORDER BY id, version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, version string
		var raw []byte
		if err := rows.Scan(&id, &version, &raw); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s %s %s\n", id, version, raw)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// dirEntries names what a directory holds.
func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

// TestBackupRestoreSQLite backs a node up while it appends audit entries,
// restores into a fresh directory (keys included) and checks the objects
// and the verified log; then the refusals.
func TestBackupRestoreSQLite(t *testing.T) {
	src, _ := auditDataDir(t)
	n := openAuditNode(t, src)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := n.store.AppendAudit(context.Background(), kurultai.AuditEntry{Username: "kz-liaison", Participant: "KZ",
				Action: kurultai.ActionObjectsRead, Decision: kurultai.DecisionAllow}); err != nil {
				t.Error(err)
				return
			}
		}
	})
	archive := filepath.Join(t.TempDir(), "node.kbak")
	out, err := runOpCmd(t, runBackup, "--data", src, "--out", archive, "--with-keys")
	close(stop)
	wg.Wait()
	n.close()
	if err != nil || !strings.Contains(out, "backup of the sqlite store written") || !strings.Contains(out, "audit_log:") {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	for _, p := range []string{archive, archive + ".keys"} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, mode %v; want 0600", p, err, fi.Mode().Perm())
		}
	}
	if _, err := runOpCmd(t, runBackup, "--data", src, "--out", archive); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("backup over an existing archive: %v", err)
	}

	// A damaged archive restores no keys either.
	cut := filepath.Join(t.TempDir(), "cut.kbak")
	whole, _ := os.ReadFile(archive)
	keys, _ := os.ReadFile(archive + ".keys")
	os.WriteFile(cut, whole[:len(whole)-100], 0o600)
	os.WriteFile(cut+".keys", keys, 0o600)
	refused := filepath.Join(t.TempDir(), "refused")
	if _, err := runOpCmd(t, runRestore, "--in", cut, "--data", refused, "--with-keys"); err == nil || len(dirEntries(t, refused)) != 0 {
		t.Errorf("restore of a cut archive with keys: %v; left %v", err, dirEntries(t, refused))
	}

	dst := filepath.Join(t.TempDir(), "restored")
	out, err = runOpCmd(t, runRestore, "--in", archive, "--data", dst, "--with-keys")
	if err != nil || !strings.Contains(out, "audit log verified") || !strings.Contains(out, "3 checkpoints verified") ||
		!strings.Contains(out, "checked with the archive's own keys") {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	if got, want := objectsOf(t, dst), objectsOf(t, src); got != want || got == "" {
		t.Errorf("restored objects:\n%s\nwant:\n%s", got, want)
	}
	if got := dirEntries(t, dst); strings.Join(got, ",") != ".lock,keys,kurultai.db" {
		t.Errorf("restored directory holds %v", got)
	}
	if out, err := runAuditCmd(t, "verify", "--data", dst); err != nil {
		t.Errorf("audit verify of the restored node: %v\n%s", err, out)
	}
	// The restored node is not restored over without --force.
	before := objectsOf(t, dst)
	if _, err := runOpCmd(t, runRestore, "--in", archive, "--data", dst); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Errorf("restore over a database: %v", err)
	}
	if out, err := runOpCmd(t, runRestore, "--in", archive, "--data", dst, "--force"); err != nil || objectsOf(t, dst) != before {
		t.Errorf("forced restore: %v\n%s", err, out)
	}
	// Without keys the tree is verified and restore says signatures were not.
	bare := filepath.Join(t.TempDir(), "bare")
	if out, err := runOpCmd(t, runRestore, "--in", archive, "--data", bare); err != nil || !strings.Contains(out, "signatures NOT checked") {
		t.Errorf("restore without keys: %v\n%s", err, out)
	}
}

// TestRestoreRefusesDamage: a changed byte, a cut file, a foreign file and
// a backup whose audit log was tampered with are refused, and nothing is
// written.
func TestRestoreRefusesDamage(t *testing.T) {
	src, _ := auditDataDir(t)
	archive := filepath.Join(t.TempDir(), "node.kbak")
	if out, err := runOpCmd(t, runBackup, "--data", src, "--out", archive); err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	good, err := os.ReadFile(archive)
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) []byte {
		b := bytes.Clone(good)
		b[i] ^= 0x01
		return b
	}
	// The tampered log: a backup of a copy whose entry 12 was changed.
	bad := copyDir(t, src)
	tamper(t, bad, func(db *sql.DB) { mustExec(t, db, `UPDATE audit_log SET detail = 'changed' WHERE seq = 12`) })
	retrigger(t, bad, src)
	tampered := filepath.Join(t.TempDir(), "tampered.kbak")
	if out, err := runOpCmd(t, runBackup, "--data", bad, "--out", tampered); err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	tamperedBytes, _ := os.ReadFile(tampered)

	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"a byte of the database", flip(len(good) / 2), "checksum mismatch"},
		{"a byte of the checksum", flip(len(good) - 1), "checksum mismatch"},
		{"a byte of the header", flip(len(archiveMagic) + 10), "header"},
		{"cut in half", good[:len(good)/2], "truncated"},
		{"one byte short", good[:len(good)-1], "truncated"},
		{"a byte too many", append(bytes.Clone(good), 0), "data after the checksum"},
		{"not an archive", []byte("SQLite format 3\x00"), "not a Kurultai backup"},
		{"empty", nil, "not a Kurultai backup"},
		{"tampered audit log", tamperedBytes, "entry 11 (seq 12): changed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := filepath.Join(t.TempDir(), "in.kbak")
			if err := os.WriteFile(in, tc.data, 0o600); err != nil {
				t.Fatal(err)
			}
			dst := filepath.Join(t.TempDir(), "dst")
			out, err := runOpCmd(t, runRestore, "--in", in, "--data", dst, "--keys", keysDoc(t, src))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "nothing restored") {
				t.Fatalf("restore: %v, want an error containing %q\n%s", err, tc.want, out)
			}
			if got := dirEntries(t, dst); len(got) != 0 {
				t.Errorf("a refused restore left %v", got)
			}
		})
	}
}

// keysDoc writes the node's public key document and returns its path.
func keysDoc(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "keys.json")
	out, err := runOpCmd(t, runKey, "export", "--data", dir, "--participant", "KZ")
	if err != nil {
		t.Fatalf("key export: %v\n%s", err, out)
	}
	if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestMigrateCommand(t *testing.T) {
	src, _ := auditDataDir(t)
	if out, err := runOpCmd(t, runMigrate, "--data", src, "--dry-run"); err != nil || !strings.Contains(out, "schema up to date") {
		t.Errorf("migrate --dry-run: %v\n%s", err, out)
	}
	if _, err := runOpCmd(t, runMigrate, "--data", filepath.Join(t.TempDir(), "none")); err == nil || !strings.Contains(err.Error(), "no node database") {
		t.Errorf("migrate of a missing database: %v", err)
	}
	tamper(t, src, func(db *sql.DB) {
		mustExec(t, db, `INSERT INTO schema_migrations (version, name, applied) VALUES (99, '0099_future.sql', 0)`)
	})
	if _, err := runOpCmd(t, runMigrate, "--data", src); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Errorf("migrate of a newer database: %v", err)
	}
}

// backupPGURL returns a URL of a fresh schema on the test server, dropped
// when the test ends; it skips loudly without a server (not under CI).
func backupPGURL(t *testing.T) string {
	t.Helper()
	url := os.Getenv("KURULTAI_TEST_POSTGRES")
	if url == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("KURULTAI_TEST_POSTGRES is not set, and CI must run the PostgreSQL tests")
		}
		t.Skip("PostgreSQL backup test SKIPPED: set KURULTAI_TEST_POSTGRES=postgres://USER@HOST:PORT/DB")
	}
	ctx := context.Background()
	name := "kurultai_bak_" + strings.ToLower(rand.Text()[:16])
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, "CREATE SCHEMA "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP SCHEMA "+name+" CASCADE"); err != nil {
			t.Error(err)
		}
	})
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	return url + sep + "search_path=" + name
}

// TestBackupRestorePostgres: a node on PostgreSQL with checkpoints signed
// by its key is backed up, restored into an empty schema and verified;
// damaged archives leave the target empty.
func TestBackupRestorePostgres(t *testing.T) {
	src, dst := backupPGURL(t), backupPGURL(t)
	dir, _ := auditDataDir(t) // the keyring, and a SQLite log to copy from
	ctx := context.Background()
	st, err := postgres.Open(ctx, src, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	seedPG(t, st, dir)
	st.Close()

	archive := filepath.Join(t.TempDir(), "pg.kbak")
	if out, err := runOpCmd(t, runBackup, "--database", src, "--out", archive); err != nil || !strings.Contains(out, "objects:") {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	good, _ := os.ReadFile(archive)
	for name, data := range map[string][]byte{"cut": good[:len(good)*2/3], "flipped": flipByte(good, len(good)/2)} {
		in := filepath.Join(t.TempDir(), name)
		os.WriteFile(in, data, 0o600)
		if _, err := runOpCmd(t, runRestore, "--in", in, "--database", dst, "--data", dir); err == nil || !errors.Is(err, errCorrupt) {
			t.Errorf("%s archive: %v, want a damaged-archive error", name, err)
		}
		if out, err := runOpCmd(t, runMigrate, "--database", dst, "--dry-run"); err != nil || !strings.Contains(out, "schema at version 0") {
			t.Errorf("%s archive: the target is not empty after the refusal: %v\n%s", name, err, out)
		}
	}
	if _, err := runOpCmd(t, runRestore, "--in", archive, "--data", dir); err == nil || !strings.Contains(err.Error(), "--database") {
		t.Errorf("a PostgreSQL archive restored into SQLite: %v", err)
	}
	out, err := runOpCmd(t, runRestore, "--in", archive, "--database", dst, "--data", dir)
	if err != nil || !strings.Contains(out, "1 checkpoints verified") || !strings.Contains(out, "checked with the keyring") {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	if out, err := runAuditCmd(t, "verify", "--database", dst, "--data", dir); err != nil || !strings.Contains(out, "audit log intact") {
		t.Errorf("audit verify --database: %v\n%s", err, out)
	}
	if _, err := runOpCmd(t, runRestore, "--in", archive, "--database", dst, "--data", dir); err == nil || !strings.Contains(err.Error(), "force") {
		t.Errorf("restore over a restored database: %v", err)
	}
	// A node using the schema: even --force is refused, naming the sessions.
	live, err := postgres.Open(ctx, dst, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	if _, err := runOpCmd(t, runRestore, "--in", archive, "--database", dst, "--data", dir, "--force"); err == nil || !strings.Contains(err.Error(), "sessions of running nodes") {
		t.Errorf("forced restore under a running node: %v", err)
	}
}

// seedPG stores a participant, a collection, objects and audit entries,
// and publishes a checkpoint signed with the keyring of dir.
func seedPG(t *testing.T, st *postgres.Store, dir string) {
	t.Helper()
	ctx := context.Background()
	if err := st.PutParticipant(ctx, kurultai.Participant{Code: "KZ", Name: "Kazakhstan", Kind: kurultai.KindMember}); err != nil {
		t.Fatal(err)
	}
	if err := st.PutCollection(ctx, kurultai.Collection{ID: auditColl, Title: "Intel"}); err != nil {
		t.Fatal(err)
	}
	p := kurultai.Principal{Username: "kz-liaison", Participant: "KZ", Kind: kurultai.KindMember, Role: kurultai.RoleLiaison}
	for i := range 3 {
		id := fmt.Sprintf("indicator--00000000-0000-4000-8000-%012d", i)
		mod := time.Date(2022, 1, 2, 10, 0, 0, 0, time.UTC)
		raw := fmt.Appendf(nil, `{"type":"indicator","spec_version":"2.1","id":%q,"created":"2022-01-02T10:00:00.000Z","modified":"2022-01-02T10:00:00.000Z"}`, id)
		v := &kurultai.ObjectVersion{ID: id, Type: "indicator", SpecVersion: "2.1", Created: mod, Modified: mod, Version: "2022-01-02T10:00:00.000Z",
			VersionKey: mod.UnixNano(), Raw: raw}
		if res, err := st.AddObjects(ctx, kurultai.Write{Principal: p, Collection: auditColl, StatusID: fmt.Sprint("s", i), Objects: []*kurultai.ObjectVersion{v}}); err != nil || len(res.Failures) > 0 {
			t.Fatalf("AddObjects: %v %+v", err, res.Failures)
		}
	}
	keys, err := trust.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := auditlog.NewNoteSigner(auditlog.Origin("KZ"), keys.PrivateKey())
	if err != nil {
		t.Fatal(err)
	}
	cp, err := auditlog.NewCheckpointer(auditlog.CheckpointerConfig{Store: st, Signer: signer, Origin: auditlog.Origin("KZ")})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := cp.Publish(ctx); err != nil {
		t.Fatal(err)
	}
	if err := st.AppendAudit(ctx, kurultai.AuditEntry{Username: "kz-liaison", Participant: "KZ", Action: kurultai.ActionObjectsRead, Decision: kurultai.DecisionAllow}); err != nil {
		t.Fatal(err)
	}
}

func flipByte(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i] ^= 0x40
	return c
}

// sampleArchive builds a small PostgreSQL-shaped archive.
func sampleArchive(t testing.TB, bodies ...string) []byte {
	t.Helper()
	h := archiveHeader{Format: archiveFormat, Store: storePostgres, SchemaVersion: 1, Migrations: []string{"0001_init.sql"}}
	for i := range bodies {
		name := fmt.Sprintf("t%d", i)
		h.Tables = append(h.Tables, archiveTable{Name: name, Columns: []string{"a", "b"}, Rows: int64(i)})
		h.Sections = append(h.Sections, name)
	}
	var buf bytes.Buffer
	a, err := newArchiveWriter(&buf, h)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bodies {
		w, err := a.section()
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, b)
		w.Close()
	}
	if err := a.finish(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// readArchiveAll reads every section of an archive and checks it.
func readArchiveAll(data []byte) ([]string, error) {
	a, err := openArchive(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	var bodies []string
	for {
		_, body, err := a.nextSection()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(body)
		if err != nil {
			return nil, err
		}
		bodies = append(bodies, string(b))
	}
	return bodies, a.finish()
}

func TestArchiveRoundTrip(t *testing.T) {
	big := strings.Repeat("x", writeFrameSize+17) // two frames
	want := []string{"", "hello", big}
	got, err := readArchiveAll(sampleArchive(t, want...))
	if err != nil || len(got) != 3 || got[1] != "hello" || got[2] != big || got[0] != "" {
		t.Fatalf("round trip: %v, %d sections", err, len(got))
	}
	// finish alone skips the sections, still checking the checksum.
	a, err := openArchive(bytes.NewReader(sampleArchive(t, "a", "b")))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.finish(); err != nil {
		t.Errorf("finish without reading: %v", err)
	}
	// Headers that name things SQL would take are refused.
	for _, bad := range []archiveHeader{
		{Format: 2, Store: storePostgres},
		{Format: 1, Store: "mysql"},
		{Format: 1, Store: storePostgres, SchemaVersion: 1, Migrations: []string{"x"}, Tables: []archiveTable{{Name: `a"; DROP TABLE x; --`, Columns: []string{"a"}}}, Sections: []string{`a"; DROP TABLE x; --`}},
		{Format: 1, Store: storePostgres, SchemaVersion: 1, Migrations: []string{"x"}, Tables: []archiveTable{{Name: "a", Columns: []string{"b c"}}}, Sections: []string{"a"}},
		{Format: 1, Store: storeSQLite, SchemaVersion: 2, Migrations: []string{"x"}, Sections: []string{sqliteSection}},
		{Format: 1, Store: storeSQLite, SchemaVersion: 1, Migrations: []string{"x"}, Sections: []string{"other"}},
	} {
		if err := bad.validate(); err == nil {
			t.Errorf("header %+v: valid", bad)
		}
	}
}

func FuzzArchiveReader(f *testing.F) {
	good := sampleArchive(f, "abc", "", strings.Repeat("z", 300))
	f.Add(good)
	f.Add(good[:len(good)-5])
	f.Add(sampleArchive(f, ""))
	f.Add([]byte(archiveMagic + "\x00\x00\x00\x02{}"))
	f.Add([]byte(archiveMagic + "\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		bodies, err := readArchiveAll(data)
		if err != nil {
			if !errors.Is(err, errCorrupt) {
				t.Fatalf("error not marked as damage: %v", err)
			}
			return
		}
		// What reads cleanly is what a writer wrote: writing it again
		// reads back the same.
		again, err := readArchiveAll(sampleArchive(t, bodies...))
		if err != nil || len(again) != len(bodies) {
			t.Fatalf("rewrite: %v", err)
		}
	})
}
