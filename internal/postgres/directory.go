package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// exec runs one statement as a write job.
func (s *Store) exec(ctx context.Context, query string, args ...any) (pgconn.CommandTag, error) {
	var res pgconn.CommandTag
	err := s.submit(ctx, 1, func(ctx context.Context, w *wtx) error {
		var err error
		res, err = w.tx.Exec(ctx, query, args...)
		return mapErr(err)
	})
	return res, err
}

// PutParticipant creates or replaces a participant.
func (s *Store) PutParticipant(ctx context.Context, p kurultai.Participant) error {
	if p.Code == "" || !p.Kind.Valid() {
		return fmt.Errorf("postgres: put participant: %w", kurultai.Errorf(kurultai.CodeInvalid, "participant needs a code and a valid kind"))
	}
	_, err := s.exec(ctx, `INSERT INTO participants (code, name, kind) VALUES ($1, $2, $3)
		ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind`, p.Code, p.Name, string(p.Kind))
	if err != nil {
		return fmt.Errorf("postgres: put participant: %w", err)
	}
	return nil
}

// Participants returns every participant, by code.
func (s *Store) Participants(ctx context.Context) ([]kurultai.Participant, error) {
	rows, err := s.pool.Query(ctx, `SELECT code, name, kind FROM participants ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("postgres: participants: %w", mapErr(err))
	}
	defer rows.Close()
	var ps []kurultai.Participant
	for rows.Next() {
		var p kurultai.Participant
		if err := rows.Scan(&p.Code, &p.Name, &p.Kind); err != nil {
			return nil, fmt.Errorf("postgres: participants: %w", mapErr(err))
		}
		ps = append(ps, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: participants: %w", mapErr(err))
	}
	return ps, nil
}

// Participant returns the participant with the code, or CodeNotFound.
func (s *Store) Participant(ctx context.Context, code string) (kurultai.Participant, error) {
	var p kurultai.Participant
	err := s.pool.QueryRow(ctx, `SELECT code, name, kind FROM participants WHERE code = $1`, code).Scan(&p.Code, &p.Name, &p.Kind)
	if err != nil {
		return kurultai.Participant{}, fmt.Errorf("postgres: participant: %w", rowErr(err, "participant"))
	}
	return p, nil
}

// CreateUser creates a user and returns it with its id (and Created, if it
// was zero). A taken username is CodeConflict; an unknown participant
// CodeInvalid.
func (s *Store) CreateUser(ctx context.Context, u kurultai.User) (kurultai.User, error) {
	if u.Username == "" || !u.Role.Valid() {
		return kurultai.User{}, fmt.Errorf("postgres: create user: %w", kurultai.Errorf(kurultai.CodeInvalid, "user needs a username and a valid role"))
	}
	if u.Created.IsZero() {
		u.Created = s.clock()
	}
	err := s.submit(ctx, 1, func(ctx context.Context, w *wtx) error {
		return mapErr(w.tx.QueryRow(ctx, `INSERT INTO users (username, participant, role, password_hash, created, disabled)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, u.Username, u.Participant, string(u.Role), u.PasswordHash, u.Created.UnixNano(), u.Disabled).Scan(&u.ID))
	})
	if err != nil {
		switch kurultai.ErrorCode(err) {
		case kurultai.CodeConflict:
			err = &kurultai.Error{Code: kurultai.CodeConflict, Field: "username", Message: "username is taken", Err: err}
		case kurultai.CodeInvalid:
			err = &kurultai.Error{Code: kurultai.CodeInvalid, Field: "participant", Message: "unknown participant", Err: err}
		}
		return kurultai.User{}, fmt.Errorf("postgres: create user: %w", err)
	}
	u.Created = u.Created.UTC()
	return u, nil
}

const userCols = `id, username, participant, role, password_hash, created, disabled`

func scanUser(row interface{ Scan(...any) error }) (kurultai.User, error) {
	var u kurultai.User
	var created int64
	if err := row.Scan(&u.ID, &u.Username, &u.Participant, &u.Role, &u.PasswordHash, &created, &u.Disabled); err != nil {
		return kurultai.User{}, err
	}
	u.Created = time.Unix(0, created).UTC()
	return u, nil
}

// UserByName returns the user with the username, or CodeNotFound.
func (s *Store) UserByName(ctx context.Context, username string) (kurultai.User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE username = $1`, username))
	if err != nil {
		return kurultai.User{}, fmt.Errorf("postgres: user by name: %w", rowErr(err, "user"))
	}
	return u, nil
}

// UserByID returns the user with the id, or CodeNotFound.
func (s *Store) UserByID(ctx context.Context, id int64) (kurultai.User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE id = $1`, id))
	if err != nil {
		return kurultai.User{}, fmt.Errorf("postgres: user by id: %w", rowErr(err, "user"))
	}
	return u, nil
}

