// Package taxiiclient talks to foreign TAXII 2.1 servers (OASIS TAXII 2.1,
// sections 5.3 and 5.4): it pulls a collection's objects page by page and
// resumes where it stopped, and it pushes objects to a collection.
//
// # Resuming a pull
//
// A pull lists objects added after a timestamp and follows the server's
// next tokens while it says there are more. Servers differ on added_after:
// the specification makes it exclusive, some treat it as inclusive, and
// timestamps can tie. The cursor therefore keeps the largest date added
// taken (from the X-TAXII-Date-Added-Last header of each page) and the
// objects (id and version) of the pages that ended on it. The next pull asks
// for added_after that timestamp and skips those objects, so an inclusive
// server neither makes the pull take them twice nor loops on them, and an
// exclusive one skips nothing. A page that brings nothing new while
// claiming more without a next token ends the round rather than asking for
// the same page forever. The cursor also keeps the next token of an
// interrupted listing, and falls back to added_after when the server no
// longer knows the token. (A server that pages by added_after alone, with
// no next tokens, cannot page through more objects of one timestamp than a
// page holds: nothing in the protocol tells them apart.)
package taxiiclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// MediaType is the TAXII 2.1 media type.
const MediaType = "application/taxii+json;version=2.1"

// Defaults.
const (
	DefaultPageLimit = 500
	DefaultMaxBody   = 64 << 20
	maxSeen          = 10_000
)

// Client talks to one collection of a TAXII 2.1 server.
type Client struct {
	// Collection is the collection URL (ending in "/"), for example
	// https://taxii.example/api1/collections/9cfa669c-ee94-4ece-afd2-f8edac37d8fd/.
	Collection string
	// User and Password, if set, are sent with HTTP Basic; Token, if set,
	// as a bearer token.
	User, Password, Token string
	// HTTP defaults to a client with a one-minute timeout.
	HTTP *http.Client
	// PageLimit is the limit asked per page; MaxBody bounds a response.
	PageLimit int
	MaxBody   int64
}

// Page is one page of a collection's objects.
type Page struct {
	Objects []json.RawMessage
	More    bool
	Next    string
	// DateAddedFirst and DateAddedLast are the server's
	// X-TAXII-Date-Added-First and -Last headers; zero when absent.
	DateAddedFirst, DateAddedLast time.Time
}

// Error is a TAXII error response or a transport failure.
type Error struct {
	Status  int    // HTTP status; 0 for a transport failure
	Title   string // the TAXII error message's title, if any
	Message string
}

func (e *Error) Error() string {
	if e.Status == 0 {
		return "taxiiclient: " + e.Message
	}
	if e.Title != "" {
		return fmt.Sprintf("taxiiclient: HTTP %d: %s: %s", e.Status, e.Title, e.Message)
	}
	return fmt.Sprintf("taxiiclient: HTTP %d: %s", e.Status, e.Message)
}

// Objects gets one page: objects added after addedAfter (zero: from the
// start), continuing the listing of next when it is set.
func (c *Client) Objects(ctx context.Context, addedAfter time.Time, next string) (Page, error) {
	q := url.Values{}
	if !addedAfter.IsZero() {
		q.Set("added_after", formatTime(addedAfter))
	}
	if next != "" {
		q.Set("next", next)
	}
	limit := c.PageLimit
	if limit <= 0 {
		limit = DefaultPageLimit
	}
	q.Set("limit", strconv.Itoa(limit))
	resp, body, err := c.do(ctx, http.MethodGet, "objects/?"+q.Encode(), nil)
	if err != nil {
		return Page{}, err
	}
	var env struct {
		More    bool              `json:"more"`
		Next    string            `json:"next"`
		Objects []json.RawMessage `json:"objects"`
	}
	if len(bytes.TrimSpace(body)) > 0 {
		if err := json.Unmarshal(body, &env); err != nil {
			return Page{}, &Error{Status: resp.StatusCode, Message: "the envelope is not valid JSON: " + err.Error()}
		}
	}
	p := Page{Objects: env.Objects, More: env.More, Next: env.Next}
	p.DateAddedFirst, _ = parseTime(resp.Header.Get("X-TAXII-Date-Added-First"))
	p.DateAddedLast, _ = parseTime(resp.Header.Get("X-TAXII-Date-Added-Last"))
	return p, nil
}

