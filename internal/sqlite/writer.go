package sqlite

import (
	"context"
	"database/sql"
	"fmt"
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
	// fn does the write inside the job's savepoint. It runs on the writer
	// goroutine and must not keep tx.
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
func (s *Store) commitBatch(ctx context.Context, batch []*job) {
	errs := make([]error, len(batch))
	taken := make([]bool, len(batch))
	anyTaken := false
	for i, j := range batch {
		taken[i] = j.state.CompareAndSwap(jobQueued, jobTaken)
		anyTaken = anyTaken || taken[i]
	}
	answer := func() {
		for i, j := range batch {
			if taken[i] {
				j.done <- errs[i]
			}
		}
	}
	if !anyTaken {
		return
	}
	fail := func(err error) {
		s.log.Error("sqlite: group commit failed", "jobs", len(batch), "err", err)
		for i := range errs {
			if errs[i] == nil {
				errs[i] = err
			}
		}
		answer()
	}
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		fail(fmt.Errorf("sqlite: begin: %w", mapErr(err)))
		return
	}
	defer tx.Rollback()
	for i, j := range batch {
		if !taken[i] {
			continue
		}
		if _, err := tx.ExecContext(ctx, "SAVEPOINT job"); err != nil {
			fail(fmt.Errorf("sqlite: savepoint: %w", mapErr(err)))
			return
		}
		if errs[i] = j.fn(ctx, tx); errs[i] != nil {
			if _, err := tx.ExecContext(ctx, "ROLLBACK TO job"); err != nil {
				fail(fmt.Errorf("sqlite: rollback to savepoint: %w", mapErr(err)))
				return
			}
		}
		if _, err := tx.ExecContext(ctx, "RELEASE job"); err != nil {
			fail(fmt.Errorf("sqlite: release savepoint: %w", mapErr(err)))
			return
		}
	}
	if err := tx.Commit(); err != nil {
		fail(fmt.Errorf("sqlite: commit: %w", mapErr(err)))
		return
	}
	answer()
}
