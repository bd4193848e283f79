// Package sqlite is the embedded store: a kurultai.Store on one SQLite file
// through the pure-Go driver modernc.org/sqlite, in WAL mode with
// synchronous=FULL, so that everything acknowledged survives a crash.
//
// # Connections and goroutines
//
// A Store holds two connection pools on the same file:
//
//   - the write pool, exactly one connection, used only by the writer
//     goroutine once Open returns (Open itself migrates through it before
//     the writer starts);
//   - the read pool, several connections opened with query_only, used
//     directly by the reading methods. WAL lets them read a committed
//     snapshot while the writer writes.
//
// Every write (AddObjects, DeleteObject, AppendAudit and the directory
// writes) is a job handed to the writer goroutine. The writer takes every
// queued job up to a bound (maxBatch objects), runs them one after the other
// in one transaction, commits once and then answers each job: many requests
// share one fsync (group commit). A job's caller is answered only after the
// commit, so a success is durable. When a job fails, the others of its
// batch run again, each in its own SAVEPOINT, so that a failed job takes
// back only its own writes (see commitBatch).
//
// The writer goroutine alone touches lastAdded (the last date added handed
// out) and the write connection; closeMu guards closed and the sends on the
// jobs channel so that Close can close the channel safely. Close stops
// taking new jobs, lets the writer drain the queued ones, then closes both
// pools.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kurultai/kurultai/internal/auditlog"
	"github.com/kurultai/kurultai/internal/kurultai"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Options configures a Store. The zero value is usable.
type Options struct {
	Clock  kurultai.Clock // defaults to time.Now
	Logger *slog.Logger   // defaults to a logger that discards

	// auditFault, set by tests only, makes an audit append (with the
	// entries) or a tree extension (entries nil) fail; see the fault
	// stages in audittree.go.
	auditFault func(stage string, entries []kurultai.AuditEntry) error
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
	// busyTimeoutMS is how long a connection waits for a lock.
	busyTimeoutMS = 10_000
	// jobQueue is the capacity of the writer's queue.
	jobQueue = 1024
)

// Store is the SQLite implementation of kurultai.Store. Its methods are safe
// for concurrent use.
type Store struct {
	path  string
	clock kurultai.Clock
	log   *slog.Logger
	rdb   *sql.DB // read pool (query_only)
	wdb   *sql.DB // the write connection; the writer goroutine's after Open
	ws    writeStmts
	// colls caches collections by id: every TAXII request looks its
	// collection up, and a read transaction of its own would cost more
	// than the lookup. PutCollection drops the entry it changes.
	colls sync.Map

	jobs       chan *job
	writerDone chan struct{}
	closeMu    sync.RWMutex // guards closed and every send on jobs
	closed     bool

	lastAdded int64 // owned by the writer goroutine
	// tree is the audit tree as last committed; pendingLeaves the leaf
	// hashes the current transaction appended, in seq order; leafBuf is
	// scratch for leaf encoding. All three are owned by the writer
	// goroutine (see audittree.go).
	tree          *auditlog.Tree
	pendingLeaves []pendingLeaf
	leafBuf       []byte
	auditFault    func(stage string, entries []kurultai.AuditEntry) error // see Options.auditFault

	maxBatch   int // objects per group commit
	scanBudget int // rows per ListObjects call
}

var _ kurultai.Store = (*Store)(nil)

// Open opens the database at path, creating the file if it is missing,
// applies the migrations it lacks and starts the writer. It refuses a
// database whose schema is newer than this binary knows (ErrSchemaNewer).
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	s, err := open(ctx, path, opts)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return s, nil
}

