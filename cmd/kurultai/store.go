package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/kurultai/kurultai/internal/auditlog"
	"github.com/kurultai/kurultai/internal/config"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/postgres"
	"github.com/kurultai/kurultai/internal/sqlite"
	"github.com/kurultai/kurultai/internal/web"
)

// nodeStore is what a node needs of its store: objects, the directory and
// the audit log. Both the SQLite and the PostgreSQL store provide it.
type nodeStore interface {
	kurultai.Store
	auditlog.Store
	Ping(ctx context.Context) error
	Close() error
}

var (
	_ nodeStore = (*sqlite.Store)(nil)
	_ nodeStore = (*postgres.Store)(nil)
)

// openNodeStore opens PostgreSQL when database is set, else the SQLite
// database in dataDir (creating it).
func openNodeStore(ctx context.Context, dataDir, database string, clock kurultai.Clock, log *slog.Logger) (nodeStore, error) {
	if database != "" {
		st, err := postgres.Open(ctx, database, postgres.Options{Clock: clock, Logger: log})
		if err != nil {
			return nil, err
		}
		return st, nil
	}
	st, err := sqlite.Open(ctx, filepath.Join(dataDir, "kurultai.db"), sqlite.Options{Clock: clock, Logger: log})
	if err != nil {
		return nil, err
	}
	return st, nil
}

// sqliteOf returns the SQLite store under st, or an error naming what
// needs it: federation keeps its outbox and peers in SQLite only.
func sqliteOf(st nodeStore, what string) (*sqlite.Store, error) {
	if s, ok := st.(*sqlite.Store); ok {
		return s, nil
	}
	return nil, fmt.Errorf("%s needs the SQLite store; it is not yet available with --database (PostgreSQL)", what)
}

// databaseFlag registers --database on an administrative command.
func databaseFlag(fs *flag.FlagSet, env func(string) string) *string {
	return fs.String("database", env("KURULTAI_DATABASE"),
		"PostgreSQL `URL` of the node's database; empty uses SQLite in --data (env KURULTAI_DATABASE)")
}

// openStore opens the node's database for an administrative command:
// PostgreSQL when database is set, else the SQLite database in dir, which
// must already exist (created by serve or demo).
func openStore(ctx context.Context, dir, database string) (nodeStore, error) {
	quiet := slog.New(slog.DiscardHandler)
	if database != "" {
		if err := config.CheckDatabase(database); err != nil {
			return nil, fmt.Errorf("--database: %w", err)
		}
		return openNodeStore(ctx, dir, database, time.Now, quiet)
	}
	path := filepath.Join(dir, "kurultai.db")
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("--data: no node database at %s (start the node once with 'kurultai serve --data %s')", path, dir)
	}
	return openNodeStore(ctx, dir, "", time.Now, quiet)
}

// webPeers lists the federation peers for the admin page; nil when the
// store keeps none (federation runs on SQLite only).
func webPeers(st nodeStore) func(context.Context) ([]web.Peer, error) {
	s, ok := st.(*sqlite.Store)
	if !ok {
		return nil
	}
	return func(ctx context.Context) ([]web.Peer, error) {
		ps, err := s.Peers(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]web.Peer, len(ps))
		for i, p := range ps {
			out[i] = web.Peer{Name: p.Name, Kind: p.Kind, Participant: p.Participant, URL: p.URL,
				Dial: p.Dial, Created: p.Created, Sent: p.Sent, Received: p.Received}
		}
		return out, nil
	}
}
