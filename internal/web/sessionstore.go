package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"sync"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// Sessions shared through the store: a process rereads a session's row
// when its copy is older than cacheFor, so that a sign-out or an expiry
// through another process takes effect here within that time; it records
// activity in the row at most every touchEvery, not on every request; and
// it deletes expired rows at most every sweepEvery.
const (
	cacheFor   = 3 * time.Second
	touchEvery = time.Minute
	sweepEvery = 10 * time.Minute
)

type sessionState int

const (
	sessionNone sessionState = iota
	sessionLive
	sessionExpired // a tombstone: known, but no longer signed in
)

// sessionStore finds sessions by id. With a store that keeps them
// (shared), the store is the truth every process reads, and m is this
// process's copies; without, m is every session there is.
type sessionStore struct {
	idle, maxAge time.Duration
	shared       kurultai.SessionStore // nil: sessions live in this process only
	log          *slog.Logger

	mu    sync.Mutex // guards m, puts and swept
	m     map[string]*session
	puts  int
	swept time.Time // the last sweep of the shared store
}

func newSessionStore(idle, maxAge time.Duration, shared kurultai.SessionStore, log *slog.Logger) *sessionStore {
	return &sessionStore{idle: idle, maxAge: maxAge, shared: shared, log: log, m: map[string]*session{}}
}

// sessionsUnavailable is the error of a store that cannot answer about
// sessions: the pages answer 503.
func sessionsUnavailable(err error) error {
	return &kurultai.Error{Code: kurultai.CodeUnavailable, Message: "sessions are unavailable; try again shortly", Err: err}
}

