package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kurultai/kurultai/internal/kurultai"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrateLockKey is the advisory lock that serializes migrations of
// processes starting at once against the same database.
const migrateLockKey = 0x6b7572756c746169 // "kurultai"

// migration is one numbered schema change.
type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads the embedded migrations in version order. Names are
// NNNN_what.sql; numbers start at 1 and have no gaps.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, name := range names {
		base := path.Base(name)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v < 1 {
			return nil, fmt.Errorf("migration %s: name must be NNNN_what.sql", base)
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: base, sql: string(data)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: expected version %d", m.name, i+1)
		}
	}
	return ms, nil
}

// migrate applies the embedded migrations the database lacks.
func migrate(ctx context.Context, pool *pgxpool.Pool, clock kurultai.Clock, log *slog.Logger) error {
	ms, err := loadMigrations(migrationFiles)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return applyMigrations(ctx, pool, ms, clock, log)
}

// applyMigrations applies the migrations of ms the database lacks, each in
// its own transaction, and refuses a database that has migrations ms does
// not know. It holds an advisory lock meanwhile, so that processes starting
// together apply each migration once.
func applyMigrations(ctx context.Context, pool *pgxpool.Pool, ms []migration, clock kurultai.Clock, log *slog.Logger) (err error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", mapErr(err))
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, int64(migrateLockKey)); err != nil {
		return fmt.Errorf("migrate: lock: %w", mapErr(err))
	}
	defer func() {
		// A fresh context: the lock must go even if ctx has ended.
		if _, uerr := conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, int64(migrateLockKey)); uerr != nil {
			conn.Conn().Close(context.WithoutCancel(ctx)) // closing the session drops the lock
			if err == nil {
				err = fmt.Errorf("migrate: unlock: %w", mapErr(uerr))
			}
		}
	}()
	_, err = conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version integer PRIMARY KEY,
		name    text NOT NULL,
		applied bigint NOT NULL
	)`)
	if err != nil {
		return fmt.Errorf("migrate: %w", mapErr(err))
	}
	var current int
	if err := conn.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("migrate: %w", mapErr(err))
	}
	if known := len(ms); current > known {
		return fmt.Errorf("%w: the database is at version %d, this binary knows up to %d; run a newer kurultai or restore a backup", ErrSchemaNewer, current, known)
	}
	for _, m := range ms[current:] {
		if err := applyMigration(ctx, conn.Conn(), m, clock); err != nil {
			return fmt.Errorf("migrate: %s: %w", m.name, err)
		}
		log.InfoContext(ctx, "postgres: applied migration", "migration", m.name)
	}
	return nil
}

// applyMigration applies m and records it, in one transaction.
func applyMigration(ctx context.Context, conn *pgx.Conn, m migration, clock kurultai.Clock) error {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return mapErr(err)
	}
	defer tx.Rollback(ctx)
	// The simple protocol runs a file of several statements at once.
	if _, err := tx.Exec(ctx, m.sql, pgx.QueryExecModeSimpleProtocol); err != nil {
		return mapErr(err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied) VALUES ($1, $2, $3)`,
		m.version, m.name, clock().UnixNano())
	if err != nil {
		return mapErr(err)
	}
	return mapErr(tx.Commit(ctx))
}

// seedMarkings stores the standard TLP marking-definitions, which every
// node understands without anyone posting them.
func seedMarkings(ctx context.Context, pool *pgxpool.Pool) error {
	b := &pgx.Batch{}
	for id, level := range kurultai.StandardTLP {
		name := "TLP:" + strings.ToUpper(string(level))
		if id == kurultai.TLP1WhiteID {
			name = "TLP:WHITE"
		}
		b.Queue(`INSERT INTO markings (id, name, tlp, audience, releasability)
			VALUES ($1, $2, $3, NULL, false) ON CONFLICT (id) DO NOTHING`, id, name, string(level))
	}
	if err := pool.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("seed markings: %w", mapErr(err))
	}
	return nil
}

// errNoRows reports whether err says a single-row query found nothing.
func errNoRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }
