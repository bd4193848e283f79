package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"

	"github.com/jackc/pgx/v5"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// Job states: a job is queued until the writer takes it or its caller gives
// up, whichever comes first; the other side then leaves it alone.
const (
	jobQueued int32 = iota
	jobTaken
	jobAbandoned
)

// job is one write handed to the writer goroutine.
type job struct {
	weight int // objects, for bounding a group commit
	// fn does the write in w, on the writer goroutine. It may run more
	// than once (see commitBatch): it must have no effect outside w but
	// setting its results, and must not keep w.
	fn    func(ctx context.Context, w *wtx) error
	state atomic.Int32
	done  chan error // buffered: the writer never blocks answering
}

// wtx is a write transaction holding the write_state lock, with the
// counters it hands out. Jobs call nextAdded and nextAuditSeq, and
// insertAudit collects the leaf hashes of the entries it appends; the
// writer extends the audit tree by them and writes the counters and the
// tree back before committing.
type wtx struct {
	tx        pgx.Tx
	clock     func() int64 // now in Unix microseconds
	lastAdded int64
	auditSeq  int64
	// The audit tree as of the lock (size and compact range), and the
	// audit rows this transaction appends, in seq order after it.
	treeSize int64
	compact  []byte
	audit    auditRows
	leafBuf  []byte // scratch for leaf data
}

// counters is what a savepoint must restore of a wtx.
type counters struct {
	lastAdded, auditSeq int64
	leaves              int
}

func (w *wtx) save() counters { return counters{w.lastAdded, w.auditSeq, w.audit.len()} }
func (w *wtx) restore(c counters) {
	w.lastAdded, w.auditSeq = c.lastAdded, c.auditSeq
	w.audit.truncate(c.leaves)
}

// nextAdded returns a new date added: now in Unix microseconds, or one
// more than the last one if the clock has not moved on (or went back).
func (w *wtx) nextAdded() int64 {
	a := max(w.clock(), w.lastAdded+1)
	w.lastAdded = a
	return a
}

// nextAuditSeq returns the next audit_log sequence number.
func (w *wtx) nextAuditSeq() int64 {
	w.auditSeq++
	return w.auditSeq
}

// submit hands fn to the writer and waits for the outcome: nil once the
// transaction holding it has committed. If ctx ends while the job is still
// queued, the job is dropped and ctx's error returned; once the writer has
// taken it, submit waits for the outcome, so an error always means the
// write did not happen (or, if the connection broke during COMMIT, that
// its outcome is unknown: see DEPLOY.md).
func (s *Store) submit(ctx context.Context, weight int, fn func(ctx context.Context, w *wtx) error) error {
	j := &job{weight: max(weight, 1), fn: fn, done: make(chan error, 1)}
	s.closeMu.RLock()
	if s.closed {
		s.closeMu.RUnlock()
		return errClosed
	}
	select {
	case s.jobs <- j:
	case <-ctx.Done():
		s.closeMu.RUnlock()
		return ctx.Err()
	}
	s.closeMu.RUnlock()

	select {
	case err := <-j.done:
		return err
	case <-ctx.Done():
		if j.state.CompareAndSwap(jobQueued, jobAbandoned) {
			return ctx.Err()
		}
		return <-j.done
	}
}

// writer runs group commits until the jobs channel is closed and drained.
func (s *Store) writer() {
	defer close(s.writerDone)
	batch := make([]*job, 0, 64)
	for j := range s.jobs {
		batch = append(batch[:0], j)
		weight := j.weight
	fill:
		for weight < s.maxBatch {
			select {
			case j, ok := <-s.jobs:
				if !ok {
					break fill
				}
				batch = append(batch, j)
				weight += j.weight
			default:
				break fill
			}
		}
		// Writes run to completion once taken, whatever their callers do,
		// but not forever: a database that stops answering fails them.
		ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
		s.commitBatch(ctx, batch)
		cancel()
		clear(batch) // let answered jobs be collected
	}
}

// commitBatch runs the jobs of one group commit and answers each.
//
// Jobs first run one after the other in a plain transaction. Job errors are
// rare (business failures are statuses, not errors), and PostgreSQL aborts
// a transaction at its first failed statement, so when a job fails the
// transaction is rolled back, the failed job answered, and the others run
// again, each in its own savepoint this time. A job may therefore run more
// than once; only its last run counts.
//
// When the database becomes unavailable before COMMIT is sent (typically a
// pooled connection the server closed: a restart, a failover), nothing was
// committed and the whole batch runs once more on a fresh connection, so
// that a server coming back costs callers nothing. A failure during COMMIT
// is not retried: the outcome is unknown, and the callers are told.
func (s *Store) commitBatch(ctx context.Context, batch []*job) {
	var run []int // indexes of the jobs this batch runs
	for i, j := range batch {
		if j.state.CompareAndSwap(jobQueued, jobTaken) {
			run = append(run, i)
		}
	}
	if len(run) == 0 {
		return
	}
	errs := make([]error, len(batch))
	failed, committing, err := s.runJobs(ctx, batch, run, errs, false)
	if err != nil && !committing && kurultai.ErrorCode(err) == kurultai.CodeUnavailable && ctx.Err() == nil {
		s.log.Warn("postgres: group commit lost the database before committing; trying once more", "jobs", len(run), "err", err)
		clear(errs)
		failed, committing, err = s.runJobs(ctx, batch, run, errs, false)
	}
	if err == nil && failed >= 0 {
		run = slices.DeleteFunc(run, func(i int) bool { return i == failed })
		_, _, err = s.runJobs(ctx, batch, run, errs, true)
	}
	if err != nil {
		s.log.Error("postgres: group commit failed", "jobs", len(run), "committing", committing, "err", err)
		for _, i := range run {
			if errs[i] == nil || kurultai.ErrorCode(errs[i]) == kurultai.CodeUnavailable {
				errs[i] = err
			}
		}
	}
	for i, j := range batch {
		if j.state.Load() == jobTaken {
			j.done <- errs[i]
		}
	}
}