// Status is a TAXII status resource (section 4.3).
type Status struct {
	ID           string         `json:"id"`
	Status       string         `json:"status"`
	SuccessCount int            `json:"success_count"`
	FailureCount int            `json:"failure_count"`
	PendingCount int            `json:"pending_count"`
	Failures     []StatusDetail `json:"failures,omitempty"`
}

// StatusDetail is one object's outcome.
type StatusDetail struct {
	ID      string `json:"id"`
	Version string `json:"version"`
	Message string `json:"message,omitempty"`
}

// Add posts objects in one envelope and returns the server's status.
func (c *Client) Add(ctx context.Context, objects []json.RawMessage) (Status, error) {
	var buf bytes.Buffer
	buf.WriteString(`{"objects":[`)
	for i, o := range objects {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(o)
	}
	buf.WriteString("]}")
	resp, body, err := c.do(ctx, http.MethodPost, "objects/", buf.Bytes())
	if err != nil {
		return Status{}, err
	}
	var st Status
	if err := json.Unmarshal(body, &st); err != nil {
		return Status{}, &Error{Status: resp.StatusCode, Message: "the status is not valid JSON: " + err.Error()}
	}
	return st, nil
}

func (c *Client) do(ctx context.Context, method, path string, body []byte) (*http.Response, []byte, error) {
	base, err := url.Parse(c.Collection)
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") {
		return nil, nil, &Error{Message: fmt.Sprintf("collection URL %q is not http(s)", c.Collection)}
	}
	if !strings.HasSuffix(base.Path, "/") {
		base.Path += "/"
	}
	ref, err := url.Parse(path)
	if err != nil {
		return nil, nil, &Error{Message: err.Error()}
	}
	req, err := http.NewRequestWithContext(ctx, method, base.ResolveReference(ref).String(), bytes.NewReader(body))
	if err != nil {
		return nil, nil, &Error{Message: err.Error()}
	}
	req.Header.Set("Accept", MediaType)
	if body != nil {
		req.Header.Set("Content-Type", MediaType)
	}
	switch {
	case c.Token != "":
		req.Header.Set("Authorization", "Bearer "+c.Token)
	case c.User != "":
		req.SetBasicAuth(c.User, c.Password)
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: time.Minute}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, nil, &Error{Message: err.Error()}
	}
	defer resp.Body.Close()
	limit := c.MaxBody
	if limit <= 0 {
		limit = DefaultMaxBody
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, nil, &Error{Status: resp.StatusCode, Message: "reading the response: " + err.Error()}
	}
	if int64(len(data)) > limit {
		return nil, nil, &Error{Status: resp.StatusCode, Message: fmt.Sprintf("response larger than %d bytes", limit)}
	}
	if resp.StatusCode/100 != 2 {
		e := &Error{Status: resp.StatusCode, Message: http.StatusText(resp.StatusCode)}
		var te struct {
			Title       string `json:"title"`
			Description string `json:"description"`
		}
		if json.Unmarshal(data, &te) == nil && te.Title != "" {
			e.Title, e.Message = te.Title, te.Description
		}
		return resp, nil, e
	}
	return resp, data, nil
}

// IsStatus reports whether err is a TAXII error with one of the statuses.
func IsStatus(err error, statuses ...int) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	for _, s := range statuses {
		if e.Status == s {
			return true
		}
	}
	return false
}

// formatTime writes a TAXII timestamp with microseconds.
func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

// parseTime reads an RFC 3339 timestamp as servers send them.
func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, errors.New("empty")
	}
	return time.Parse(time.RFC3339Nano, s)
}
