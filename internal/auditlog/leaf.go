package auditlog

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// TimeFormat is how a leaf writes an entry's time: UTC with exactly nine
// fractional digits, so that one instant has one spelling.
const TimeFormat = "2006-01-02T15:04:05.000000000Z"

// HashSize is the size of leaf, node and root hashes (SHA-256).
const HashSize = sha256.Size

// Row is one audit_log row as stored, before any interpretation. Verifiers
// re-encode rows, never trusting a stored hash.
type Row struct {
	Seq         int64 // 1, 2, 3, …: the entry's leaf index is Seq-1
	Time        int64 // Unix nanoseconds, UTC
	Username    string
	Participant string
	Action      string
	Objects     string // JSON array of {"id","version"}: see EncodeObjects
	Query       string
	Decision    string
	Detail      string
	// Leaf is the leaf hash stored with the row; verifiers compare it
	// with the hash of the re-encoded row. Not part of the entry.
	Leaf []byte
}

// Index returns the leaf index of the row's entry.
func (r Row) Index() uint64 { return uint64(r.Seq - 1) }

// Entry decodes the row. It refuses a row that the store could not have
// written: text that is not valid UTF-8, or an objects column that is not
// exactly what EncodeObjects writes for its refs.
func (r Row) Entry() (kurultai.AuditEntry, error) {
	e := kurultai.AuditEntry{
		Time:     time.Unix(0, r.Time).UTC(),
		Username: r.Username, Participant: r.Participant, Action: r.Action,
		Query: r.Query, Decision: r.Decision, Detail: r.Detail,
	}
	if r.Seq < 1 {
		return e, fmt.Errorf("seq %d: must be at least 1", r.Seq)
	}
	for _, f := range []struct{ name, v string }{
		{"username", r.Username}, {"participant", r.Participant}, {"action", r.Action},
		{"objects", r.Objects}, {"query", r.Query}, {"decision", r.Decision}, {"detail", r.Detail},
	} {
		if !utf8.ValidString(f.v) {
			return e, fmt.Errorf("%s: not valid UTF-8", f.name)
		}
	}
	if r.Objects != "[]" {
		if err := json.Unmarshal([]byte(r.Objects), &e.Objects); err != nil {
			return e, fmt.Errorf("objects: %w", err)
		}
	}
	again, err := EncodeObjects(e.Objects)
	if err != nil || again != r.Objects {
		return e, fmt.Errorf("objects: not in the form the store writes")
	}
	return e, nil
}

// EncodeObjects is the objects column of a row: the JSON array of the refs
// as encoding/json writes kurultai.ObjectRef, "[]" when there are none.
func EncodeObjects(refs []kurultai.ObjectRef) (string, error) {
	if len(refs) == 0 {
		return "[]", nil
	}
	data, err := json.Marshal(refs)
	if err != nil {
		return "", fmt.Errorf("encode audit objects: %w", err)
	}
	return string(data), nil
}

// Sanitize returns e with every string made valid UTF-8 (invalid bytes
// become U+FFFD), the form in which the store keeps it. Queries come from
// URLs and may hold any bytes; the canonical leaf needs valid UTF-8, and
// a stored row that is not is then evidence of tampering.
func Sanitize(e kurultai.AuditEntry) kurultai.AuditEntry {
	fix := func(s string) string {
		if utf8.ValidString(s) {
			return s
		}
		return strings.ToValidUTF8(s, "\uFFFD")
	}
	e.Username, e.Participant, e.Action = fix(e.Username), fix(e.Participant), fix(e.Action)
	e.Query, e.Decision, e.Detail = fix(e.Query), fix(e.Decision), fix(e.Detail)
	copied := false
	for i, r := range e.Objects {
		if utf8.ValidString(r.ID) && utf8.ValidString(r.Version) {
			continue
		}
		if !copied { // the caller's slice stays as it was
			e.Objects = append([]kurultai.ObjectRef(nil), e.Objects...)
			copied = true
		}
		e.Objects[i] = kurultai.ObjectRef{ID: fix(r.ID), Version: fix(r.Version)}
	}
	return e
}

// AppendLeaf appends the canonical leaf data of the entry with sequence
// number seq to dst: the RFC 8785 (JCS) form of
//
//	{"action":…, "decision":…, "detail":…, "objects":[{"id":…,"version":…}, …],
//	 "participant":…, "query":…, "seq":N, "time":"…Z", "username":…}
//
// every member always present, "version" too (empty for a ref without
// one), time in TimeFormat. The entry's strings must be valid UTF-8
// (Sanitize makes them so).
func AppendLeaf(dst []byte, seq int64, e kurultai.AuditEntry) ([]byte, error) {
	if seq < 1 || seq > 1<<53 {
		return dst, fmt.Errorf("auditlog: leaf: seq %d out of range", seq)
	}
	var err error
	str := func(name, v string) {
		dst = append(dst, '"')
		dst = append(dst, name...)
		dst = append(dst, '"', ':')
		if err == nil && !utf8.ValidString(v) {
			err = fmt.Errorf("auditlog: leaf: %s: not valid UTF-8", name)
		}
		dst = appendString(dst, v)
		dst = append(dst, ',')
	}
	dst = append(dst, '{')
	str("action", e.Action)
	str("decision", e.Decision)
	str("detail", e.Detail)
	dst = append(dst, `"objects":[`...)
	for i, r := range e.Objects {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, '{')
		str("id", r.ID)
		str("version", r.Version)
		dst[len(dst)-1] = '}'
	}
	dst = append(dst, ']', ',')
	str("participant", e.Participant)
	str("query", e.Query)
	dst = append(dst, `"seq":`...)
	dst = strconv.AppendInt(dst, seq, 10)
	dst = append(dst, ',')
	str("time", e.Time.UTC().Format(TimeFormat))
	str("username", e.Username)
	dst[len(dst)-1] = '}'
	return dst, err
}

// LeafHash returns the RFC 6962 hash of leaf data: SHA-256(0x00 || data).
func LeafHash(data []byte) []byte { return hasher.HashLeaf(data) }

// RowLeafHash re-encodes a stored row and returns its leaf hash.
func RowLeafHash(r Row) ([]byte, error) {
	e, err := r.Entry()
	if err != nil {
		return nil, err
	}
	data, err := AppendLeaf(nil, r.Seq, e)
	if err != nil {
		return nil, err
	}
	return LeafHash(data), nil
}

const hexDigits = "0123456789abcdef"

// appendString appends s (valid UTF-8) as RFC 8785 writes a string: the
// two-character escapes for quote, backslash, \b \f \n \r \t, \u00xx for
// the other control characters, every other character as it is.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		dst = append(dst, s[start:i]...)
		start = i + 1
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
