package kurultai

import (
	"errors"
	"fmt"
	"net/http"
)

// Code classifies an error for the surfaces that report it. HTTP surfaces
// answer with Code.HTTPStatus; other surfaces (CLI exit messages, TAXII
// status details) map codes in one function each.
type Code string

// The error codes. An error without a code is an internal error.
const (
	CodeInvalid         Code = "invalid"         // malformed or semantically wrong input (400)
	CodeUnauthenticated Code = "unauthenticated" // no or bad credentials (401)
	CodeForbidden       Code = "forbidden"       // authenticated but not allowed (403)
	CodeNotFound        Code = "not_found"       // missing, or not visible to the caller (404)
	CodeConflict        Code = "conflict"        // clashes with stored state (409)
	CodeTooLarge        Code = "too_large"       // over a size limit (413)
	CodeUnavailable     Code = "unavailable"     // overloaded or a dependency is down (503)
	CodeInternal        Code = "internal"        // a bug or an unexpected failure (500)
)

// RetryAfter is the Retry-After (seconds) every surface sends with a 503:
// the store or the bus is away, and usually back within seconds.
const RetryAfter = "5"

// HTTPStatus is the HTTP status of the code: the one mapping every HTTP
// surface (TAXII, API, pages, audit log) answers with. An unknown code
// is a 500.
func (c Code) HTTPStatus() int {
	switch c {
	case CodeInvalid:
		return http.StatusBadRequest
	case CodeUnauthenticated:
		return http.StatusUnauthorized
	case CodeForbidden:
		return http.StatusForbidden
	case CodeNotFound:
		return http.StatusNotFound
	case CodeConflict:
		return http.StatusConflict
	case CodeTooLarge:
		return http.StatusRequestEntityTooLarge
	case CodeUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// Error is a domain error: a code, the input field it concerns (if any) and a
// message safe to show to the caller.
type Error struct {
	Code    Code
	Field   string // the offending input field, e.g. "objects[3].modified"; may be empty
	Message string // safe to show to the caller
	Err     error  // the underlying cause; never shown to the caller
}

// Error implements error.
func (e *Error) Error() string {
	msg := e.Message
	if e.Field != "" {
		msg = e.Field + ": " + msg
	}
	if e.Err != nil {
		return msg + ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError returns an invalid-input error naming the field.
func FieldError(field, format string, args ...any) *Error {
	return &Error{Code: CodeInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, or
// CodeInternal when there is none. A nil error has no code ("").
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// ErrorMessage returns the caller-safe text of err: the field and message of
// the first *Error in its chain, or "internal error" when there is none.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != CodeInternal {
		if e.Field != "" {
			return e.Field + ": " + e.Message
		}
		return e.Message
	}
	return "internal error"
}
