package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// The store keeps web sessions (kurultai.SessionStore).
var _ kurultai.SessionStore = (*Store)(nil)

// checkSessionHash refuses a hash that is not a SHA-256.
func checkSessionHash(hash []byte) error {
	if len(hash) != kurultai.SessionHashSize {
		return &kurultai.Error{Code: kurultai.CodeInvalid, Field: "hash", Message: fmt.Sprintf("session hash has %d bytes, want %d", len(hash), kurultai.SessionHashSize)}
	}
	return nil
}

// CreateSession implements kurultai.SessionStore. An unknown user is
// CodeInvalid.
func (s *Store) CreateSession(ctx context.Context, ws kurultai.WebSession) error {
	err := checkSessionHash(ws.Hash)
	if err == nil && (ws.Principal.UserID == 0 || !ws.Principal.Role.Valid()) {
		err = &kurultai.Error{Code: kurultai.CodeInvalid, Field: "principal", Message: "session needs a user and a valid role"}
	}
	if err != nil {
		return fmt.Errorf("sqlite: create session: %w", err)
	}
	if ws.Created.IsZero() {
		ws.Created = s.clock()
	}
	if ws.LastSeen.Before(ws.Created) {
		ws.LastSeen = ws.Created
	}
	p := ws.Principal
	_, err = s.exec(ctx, `INSERT INTO web_sessions (hash, user_id, username, participant, kind, role, created, last_seen)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, ws.Hash, p.UserID, p.Username, p.Participant, string(p.Kind), string(p.Role), ws.Created.UnixNano(), ws.LastSeen.UnixNano())
	if err != nil {
		if kurultai.ErrorCode(err) == kurultai.CodeInvalid {
			err = &kurultai.Error{Code: kurultai.CodeInvalid, Field: "user_id", Message: "unknown user", Err: err}
		}
		return fmt.Errorf("sqlite: create session: %w", err)
	}
	return nil
}

// SessionByHash implements kurultai.SessionStore.
func (s *Store) SessionByHash(ctx context.Context, hash []byte) (kurultai.WebSession, error) {
	if err := checkSessionHash(hash); err != nil {
		return kurultai.WebSession{}, fmt.Errorf("sqlite: session: %w", err)
	}
	ws := kurultai.WebSession{Hash: hash}
	p := &ws.Principal
	var created, seen int64
	err := s.rdb.QueryRowContext(ctx, `SELECT user_id, username, participant, kind, role, created, last_seen
		FROM web_sessions WHERE hash = ?`, hash).Scan(&p.UserID, &p.Username, &p.Participant, &p.Kind, &p.Role, &created, &seen)
	if err != nil {
		return kurultai.WebSession{}, fmt.Errorf("sqlite: session: %w", rowErr(err, "session"))
	}
	ws.Created, ws.LastSeen = time.Unix(0, created).UTC(), time.Unix(0, seen).UTC()
	return ws, nil
}

// TouchSession implements kurultai.SessionStore.
func (s *Store) TouchSession(ctx context.Context, hash []byte, seen time.Time) error {
	if err := checkSessionHash(hash); err != nil {
		return fmt.Errorf("sqlite: touch session: %w", err)
	}
	res, err := s.exec(ctx, `UPDATE web_sessions SET last_seen = max(last_seen, ?) WHERE hash = ?`, seen.UnixNano(), hash)
	if err == nil {
		err = affected(res, "session")
	}
	if err != nil {
		return fmt.Errorf("sqlite: touch session: %w", err)
	}
	return nil
}

// DeleteSession implements kurultai.SessionStore.
func (s *Store) DeleteSession(ctx context.Context, hash []byte) error {
	if err := checkSessionHash(hash); err != nil {
		return fmt.Errorf("sqlite: delete session: %w", err)
	}
	if _, err := s.exec(ctx, `DELETE FROM web_sessions WHERE hash = ?`, hash); err != nil {
		return fmt.Errorf("sqlite: delete session: %w", err)
	}
	return nil
}

// DeleteExpiredSessions implements kurultai.SessionStore.
func (s *Store) DeleteExpiredSessions(ctx context.Context, idleBefore, createdBefore time.Time) (int64, error) {
	res, err := s.exec(ctx, `DELETE FROM web_sessions WHERE last_seen < ? OR created < ?`, idleBefore.UnixNano(), createdBefore.UnixNano())
	var n int64
	if err == nil {
		n, err = res.RowsAffected()
	}
	if err != nil {
		return 0, fmt.Errorf("sqlite: delete expired sessions: %w", err)
	}
	return n, nil
}