func open(ctx context.Context, path string, opts Options) (_ *Store, err error) {
	s := &Store{
		path:       path,
		clock:      opts.Clock,
		log:        opts.Logger,
		jobs:       make(chan *job, jobQueue),
		writerDone: make(chan struct{}),
		maxBatch:   defaultMaxBatch,
		scanBudget: defaultScanBudget,
		auditFault: opts.auditFault,
	}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	wdsn, rdsn, err := dsns(path)
	if err != nil {
		return nil, err
	}
	if s.wdb, err = sql.Open("sqlite", wdsn); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			s.ws.close()
			s.wdb.Close()
			if s.rdb != nil {
				s.rdb.Close()
			}
		}
	}()
	s.wdb.SetMaxOpenConns(1)
	s.wdb.SetMaxIdleConns(1)
	s.wdb.SetConnMaxIdleTime(0)
	s.wdb.SetConnMaxLifetime(0)
	if err := s.wdb.PingContext(ctx); err != nil {
		return nil, mapErr(err)
	}
	if err := migrate(ctx, s.wdb, s.clock, s.log); err != nil {
		return nil, err
	}
	if err := seedMarkings(ctx, s.wdb); err != nil {
		return nil, err
	}
	if s.tree, err = catchUpAudit(ctx, s.wdb); err != nil {
		return nil, err
	}
	if s.lastAdded, err = highWater(ctx, s.wdb); err != nil {
		return nil, err
	}
	if err := s.ws.prepare(ctx, s.wdb); err != nil {
		return nil, err
	}
	if s.rdb, err = sql.Open("sqlite", rdsn); err != nil {
		return nil, err
	}
	n := max(4, 2*runtime.GOMAXPROCS(0))
	s.rdb.SetMaxOpenConns(n)
	s.rdb.SetMaxIdleConns(n)
	s.rdb.SetConnMaxIdleTime(0)
	s.rdb.SetConnMaxLifetime(0)
	if err := s.rdb.PingContext(ctx); err != nil {
		return nil, mapErr(err)
	}
	go s.writer()
	return s, nil
}

// dsns returns the data source names of the write and read pools. The
// pragmas go in the DSN so that every connection the pools open gets them.
//
// page_size only matters when the file is created, before journal_mode
// switches it to WAL (the driver applies _journal_mode after the _pragma
// list). 8 KiB pages hold five 1.5 KB objects and halve the WAL frames (two
// write calls each) of 4 KiB pages; 16 KiB pages no longer fit the driver's
// allocator slots. The writer checkpoints every 8192 frames (64 MiB) rather
// than every 1000: a leaf of the random-id index written by many commits is
// then copied back once, and the stall comes eight times less often.
func dsns(path string) (write, read string, err error) {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return "", "", fmt.Errorf("path must name a file, got %q", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", "", err
	}
	// A file: URI so that '?' or '#' in the path cannot be read as
	// parameters.
	base := "file:" + (&url.URL{Path: filepath.ToSlash(abs)}).EscapedPath()
	common := []string{
		fmt.Sprintf("busy_timeout(%d)", busyTimeoutMS),
		"foreign_keys(1)",
		"synchronous(FULL)",
	}
	q := func(pragmas []string, extra string) string {
		v := url.Values{"_pragma": pragmas}
		return base + "?" + v.Encode() + extra
	}
	// temp_store(MEMORY) keeps statement journals (opened for inserts that
	// fire the outbox triggers) off the disk: they never outlive the
	// transaction, and a file costs a pwrite per page.
	write = q(slices.Concat(common, []string{"temp_store(2)", "page_size(8192)", "cache_size(-32768)", "wal_autocheckpoint(8192)", "journal_size_limit(67108864)"}),
		"&_journal_mode=WAL&_txlock=immediate")
	// Readers map the file and keep a small page cache: every audited read
	// changes the database, so each reader's next transaction resets its
	// cache; with the pages in the mapping the reset frees almost nothing.
	read = q(slices.Concat(common, []string{"query_only(1)", "cache_size(-256)", "mmap_size(4294967296)"}), "")
	return write, read, nil
}

// Ping reports whether the store answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.rdb.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: ping: %w", mapErr(err))
	}
	var one int
	if err := s.rdb.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("sqlite: ping: %w", mapErr(err))
	}
	return nil
}

// Close stops accepting writes, lets the writer finish the queued ones and
// closes the database. Calling it again does nothing.
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

	s.ws.close()
	var errs []error
	// The write connection last: closing the last connection checkpoints
	// the WAL into the database file.
	for _, db := range []*sql.DB{s.rdb, s.wdb} {
		if err := db.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sqlite: close: %w", err)
	}
	return nil
}

// highWater returns the last date added ever handed out.
func highWater(ctx context.Context, db *sql.DB) (int64, error) {
	var seq, top sql.NullInt64
	err := db.QueryRowContext(ctx, `SELECT (SELECT seq FROM sqlite_sequence WHERE name = 'objects'), (SELECT max(added) FROM objects)`).Scan(&seq, &top)
	if err != nil {
		return 0, fmt.Errorf("high water: %w", mapErr(err))
	}
	return max(seq.Int64, top.Int64), nil
}

// nextAdded returns a new date added: now in Unix microseconds, or one more
// than the last one if the clock has not moved on (or went back). Only the
// writer goroutine calls it.
func (s *Store) nextAdded() int64 {
	a := max(s.clock().UnixMicro(), s.lastAdded+1)
	s.lastAdded = a
	return a
}
