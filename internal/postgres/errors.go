package postgres

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// mapErr gives driver errors their kurultai code: a lost or refused
// connection, a timeout, an overloaded or shutting-down server or a lock
// wait that timed out is CodeUnavailable (the surfaces answer 503 with
// Retry-After); a uniqueness violation CodeConflict; a foreign-key
// violation CodeInvalid. Other errors are returned as they are (internal).
// The caller's own context errors pass through unchanged.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	var ke *kurultai.Error
	if errors.As(err, &ke) || errors.Is(err, context.Canceled) {
		return err
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return mapPgError(pe, err)
	}
	if unavailable(err) {
		return &kurultai.Error{Code: kurultai.CodeUnavailable, Message: "database unavailable", Err: err}
	}
	return err
}

// mapPgError maps an error the server reported, by SQLSTATE.
func mapPgError(pe *pgconn.PgError, err error) error {
	switch pe.Code {
	case "23505": // unique_violation
		return &kurultai.Error{Code: kurultai.CodeConflict, Message: "already exists", Err: err}
	case "23503": // foreign_key_violation
		return &kurultai.Error{Code: kurultai.CodeInvalid, Message: "refers to something that does not exist", Err: err}
	case "22021", "22P05": // character_not_in_repertoire, untranslatable_character
		return &kurultai.Error{Code: kurultai.CodeInvalid, Message: "text is not valid UTF-8 or contains NUL", Err: err}
	case "40001", "40P01", // serialization failure, deadlock
		"55P03", // lock_not_available (lock_timeout)
		"57014", // query_canceled (statement_timeout)
		"25P03": // idle_in_transaction_session_timeout
		return &kurultai.Error{Code: kurultai.CodeUnavailable, Message: "database busy", Err: err}
	}
	switch pe.Code[:2] {
	case "08", // connection exception
		"53", // insufficient resources: disk full, out of memory, too many connections
		"57", // operator intervention: shutdown, crash recovery
		"58": // system error: I/O
		return &kurultai.Error{Code: kurultai.CodeUnavailable, Message: "database unavailable", Err: err}
	}
	return err
}

// unavailable reports whether err is a failure to reach or keep talking
// to the server rather than an answer from it.
func unavailable(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err) {
		return true
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) {
		return true
	}
	// pgx reports a connection it closed after a failure this way.
	msg := err.Error()
	return strings.Contains(msg, "conn closed") ||
		strings.Contains(msg, "closed pool")
}

// badText reports whether err is PostgreSQL refusing text that is not
// valid UTF-8 or contains NUL.
func badText(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "22021" || pe.Code == "22P05")
}

// notFound returns a CodeNotFound error.
func notFound(what string) error {
	return kurultai.Errorf(kurultai.CodeNotFound, "%s not found", what)
}