// Users returns every user, by id.
func (s *Store) Users(ctx context.Context) ([]kurultai.User, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+userCols+` FROM users ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("postgres: users: %w", mapErr(err))
	}
	defer rows.Close()
	var us []kurultai.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: users: %w", mapErr(err))
		}
		us = append(us, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: users: %w", mapErr(err))
	}
	return us, nil
}

// SetPasswordHash replaces a user's password hash; CodeNotFound if there is
// no such user.
func (s *Store) SetPasswordHash(ctx context.Context, userID int64, hash string) error {
	res, err := s.exec(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, hash, userID)
	if err == nil {
		err = affected(res, "user")
	}
	if err != nil {
		return fmt.Errorf("postgres: set password hash: %w", err)
	}
	return nil
}

// CreateToken stores a token. A taken id is CodeConflict; an unknown user
// CodeInvalid.
func (s *Store) CreateToken(ctx context.Context, t kurultai.Token) error {
	if t.ID == "" || len(t.Hash) == 0 {
		return fmt.Errorf("postgres: create token: %w", kurultai.Errorf(kurultai.CodeInvalid, "token needs an id and a hash"))
	}
	if t.Created.IsZero() {
		t.Created = s.clock()
	}
	var expires int64
	if !t.Expires.IsZero() {
		expires = t.Expires.UnixNano()
	}
	_, err := s.exec(ctx, `INSERT INTO tokens (id, user_id, label, hash, created, expires) VALUES ($1, $2, $3, $4, $5, $6)`,
		t.ID, t.UserID, t.Label, t.Hash, t.Created.UnixNano(), expires)
	if err != nil {
		if kurultai.ErrorCode(err) == kurultai.CodeInvalid {
			err = &kurultai.Error{Code: kurultai.CodeInvalid, Field: "user_id", Message: "unknown user", Err: err}
		}
		return fmt.Errorf("postgres: create token: %w", err)
	}
	return nil
}

// TokenByID returns the token with the id, or CodeNotFound.
func (s *Store) TokenByID(ctx context.Context, id string) (kurultai.Token, error) {
	var t kurultai.Token
	var created, expires int64
	err := s.pool.QueryRow(ctx, `SELECT id, user_id, label, hash, created, expires FROM tokens WHERE id = $1`, id).
		Scan(&t.ID, &t.UserID, &t.Label, &t.Hash, &created, &expires)
	if err != nil {
		return kurultai.Token{}, fmt.Errorf("postgres: token: %w", rowErr(err, "token"))
	}
	t.Created = time.Unix(0, created).UTC()
	if expires != 0 {
		t.Expires = time.Unix(0, expires).UTC()
	}
	return t, nil
}

// Tokens lists every token, oldest first, without its hash.
func (s *Store) Tokens(ctx context.Context) ([]kurultai.Token, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, user_id, label, created, expires FROM tokens ORDER BY created, id`)
	if err != nil {
		return nil, fmt.Errorf("postgres: tokens: %w", mapErr(err))
	}
	defer rows.Close()
	var ts []kurultai.Token
	for rows.Next() {
		var t kurultai.Token
		var created, expires int64
		if err := rows.Scan(&t.ID, &t.UserID, &t.Label, &created, &expires); err != nil {
			return nil, fmt.Errorf("postgres: tokens: %w", mapErr(err))
		}
		t.Created = time.Unix(0, created).UTC()
		if expires != 0 {
			t.Expires = time.Unix(0, expires).UTC()
		}
		ts = append(ts, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: tokens: %w", mapErr(err))
	}
	return ts, nil
}

// PutCollection creates or replaces a collection. An alias another
// collection has is CodeConflict.
func (s *Store) PutCollection(ctx context.Context, c kurultai.Collection) error {
	if c.ID == "" {
		return fmt.Errorf("postgres: put collection: %w", kurultai.Errorf(kurultai.CodeInvalid, "collection needs an id"))
	}
	_, err := s.exec(ctx, `INSERT INTO collections (id, title, description, alias) VALUES ($1, $2, $3, $4)
		ON CONFLICT (id) DO UPDATE SET title = excluded.title, description = excluded.description, alias = excluded.alias`,
		c.ID, c.Title, c.Description, c.Alias)
	if err != nil {
		if kurultai.ErrorCode(err) == kurultai.CodeConflict {
			err = &kurultai.Error{Code: kurultai.CodeConflict, Field: "alias", Message: "alias is taken", Err: err}
		}
		return fmt.Errorf("postgres: put collection: %w", err)
	}
	return nil
}

const collectionCols = `id, title, description, alias`

// Collections returns every collection, in creation order.
func (s *Store) Collections(ctx context.Context) ([]kurultai.Collection, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+collectionCols+` FROM collections ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("postgres: collections: %w", mapErr(err))
	}
	defer rows.Close()
	var cs []kurultai.Collection
	for rows.Next() {
		var c kurultai.Collection
		if err := rows.Scan(&c.ID, &c.Title, &c.Description, &c.Alias); err != nil {
			return nil, fmt.Errorf("postgres: collections: %w", mapErr(err))
		}
		cs = append(cs, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: collections: %w", mapErr(err))
	}
	return cs, nil
}

// Collection returns the collection with the id, or CodeNotFound.
func (s *Store) Collection(ctx context.Context, id string) (kurultai.Collection, error) {
	var c kurultai.Collection
	err := s.pool.QueryRow(ctx, `SELECT `+collectionCols+` FROM collections WHERE id = $1`, id).
		Scan(&c.ID, &c.Title, &c.Description, &c.Alias)
	if err != nil {
		return kurultai.Collection{}, fmt.Errorf("postgres: collection: %w", rowErr(err, "collection"))
	}
	return c, nil
}

// rowErr maps a single-row query error: no row is CodeNotFound, and so is
// a key PostgreSQL text cannot hold (nothing stored has it).
func rowErr(err error, what string) error {
	if errNoRows(err) || badText(err) {
		return notFound(what)
	}
	return mapErr(err)
}

// affected returns CodeNotFound when res changed no row.
func affected(res pgconn.CommandTag, what string) error {
	if res.RowsAffected() == 0 {
		return notFound(what)
	}
	return nil
}
