package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// blockWriter hands the writer a job that waits until the returned release
// is called, and returns once the writer is inside it.
func blockWriter(t *testing.T, s *Store) (release func()) {
	t.Helper()
	started, gate := make(chan struct{}), make(chan struct{})
	go s.submit(context.Background(), 1, func(context.Context, *sql.Tx) error {
		close(started)
		<-gate
		return nil
	})
	<-started
	var once sync.Once
	release = func() { once.Do(func() { close(gate) }) }
	t.Cleanup(release)
	return release
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		runtime.Gosched()
	}
}

func auditCount(t *testing.T, s *Store) int {
	t.Helper()
	var n int
	if err := s.rdb.QueryRowContext(context.Background(), `SELECT count(*) FROM audit_log`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func entry(i int) kurultai.AuditEntry {
	return kurultai.AuditEntry{Time: time.Now(), Username: fmt.Sprint("u", i), Participant: "KZ", Action: kurultai.ActionLogin, Decision: kurultai.DecisionAllow}
}

// TestGroupCommit queues many jobs while the writer is busy: they are all
// committed together, and a failing one takes only itself back.
func TestGroupCommit(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	// Every job of one group commit sees the same transaction.
	release := blockWriter(t, s)
	const n = 50
	txs := make([]*sql.Tx, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			errs[i] = s.submit(ctx, 1, func(ctx context.Context, tx *sql.Tx) error {
				txs[i] = tx
				if err := s.insertAudit(ctx, tx, []kurultai.AuditEntry{entry(i)}); err != nil {
					return err
				}
				if i%10 == 3 {
					return errors.New("job fails after writing")
				}
				return nil
			})
		})
	}
	waitFor(t, "queued jobs", func() bool { return len(s.jobs) == n })
	release()
	wg.Wait()
	for i, err := range errs {
		if (i%10 == 3) != (err != nil) {
			t.Errorf("job %d: %v", i, err)
		}
		if err == nil && txs[i] != txs[0] {
			t.Errorf("job %d committed in another transaction: not one group commit", i)
		}
	}
	if got, want := auditCount(t, s), n-n/10; got != want {
		t.Errorf("%d audit entries committed, want %d (failed jobs rolled back alone)", got, want)
	}
}

// TestGroupCommitBound splits a queue larger than maxBatch objects.
func TestGroupCommitBound(t *testing.T) {
	s := openTest(t)
	s.maxBatch = 10
	ctx := context.Background()
	release := blockWriter(t, s)
	const n = 30
	txs := make(chan *sql.Tx, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			err := s.submit(ctx, 1, func(ctx context.Context, tx *sql.Tx) error { txs <- tx; return nil })
			if err != nil {
				t.Error(err)
			}
		})
	}
	waitFor(t, "queued jobs", func() bool { return len(s.jobs) == n })
	release()
	wg.Wait()
	close(txs)
	distinct := map[*sql.Tx]int{}
	for tx := range txs {
		distinct[tx]++
	}
	if len(distinct) != 3 {
		t.Errorf("%d transactions for %d jobs of weight 1 with maxBatch 10, want 3", len(distinct), n)
	}
	for _, k := range distinct {
		if k > 10 {
			t.Errorf("a transaction ran %d jobs, more than maxBatch", k)
		}
	}
}

// TestAbandonedJob: a job whose caller gives up while it is queued never
// runs, and the caller gets its context's error.
func TestAbandonedJob(t *testing.T) {
	s := openTest(t)
	release := blockWriter(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	ran := atomic.Bool{}
	done := make(chan error, 1)
	go func() {
		done <- s.submit(ctx, 1, func(context.Context, *sql.Tx) error { ran.Store(true); return nil })
	}()
	waitFor(t, "queued job", func() bool { return len(s.jobs) == 1 })
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("abandoned submit returned %v, want context.Canceled", err)
	}
	release()
	// A later job runs: the abandoned one was skipped, not wedged.
	if err := s.AppendAudit(context.Background(), entry(1)); err != nil {
		t.Fatal(err)
	}
	if ran.Load() {
		t.Error("the abandoned job ran")
	}
}

