package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/kurultai/kurultai/internal/postgres"
	"github.com/kurultai/kurultai/internal/sqlite"
)

const backupUsage = `backup [--data DIR | --database URL] --out FILE [--with-keys] [--force]

Writes a consistent snapshot of the node's database to FILE while the node
runs. SQLite (DIR/kurultai.db): VACUUM INTO a temporary copy, as of one
read transaction. PostgreSQL (--database): every table of the schema in
the URL's search_path, copied in binary COPY format inside one REPEATABLE
READ read-only transaction; pg_dump is not needed. Either way FILE is one
archive: a header naming the store, the schema version and migrations,
the tables and their row counts, then the data, then a SHA-256 of it all.
'kurultai restore' checks all of that before it keeps anything.

FILE holds every object and the audit log, TLP:RED included: it is
written with mode 0600; keep it as you keep the database. It does NOT
hold the node's private keys (DIR/keys: the signing key; and
DIR/federation/tls: the node's TLS key). --with-keys writes them to a
separate FILE.keys (a tar, mode 0600), so that the archive can travel
where the keys must not; without it, back the keys up on their own once
(they change only on 'kurultai key rotate' and 'kurultai cert issue').

Progress goes to stderr; the summary to stdout. FILE is written to a
temporary file beside it and renamed when complete; an existing FILE is
kept unless --force.`

