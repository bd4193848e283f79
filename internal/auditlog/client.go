package auditlog

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

	"github.com/kurultai/kurultai/internal/trust"
)

// maxResponse bounds a response body the client reads.
const maxResponse = 64 << 20

// Client talks to a node's audit API as a remote auditor or witness.
type Client struct {
	BaseURL string       // the node's URL, e.g. https://kz.example
	HTTP    *http.Client // nil: http.DefaultClient
	// Authorize sets the request's credentials (Basic or Bearer); nil
	// sends none.
	Authorize func(*http.Request)
}

// HTTPError is a non-2xx answer.
type HTTPError struct {
	Status  int
	Message string // the error message the node gave
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("HTTP %d: %s", e.Status, e.Message)
}

func (c *Client) do(ctx context.Context, method, path string, q url.Values, body []byte) ([]byte, error) {
	u := strings.TrimSuffix(c.BaseURL, "/") + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, fmt.Errorf("auditlog: client: %w", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "text/plain; charset=utf-8")
	}
	if c.Authorize != nil {
		c.Authorize(req)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("auditlog: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return nil, fmt.Errorf("auditlog: %s %s: %w", method, path, err)
	}
	if len(data) > maxResponse {
		return nil, fmt.Errorf("auditlog: %s %s: response larger than %d bytes", method, path, maxResponse)
	}
	if resp.StatusCode/100 != 2 {
		msg := strings.TrimSpace(string(data))
		var eb errorBody
		if json.Unmarshal(data, &eb) == nil && eb.Error != "" {
			msg = eb.Error
		}
		return nil, fmt.Errorf("auditlog: %s %s: %w", method, path, &HTTPError{Status: resp.StatusCode, Message: clip(msg)})
	}
	return data, nil
}

func (c *Client) getJSON(ctx context.Context, path string, q url.Values, v any) error {
	data, err := c.do(ctx, http.MethodGet, path, q, nil)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("auditlog: GET %s: %w", path, err)
	}
	return nil
}

// Keys fetches the node's key document.
func (c *Client) Keys(ctx context.Context) (trust.KeysDocument, error) {
	data, err := c.do(ctx, http.MethodGet, trust.WellKnownPath, nil, nil)
	if err != nil {
		return trust.KeysDocument{}, err
	}
	return trust.ParseKeysDocument(data)
}

// Checkpoint fetches the latest checkpoint note (cosignatures included).
func (c *Client) Checkpoint(ctx context.Context) ([]byte, error) {
	return c.do(ctx, http.MethodGet, "/audit/v1/checkpoint", nil, nil)
}

// Status fetches the log's status.
func (c *Client) Status(ctx context.Context) (StatusResponse, error) {
	var s StatusResponse
	return s, c.getJSON(ctx, "/audit/v1/status", nil, &s)
}

// Consistency fetches the consistency proof between two sizes.
func (c *Client) Consistency(ctx context.Context, from, to uint64) ([][]byte, error) {
	var p ConsistencyProofJSON
	q := url.Values{"from": {strconv.FormatUint(from, 10)}, "to": {strconv.FormatUint(to, 10)}}
	if err := c.getJSON(ctx, "/audit/v1/proof/consistency", q, &p); err != nil {
		return nil, err
	}
	if p.From != from || p.To != to {
		return nil, fmt.Errorf("auditlog: consistency proof for %d..%d, asked for %d..%d", p.From, p.To, from, to)
	}
	return p.Hashes, nil
}

// Inclusion fetches the inclusion proof of entry index in the tree of size.
func (c *Client) Inclusion(ctx context.Context, index, size uint64) (InclusionProofJSON, error) {
	var p InclusionProofJSON
	q := url.Values{"index": {strconv.FormatUint(index, 10)}, "size": {strconv.FormatUint(size, 10)}}
	if err := c.getJSON(ctx, "/audit/v1/proof/inclusion", q, &p); err != nil {
		return p, err
	}
	if p.Index != index || p.Size != size {
		return p, fmt.Errorf("auditlog: inclusion proof for %d in %d, asked for %d in %d", p.Index, p.Size, index, size)
	}
	return p, nil
}

// Entries fetches up to limit visible entries from index from on.
func (c *Client) Entries(ctx context.Context, from uint64, limit int) (EntriesResponse, error) {
	var r EntriesResponse
	q := url.Values{"from": {strconv.FormatUint(from, 10)}, "limit": {strconv.Itoa(limit)}}
	return r, c.getJSON(ctx, "/audit/v1/entries", q, &r)
}

// PostCosignature sends a cosigned checkpoint note.
func (c *Client) PostCosignature(ctx context.Context, note []byte) (CosignaturesResponse, error) {
	var r CosignaturesResponse
	data, err := c.do(ctx, http.MethodPost, "/audit/v1/cosignatures", nil, note)
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return r, fmt.Errorf("auditlog: POST cosignatures: %w", err)
	}
	return r, nil
}

// ErrNotIncluded means the node has no visible entry at an index.
var ErrNotIncluded = errors.New("entry not found")
