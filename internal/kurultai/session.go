package kurultai

import (
	"context"
	"time"
)

// SessionHashSize is the length of WebSession.Hash: a SHA-256.
const SessionHashSize = 32

// WebSession is a signed-in browser as a store keeps it, so that every
// process of a node knows it. The store never sees the session id, only
// its SHA-256: whoever reads the database cannot sign in with what they
// read.
type WebSession struct {
	Hash      []byte // SHA-256 of the session id
	Principal Principal
	Created   time.Time
	LastSeen  time.Time // the last activity some process recorded
}

// SessionStore is implemented by stores that keep web sessions, so that
// several processes behind one address share them (both the SQLite and
// the PostgreSQL store do). The web pages keep sessions in memory when
// the store does not implement it.
type SessionStore interface {
	// CreateSession stores a new session. A hash that is not 32 bytes or
	// a principal without a user is CodeInvalid; a hash already stored
	// CodeConflict.
	CreateSession(ctx context.Context, s WebSession) error
	// SessionByHash returns the session with the hash, or CodeNotFound.
	SessionByHash(ctx context.Context, hash []byte) (WebSession, error)
	// TouchSession records activity at seen; the stored time never goes
	// back. CodeNotFound if there is no such session.
	TouchSession(ctx context.Context, hash []byte, seen time.Time) error
	// DeleteSession deletes the session with the hash; deleting one that
	// is not there is not an error (a sign-out may be repeated).
	DeleteSession(ctx context.Context, hash []byte) error
	// DeleteExpiredSessions deletes the sessions last seen before
	// idleBefore or created before createdBefore, and returns how many.
	DeleteExpiredSessions(ctx context.Context, idleBefore, createdBefore time.Time) (int64, error)
}
