package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/kurultai/kurultai/internal/auditlog"
	"github.com/kurultai/kurultai/internal/postgres"
	"github.com/kurultai/kurultai/internal/sqlite"
	"github.com/kurultai/kurultai/internal/trust"
)

const restoreUsage = `restore --in FILE [--data DIR | --database URL] [--force] [--with-keys] [--keys KEYS]

Restores a node's database from an archive written by 'kurultai backup',
into DIR/kurultai.db (SQLite) or the schema in the search_path of
--database (PostgreSQL), as the archive's store says (a SQLite archive
restores with --data, a PostgreSQL one with --database). Stop the node
first.

Nothing is kept until everything checked out: the archive's header and
SHA-256 (a corrupted or truncated file is refused, naming the byte where
it went wrong), the row count of every table, the database's own
integrity, and the audit log, verified as 'kurultai audit verify' does
(the Merkle tree recomputed from the entries, compared with the recorded
tree and with every stored checkpoint, each checkpoint's signature
checked with the node's public keys). SQLite restores into a temporary
file renamed over kurultai.db at the end; PostgreSQL in one transaction
committed at the end. A backup of an older schema is migrated to this
binary's; a newer one is refused.

A target that already holds a node's data is refused unless --force.
--with-keys also restores the private keys from FILE.keys into DIR.
The node's public keys come from KEYS (a key document, 'kurultai key
export'), else DIR's keyring, else (with --with-keys) FILE.keys itself,
which shows the log intact but not whose it is; with none, the tree is
verified but checkpoint signatures are not, and restore says so. A log that does not
verify is an error: nothing is restored.`

func runRestore(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) (err error) {
	fs := newFlagSet("restore", restoreUsage, stderr)
	in := fs.String("in", "", "archive `file` written by 'kurultai backup'")
	data := fs.String("data", dataDefault(env), "data `directory` of the node (env KURULTAI_DATA)")
	database := databaseFlag(fs, env)
	force := fs.Bool("force", false, "replace a database (and, with --with-keys, keys) that holds data")
	withKeys := fs.Bool("with-keys", false, "also restore the private keys from FILE.keys into --data")
	keysPath := fs.String("keys", "", "the node's key document `file`, to check checkpoint signatures (default: the keyring in --data)")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	if *in == "" {
		fmt.Fprintln(stderr, "restore: --in is required")
		fs.Usage()
		return errUsage
	}
	f, ferr := os.Open(*in)
	if ferr != nil {
		return fmt.Errorf("restore: --in: %w", ferr)
	}
	defer f.Close()
	a, err := openArchive(f)
	if err != nil {
		return fmt.Errorf("restore: %s: %w; nothing restored", *in, err)
	}
	h := a.header
	fmt.Fprintf(stderr, "restore: %s: a %s backup of %s, schema version %d, %d tables\n", *in, h.Store, h.Created.Format(time.RFC3339), h.SchemaVersion, len(h.Tables))
	if err := checkRestoreTarget(h, *database); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if h.Store == storeSQLite || *withKeys {
		// restore writes into DIR: not while a node runs on it.
		unlock, lerr := lockRestoreDir(*data)
		if lerr != nil {
			return fmt.Errorf("restore: --data: %w; nothing restored", lerr)
		}
		defer func() { unlock(err != nil) }()
	}
	// The keys checking the signatures: --keys, else DIR's keyring, and
	// only without either the keys that come with the archive.
	keyDir, fromArchive := *data, false
	if *withKeys {
		// The keys are checked and used from a temporary directory, and
		// go into DIR only once the database is restored.
		if _, err := readKeysArchive(*in+".keys", *data, *force, true); err != nil {
			return fmt.Errorf("restore: --with-keys: %w; nothing restored", err)
		}
		tmp, err := os.MkdirTemp("", "kurultai-restore-keys-*")
		if err != nil {
			return fmt.Errorf("restore: %w", err)
		}
		defer os.RemoveAll(tmp)
		if _, err := readKeysArchive(*in+".keys", tmp, true, false); err != nil {
			return fmt.Errorf("restore: --with-keys: %w; nothing restored", err)
		}
		if _, err := os.Stat(trust.KeyringPath(*data)); err != nil && *keysPath == "" {
			keyDir, fromArchive = tmp, true
		}
	}
	vopts, keyNote, err := restoreVerifyOptions(keyDir, *keysPath)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if fromArchive && len(vopts.Keys) > 0 {
		keyNote = "checkpoint signatures checked with the archive's own keys (" + *in + ".keys): the log is intact as those keys signed it, " +
			"which does not show whose node it comes from (give --keys with the node's key document for that)"
	} else if fromArchive {
		keyNote = strings.Replace(keyNote, keyDir, *in+".keys", 1)
	}
	var rep auditlog.Report
	check := func(ctx context.Context, lr auditlog.LogReader) error {
		var err error
		rep, err = verifyAuditLog(ctx, lr, vopts)
		return err
	}
	if h.Store == storeSQLite {
		err = restoreSQLite(ctx, a, *data, *force, check, stderr)
	} else {
		err = restorePostgres(ctx, a, *database, *force, check, stderr)
	}
	if err != nil {
		return fmt.Errorf("restore: %w; nothing restored", err)
	}
	if *withKeys {
		n, err := readKeysArchive(*in+".keys", *data, *force, false)
		if err != nil {
			return fmt.Errorf("restore: the database is restored, but not the keys: --with-keys: %w", err)
		}
		fmt.Fprintf(stdout, "restored %d key files into %s\n", n, *data)
	}
	target := filepath.Join(*data, "kurultai.db")
	if h.Store == storePostgres {
		target = "the PostgreSQL database"
	}
	fmt.Fprintf(stdout, "restored %s from %s (schema version %d, now %d)\n", target, *in, h.SchemaVersion, currentVersion(h.Store))
	fmt.Fprintf(stdout, "audit log verified: %d entries, tree of %d, %d checkpoints verified (origin %s); %s\n",
		rep.Entries, rep.TreeSize, rep.Checkpoints, orNone(rep.Origin), keyNote)
	return nil
}

