package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
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
	// fn does the write in tx, on the writer goroutine. It may run more
	// than once (see commitBatch): it must have no effect outside tx but
	// setting its results, and must not keep tx.
	fn    func(ctx context.Context, tx *sql.Tx) error
	state atomic.Int32
	done  chan error // buffered: the writer never blocks answering
}

// submit hands fn to the writer and waits for the outcome: nil once the
// transaction holding it has committed. If ctx ends while the job is still
// queued, the job is dropped and ctx's error returned; once the writer has
// taken it, submit waits for the commit, so an error always means the write
// did not happen.
func (s *Store) submit(ctx context.Context, weight int, fn func(ctx context.Context, tx *sql.Tx) error) error {
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
	// Writes run to completion once taken, whatever their callers do: the
	// context only has to outlive the writer.
	ctx := context.Background()
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
		s.commitBatch(ctx, batch)
		clear(batch) // let answered jobs be collected
	}
}

// commitBatch runs the jobs of one group commit and answers each.
//
// Jobs first run one after the other in a plain transaction: a savepoint
// per job would copy every page a job touches into the statement journal,
// which costs more than the inserts of a small job. Job errors are rare
// (business failures are statuses, not errors), so when one fails the
// transaction is rolled back, the failed job answered, and the others run
// again, each in its own savepoint this time. A job may therefore run more
// than once; only its last run counts.
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
	failed, err := s.runJobs(ctx, batch, run, errs, false)
	if err == nil && failed >= 0 {
		run = slices.DeleteFunc(run, func(i int) bool { return i == failed })
		_, err = s.runJobs(ctx, batch, run, errs, true)
	}
	if err != nil {
		s.log.Error("sqlite: group commit failed", "jobs", len(run), "err", err)
		for _, i := range run {
			if errs[i] == nil {
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
// The error is the transaction's own, which every job shares.
func (s *Store) runJobs(ctx context.Context, batch []*job, run []int, errs []error, savepoints bool) (failed int, err error) {
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return -1, fmt.Errorf("sqlite: begin: %w", mapErr(err))
	}
	defer tx.Rollback()
	s.pendingLeaves = s.pendingLeaves[:0]
	exec := func(stmt string) error {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("sqlite: %s: %w", strings.ToLower(stmt), mapErr(err))
		}
		return nil
	}
	for _, i := range run {
		if !savepoints {
			if errs[i] = batch[i].fn(ctx, tx); errs[i] != nil {
				return i, nil
			}
			continue
		}
		if err := exec("SAVEPOINT job"); err != nil {
			return -1, err
		}
		leaves := len(s.pendingLeaves)
		if errs[i] = batch[i].fn(ctx, tx); errs[i] != nil {
			s.pendingLeaves = s.pendingLeaves[:leaves] // its entries roll back too
			if err := exec("ROLLBACK TO job"); err != nil {
				return -1, err
			}
		}
		if err := exec("RELEASE job"); err != nil {
			return -1, err
		}
	}
	tree, err := s.extendTree(ctx, tx)
	if err != nil {
		return -1, err
	}
	if err := tx.Commit(); err != nil {
		return -1, fmt.Errorf("sqlite: commit: %w", mapErr(err))
	}
	s.tree = tree
	return -1, nil
}
