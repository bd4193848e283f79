package jcs

import (
	"errors"
	"fmt"
	"math"
)

// The kinds of error, for errors.Is.
var (
	ErrSyntax        = errors.New("invalid JSON")
	ErrUTF8          = errors.New("invalid UTF-8")
	ErrLoneSurrogate = errors.New("lone surrogate in \\u escape")
	ErrDuplicateKey  = errors.New("duplicate member name")
	ErrNumberRange   = errors.New("number out of the range of a double")
	ErrDepth         = errors.New("nesting too deep")
)

// maxDepth bounds nesting; encoding/json uses the same limit.
const maxDepth = 10000

// Error is a refusal of the input: what is wrong (Err, one of the kinds
// above) and at which byte offset.
type Error struct {
	Offset int
	Err    error
	Detail string // e.g. the duplicate name; may be empty
}

// Error implements error.
func (e *Error) Error() string {
	if e.Detail != "" {
		return fmt.Sprintf("jcs: %v at offset %d: %s", e.Err, e.Offset, e.Detail)
	}
	return fmt.Sprintf("jcs: %v at offset %d", e.Err, e.Offset)
}

// Unwrap returns the kind.
func (e *Error) Unwrap() error { return e.Err }

func errAt(off int, kind error, detail string) *Error {
	return &Error{Offset: off, Err: kind, Detail: detail}
}

// Canonicalize returns the canonical form of the JSON text raw (RFC 8785).
func Canonicalize(raw []byte) ([]byte, error) {
	var e Encoder
	return e.Append(make([]byte, 0, len(raw)), raw)
}

// Encoder canonicalizes JSON texts, keeping its scratch space from one
// call to the next. The zero value is ready to use. An Encoder must not be
// used by two goroutines at once.
type Encoder struct {
	nodes   []node
	members []member // members of finished objects, each object's sorted
	stack   []member // members of the objects being parsed
	keys    []byte   // unescaped names of members whose names have escapes
}

// node is one JSON value. Nodes are kept in pre-order, so a container's
// first child follows it and next skips its subtree.
type node struct {
	kind       uint8
	start, end int32   // the value's bytes in the input
	next       int32   // index of the node after this subtree
	first, n   int32   // objects: members[first:first+n]
	f          float64 // kindNumber: the value
}

const (
	kindObject uint8 = iota
	kindArray
	kindString        // no escapes: copied as is
	kindStringEscaped // rewritten with canonical escapes
	kindInt           // at most 15 digits, no fraction or exponent: copied ("-0" is "0")
	kindNumber        // formatted from f
	kindLiteral       // true, false, null
)

// member is one object member: its name (in the input, or unescaped in
// Encoder.keys when escaped) and its value's node.
type member struct {
	prefix   uint64 // see namePrefix
	ascii    bool   // prefix is all ASCII
	ks, ke   int32  // the name, quotes excluded
	escaped  bool   // ks:ke index keys, not the input
	tokStart int32  // the name's opening quote in the input
	val      int32  // node index
}

// Append appends the canonical form of raw to dst. On error dst is
// returned unchanged (up to its length).
func (e *Encoder) Append(dst, raw []byte) ([]byte, error) {
	if len(raw) >= math.MaxInt32 {
		return dst, errAt(0, ErrSyntax, "input larger than 2 GiB")
	}
	e.nodes, e.members, e.stack, e.keys = e.nodes[:0], e.members[:0], e.stack[:0], e.keys[:0]
	p := parser{e: e, raw: raw}
	i := skipSpace(raw, 0)
	end, err := p.value(i, 0)
	if err != nil {
		return dst, err
	}
	if j := skipSpace(raw, end); j != len(raw) {
		return dst, errAt(j, ErrSyntax, "data after the top-level value")
	}
	return e.emit(dst, raw, 0), nil
}

// emit writes node i and its subtree.
func (e *Encoder) emit(dst, raw []byte, i int32) []byte {
	n := &e.nodes[i]
	switch n.kind {
	case kindObject:
		dst = append(dst, '{')
		for k, m := range e.members[n.first : n.first+n.n] {
			if k > 0 {
				dst = append(dst, ',')
			}
			if m.escaped {
				dst = appendString(dst, e.keys[m.ks:m.ke])
			} else {
				dst = append(dst, raw[m.ks-1:m.ke+1]...)
			}
			dst = append(dst, ':')
			dst = e.emit(dst, raw, m.val)
		}
		return append(dst, '}')
	case kindArray:
		dst = append(dst, '[')
		for c := i + 1; c < n.next; c = e.nodes[c].next {
			if c > i+1 {
				dst = append(dst, ',')
			}
			dst = e.emit(dst, raw, c)
		}
		return append(dst, ']')
	case kindStringEscaped:
		return appendUnescaped(dst, raw[n.start:n.end])
	case kindInt:
		if n.end-n.start == 2 && raw[n.start] == '-' && raw[n.start+1] == '0' {
			return append(dst, '0')
		}
		return append(dst, raw[n.start:n.end]...)
	case kindNumber:
		return AppendNumber(dst, n.f)
	default: // kindString, kindLiteral
		return append(dst, raw[n.start:n.end]...)
	}
}