// lockRestoreDir takes DIR's lock, which a running node holds, so that
// restore refuses to write under a node. unlock(failed) releases it; after
// a failed restore it also removes the lock file if this restore created
// it, so that a refused restore into a new directory leaves nothing (the
// file is removed while still locked).
func lockRestoreDir(dir string) (unlock func(failed bool), err error) {
	lockPath := filepath.Join(dir, ".lock") // lockDataDir's file
	_, statErr := os.Lstat(lockPath)
	release, err := lockDataDir(dir)
	if err != nil {
		return nil, err
	}
	created := errors.Is(statErr, os.ErrNotExist)
	return func(failed bool) {
		if failed && created {
			os.Remove(lockPath)
		}
		release()
	}, nil
}

// checkRestoreTarget refuses an archive of another store than the target,
// or of a schema this binary does not know.
func checkRestoreTarget(h archiveHeader, database string) error {
	switch {
	case h.Store == storeSQLite && database != "":
		return errors.New("the archive holds a SQLite database: restore it with --data DIR, without --database (restoring across stores is not supported)")
	case h.Store == storePostgres && database == "":
		return errors.New("the archive holds a PostgreSQL database: restore it with --database URL (restoring across stores is not supported)")
	}
	known := sqlite.Migrations()
	if h.Store == storePostgres {
		known = postgres.Migrations()
	}
	if len(h.Migrations) > len(known) || !slices.Equal(h.Migrations, known[:len(h.Migrations)]) {
		return fmt.Errorf("the backup's schema (version %d: %v) is newer than this binary knows (up to %d): restore with the kurultai that wrote it", h.SchemaVersion, h.Migrations, len(known))
	}
	return nil
}

func currentVersion(store string) int {
	if store == storePostgres {
		return len(postgres.Migrations())
	}
	return len(sqlite.Migrations())
}

// restoreVerifyOptions finds the node's public keys: the key document, or
// DIR's keyring, or none (and says what that means).
func restoreVerifyOptions(dataDir, keysPath string) (auditlog.VerifyOptions, string, error) {
	var opts auditlog.VerifyOptions
	if keysPath != "" {
		doc, err := readKeysDocument(keysPath)
		if err != nil {
			return opts, "", fmt.Errorf("--keys: %w", err)
		}
		for _, k := range doc.Keys {
			opts.Keys = append(opts.Keys, k.Key)
		}
		opts.Origin = auditlog.Origin(doc.Participant)
		return opts, "checkpoint signatures checked with " + keysPath, nil
	}
	if _, err := os.Stat(trust.KeyringPath(dataDir)); err != nil {
		return opts, "checkpoint signatures NOT checked: no node key (give --keys, or --with-keys, or restore " + filepath.Join(dataDir, "keys") + " first)", nil
	}
	k, err := trust.Load(dataDir)
	if err != nil {
		return opts, "", err
	}
	for _, p := range k.Keys() {
		opts.Keys = append(opts.Keys, p.Key)
	}
	return opts, "checkpoint signatures checked with the keyring in " + dataDir, nil
}

// verifyAuditLog verifies the log; without keys it leaves the checkpoints
// out (their signatures cannot be checked) and verifies the tree alone.
// A log with problems is an error naming the first.
func verifyAuditLog(ctx context.Context, lr auditlog.LogReader, opts auditlog.VerifyOptions) (auditlog.Report, error) {
	if len(opts.Keys) == 0 {
		lr = noCheckpoints{lr}
	}
	rep, err := auditlog.VerifyLog(ctx, lr, opts)
	if err != nil {
		return rep, fmt.Errorf("audit log: %w", err)
	}
	if !rep.OK() {
		more := ""
		if n := len(rep.Problems); n > 1 {
			more = fmt.Sprintf(" (and %d more problems)", n-1)
		}
		return rep, fmt.Errorf("the audit log does not verify%s; first: %s", more, rep.Problems[0])
	}
	return rep, nil
}