// runJobs runs the jobs run of batch in one transaction and commits it,
// recording each job's error in errs. Without savepoints it stops at the
// first job that fails, rolls back and returns that job's index; with
// savepoints a failing job rolls back only itself and the others commit.
// The error is the transaction's own, which every job shares; a job error
// saying the database is unavailable is one too (the connection is likely
// gone). committing reports that the error came from COMMIT itself.
func (s *Store) runJobs(ctx context.Context, batch []*job, run []int, errs []error, savepoints bool) (failed int, committing bool, err error) {
	failed, err = s.runJobsTx(ctx, batch, run, errs, savepoints)
	var ce commitError
	if errors.As(err, &ce) {
		return -1, true, ce.err
	}
	return failed, false, err
}

// sqlLockState locks write_state and reads it with the audit tree. Both
// rows are locked, though only write transactions holding write_state
// change audit_tree: a statement that waited for a lock re-reads the rows
// it locked, and only those, so locking both is how it reads the tree as
// the previous holder left it.
const sqlLockState = `SELECT w.last_added, w.audit_seq, t.size, t.compact
	FROM write_state w CROSS JOIN audit_tree t FOR UPDATE`

// writeState inserts the transaction's audit rows, extends the audit tree
// by their leaves and writes it back with the counters, in one statement.
// The tree is extended in memory from the state read under the lock: no
// other process can have changed it since.
func (s *Store) writeState(ctx context.Context, w *wtx, start counters) error {
	a := &w.audit
	if a.len() == 0 {
		if w.save() == start {
			return nil
		}
		_, err := w.tx.Exec(ctx, `UPDATE write_state SET last_added = $1, audit_seq = $2`, w.lastAdded, w.auditSeq)
		if err != nil {
			return fmt.Errorf("postgres: write state: %w", mapErr(err))
		}
		return nil
	}
	g, err := growTree(w.treeSize, w.compact, start.auditSeq, a.leaves)
	if err != nil {
		return unavailableAudit(fmt.Errorf("postgres: audit tree: %w", err))
	}
	_, err = w.tx.Exec(ctx, sqlWriteState, a.seqs, a.times, a.text[0], a.text[1], a.text[2], a.text[3], a.text[4], a.text[5], a.text[6], a.leaves,
		g.ids, g.hashes, g.size, g.root, g.compact, w.lastAdded, w.auditSeq)
	if err != nil {
		return unavailableAudit(fmt.Errorf("postgres: audit tree: %w", mapErr(err)))
	}
	return nil
}

// sqlWriteState stores the audit rows, the new interior nodes, the tree
// head and the counters.
const sqlWriteState = `WITH a AS (INSERT INTO audit_log (seq, time, username, participant, action, objects, query, decision, detail, leaf)
		SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::bytea[])),
	n AS (INSERT INTO audit_nodes (id, hash) SELECT * FROM unnest($11::bigint[], $12::bytea[])),
	t AS (UPDATE audit_tree SET size = $13, root = $14, compact = $15)
	UPDATE write_state SET last_added = $16, audit_seq = $17`

// commitError marks an error of COMMIT.
type commitError struct{ err error }

func (e commitError) Error() string { return e.err.Error() }

func (s *Store) runJobsTx(ctx context.Context, batch []*job, run []int, errs []error, savepoints bool) (failed int, err error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return -1, fmt.Errorf("postgres: begin: %w", mapErr(err))
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	w := &wtx{tx: tx, clock: func() int64 { return s.clock().UnixMicro() }}
	err = tx.QueryRow(ctx, sqlLockState).Scan(&w.lastAdded, &w.auditSeq, &w.treeSize, &w.compact)
	if err != nil {
		return -1, fmt.Errorf("postgres: lock write state: %w", mapErr(err))
	}
	start := w.save()
	exec := func(stmt string) error {
		if _, err := tx.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("postgres: %s: %w", stmt, mapErr(err))
		}
		return nil
	}
	for _, i := range run {
		if !savepoints {
			if errs[i] = batch[i].fn(ctx, w); errs[i] != nil {
				if kurultai.ErrorCode(errs[i]) == kurultai.CodeUnavailable {
					return -1, errs[i]
				}
				return i, nil
			}
			continue
		}
		if err := exec("SAVEPOINT job"); err != nil {
			return -1, err
		}
		before := w.save()
		if errs[i] = batch[i].fn(ctx, w); errs[i] != nil {
			if err := exec("ROLLBACK TO SAVEPOINT job"); err != nil {
				return -1, err
			}
			w.restore(before) // audit seqs stay gapless
		}
		if err := exec("RELEASE SAVEPOINT job"); err != nil {
			return -1, err
		}
	}
	if err := s.writeState(ctx, w, start); err != nil {
		return -1, err
	}
	if err := tx.Commit(ctx); err != nil {
		return -1, commitError{fmt.Errorf("postgres: commit: %w", mapErr(err))}
	}
	return -1, nil
}
