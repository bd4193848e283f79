package taxii

import (
	"encoding/base64"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/stix"
)

// params is a set of the URL parameters an endpoint supports.
type params uint8

// The TAXII 2.1 URL parameters (section 3.4 and 3.5).
const (
	paramAddedAfter params = 1 << iota
	paramLimit
	paramNext
	paramMatchID
	paramMatchType
	paramMatchVersion
	paramMatchSpecVersion
)

// The parameters each endpoint supports (TAXII 2.1 section 5).
const (
	objectsParams  = paramAddedAfter | paramLimit | paramNext | paramMatchID | paramMatchType | paramMatchVersion | paramMatchSpecVersion
	manifestParams = objectsParams
	objectParams   = paramAddedAfter | paramLimit | paramNext | paramMatchVersion | paramMatchSpecVersion
	versionsParams = paramAddedAfter | paramLimit | paramNext | paramMatchSpecVersion
	deleteParams   = paramMatchVersion | paramMatchSpecVersion
)

// matchParam returns the parameter of a match[] field, or 0 for a field
// this server does not know.
func matchParam(key string) params {
	switch key {
	case "match[id]":
		return paramMatchID
	case "match[type]":
		return paramMatchType
	case "match[version]":
		return paramMatchVersion
	case "match[spec_version]":
		return paramMatchSpecVersion
	}
	return 0
}

// maxMatchValues bounds the values of one match[] field, which become
// store query terms.
const maxMatchValues = 1000

// filter is a parsed and validated TAXII query.
type filter struct {
	allowed      params
	addedAfter   time.Time // zero: none
	after        kurultai.Cursor
	hasNext      bool
	limit        int // 0 when the endpoint has no limit
	ids          []string
	types        []string
	specVersions []string
	versions     kurultai.VersionFilter
}

// parseFilter parses the URL parameters of a request to an endpoint that
// supports allowed. Unknown parameters are ignored; a match[] field that
// the endpoint does not support is an error, as is any malformed value.
// Errors name the parameter.
func parseFilter(q url.Values, allowed params) (filter, error) {
	f := filter{allowed: allowed}
	if allowed&paramLimit != 0 {
		f.limit = DefaultLimit
	}
	for key := range q {
		if !strings.HasPrefix(key, "match[") {
			continue
		}
		if allowed&matchParam(key) == 0 {
			return filter{}, kurultai.FieldError(key, "filter not supported on this endpoint")
		}
	}
	if allowed&paramAddedAfter != 0 {
		if s, ok, err := single(q, "added_after"); err != nil {
			return filter{}, err
		} else if ok {
			t, err := parseTimestamp(s)
			if err != nil {
				return filter{}, kurultai.FieldError("added_after", "not a timestamp")
			}
			f.addedAfter = t
		}
	}
	if allowed&paramLimit != 0 {
		if s, ok, err := single(q, "limit"); err != nil {
			return filter{}, err
		} else if ok {
			n, err := strconv.Atoi(s)
			if err != nil || n <= 0 {
				if err != nil && isDigits(s) { // too large for int
					n, err = MaxLimit, nil
				} else {
					return filter{}, kurultai.FieldError("limit", "not a positive integer")
				}
			}
			f.limit = min(n, MaxLimit)
		}
	}
	if allowed&paramNext != 0 {
		if s, ok, err := single(q, "next"); err != nil {
			return filter{}, err
		} else if ok {
			c, err := decodeCursor(s)
			if err != nil {
				return filter{}, err
			}
			f.after, f.hasNext = c, true
		}
	}
	var err error
	if f.ids, err = matchValues(q, "match[id]", validID); err != nil {
		return filter{}, err
	}
	if f.types, err = matchValues(q, "match[type]", validType); err != nil {
		return filter{}, err
	}
	if f.specVersions, err = matchValues(q, "match[spec_version]", validSpecVersion); err != nil {
		return filter{}, err
	}
	if f.versions, err = parseVersions(q); err != nil {
		return filter{}, err
	}
	return f, nil
}

// single returns the one value of a parameter that may appear once.
func single(q url.Values, key string) (string, bool, error) {
	vs := q[key]
	switch len(vs) {
	case 0:
		return "", false, nil
	case 1:
		return vs[0], true, nil
	}
	return "", false, kurultai.FieldError(key, "given more than once")
}

// matchValues returns the values of a match[] field, given repeated or
// comma-separated, de-duplicated in order.
func matchValues(q url.Values, key string, valid func(string) bool) ([]string, error) {
	vs := q[key]
	if len(vs) == 0 {
		return nil, nil
	}
	var out []string
	seen := make(map[string]bool)
	for _, v := range vs {
		for item := range strings.SplitSeq(v, ",") {
			item = strings.TrimSpace(item)
			if item == "" || seen[item] {
				continue
			}
			if !valid(item) {
				return nil, kurultai.FieldError(key, "malformed value %q", truncate(item))
			}
			if len(out) == maxMatchValues {
				return nil, kurultai.FieldError(key, "more than %d values", maxMatchValues)
			}
			seen[item] = true
			out = append(out, item)
		}
	}
	if len(out) == 0 {
		return nil, kurultai.FieldError(key, "empty")
	}
	return out, nil
}

