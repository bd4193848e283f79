package postgres

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestKeyLockAcrossStores: two stores on one schema are two processes; a
// key one holds is refused to the other until it is released.
func TestKeyLockAcrossStores(t *testing.T) {
	url := freshSchema(t)
	a, b := openURL(t, url, Options{}), openURL(t, url, Options{})
	ctx := context.Background()

	unlock, err := a.LockKey(ctx, "situation--1")
	if err != nil {
		t.Fatalf("a.LockKey: %v", err)
	}
	if _, ok, err := b.TryLockKey(ctx, "situation--1"); err != nil || ok {
		t.Fatalf("b.TryLockKey while a holds it = %v, %v; want false, nil", ok, err)
	}
	if u, ok, err := b.TryLockKey(ctx, "situation--2"); err != nil || !ok {
		t.Fatalf("b.TryLockKey of another key = %v, %v; want true, nil", ok, err)
	} else {
		u()
	}
	wctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	_, err = b.LockKey(wctx, "situation--1")
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("b.LockKey while a holds it, until a deadline = %v; want the deadline", err)
	}

	got := make(chan error, 1)
	go func() {
		u, err := b.LockKey(ctx, "situation--1")
		if err == nil {
			u()
		}
		got <- err
	}()
	select {
	case err := <-got:
		t.Fatalf("b.LockKey returned before a unlocked: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	unlock()
	unlock() // a second call does nothing
	if err := <-got; err != nil {
		t.Fatalf("b.LockKey after a unlocked: %v", err)
	}
}

// TestKeyLockSchemas: the same key in two schemas of one database are two
// locks.
func TestKeyLockSchemas(t *testing.T) {
	a, b := openTest(t), openTest(t)
	ctx := context.Background()
	unlock, err := a.LockKey(ctx, "crisis-clock")
	if err != nil {
		t.Fatalf("LockKey: %v", err)
	}
	defer unlock()
	u, ok, err := b.TryLockKey(ctx, "crisis-clock")
	if err != nil || !ok {
		t.Fatalf("TryLockKey in another schema = %v, %v; want true, nil", ok, err)
	}
	u()
}

// TestKeyLockExclusion: goroutines of two stores never hold a key together.
func TestKeyLockExclusion(t *testing.T) {
	url := freshSchema(t)
	stores := []*Store{openURL(t, url, Options{}), openURL(t, url, Options{})}
	var inside, most, done atomic.Int32
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 16 {
		wg.Go(func() {
			unlock, err := stores[i%2].LockKey(context.Background(), "k")
			if err != nil {
				errs <- err
				return
			}
			n := inside.Add(1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			// Give another holder the chance to overlap, if it could.
			if err := stores[i%2].Ping(context.Background()); err != nil {
				errs <- err
			}
			inside.Add(-1)
			done.Add(1)
			unlock()
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("lock: %v", err)
	}
	if most.Load() != 1 || done.Load() != 16 {
		t.Errorf("%d holders at once (want 1), %d of 16 done", most.Load(), done.Load())
	}
}

// TestKeyLockDeadSession: when the holder's session dies, the server drops
// its lock, and its unlock does not fail or poison the pool.
func TestKeyLockDeadSession(t *testing.T) {
	url := freshSchema(t)
	a, b := openURL(t, url, Options{}), openURL(t, url, Options{})
	ctx := context.Background()
	unlock, err := a.LockKey(ctx, "k")
	if err != nil {
		t.Fatalf("LockKey: %v", err)
	}
	admin := adminConn(t, url)
	defer admin.Close(ctx)
	var killed int
	err = admin.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_locks
		WHERE locktype = 'advisory' AND classid = $1 AND objsubid = 2 AND granted
		AND objid = (hashtext(current_schema() || ':k')::bigint & 4294967295)::oid`, int64(lockSpace)).Scan(&killed)
	if err != nil || killed != 1 {
		t.Fatalf("terminate the holder: %d sessions, %v", killed, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		u, ok, err := b.TryLockKey(ctx, "k")
		if err != nil {
			t.Fatalf("TryLockKey: %v", err)
		}
		if ok {
			u()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the lock of a terminated session was not dropped")
		}
		time.Sleep(10 * time.Millisecond) // polling the server, with a deadline
	}
	unlock() // the session is gone: logged, the connection destroyed
	if u, err := a.LockKey(ctx, "k"); err != nil {
		t.Fatalf("LockKey after a dead session: %v", err)
	} else {
		u()
	}
}

// TestKeyLockChecked: held reports the lock held until its session is
// terminated, then fails, while another process takes the key; after the
// unlock it fails too.
func TestKeyLockChecked(t *testing.T) {
	url := freshSchema(t)
	a, b := openURL(t, url, Options{}), openURL(t, url, Options{})
	ctx := context.Background()
	// Keys whose hashes are of either sign.
	for _, key := range []string{"crisis.clock", "k", "situation--1"} {
		unlock, held, ok, err := a.TryLockKeyChecked(ctx, key)
		if err != nil || !ok {
			t.Fatalf("TryLockKeyChecked(%q) = %v, %v", key, ok, err)
		}
		if err := held(ctx); err != nil {
			t.Errorf("held(%q) while held: %v", key, err)
		}
		unlock()
		if err := held(ctx); err == nil {
			t.Errorf("held(%q) after unlock = nil", key)
		}
	}

	unlock, held, ok, err := a.TryLockKeyChecked(ctx, "k")
	if err != nil || !ok {
		t.Fatalf("TryLockKeyChecked = %v, %v", ok, err)
	}
	defer unlock()
	if _, ok, _ := b.TryLockKey(ctx, "k"); ok {
		t.Fatal("b took the key a holds")
	}
	admin := adminConn(t, url)
	defer admin.Close(ctx)
	var killed int
	err = admin.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_locks
		WHERE locktype = 'advisory' AND classid = $1 AND objsubid = 2 AND granted
		AND objid = (hashtext(current_schema() || ':k')::bigint & 4294967295)::oid`, int64(lockSpace)).Scan(&killed)
	if err != nil || killed != 1 {
		t.Fatalf("terminate the holder: %d sessions, %v", killed, err)
	}
	hctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := held(hctx); err == nil {
		t.Fatal("held after the session was terminated = nil")
	} else {
		t.Logf("held after termination: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		u, ok, err := b.TryLockKey(ctx, "k")
		if err != nil {
			t.Fatalf("b.TryLockKey: %v", err)
		}
		if ok {
			u()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the lock of a terminated session was not dropped")
		}
		time.Sleep(10 * time.Millisecond) // polling the server, with a deadline
	}
}
