// Package postgres is the server store: a kurultai.Store on PostgreSQL
// through pgx (github.com/jackc/pgx/v5), for a hub that outgrows one
// machine and for several Kurultai processes sharing one database. It
// keeps the SQLite store's semantics exactly; the conformance suite
// (internal/storetest) runs against both.
//
// # Durability
//
// Every connection sets synchronous_commit=on, so a write is acknowledged
// only once its commit record is flushed to disk (a server running with
// fsync=off defeats this; DEPLOY.md says not to).
//
// # Write order
//
// The date added of a version is the keyset cursor of every listing, so
// it must grow in commit order: a reader that has seen date added K must
// never later find a committed version with a smaller one (the classic
// keyset/outbox race, where a transaction that took its key first commits
// last). The store prevents it by serializing writers: every write
// transaction first locks the single row of write_state (SELECT ... FOR
// UPDATE), reads the last date added and audit sequence number from it,
// hands out larger ones, writes them back and commits, releasing the lock
// only when the commit is visible. A transaction that takes the lock
// afterwards therefore hands out larger values and commits later, whichever
// process runs it: commit order is key order, and a listing that walks
// "added > cursor" misses nothing. The same lock makes audit sequence
// numbers gapless and in commit order, and serializes the read-then-write
// logic of AddObjects (first, last and effective markings) across
// processes. Readers take no lock.
//
// Dates added are max(now in Unix microseconds, last + 1): strictly
// increasing, never reused even after the newest version is deleted or
// the clock goes back, and safe with several processes whose clocks
// differ a little.
//
// # Connections and goroutines
//
// A Store holds one pgx connection pool. Reads use it directly. Writes
// (AddObjects, DeleteObject, AppendAudit and the directory writes) are
// jobs handed to one writer goroutine, which takes every queued job up to
// a bound, runs them one after the other in one transaction and commits
// once (group commit): within a process, concurrent writes share the lock
// and the flush. When a job fails, the others of its batch run again, each
// in its own SAVEPOINT (see commitBatch). A job's caller is answered only
// after the commit, so a success is durable.
//
// closeMu guards closed and the sends on the jobs channel so that Close
// can close it safely. Close stops taking new jobs, lets the writer drain
// the queued ones, then closes the pool.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// Options configures a Store. The zero value is usable.
type Options struct {
	Clock  kurultai.Clock // defaults to time.Now
	Logger *slog.Logger   // defaults to a logger that discards
}

// Tuning defaults.
const (
	// defaultMaxBatch bounds the objects one group commit takes (a single
	// larger job still runs, alone).
	defaultMaxBatch = 5000
	// defaultScanBudget bounds the rows one ListObjects call examines, so a
	// caller who may see almost nothing cannot make one page scan the whole
	// collection.
	defaultScanBudget = 200_000
	// jobQueue is the capacity of the writer's queue.
	jobQueue = 1024
	// writeTimeout bounds one group commit, so that a database that stops
	// answering fails the writes (CodeUnavailable) instead of holding them.
	writeTimeout = 60 * time.Second
	// lockTimeout bounds the wait for the write lock held by another
	// process.
	lockTimeout = 30 * time.Second
)

// Store is the PostgreSQL implementation of kurultai.Store. Its methods are
// safe for concurrent use.
type Store struct {
	clock kurultai.Clock
	log   *slog.Logger
	pool  *pgxpool.Pool

	jobs       chan *job
	writerDone chan struct{}
	closeMu    sync.RWMutex // guards closed and every send on jobs
	closed     bool

	maxBatch   int // objects per group commit
	scanBudget int // rows per ListObjects call
}

var _ kurultai.Store = (*Store)(nil)

// Open connects to the database named by url (a postgres:// URL or a
// key=value connection string; pool settings such as pool_max_conns may be
// given in it, the default being 4 per CPU and at least 8), applies the migrations it lacks and starts the writer. It
// refuses a database whose schema is newer than this binary knows
// (ErrSchemaNewer). The database must exist; the schema is created in the
// connection's search_path.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	s, err := open(ctx, url, opts)
	if err != nil {
		return nil, fmt.Errorf("postgres: open %s: %w", redact(url), err)
	}
	return s, nil
}