// parseVersions parses match[version]: first, last, all or timestamps.
func parseVersions(q url.Values) (kurultai.VersionFilter, error) {
	const key = "match[version]"
	vs, err := matchValues(q, key, func(string) bool { return true })
	if err != nil {
		return kurultai.VersionFilter{}, err
	}
	var vf kurultai.VersionFilter
	for _, v := range vs {
		switch v {
		case "all":
			vf.All = true
		case "first":
			vf.First = true
		case "last":
			vf.Last = true
		default:
			t, err := parseTimestamp(v)
			if err != nil {
				return kurultai.VersionFilter{}, kurultai.FieldError(key, "want first, last, all or a timestamp, got %q", truncate(v))
			}
			vf.Keys = append(vf.Keys, t.UnixNano())
		}
	}
	if vf.All {
		return kurultai.VersionFilter{All: true}, nil
	}
	return vf, nil
}

// parseTimestamp parses a STIX timestamp that Unix nanoseconds can hold.
func parseTimestamp(s string) (time.Time, error) {
	t, err := stix.ParseTime(s)
	if err != nil {
		return time.Time{}, err
	}
	// The range Unix nanoseconds can hold (match[version] keys).
	if t.Before(time.Unix(0, math.MinInt64)) || t.After(time.Unix(0, math.MaxInt64)) {
		return time.Time{}, kurultai.Errorf(kurultai.CodeInvalid, "timestamp out of range")
	}
	return t.UTC(), nil
}

// validID reports whether s is a STIX identifier: type--UUID.
func validID(s string) bool {
	typ, u, ok := strings.Cut(s, "--")
	return ok && validType(typ) && len(u) == 36 && uuid.Validate(u) == nil
}

// validType reports whether s can be a STIX type name.
func validType(s string) bool {
	if len(s) == 0 || len(s) > 250 {
		return false
	}
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// validSpecVersion reports whether s looks like a STIX spec version "n.m".
func validSpecVersion(s string) bool {
	a, b, ok := strings.Cut(s, ".")
	return ok && isDigits(a) && isDigits(b) && len(s) <= 16
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// truncate shortens a caller-supplied value quoted in an error message.
func truncate(s string) string {
	const n = 64
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// query returns the store query for f on a collection.
func (f filter) query(collection string, withRaw bool) kurultai.Query {
	return kurultai.Query{
		Collection:   collection,
		AddedAfter:   f.addedAfter,
		After:        f.after,
		IDs:          f.ids,
		Types:        f.types,
		SpecVersions: f.specVersions,
		Versions:     f.versions,
		Limit:        f.limit,
		WithRaw:      withRaw,
	}
}

// canonical returns f as a normalized query string, for the audit log.
// Parsing it again yields the same filter.
func (f filter) canonical() string {
	v := url.Values{}
	if !f.addedAfter.IsZero() {
		v.Set("added_after", f.addedAfter.Format(time.RFC3339Nano))
	}
	if f.limit > 0 {
		v.Set("limit", strconv.Itoa(f.limit))
	}
	if f.hasNext {
		v.Set("next", encodeCursor(f.after))
	}
	if len(f.ids) > 0 {
		v.Set("match[id]", strings.Join(f.ids, ","))
	}
	if len(f.types) > 0 {
		v.Set("match[type]", strings.Join(f.types, ","))
	}
	if len(f.specVersions) > 0 {
		v.Set("match[spec_version]", strings.Join(f.specVersions, ","))
	}
	var vs []string
	switch {
	case f.versions.All:
		vs = []string{"all"}
	default:
		if f.versions.First {
			vs = append(vs, "first")
		}
		if f.versions.Last {
			vs = append(vs, "last")
		}
		for _, k := range f.versions.Keys {
			vs = append(vs, time.Unix(0, k).UTC().Format(time.RFC3339Nano))
		}
	}
	if len(vs) > 0 {
		v.Set("match[version]", strings.Join(vs, ","))
	}
	return v.Encode()
}

// cursorPrefix versions the next token's format.
const cursorPrefix = "1."

// encodeCursor returns the opaque next token for a cursor.
func encodeCursor(c kurultai.Cursor) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + strconv.FormatInt(int64(c), 10)))
}

// decodeCursor parses a next token made by encodeCursor.
func decodeCursor(s string) (kurultai.Cursor, error) {
	bad := kurultai.FieldError("next", "not a token this server issued")
	if len(s) > 64 {
		return 0, bad
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return 0, bad
	}
	num, ok := strings.CutPrefix(string(b), cursorPrefix)
	if !ok {
		return 0, bad
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 || strconv.FormatInt(n, 10) != num {
		return 0, bad
	}
	return kurultai.Cursor(n), nil
}
