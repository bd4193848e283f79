package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kurultai/kurultai/internal/postgres"
	"github.com/kurultai/kurultai/internal/sqlite"
)

const migrateUsage = `migrate [--data DIR | --database URL] [--dry-run]

Applies the schema migrations the node's database lacks, as 'kurultai
serve' does when it starts, and prints which were applied (with
--dry-run: which would be, changing nothing). Each migration runs in its
own transaction; with PostgreSQL, processes migrating at once take turns
(an advisory lock). A database whose schema is newer than this binary is
refused: run the newer kurultai, or restore a backup. Take a backup
first ('kurultai backup'): migrations only go forward.`

func runMigrate(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("migrate", migrateUsage, stderr)
	data := fs.String("data", dataDefault(env), "data `directory` of the node (env KURULTAI_DATA)")
	database := databaseFlag(fs, env)
	dryRun := fs.Bool("dry-run", false, "list the pending migrations without applying them")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	log := slog.New(slog.DiscardHandler)
	var from, to, known int
	var names []string
	if *database != "" {
		res, err := postgres.Migrate(ctx, *database, *dryRun, time.Now, log)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		from, to, names, known = res.From, res.To, res.Migrations, len(postgres.Migrations())
	} else {
		path := filepath.Join(*data, "kurultai.db")
		if _, err := os.Stat(path); err != nil {
			return fmt.Errorf("migrate: --data: no node database at %s (start the node once with 'kurultai serve --data %s', or restore a backup)", path, *data)
		}
		unlock, err := lockDataDir(*data)
		if err != nil {
			return fmt.Errorf("migrate: --data: %w", err)
		}
		defer unlock()
		res, err := sqlite.Migrate(ctx, path, *dryRun, time.Now, log)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		from, to, names, known = res.From, res.To, res.Migrations, len(sqlite.Migrations())
	}
	switch {
	case len(names) == 0:
		fmt.Fprintf(stdout, "schema up to date at version %d\n", from)
	case *dryRun:
		fmt.Fprintf(stdout, "schema at version %d of %d; would apply: %s\n", from, known, strings.Join(names, ", "))
	default:
		fmt.Fprintf(stdout, "applied: %s; schema now at version %d (was %d)\n", strings.Join(names, ", "), to, from)
	}
	return nil
}
