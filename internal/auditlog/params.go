package auditlog

import (
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// Bounds of listing requests.
const (
	DefaultEntriesLimit     = 100
	MaxEntriesLimit         = 1000
	DefaultCheckpointsLimit = 100
	MaxCheckpointsLimit     = 1000
)

// InclusionRequest asks for the inclusion proof of one leaf, named by its
// index or by its hash, in the tree of Size leaves.
type InclusionRequest struct {
	Index    uint64
	LeafHash []byte // set when the leaf is named by hash; Index is then unknown
	Size     uint64
}

// ConsistencyRequest asks for the consistency proof between the trees of
// From and To leaves.
type ConsistencyRequest struct {
	From, To uint64
}

// ParseInclusionRequest reads index=I&size=N or hash=H&size=N. Errors
// are CodeInvalid and name the parameter. Whether the sizes exist is for
// the caller to check.
func ParseInclusionRequest(q url.Values) (InclusionRequest, error) {
	var r InclusionRequest
	var err error
	if r.Size, err = uintParam(q, "size", true); err != nil {
		return r, err
	}
	_, hasIndex := q["index"]
	_, hasHash := q["hash"]
	switch {
	case hasIndex && hasHash:
		return r, kurultai.FieldError("hash", "give index or hash, not both")
	case hasHash:
		if r.LeafHash, err = hashParam(q, "hash"); err != nil {
			return r, err
		}
	default:
		if r.Index, err = uintParam(q, "index", true); err != nil {
			return r, err
		}
		if r.Index >= r.Size {
			return r, kurultai.FieldError("index", "%d is not below size %d", r.Index, r.Size)
		}
	}
	if r.Size == 0 {
		return r, kurultai.FieldError("size", "no entry is included in the empty tree")
	}
	return r, nil
}

// ParseConsistencyRequest reads from=M&to=N with M ≤ N.
func ParseConsistencyRequest(q url.Values) (ConsistencyRequest, error) {
	var r ConsistencyRequest
	var err error
	if r.From, err = uintParam(q, "from", true); err != nil {
		return r, err
	}
	if r.To, err = uintParam(q, "to", true); err != nil {
		return r, err
	}
	if r.From > r.To {
		return r, kurultai.FieldError("from", "%d is larger than to (%d)", r.From, r.To)
	}
	return r, nil
}

// parseLimit reads limit, defaulting to def and capped at max.
func parseLimit(q url.Values, def, max int) (int, error) {
	if _, ok := q["limit"]; !ok {
		return def, nil
	}
	n, err := uintParam(q, "limit", true)
	if err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, kurultai.FieldError("limit", "must be at least 1")
	}
	return int(min(n, uint64(max))), nil
}

// uintParam reads a decimal number without sign or leading zeros. A
// repeated parameter is an error: which one counts would be a guess.
func uintParam(q url.Values, name string, required bool) (uint64, error) {
	vs, ok := q[name]
	if !ok {
		if required {
			return 0, kurultai.FieldError(name, "required")
		}
		return 0, nil
	}
	if len(vs) != 1 {
		return 0, kurultai.FieldError(name, "given %d times", len(vs))
	}
	v := vs[0]
	n, err := strconv.ParseUint(v, 10, 63)
	if err != nil || strconv.FormatUint(n, 10) != v {
		return 0, kurultai.FieldError(name, "%q is not a non-negative decimal number", clip(v))
	}
	return n, nil
}

// hashParam reads a 32-byte hash in standard or URL-safe base64, padded
// or not. A '+' that a form decoder turned into a space is taken back.
func hashParam(q url.Values, name string) ([]byte, error) {
	vs := q[name]
	if len(vs) != 1 {
		return nil, kurultai.FieldError(name, "given %d times", len(vs))
	}
	v := strings.ReplaceAll(vs[0], " ", "+")
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if h, err := enc.Strict().DecodeString(v); err == nil && len(h) == HashSize {
			return h, nil
		}
	}
	return nil, kurultai.FieldError(name, "not the base64 of a %d-byte hash", HashSize)
}