func runBackup(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("backup", backupUsage, stderr)
	data := fs.String("data", dataDefault(env), "data `directory` of the node (env KURULTAI_DATA)")
	database := databaseFlag(fs, env)
	out := fs.String("out", "", "archive `file` to write")
	withKeys := fs.Bool("with-keys", false, "also write the node's private keys to FILE.keys (mode 0600)")
	force := fs.Bool("force", false, "replace FILE (and FILE.keys) if they exist")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	if *out == "" {
		fmt.Fprintln(stderr, "backup: --out is required")
		fs.Usage()
		return errUsage
	}
	for _, p := range []string{*out, *out + ".keys"} {
		if _, err := os.Stat(p); err == nil && !*force && (p == *out || *withKeys) {
			return fmt.Errorf("backup: --out: %s exists; choose another name or give --force", p)
		}
	}
	start := time.Now()
	var h archiveHeader
	var size int64
	err := writeAtomic(*out, func(f *os.File) error {
		var err error
		if *database != "" {
			h, err = backupPostgres(ctx, *database, f, stderr)
		} else {
			h, err = backupSQLite(ctx, *data, f, stderr)
		}
		if err == nil {
			size, err = f.Seek(0, io.SeekCurrent)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	var rows int64
	for _, t := range h.Tables {
		rows += t.Rows
	}
	fmt.Fprintf(stdout, "backup of the %s store written to %s: schema version %d, %d tables, %d rows, %d bytes in %s, SHA-256 %s\n",
		h.Store, *out, h.SchemaVersion, len(h.Tables), rows, size, time.Since(start).Round(time.Millisecond), archiveSum(*out))
	if *withKeys {
		n, err := writeKeysArchive(*data, *out+".keys")
		if err != nil {
			return fmt.Errorf("backup: --with-keys: %w", err)
		}
		fmt.Fprintf(stdout, "the node's private keys (%d files from %s) written to %s (mode 0600): keep it apart from the archive\n", n, *data, *out+".keys")
	} else {
		fmt.Fprintf(stdout, "the node's private keys are not in the archive: back up %s on its own, or use --with-keys\n", filepath.Join(*data, "keys"))
	}
	return nil
}

// writeAtomic writes path through a temporary file of mode 0600 beside
// it, synced and renamed once fill succeeded; on failure nothing is left.
func writeAtomic(path string, fill func(f *os.File) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	err = f.Chmod(0o600)
	if err == nil {
		err = fill(f)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// backupSQLite snapshots DIR/kurultai.db beside the archive and writes
// the archive.
func backupSQLite(ctx context.Context, dir string, w *os.File, stderr io.Writer) (archiveHeader, error) {
	h := archiveHeader{Format: archiveFormat, Store: storeSQLite, Created: time.Now().UTC(), Sections: []string{sqliteSection}}
	path := filepath.Join(dir, "kurultai.db")
	if _, err := os.Stat(path); err != nil {
		return h, fmt.Errorf("--data: no node database at %s", path)
	}
	snap, err := os.CreateTemp(filepath.Dir(w.Name()), ".snapshot-*.db")
	if err != nil {
		return h, err
	}
	snap.Close()
	defer os.Remove(snap.Name())
	if err := os.Chmod(snap.Name(), 0o600); err != nil {
		return h, err
	}
	t0 := time.Now()
	if err := sqlite.Snapshot(ctx, path, snap.Name()); err != nil {
		return h, err
	}
	info, err := sqlite.Describe(ctx, snap.Name())
	if err != nil {
		return h, err
	}
	h.SchemaVersion, h.Migrations = info.SchemaVersion, info.Migrations
	for _, t := range info.Tables {
		h.Tables = append(h.Tables, archiveTable{Name: t.Name, Rows: t.Rows})
		fmt.Fprintf(stderr, "backup: %s: %d rows\n", t.Name, t.Rows)
	}
	in, err := os.Open(snap.Name())
	if err != nil {
		return h, err
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return h, err
	}
	fmt.Fprintf(stderr, "backup: snapshot of %d bytes taken in %s\n", st.Size(), time.Since(t0).Round(time.Millisecond))
	a, err := newArchiveWriter(w, h)
	if err != nil {
		return h, err
	}
	sec, err := a.section()
	if err != nil {
		return h, err
	}
	if _, err := io.Copy(sec, in); err != nil {
		return h, err
	}
	if err := sec.Close(); err != nil {
		return h, err
	}
	return h, a.finish()
}

// pgExporter writes an export to the archive, reporting each table.
type pgExporter struct {
	w      io.Writer
	a      *archiveWriter
	h      archiveHeader
	stderr io.Writer
}

func (x *pgExporter) Begin(info postgres.ExportInfo) error {
	x.h.SchemaVersion, x.h.Migrations = info.SchemaVersion, info.Migrations
	for _, t := range info.Tables {
		x.h.Tables = append(x.h.Tables, archiveTable{Name: t.Name, Columns: t.Columns, Rows: t.Rows})
		x.h.Sections = append(x.h.Sections, t.Name)
	}
	var err error
	x.a, err = newArchiveWriter(x.w, x.h)
	return err
}

func (x *pgExporter) Table(t postgres.Table) (io.WriteCloser, error) {
	sec, err := x.a.section()
	if err != nil {
		return nil, err
	}
	return &reportingCloser{WriteCloser: sec, stderr: x.stderr, table: t, start: time.Now()}, nil
}

type reportingCloser struct {
	io.WriteCloser
	stderr io.Writer
	table  postgres.Table
	n      int64
	start  time.Time
}

func (r *reportingCloser) Write(p []byte) (int, error) {
	n, err := r.WriteCloser.Write(p)
	r.n += int64(n)
	return n, err
}

func (r *reportingCloser) Close() error {
	err := r.WriteCloser.Close()
	fmt.Fprintf(r.stderr, "backup: %s: %d rows, %d bytes in %s\n", r.table.Name, r.table.Rows, r.n, time.Since(r.start).Round(time.Millisecond))
	return err
}

func backupPostgres(ctx context.Context, url string, w io.Writer, stderr io.Writer) (archiveHeader, error) {
	x := &pgExporter{w: w, stderr: stderr, h: archiveHeader{Format: archiveFormat, Store: storePostgres, Created: time.Now().UTC()}}
	if err := postgres.Export(ctx, url, x); err != nil {
		return x.h, err
	}
	if x.a == nil {
		return x.h, errors.New("postgres: export wrote nothing")
	}
	return x.h, x.a.finish()
}

// archiveSum returns the SHA-256 an archive ends with, to note beside
// the copy kept elsewhere.
func archiveSum(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	if _, err := f.Seek(-sha256.Size, io.SeekEnd); err != nil {
		return ""
	}
	b := make([]byte, sha256.Size)
	if _, err := io.ReadFull(f, b); err != nil {
		return ""
	}
	return fmt.Sprintf("%x", b)
}