func open(ctx context.Context, url string, opts Options) (_ *Store, err error) {
	s := &Store{
		clock:      opts.Clock,
		log:        opts.Logger,
		jobs:       make(chan *job, jobQueue),
		writerDone: make(chan struct{}),
		maxBatch:   defaultMaxBatch,
		scanBudget: defaultScanBudget,
	}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// The parse error may quote the URL, password included.
		return nil, kurultai.Errorf(kurultai.CodeInvalid, "database URL is not a valid PostgreSQL connection string")
	}
	rp := cfg.ConnConfig.RuntimeParams
	rp["synchronous_commit"] = "on"
	rp["lock_timeout"] = fmt.Sprint(lockTimeout.Milliseconds())
	rp["idle_in_transaction_session_timeout"] = fmt.Sprint(2 * writeTimeout.Milliseconds())
	// The server notices a node whose host vanished (no FIN, no RST)
	// within about a minute instead of the system's two hours, and ends
	// its session: the crisis clock's lock (a session lock) passes to
	// another process. A URL may set its own values.
	for k, v := range map[string]string{"tcp_keepalives_idle": "30", "tcp_keepalives_interval": "10", "tcp_keepalives_count": "3"} {
		if rp[k] == "" {
			rp[k] = v
		}
	}
	if rp["application_name"] == "" {
		// "kurultai SCHEMA" names a node's sessions in pg_stat_activity;
		// restore refuses while any are connected to its schema.
		rp["application_name"] = "kurultai"
		cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
			_, err := c.Exec(ctx, `SELECT set_config('application_name', `+nodeAppName+`, false)`)
			return err
		}
	}
	if !strings.Contains(url, "pool_max_conns") {
		// pgxpool's default (the number of CPUs, at least 4) leaves few
		// connections for readers while the writer holds one.
		cfg.MaxConns = int32(max(8, 4*runtime.GOMAXPROCS(0)))
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = 10 * time.Second
	}
	if s.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return nil, mapErr(err)
	}
	defer func() {
		if err != nil {
			s.pool.Close()
		}
	}()
	if err := s.pool.Ping(ctx); err != nil {
		return nil, mapErr(err)
	}
	if err := migrate(ctx, s.pool, s.clock, s.log); err != nil {
		return nil, err
	}
	if err := seedMarkings(ctx, s.pool); err != nil {
		return nil, err
	}
	if err := catchUpAudit(ctx, s); err != nil {
		return nil, err
	}
	go s.writer()
	return s, nil
}

// redact returns url without its password, for error messages.
func redact(url string) string {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return "(unparsable URL)"
	}
	c := cfg.ConnConfig
	host := c.Host
	if strings.HasPrefix(host, "/") {
		host = "unix:" + host
	}
	return fmt.Sprintf("postgres://%s@%s:%d/%s", c.User, host, c.Port, c.Database)
}

// Ping reports whether the store answers.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.pool.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("postgres: ping: %w", mapErr(err))
	}
	return nil
}

// Close stops accepting writes, lets the writer finish the queued ones and
// closes the pool. Calling it again does nothing.
func (s *Store) Close() error {
	s.closeMu.Lock()
	if s.closed {
		s.closeMu.Unlock()
		return nil
	}
	s.closed = true
	close(s.jobs) // no sender is inside submit's send: they hold closeMu.RLock
	s.closeMu.Unlock()
	<-s.writerDone
	s.pool.Close()
	return nil
}

// errClosed is returned for calls on a closed store.
var errClosed = &kurultai.Error{Code: kurultai.CodeUnavailable, Message: "store is closed"}

// ErrSchemaNewer is returned by Open for a database written by a newer
// binary: its schema has migrations this one does not know.
var ErrSchemaNewer = errors.New("database schema is newer than this binary")