// noCheckpoints hides the stored checkpoints from a verifier without the
// keys to check them.
type noCheckpoints struct{ auditlog.LogReader }

func (noCheckpoints) Checkpoints(context.Context, uint64, int) ([]auditlog.CheckpointRecord, error) {
	return nil, nil
}

// restoreSQLite writes the database to a temporary file in DIR, checks
// the archive, the rows, the file and the audit log, and only then
// renames it over DIR/kurultai.db.
func restoreSQLite(ctx context.Context, a *archiveReader, dir string, force bool, check func(context.Context, auditlog.LogReader) error, stderr io.Writer) error {
	target := filepath.Join(dir, "kurultai.db")
	if _, err := os.Stat(target); err == nil && !force {
		return fmt.Errorf("--data: %s already holds a node's database (kurultai.db); restore into an empty directory, or give --force (stop the node first)", dir)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".kurultai.db.restore-*")
	if err != nil {
		return err
	}
	defer func() {
		for _, ext := range []string{"", "-wal", "-shm"} {
			os.Remove(tmp.Name() + ext)
		}
	}()
	_, body, err := a.nextSection()
	if err == nil {
		err = tmp.Chmod(0o600)
	}
	if err == nil {
		_, err = io.Copy(tmp, body)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if ferr := a.finish(); ferr != nil {
		return ferr // the archive's own fault explains a failed copy best
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "restore: archive checksum verified\n")
	if err := sqlite.CheckIntegrity(ctx, tmp.Name()); err != nil {
		return err
	}
	if err := sqlite.CheckSchema(ctx, tmp.Name()); err != nil {
		return err
	}
	info, err := sqlite.Describe(ctx, tmp.Name())
	if err != nil {
		return err
	}
	if !slices.Equal(info.Migrations, a.header.Migrations) {
		return fmt.Errorf("the database records migrations %v, the header %v", info.Migrations, a.header.Migrations)
	}
	if len(info.Tables) != len(a.header.Tables) {
		return fmt.Errorf("the database holds %d tables, the header lists %d", len(info.Tables), len(a.header.Tables))
	}
	for _, t := range a.header.Tables {
		i := slices.IndexFunc(info.Tables, func(r sqlite.TableRows) bool { return r.Name == t.Name })
		if i < 0 || info.Tables[i].Rows != t.Rows {
			return fmt.Errorf("table %s: the database does not hold the %d rows the header counts", t.Name, t.Rows)
		}
	}
	// Sessions are not restored: they may have been signed out since.
	if err := sqlite.ClearSessions(ctx, tmp.Name()); err != nil {
		return err
	}
	// Opening the store migrates an older backup and completes its tree.
	st, err := sqlite.Open(ctx, tmp.Name(), sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	err = check(ctx, st)
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return sqlite.Install(tmp.Name(), target)
}

func restorePostgres(ctx context.Context, a *archiveReader, url string, force bool, check func(context.Context, auditlog.LogReader) error, stderr io.Writer) error {
	info := postgres.ExportInfo{SchemaVersion: a.header.SchemaVersion, Migrations: a.header.Migrations}
	for _, name := range a.header.Sections {
		t, _ := a.header.table(name)
		info.Tables = append(info.Tables, postgres.Table{Name: t.Name, Columns: t.Columns, Rows: t.Rows})
	}
	next := func() (string, io.Reader, error) {
		name, body, err := a.nextSection()
		if err == nil {
			t, _ := a.header.table(name)
			fmt.Fprintf(stderr, "restore: %s: %d rows\n", name, t.Rows)
		}
		return name, body, err
	}
	err := postgres.Import(ctx, url, info, next, postgres.ImportOptions{
		Force: force,
		Check: func(ctx context.Context, lr auditlog.LogReader) error {
			if err := a.finish(); err != nil {
				return err
			}
			fmt.Fprintf(stderr, "restore: archive checksum verified\n")
			return check(ctx, lr)
		},
	})
	if err != nil && !errors.Is(err, errCorrupt) && !errors.Is(err, postgres.ErrNotEmpty) && !errors.Is(err, postgres.ErrNodesRunning) {
		// A damaged archive explains a failed copy better than the server.
		if ferr := a.finish(); ferr != nil && errors.Is(ferr, errCorrupt) {
			return ferr
		}
	}
	return err
}

// keysOf returns the keys of a keyring or key document.
func keysOf(pubs []trust.PublicKey) []ed25519.PublicKey {
	out := make([]ed25519.PublicKey, len(pubs))
	for i, p := range pubs {
		out[i] = p.Key
	}
	return out
}