// randomToken returns 256 random bits, base64url.
func randomToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// validID reports whether id could be one randomToken made, so that
// anything else is refused without asking the store.
func validID(id string) bool {
	if len(id) != 43 {
		return false
	}
	for i := range len(id) {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// create starts a session for p, storing it first when sessions are
// shared.
func (st *sessionStore) create(ctx context.Context, p kurultai.Principal, now time.Time) (*session, error) {
	s := newSession(randomToken(), p, now)
	s.lastUser, s.fetched = now, now
	if st.shared != nil {
		err := st.shared.CreateSession(ctx, kurultai.WebSession{Hash: s.hash, Principal: p, Created: now, LastSeen: now})
		if err != nil {
			return nil, sessionsUnavailable(err)
		}
		st.sweepShared(ctx, now)
	}
	st.put(s, now)
	return s, nil
}

// put keeps s in memory.
func (st *sessionStore) put(s *session, now time.Time) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.puts++
	if st.puts%256 == 0 || len(st.m) >= maxSessions {
		st.sweep(now)
	}
	st.m[s.id] = s
}

// sweepShared deletes the rows past their tombstone time, at most every
// sweepEvery; a failure is logged (the next sweep tries again).
func (st *sessionStore) sweepShared(ctx context.Context, now time.Time) {
	st.mu.Lock()
	due := now.Sub(st.swept) >= sweepEvery || now.Before(st.swept)
	if due {
		st.swept = now
	}
	st.mu.Unlock()
	if !due {
		return
	}
	n, err := st.shared.DeleteExpiredSessions(ctx, now.Add(-st.idle-tombstoneFor), now.Add(-st.maxAge-tombstoneFor))
	if err != nil {
		st.log.WarnContext(ctx, "web: delete expired sessions", "err", err)
		return
	}
	if n > 0 {
		st.log.DebugContext(ctx, "web: deleted expired sessions", "count", n)
	}
}

// sweep drops sessions past their tombstone time; with the store still
// full, the least recently seen. The caller holds mu.
func (st *sessionStore) sweep(now time.Time) {
	var oldest *session
	var oldestSeen time.Time
	for id, s := range st.m {
		s.mu.Lock()
		seen := s.lastSeen
		s.mu.Unlock()
		if st.deadline(s, seen).Add(tombstoneFor).Before(now) {
			delete(st.m, id)
			continue
		}
		if oldest == nil || seen.Before(oldestSeen) {
			oldest, oldestSeen = s, seen
		}
	}
	if len(st.m) >= maxSessions && oldest != nil {
		delete(st.m, oldest.id)
	}
}

// deadline is when a session seen last at seen expires.
func (st *sessionStore) deadline(s *session, seen time.Time) time.Time {
	d := seen.Add(st.idle)
	if hard := s.created.Add(st.maxAge); hard.Before(d) {
		d = hard
	}
	return d
}

// find returns the session with the id: this process's copy, reread from
// the shared store when older than cacheFor. It is nil when there is no
// such session (or no longer: another process deleted it).
func (st *sessionStore) find(ctx context.Context, id string, now time.Time) (*session, error) {
	if !validID(id) {
		return nil, nil
	}
	st.mu.Lock()
	s := st.m[id]
	st.mu.Unlock()
	if st.shared == nil {
		return s, nil
	}
	if s != nil {
		s.mu.Lock()
		fresh := now.Sub(s.fetched) < cacheFor && !now.Before(s.fetched)
		s.mu.Unlock()
		if fresh {
			return s, nil
		}
	}
	ws, err := st.shared.SessionByHash(ctx, hashID(id))
	switch {
	case kurultai.ErrorCode(err) == kurultai.CodeNotFound:
		st.drop(id)
		return nil, nil
	case err != nil:
		return nil, sessionsUnavailable(err)
	}
	if s == nil {
		s = newSession(id, ws.Principal, ws.Created)
		s.lastSeen, s.stored = ws.LastSeen, ws.LastSeen
		s.fetched = now
		st.put(s, now)
		return s, nil
	}
	s.mu.Lock()
	if ws.LastSeen.After(s.lastSeen) {
		s.lastSeen = ws.LastSeen
	}
	if ws.LastSeen.After(s.stored) {
		s.stored = ws.LastSeen
	}
	s.fetched = now
	s.mu.Unlock()
	return s, nil
}

func (st *sessionStore) drop(id string) {
	st.mu.Lock()
	delete(st.m, id)
	st.mu.Unlock()
}

// lookup finds the session with the id and, if live, marks it seen
// (recording that in the shared store at most every touchEvery). The
// error says the store could not answer.
func (st *sessionStore) lookup(ctx context.Context, id string, now time.Time) (*session, sessionState, error) {
	s, err := st.find(ctx, id, now)
	if s == nil || err != nil {
		return nil, sessionNone, err
	}
	s.mu.Lock()
	end := st.deadline(s, s.lastSeen)
	var state sessionState
	touch := false
	switch {
	case now.Before(end):
		state = sessionLive
		s.lastSeen = now
		if touch = st.shared != nil && now.Sub(s.stored) >= touchEvery; touch {
			s.stored = now // one request touches; the others go on
		}
	case now.Before(end.Add(tombstoneFor)):
		state = sessionExpired
	default:
		s.mu.Unlock()
		return nil, sessionNone, nil
	}
	s.mu.Unlock()
	if touch {
		if err := st.shared.TouchSession(ctx, s.hash, now); err != nil {
			// The session goes on here; the next request tries again.
			st.log.WarnContext(ctx, "web: record session activity", "err", err)
			s.mu.Lock()
			s.stored = time.Time{}
			s.mu.Unlock()
		}
	}
	return s, state, nil
}

// remove ends the session with the id everywhere: in the shared store
// first, so that a failure leaves it as it was.
func (st *sessionStore) remove(ctx context.Context, id string) error {
	if st.shared != nil && validID(id) {
		if err := st.shared.DeleteSession(ctx, hashID(id)); err != nil {
			return sessionsUnavailable(err)
		}
	}
	st.drop(id)
	return nil
}

// alive reports whether the session is still signed in, without counting
// the question as activity (an open event stream does not keep a session
// alive). A store that cannot answer leaves the session alive: the next
// page asks again.
func (st *sessionStore) alive(ctx context.Context, id string, now time.Time) bool {
	s, err := st.find(ctx, id, now)
	if err != nil {
		st.log.WarnContext(ctx, "web: session check", "err", err)
		return true
	}
	if s == nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return now.Before(st.deadline(s, s.lastSeen))
}
