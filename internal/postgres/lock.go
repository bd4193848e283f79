package postgres

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// Cross-process locks (kurultai.KeyLocker).
//
// A key lock is a session-level advisory lock held on a connection taken
// from the pool and pinned until the unlock: every process sharing the
// database contends for it, and the server drops it by itself when the
// session ends (the process dies or its connection breaks), so a crashed
// holder never leaves a key locked.
//
// The lock is the two-key form pg_advisory_lock(int4, int4), whose key
// space does not overlap the one-key form of the migration lock. The first
// key is lockSpace; the second is the hash of the connection's schema and
// the key, so that deployments (or tests) in separate schemas of one
// database never contend. Two keys whose hashes collide only serialize
// each other. The wait is bounded by lockTimeout, as the write lock's is:
// a key held longer gives CodeUnavailable.
//
// A holder that must know it still holds its key (a leader) takes it with
// TryLockKeyChecked, whose held function asks the pinned session whether
// it holds the lock: it fails once the session has died (PostgreSQL
// restarted, the backend was terminated, the link broke), by which time
// another process may hold the key.
//
// Each held lock pins a connection: a caller holding many at once must
// bound them well below the pool size, or the writer waits for a
// connection that the holders keep while they wait for the writer.

// lockSpace is the first key of every key lock ("ku").
const lockSpace int32 = 0x6b75

// unlockTimeout bounds the unlock of a key.
const unlockTimeout = 10 * time.Second

// lockPollMax is the longest pause between two tries of a held key.
const lockPollMax = 50 * time.Millisecond

const (
	sqlTryLockKey = `SELECT pg_try_advisory_lock($1::int4, hashtext(current_schema() || ':' || $2::text))`
	sqlUnlockKey  = `SELECT pg_advisory_unlock($1::int4, hashtext(current_schema() || ':' || $2::text))`
	// sqlHeldKey reports whether this session holds the key's lock. The
	// two-key form shows in pg_locks as classid, objid and objsubid 2.
	sqlHeldKey = `SELECT EXISTS (SELECT 1 FROM pg_locks
		WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted AND objsubid = 2
		AND classid = $1::int4::oid
		AND objid = (hashtext(current_schema() || ':' || $2::text)::bigint & 4294967295)::oid)`
)

var _ kurultai.KeyLocker = (*Store)(nil)

// LockKey implements kurultai.KeyLocker: it waits for the advisory lock of
// key until ctx ends or lockTimeout passes (then CodeUnavailable). A waiter
// holds no connection: it tries the lock again and again, backing off
// from a millisecond to lockPollMax, so that waiters never take the
// connections the holder needs to finish. The lock is not re-entrant.
func (s *Store) LockKey(ctx context.Context, key string) (func(), error) {
	deadline := time.Now().Add(lockTimeout)
	wait := time.Millisecond
	for {
		unlock, ok, err := s.TryLockKey(ctx, key)
		if err != nil || ok {
			return unlock, err
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("postgres: lock %q: %w", key,
				kurultai.Errorf(kurultai.CodeUnavailable, "database busy: another process held the lock for %s", lockTimeout))
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("postgres: lock %q: %w", key, ctx.Err())
		case <-t.C:
		}
		wait = min(2*wait, lockPollMax)
	}
}

// TryLockKey implements kurultai.KeyLocker: it takes the advisory lock of
// key if no session holds it.
func (s *Store) TryLockKey(ctx context.Context, key string) (func(), bool, error) {
	unlock, _, ok, err := s.TryLockKeyChecked(ctx, key)
	return unlock, ok, err
}

// TryLockKeyChecked is TryLockKey that also returns held, which checks
// with the server that the lock is still this process's: nil while it is,
// an error once the pinned session died or the lock was released (another
// process may then hold it), or when the check itself fails (ctx ended,
// the server does not answer), after which the lock must be taken as lost.
// A holder that acts on the lock's behalf for long (a leader) calls held
// before each action and gives the lock up when it fails. held and unlock
// may be called from any goroutine; unlock must still be called.
func (s *Store) TryLockKeyChecked(ctx context.Context, key string) (unlock func(), held func(context.Context) error, ok bool, err error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, nil, false, fmt.Errorf("postgres: try lock %q: %w", key, mapErr(err))
	}
	if err := conn.QueryRow(ctx, sqlTryLockKey, lockSpace, key).Scan(&ok); err != nil {
		discard(conn)
		return nil, nil, false, fmt.Errorf("postgres: try lock %q: %w", key, mapErr(err))
	}
	if !ok {
		conn.Release()
		return nil, nil, false, nil
	}
	l := &keyLock{s: s, conn: conn, key: key}
	return l.unlock, l.held, true, nil
}

// keyLock is a key lock held on its pinned connection.
type keyLock struct {
	s    *Store
	key  string
	mu   sync.Mutex    // serializes the use of conn: a pgx connection is not concurrent
	conn *pgxpool.Conn // nil once released
}

// held implements the check of TryLockKeyChecked.
func (l *keyLock) held(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn == nil {
		return fmt.Errorf("postgres: lock %q: released", l.key)
	}
	var held bool
	if err := l.conn.QueryRow(ctx, sqlHeldKey, lockSpace, l.key).Scan(&held); err != nil {
		return fmt.Errorf("postgres: lock %q: cannot tell whether it is still held: %w", l.key, mapErr(err))
	}
	if !held {
		return fmt.Errorf("postgres: lock %q: %w", l.key,
			kurultai.Errorf(kurultai.CodeUnavailable, "lock lost: this session no longer holds it"))
	}
	return nil
}

// unlock releases the lock and gives the connection back to the pool;
// calling it again does nothing.
func (l *keyLock) unlock() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn == nil {
		return
	}
	conn := l.conn
	l.conn = nil
	ctx, cancel := context.WithTimeout(context.Background(), unlockTimeout)
	defer cancel()
	var released bool
	err := conn.QueryRow(ctx, sqlUnlockKey, lockSpace, l.key).Scan(&released)
	if err != nil || !released {
		// The session is gone (and the lock with it) or in an unknown
		// state: end it rather than reuse it.
		l.s.log.Warn("postgres: key lock not released cleanly; closing its connection", "key", l.key, "err", err)
		discard(conn)
		return
	}
	conn.Release()
}

// discard closes conn's session, which drops every advisory lock it
// holds, and returns it to the pool, which then destroys it.
func discard(conn *pgxpool.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), unlockTimeout)
	defer cancel()
	conn.Conn().Close(ctx)
	conn.Release()
}
