package postgres

// Backup, restore and explicit migration ('kurultai backup', 'restore'
// and 'migrate'), without pg_dump: an export is every table of the
// connection's schema, copied in binary COPY format inside one REPEATABLE
// READ read-only transaction, so that the tables agree with each other
// while the nodes go on writing. An import runs in one transaction that
// commits only after the caller's check (the archive's checksum and the
// audit log's verification) passed.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// ErrNotEmpty is returned by Import for a database that already holds a
// node's data, unless forced.
var ErrNotEmpty = errors.New("the database already holds a node's data")

// Migrations returns the names of the migrations this binary knows, by
// version.
func Migrations() []string {
	ms, err := loadMigrations(migrationFiles)
	if err != nil {
		panic("postgres: embedded migrations: " + err.Error()) // checked by the tests
	}
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = m.name
	}
	return names
}

// Table is one table of an export: its name, the columns copied in order
// and its row count in the snapshot.
type Table struct {
	Name    string
	Columns []string
	Rows    int64
}

// ExportInfo describes an export: the schema's migrations and its tables,
// each after the tables its foreign keys refer to.
type ExportInfo struct {
	SchemaVersion int
	Migrations    []string
	Tables        []Table
}

// Exporter receives an export: Begin once, then Table for each table of
// the info in order, whose writer gets the table's binary COPY data and is
// closed after it.
type Exporter interface {
	Begin(ExportInfo) error
	Table(Table) (io.WriteCloser, error)
}

// sessionsTable is the table an export lists with no rows: web sessions
// must not come back with a restore (they may have been signed out since).
const sessionsTable = "web_sessions"

// connect opens one connection (pool settings in url are ignored).
func connect(ctx context.Context, url string) (*pgx.Conn, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, kurultai.Errorf(kurultai.CodeInvalid, "database URL is not a valid PostgreSQL connection string")
	}
	cc := cfg.ConnConfig
	if cc.ConnectTimeout == 0 {
		cc.ConnectTimeout = 10 * time.Second
	}
	cc.RuntimeParams["application_name"] = "kurultai-backup"
	conn, err := pgx.ConnectConfig(ctx, cc)
	if err != nil {
		return nil, mapErr(err)
	}
	return conn, nil
}

// Export copies every table of the schema to x in one consistent snapshot.
// It refuses a schema newer than this binary (ErrSchemaNewer).
func Export(ctx context.Context, url string, x Exporter) error {
	if err := export(ctx, url, x); err != nil {
		return fmt.Errorf("postgres: export %s: %w", redact(url), err)
	}
	return nil
}

func export(ctx context.Context, url string, x Exporter) error {
	conn, err := connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return mapErr(err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	info, err := exportInfo(ctx, tx)
	if err != nil {
		return err
	}
	if known := Migrations(); len(info.Migrations) > len(known) || !slices.Equal(info.Migrations, known[:len(info.Migrations)]) {
		return fmt.Errorf("%w: the database's migrations %v are not those this binary knows (%v)", ErrSchemaNewer, info.Migrations, known)
	}
	if err := x.Begin(info); err != nil {
		return err
	}
	for _, t := range info.Tables {
		w, err := x.Table(t)
		if err != nil {
			return err
		}
		src := ident(t.Name) + " (" + idents(t.Columns) + ")"
		if t.Name == sessionsTable {
			src = "(SELECT " + idents(t.Columns) + " FROM " + ident(t.Name) + " LIMIT 0)"
		}
		tag, err := conn.PgConn().CopyTo(ctx, w, "COPY "+src+" TO STDOUT (FORMAT binary)")
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("copy %s: %w", t.Name, mapErr(err))
		}
		if tag.RowsAffected() != t.Rows {
			return fmt.Errorf("copy %s: %d rows, the snapshot counted %d", t.Name, tag.RowsAffected(), t.Rows)
		}
	}
	return mapErr(tx.Commit(ctx))
}

func ident(s string) string { return pgx.Identifier{s}.Sanitize() }

func idents(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = ident(s)
	}
	return strings.Join(q, ", ")
}

