package sqlite

import (
	"context"
	"errors"

	"github.com/kurultai/kurultai/internal/kurultai"
	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// ErrSchemaNewer is returned by Open for a database written by a newer
// binary: its schema has migrations this one does not know.
var ErrSchemaNewer = errors.New("database schema is newer than this binary")

// errClosed is returned for calls on a closed store.
var errClosed = &kurultai.Error{Code: kurultai.CodeUnavailable, Message: "store is closed"}

// mapErr gives driver errors their kurultai code: a busy or locked
// database, a full disk or an I/O error is CodeUnavailable, a uniqueness
// violation CodeConflict. Other errors are returned as they are (internal).
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	var ke *kurultai.Error
	if errors.As(err, &ke) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return err
	}
	code := se.Code()
	switch code {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return &kurultai.Error{Code: kurultai.CodeConflict, Message: "already exists", Err: err}
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return &kurultai.Error{Code: kurultai.CodeInvalid, Message: "refers to something that does not exist", Err: err}
	}
	switch code & 0xff {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR:
		return &kurultai.Error{Code: kurultai.CodeUnavailable, Message: "database unavailable", Err: err}
	}
	return err
}

// notFound returns a CodeNotFound error.
func notFound(what string) error {
	return kurultai.Errorf(kurultai.CodeNotFound, "%s not found", what)
}