// TestCloseDrains: Close lets queued writes finish, then refuses new ones.
func TestCloseDrains(t *testing.T) {
	s, err := Open(context.Background(), t.TempDir()+"/k.db", Options{})
	if err != nil {
		t.Fatal(err)
	}
	release := blockWriter(t, s)
	const n = 20
	errs := make(chan error, n)
	for i := range n {
		go func() { errs <- s.AppendAudit(context.Background(), entry(i)) }()
	}
	waitFor(t, "queued jobs", func() bool { return len(s.jobs) == n })
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	waitFor(t, "close to start", func() bool {
		if !s.closeMu.TryRLock() {
			return true // Close holds or waits for the lock
		}
		defer s.closeMu.RUnlock()
		return s.closed
	})
	release()
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("queued write failed: %v", err)
		}
	}
	if err := <-closed; err != nil {
		t.Fatalf("Close: %v", err)
	}
	err = s.AppendAudit(context.Background(), entry(0))
	if kurultai.ErrorCode(err) != kurultai.CodeUnavailable {
		t.Errorf("write after Close: %v, want CodeUnavailable", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	// The entries are in the file.
	s2, err := Open(context.Background(), s.path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if got := auditCount(t, s2); got != n {
		t.Errorf("%d entries after re-open, want %d", got, n)
	}
}

func TestPragmas(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	want := map[string]string{
		"journal_mode": "wal",
		"synchronous":  "2", // FULL
		"foreign_keys": "1",
		"busy_timeout": "10000",
		"page_size":    "8192",
	}
	check := func(name string, q interface {
		QueryRowContext(context.Context, string, ...any) *sql.Row
	}, extra map[string]string) {
		for p, w := range extra {
			var got string
			if err := q.QueryRowContext(ctx, "PRAGMA "+p).Scan(&got); err != nil {
				t.Fatalf("%s: PRAGMA %s: %v", name, p, err)
			}
			if got != w {
				t.Errorf("%s: PRAGMA %s = %s, want %s", name, p, got, w)
			}
		}
	}
	err := s.submit(ctx, 1, func(ctx context.Context, tx *sql.Tx) error {
		check("writer", tx, want)
		check("writer", tx, map[string]string{"query_only": "0", "wal_autocheckpoint": "8192"})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Every reader connection, not just one.
	conns := make([]*sql.Conn, 3)
	for i := range conns {
		c, err := s.rdb.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns[i] = c
		check(fmt.Sprint("reader ", i), c, want)
		check(fmt.Sprint("reader ", i), c, map[string]string{"query_only": "1"})
	}
	if _, err := conns[0].ExecContext(ctx, `DELETE FROM participants`); err == nil {
		t.Error("a reader connection could write")
	}
}

// TestRerunAfterFailedJob: writes that share a group commit with a failing
// job run again and report what was finally stored.
func TestRerunAfterFailedJob(t *testing.T) {
	s := openTest(t)
	benchSetup(t, s)
	ctx := context.Background()
	release := blockWriter(t, s)
	a, b := benchWrite(0, 5), benchWrite(5, 5)
	var wg sync.WaitGroup
	var errA, errB, errFail error
	wg.Go(func() { _, errA = s.AddObjects(ctx, a) })
	waitFor(t, "first write queued", func() bool { return len(s.jobs) == 1 })
	wg.Go(func() {
		errFail = s.submit(ctx, 1, func(context.Context, *sql.Tx) error { return errors.New("boom") })
	})
	waitFor(t, "failing job queued", func() bool { return len(s.jobs) == 2 })
	wg.Go(func() { _, errB = s.AddObjects(ctx, b) })
	waitFor(t, "second write queued", func() bool { return len(s.jobs) == 3 })
	release()
	wg.Wait()
	if errA != nil || errB != nil || errFail == nil {
		t.Fatalf("errors: a %v, b %v, failing job %v", errA, errB, errFail)
	}
	p, err := s.ListObjects(ctx, kurultai.Query{Collection: benchColl, Types: []string{"indicator"}, Limit: 100}, func(*kurultai.ObjectVersion) bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	want := append(slices.Clone(a.Objects), b.Objects...)
	if len(p.Items) != len(want) {
		t.Fatalf("%d versions stored, want %d", len(p.Items), len(want))
	}
	for i, got := range p.Items {
		if got.ID != want[i].ID || !got.DateAdded.Equal(want[i].DateAdded) {
			t.Errorf("stored %s added %v; the write reported %s added %v", got.ID, got.DateAdded, want[i].ID, want[i].DateAdded)
		}
	}
	for _, w := range []kurultai.Write{a, b} {
		st, err := s.Status(ctx, w.StatusID)
		if err != nil || len(st.Successes) != 5 {
			t.Errorf("status %s: %+v, %v", w.StatusID, st, err)
		}
	}
}
