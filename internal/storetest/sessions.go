package storetest

import (
	"bytes"
	"crypto/sha256"
	"sync"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// sessionStore returns s as a kurultai.SessionStore, skipping the test
// when s does not keep web sessions.
func sessionStore(t *testing.T, s kurultai.Store) kurultai.SessionStore {
	t.Helper()
	ss, ok := s.(kurultai.SessionStore)
	if !ok {
		t.Skipf("%T keeps no web sessions", s)
	}
	return ss
}

// sessionHash is the hash of a made-up session id.
func sessionHash(id string) []byte {
	h := sha256.Sum256([]byte(id))
	return h[:]
}

// sessionUser creates the user sessions in the tests belong to.
func sessionUser(t *testing.T, s kurultai.Store) kurultai.Principal {
	t.Helper()
	fixture(t, s)
	u, err := s.CreateUser(t.Context(), kurultai.User{Username: "aigerim", Participant: "KZ", Role: kurultai.RoleLiaison})
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	return kurultai.Principal{UserID: u.ID, Username: u.Username, Participant: "KZ", Kind: kurultai.KindMember, Role: kurultai.RoleLiaison}
}

func sameSession(got, want kurultai.WebSession) bool {
	return bytes.Equal(got.Hash, want.Hash) && got.Principal == want.Principal &&
		got.Created.Equal(want.Created) && got.LastSeen.Equal(want.LastSeen)
}

func testSessions(t *testing.T, s kurultai.Store) {
	ss := sessionStore(t, s)
	ctx := t.Context()
	p := sessionUser(t, s)
	created := time.Date(2026, 3, 2, 9, 0, 0, 123456789, time.UTC)
	want := kurultai.WebSession{Hash: sessionHash("one"), Principal: p, Created: created, LastSeen: created}
	if err := ss.CreateSession(ctx, want); err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	got, err := ss.SessionByHash(ctx, want.Hash)
	if err != nil || !sameSession(got, want) {
		t.Fatalf("SessionByHash = %+v, %v; want %+v", got, err, want)
	}
	// Touching moves last_seen forward, never back.
	later := created.Add(90 * time.Second)
	if err := ss.TouchSession(ctx, want.Hash, later); err != nil {
		t.Fatalf("TouchSession: %v", err)
	}
	if err := ss.TouchSession(ctx, want.Hash, created.Add(time.Second)); err != nil {
		t.Fatalf("TouchSession(earlier): %v", err)
	}
	want.LastSeen = later
	if got, err = ss.SessionByHash(ctx, want.Hash); err != nil || !sameSession(got, want) {
		t.Errorf("after touches: %+v, %v; want %+v", got, err, want)
	}
	// Refusals.
	err = ss.CreateSession(ctx, want)
	wantCode(t, "CreateSession(same hash)", err, kurultai.CodeConflict)
	err = ss.CreateSession(ctx, kurultai.WebSession{Hash: []byte("short"), Principal: p, Created: created})
	wantCode(t, "CreateSession(short hash)", err, kurultai.CodeInvalid)
	err = ss.CreateSession(ctx, kurultai.WebSession{Hash: sessionHash("nobody"), Principal: kurultai.Principal{UserID: 999, Role: kurultai.RoleLiaison}, Created: created})
	wantCode(t, "CreateSession(unknown user)", err, kurultai.CodeInvalid)
	err = ss.CreateSession(ctx, kurultai.WebSession{Hash: sessionHash("norole"), Principal: kurultai.Principal{UserID: p.UserID}, Created: created})
	wantCode(t, "CreateSession(no role)", err, kurultai.CodeInvalid)
	_, err = ss.SessionByHash(ctx, sessionHash("two"))
	wantCode(t, "SessionByHash(unknown)", err, kurultai.CodeNotFound)
	_, err = ss.SessionByHash(ctx, nil)
	wantCode(t, "SessionByHash(nil)", err, kurultai.CodeInvalid)
	err = ss.TouchSession(ctx, sessionHash("two"), later)
	wantCode(t, "TouchSession(unknown)", err, kurultai.CodeNotFound)
	// Delete, twice.
	for i := range 2 {
		if err := ss.DeleteSession(ctx, want.Hash); err != nil {
			t.Fatalf("DeleteSession #%d: %v", i+1, err)
		}
	}
	_, err = ss.SessionByHash(ctx, want.Hash)
	wantCode(t, "SessionByHash(deleted)", err, kurultai.CodeNotFound)
}

func testSessionExpiry(t *testing.T, s kurultai.Store) {
	ss := sessionStore(t, s)
	ctx := t.Context()
	p := sessionUser(t, s)
	t1 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	sessions := []struct {
		id            string
		created, seen time.Time
		kept          bool
	}{
		{"fresh", t1, t1.Add(50 * time.Minute), true},
		{"idle", t1, t1.Add(5 * time.Minute), false},                      // last seen before idleBefore
		{"old", t1.Add(-13 * time.Hour), t1.Add(59 * time.Minute), false}, // created before createdBefore
		{"edge", t1.Add(-12 * time.Hour), t1.Add(10 * time.Minute), true}, // both bounds exactly: kept
	}
	for _, x := range sessions {
		if err := ss.CreateSession(ctx, kurultai.WebSession{Hash: sessionHash(x.id), Principal: p, Created: x.created, LastSeen: x.seen}); err != nil {
			t.Fatalf("CreateSession(%s): %v", x.id, err)
		}
	}
	n, err := ss.DeleteExpiredSessions(ctx, t1.Add(10*time.Minute), t1.Add(-12*time.Hour))
	if err != nil || n != 2 {
		t.Fatalf("DeleteExpiredSessions = %d, %v; want 2", n, err)
	}
	for _, x := range sessions {
		_, err := ss.SessionByHash(ctx, sessionHash(x.id))
		if kept := err == nil; kept != x.kept {
			t.Errorf("session %s kept = %v (%v), want %v", x.id, kept, err, x.kept)
		}
	}
}

// testSessionsShared: a session made through one handle is known through
// the other at once; activity recorded through either shows through both;
// a delete through one ends it for both.
func testSessionsShared(t *testing.T, a, b kurultai.Store) {
	sa, sb := sessionStore(t, a), sessionStore(t, b)
	ctx := t.Context()
	p := sessionUser(t, a)
	created := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	ws := kurultai.WebSession{Hash: sessionHash("shared"), Principal: p, Created: created, LastSeen: created}
	if err := sa.CreateSession(ctx, ws); err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	if got, err := sb.SessionByHash(ctx, ws.Hash); err != nil || !sameSession(got, ws) {
		t.Fatalf("other handle: %+v, %v; want %+v", got, err, ws)
	}
	// Touches from both at once: the latest wins.
	var wg sync.WaitGroup
	for i := range 20 {
		s := sa
		if i%2 == 1 {
			s = sb
		}
		wg.Go(func() {
			if err := s.TouchSession(ctx, ws.Hash, created.Add(time.Duration(i)*time.Minute)); err != nil {
				t.Errorf("TouchSession %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	ws.LastSeen = created.Add(19 * time.Minute)
	if got, err := sa.SessionByHash(ctx, ws.Hash); err != nil || !sameSession(got, ws) {
		t.Errorf("after touches: %+v, %v; want %+v", got, err, ws)
	}
	if err := sb.DeleteSession(ctx, ws.Hash); err != nil {
		t.Fatalf("DeleteSession: %v", err)
	}
	_, err := sa.SessionByHash(ctx, ws.Hash)
	wantCode(t, "SessionByHash after the other deleted it", err, kurultai.CodeNotFound)
}
