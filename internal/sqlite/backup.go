package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// Info describes a database file: its schema version, the migrations it
// records and the row count of each table.
type Info struct {
	SchemaVersion int
	Migrations    []string // names, by version
	Tables        []TableRows
}

// TableRows is a table's name and row count.
type TableRows struct {
	Name string
	Rows int64
}

// Migrations returns the names of the migrations this binary knows, by
// version.
func Migrations() []string {
	ms, err := loadMigrations(migrationFiles)
	if err != nil {
		panic("sqlite: embedded migrations: " + err.Error()) // checked by the tests
	}
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = m.name
	}
	return names
}

// openRO opens the file read-only, refusing a missing one.
func openRO(path string) (*sql.DB, error) { return openFile(path, "mode=ro&_pragma=query_only(1)&") }

// openFile opens one connection to the existing file at path with the
// given URI parameters (ending in "&").
func openFile(path, params string) (*sql.DB, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	dsn := "file:" + (&url.URL{Path: filepath.ToSlash(abs)}).EscapedPath() +
		"?" + params + "_pragma=busy_timeout(" + fmt.Sprint(busyTimeoutMS) + ")"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// Snapshot writes a consistent copy of the database at path to out (which
// must not exist) with VACUUM INTO, while the node goes on writing: the
// copy is the database as of one read transaction, without the WAL, and
// compacted, and without web sessions (see ClearSessions). It writes
// nothing to path.
func Snapshot(ctx context.Context, path, out string) error {
	// Not read-only: SQLite refuses VACUUM INTO on a read-only
	// connection, though it writes only to out.
	db, err := openFile(path, "")
	if err != nil {
		return fmt.Errorf("sqlite: snapshot: %w", err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, out); err != nil {
		return fmt.Errorf("sqlite: snapshot into %s: %w", out, mapErr(err))
	}
	if err := ClearSessions(ctx, out); err != nil {
		return fmt.Errorf("sqlite: snapshot: %w", err)
	}
	return nil
}

// ClearSessions deletes every web session from the database at path (a
// snapshot or a restored copy, never a node's live file), overwriting the
// deleted rows: a backup must not bring back sessions signed out since.
// A database without the table is left as it is.
func ClearSessions(ctx context.Context, path string) error {
	db, err := openFile(path, "_pragma=secure_delete(1)&")
	if err != nil {
		return fmt.Errorf("clear sessions: %w", err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'web_sessions'`).Scan(&n); err != nil {
		return fmt.Errorf("clear sessions of %s: %w", path, mapErr(err))
	}
	if n == 0 {
		return nil
	}
	if _, err := db.ExecContext(ctx, `DELETE FROM web_sessions`); err != nil {
		return fmt.Errorf("clear sessions of %s: %w", path, mapErr(err))
	}
	return db.Close()
}

// Describe reads the schema version, migrations and row counts of the
// database at path, without writing to it.
func Describe(ctx context.Context, path string) (Info, error) {
	db, err := openRO(path)
	if err != nil {
		return Info{}, fmt.Errorf("sqlite: describe: %w", err)
	}
	defer db.Close()
	info, err := describe(ctx, db)
	if err != nil {
		return info, fmt.Errorf("sqlite: describe %s: %w", path, mapErr(err))
	}
	return info, nil
}

func describe(ctx context.Context, db *sql.DB) (Info, error) {
	var info Info
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return info, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT version, name FROM schema_migrations ORDER BY version`)
	if err != nil {
		return info, fmt.Errorf("no Kurultai schema (schema_migrations): %w", err)
	}
	for rows.Next() {
		var v int
		var name string
		if err := rows.Scan(&v, &name); err != nil {
			rows.Close()
			return info, err
		}
		if v != len(info.Migrations)+1 {
			rows.Close()
			return info, fmt.Errorf("schema_migrations: version %d (%s) follows %d", v, name, len(info.Migrations))
		}
		info.Migrations = append(info.Migrations, name)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return info, err
	}
	info.SchemaVersion = len(info.Migrations)
	rows, err = tx.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		return info, err
	}
	for rows.Next() {
		var t TableRows
		if err := rows.Scan(&t.Name); err != nil {
			rows.Close()
			return info, err
		}
		info.Tables = append(info.Tables, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return info, err
	}
	for i, t := range info.Tables {
		q := `SELECT count(*) FROM "` + strings.ReplaceAll(t.Name, `"`, `""`) + `"`
		if err := tx.QueryRowContext(ctx, q).Scan(&info.Tables[i].Rows); err != nil {
			return info, fmt.Errorf("count %s: %w", t.Name, err)
		}
	}
	return info, nil
}

// CheckIntegrity runs SQLite's integrity check on the file at path and
// returns its first complaint as an error.
func CheckIntegrity(ctx context.Context, path string) error {
	db, err := openRO(path)
	if err != nil {
		return fmt.Errorf("sqlite: integrity check: %w", err)
	}
	defer db.Close()
	var res string
	if err := db.QueryRowContext(ctx, `PRAGMA integrity_check(1)`).Scan(&res); err != nil {
		return fmt.Errorf("sqlite: integrity check of %s: %w", path, mapErr(err))
	}
	if res != "ok" {
		return fmt.Errorf("sqlite: integrity check of %s: %s", path, res)
	}
	return nil
}

// MigrateResult says what Migrate did or, in a dry run, would do.
type MigrateResult struct {
	From, To   int      // schema versions before and after
	Migrations []string // applied, or pending in a dry run
}

// Migrate applies the migrations the database at path lacks (or, with
// dryRun, only lists them). It refuses a missing file and a database newer
// than this binary (ErrSchemaNewer).
func Migrate(ctx context.Context, path string, dryRun bool, clock kurultai.Clock, log *slog.Logger) (MigrateResult, error) {
	res, err := migrateFile(ctx, path, dryRun, clock, log)
	if err != nil {
		return res, fmt.Errorf("sqlite: migrate %s: %w", path, err)
	}
	return res, nil
}

func migrateFile(ctx context.Context, path string, dryRun bool, clock kurultai.Clock, log *slog.Logger) (MigrateResult, error) {
	var res MigrateResult
	if _, err := os.Stat(path); err != nil {
		return res, err
	}
	ms, err := loadMigrations(migrationFiles)
	if err != nil {
		return res, err
	}
	wdsn, _, err := dsns(path)
	if err != nil {
		return res, err
	}
	db, err := sql.Open("sqlite", wdsn)
	if err != nil {
		return res, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	err = db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&res.From)
	if err != nil && !strings.Contains(err.Error(), "no such table") {
		return res, mapErr(err)
	}
	if res.From > len(ms) {
		return res, fmt.Errorf("%w: the database is at version %d, this binary knows up to %d; run a newer kurultai or restore a backup", ErrSchemaNewer, res.From, len(ms))
	}
	res.To = res.From
	for _, m := range ms[res.From:] {
		res.Migrations = append(res.Migrations, m.name)
	}
	if dryRun || len(res.Migrations) == 0 {
		return res, nil
	}
	if clock == nil {
		clock = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := applyMigrations(ctx, db, ms, clock, log); err != nil {
		return res, err
	}
	res.To = len(ms)
	return res, nil
}

// Install moves the database file tmp to path, replacing what is there:
// it first removes path's WAL and shared-memory files, which belong to the
// database being replaced and would corrupt the new one. The node must be
// stopped.
func Install(tmp, path string) error {
	for _, ext := range []string{"-wal", "-shm", "-journal"} {
		if err := os.Remove(path + ext); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("sqlite: install: %w", err)
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("sqlite: install: %w", err)
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return fmt.Errorf("sqlite: install: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sqlite: install: sync directory: %w", err)
	}
	return nil
}

// CheckSchema compares the schema of the database at path (its tables,
// indexes, triggers and views, by type, name, table and SQL) with what
// the migrations it records create in an empty database, and returns an
// error naming the first difference: a restored file must not bring
// objects of its own (a trigger on audit_log, say) or lack any.
func CheckSchema(ctx context.Context, path string) error {
	db, err := openRO(path)
	if err != nil {
		return fmt.Errorf("sqlite: check schema: %w", err)
	}
	defer db.Close()
	info, err := describe(ctx, db)
	if err != nil {
		return fmt.Errorf("sqlite: check schema of %s: %w", path, mapErr(err))
	}
	ms, err := loadMigrations(migrationFiles)
	if err != nil {
		return err
	}
	if len(info.Migrations) > len(ms) {
		return fmt.Errorf("sqlite: check schema of %s: %w: version %d", path, ErrSchemaNewer, len(info.Migrations))
	}
	for i, name := range info.Migrations {
		if ms[i].name != name {
			return fmt.Errorf("sqlite: check schema of %s: migration %d is %s, this binary's is %s", path, i+1, name, ms[i].name)
		}
	}
	fresh, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		return err
	}
	defer fresh.Close()
	fresh.SetMaxOpenConns(1)
	if err := applyMigrations(ctx, fresh, ms[:len(info.Migrations)], time.Now, slog.New(slog.DiscardHandler)); err != nil {
		return fmt.Errorf("sqlite: check schema: %w", err)
	}
	want, err := schemaObjects(ctx, fresh)
	if err != nil {
		return fmt.Errorf("sqlite: check schema: %w", err)
	}
	got, err := schemaObjects(ctx, db)
	if err != nil {
		return fmt.Errorf("sqlite: check schema of %s: %w", path, err)
	}
	for k, sqlText := range got {
		w, ok := want[k]
		switch {
		case !ok:
			return fmt.Errorf("sqlite: check schema of %s: %s is not one the migrations of version %d create", path, k, len(info.Migrations))
		case w != sqlText:
			return fmt.Errorf("sqlite: check schema of %s: %s differs from what the migrations of version %d create", path, k, len(info.Migrations))
		}
	}
	for k := range want {
		if _, ok := got[k]; !ok {
			return fmt.Errorf("sqlite: check schema of %s: %s is missing (the migrations of version %d create it)", path, k, len(info.Migrations))
		}
	}
	return nil
}

// schemaObjects returns the schema's objects, SQLite's own left out, as
// "type name (on table)" → SQL.
func schemaObjects(ctx context.Context, db *sql.DB) (map[string]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_schema WHERE name NOT LIKE 'sqlite\_%' ESCAPE '\'`)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var typ, name, table, text string
		if err := rows.Scan(&typ, &name, &table, &text); err != nil {
			return nil, mapErr(err)
		}
		out[fmt.Sprintf("%s %s (on %s)", typ, name, table)] = text
	}
	return out, mapErr(rows.Err())
}
