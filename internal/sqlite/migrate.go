package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/kurultai/kurultai/internal/kurultai"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

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

// migrate applies the migrations the database lacks, each in its own
// transaction, and refuses a database that has migrations this binary does
// not know.
func migrate(ctx context.Context, db *sql.DB, clock kurultai.Clock, log *slog.Logger) error {
	ms, err := loadMigrations(migrationFiles)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return applyMigrations(ctx, db, ms, clock, log)
}

func applyMigrations(ctx context.Context, db *sql.DB, ms []migration, clock kurultai.Clock, log *slog.Logger) error {
	_, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY,
		name    TEXT NOT NULL,
		applied INTEGER NOT NULL
	) STRICT`)
	if err != nil {
		return fmt.Errorf("migrate: %w", mapErr(err))
	}
	var current int
	if err := db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("migrate: %w", mapErr(err))
	}
	known := len(ms)
	if current > known {
		return fmt.Errorf("%w: the database is at version %d, this binary knows up to %d; run a newer kurultai or restore a backup", ErrSchemaNewer, current, known)
	}
	for _, m := range ms {
		applied, err := applyMigration(ctx, db, m, clock)
		if err != nil {
			return fmt.Errorf("migrate: %s: %w", m.name, err)
		}
		if applied {
			log.InfoContext(ctx, "sqlite: applied migration", "migration", m.name)
		}
	}
	return nil
}

// applyMigration applies m unless it is recorded, in one transaction (an
// immediate one: two processes opening the file at once apply it once).
func applyMigration(ctx context.Context, db *sql.DB, m migration, clock kurultai.Clock) (applied bool, err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, mapErr(err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n); err != nil {
		return false, mapErr(err)
	}
	if n > 0 {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return false, mapErr(err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied) VALUES (?, ?, ?)`,
		m.version, m.name, clock().UnixNano())
	if err != nil {
		return false, mapErr(err)
	}
	return true, mapErr(tx.Commit())
}

// seedMarkings stores the standard TLP marking-definitions, which every
// node understands without anyone posting them.
func seedMarkings(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("seed markings: %w", mapErr(err))
	}
	defer tx.Rollback()
	for id, level := range kurultai.StandardTLP {
		name := "TLP:" + strings.ToUpper(string(level))
		if id == kurultai.TLP1WhiteID {
			name = "TLP:WHITE"
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO markings (id, name, tlp, audience, releasability)
			VALUES (?, ?, ?, NULL, 0) ON CONFLICT (id) DO NOTHING`, id, name, string(level))
		if err != nil {
			return fmt.Errorf("seed markings: %w", mapErr(err))
		}
	}
	return tx.Commit()
}
