package api

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/stix"
)

// readBody reads a JSON request body of at most s.maxBody bytes. An empty
// body is allowed (actions without parameters).
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return nil, &mediaError{message: "send application/json, not " + strconv.Quote(ct)}
		}
	}
	tooLarge := kurultai.Errorf(kurultai.CodeTooLarge, "the request body exceeds %d bytes", s.maxBody)
	if r.ContentLength > s.maxBody {
		return nil, tooLarge
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.maxBody))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return nil, tooLarge
	case err != nil:
		return nil, &kurultai.Error{Code: kurultai.CodeInvalid, Message: "could not read the request body", Err: err}
	}
	return data, nil
}

// Query parameter bounds.
const (
	defaultLimit = 100
	maxLimit     = 1000
)

// limitParam reads ?limit= (default defaultLimit, at most maxLimit).
func limitParam(q url.Values) (int, error) {
	v := q.Get("limit")
	if v == "" {
		return defaultLimit, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, kurultai.FieldError("limit", "%q is not a whole number from 1", clip(v))
	}
	return min(n, maxLimit), nil
}

// timeParam reads a timestamp parameter (RFC 3339), zero if absent.
func timeParam(q url.Values, name string) (time.Time, error) {
	v := q.Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := stix.ParseTime(v); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, kurultai.FieldError(name, "%q is not a timestamp such as 2022-01-02T00:00:00Z", clip(v))
	}
	return t.UTC(), nil
}

// clip shortens untrusted text for messages.
func clip(s string) string {
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}

// notFound answers paths under /api/ that name no endpoint.
func (s *Server) notFound(_ http.ResponseWriter, r *http.Request, _ kurultai.Principal) error {
	return kurultai.Errorf(kurultai.CodeNotFound, "no endpoint %s %s", r.Method, clip(r.URL.Path))
}