// exportInfo reads the migrations and the tables of the current schema.
func exportInfo(ctx context.Context, tx pgx.Tx) (ExportInfo, error) {
	var info ExportInfo
	names, err := appliedMigrations(ctx, tx)
	if err != nil {
		return info, err
	}
	if len(names) == 0 {
		return info, errors.New("no Kurultai schema in the connection's search_path (no schema_migrations)")
	}
	info.Migrations, info.SchemaVersion = names, len(names)
	rows, err := tx.Query(ctx, `SELECT c.oid::bigint, c.relname,
			array(SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0
				AND NOT a.attisdropped AND a.attgenerated = '' ORDER BY a.attnum),
			array(SELECT f.confrelid::bigint FROM pg_constraint f WHERE f.conrelid = c.oid AND f.contype = 'f')
		FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
		ORDER BY c.oid`)
	if err != nil {
		return info, mapErr(err)
	}
	type rel struct {
		oid  int64
		t    Table
		refs []int64
	}
	var rels []rel
	for rows.Next() {
		var r rel
		if err := rows.Scan(&r.oid, &r.t.Name, &r.t.Columns, &r.refs); err != nil {
			rows.Close()
			return info, mapErr(err)
		}
		rels = append(rels, r)
	}
	if err := rows.Err(); err != nil {
		return info, mapErr(err)
	}
	// Each table after those it refers to, else in creation order.
	placed := map[int64]bool{}
	for len(info.Tables) < len(rels) {
		progress := false
		for _, r := range rels {
			if placed[r.oid] || slices.ContainsFunc(r.refs, func(o int64) bool { return o != r.oid && !placed[o] }) {
				continue
			}
			placed[r.oid], progress = true, true
			info.Tables = append(info.Tables, r.t)
		}
		if !progress {
			return info, errors.New("tables refer to each other in a cycle")
		}
	}
	for i, t := range info.Tables {
		if t.Name == sessionsTable {
			continue
		}
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM `+ident(t.Name)).Scan(&info.Tables[i].Rows); err != nil {
			return info, fmt.Errorf("count %s: %w", t.Name, mapErr(err))
		}
	}
	return info, nil
}

// appliedMigrations returns the names of the migrations the schema
// records, by version; none when it has no schema_migrations. Callers
// compare them with Migrations: a list longer than it is a newer schema.
func appliedMigrations(ctx context.Context, q querier) ([]string, error) {
	var exists bool
	if err := q.QueryRow(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists); err != nil || !exists {
		return nil, mapErr(err)
	}
	rows, err := q.Query(ctx, `SELECT version, name FROM schema_migrations ORDER BY version`)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var v int
		var name string
		if err := rows.Scan(&v, &name); err != nil {
			return nil, mapErr(err)
		}
		names = append(names, name)
	}
	return names, mapErr(rows.Err())
}

// MigrateResult says what Migrate did or, in a dry run, would do.
type MigrateResult struct {
	From, To   int      // schema versions before and after
	Migrations []string // applied, or pending in a dry run
}

// Migrate applies the migrations the database lacks (or, with dryRun, only
// lists them), as Open would. It refuses a schema newer than this binary
// (ErrSchemaNewer).
func Migrate(ctx context.Context, url string, dryRun bool, clock kurultai.Clock, log *slog.Logger) (MigrateResult, error) {
	res, err := migrateURL(ctx, url, dryRun, clock, log)
	if err != nil {
		return res, fmt.Errorf("postgres: migrate %s: %w", redact(url), err)
	}
	return res, nil
}

func migrateURL(ctx context.Context, url string, dryRun bool, clock kurultai.Clock, log *slog.Logger) (MigrateResult, error) {
	var res MigrateResult
	if clock == nil {
		clock = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ms, err := loadMigrations(migrationFiles)
	if err != nil {
		return res, err
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return res, kurultai.Errorf(kurultai.CodeInvalid, "database URL is not a valid PostgreSQL connection string")
	}
	cfg.MaxConns = 2
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return res, mapErr(err)
	}
	defer pool.Close()
	before, err := appliedMigrations(ctx, pool)
	if err != nil {
		return res, err
	}
	res.From, res.To = len(before), len(before)
	if res.From > len(ms) {
		return res, fmt.Errorf("%w: the database is at version %d, this binary knows up to %d; run a newer kurultai or restore a backup", ErrSchemaNewer, res.From, len(ms))
	}
	if dryRun {
		for _, m := range ms[res.From:] {
			res.Migrations = append(res.Migrations, m.name)
		}
		return res, nil
	}
	if err := applyMigrations(ctx, pool, ms, clock, log); err != nil {
		return res, err
	}
	after, err := appliedMigrations(ctx, pool)
	if err != nil {
		return res, err
	}
	res.To = len(after)
	// Another process may have applied some meanwhile: report ours only
	// as far as the versions moved since we looked.
	res.Migrations = after[res.From:]
	return res, nil
}
