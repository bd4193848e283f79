package stix

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
)

// This file is a small JSON scanner. It checks syntax exactly as
// encoding/json does (the fuzz tests compare it with json.Valid) but builds
// nothing: callers get the byte span of each value and decode only the few
// values they need. That is what makes ingest fast, and it lets ParseObject
// see property names exactly as written (encoding/json matches struct fields
// case-insensitively and lets a duplicate key silently win).

// maxDepth is the nesting limit; encoding/json uses the same.
const maxDepth = 10000

// syntaxError is a JSON syntax error at a byte offset of the scanned input.
type syntaxError struct {
	off int
	msg string
}

func (e *syntaxError) Error() string {
	return fmt.Sprintf("invalid JSON at offset %d: %s", e.off, e.msg)
}

func errAt(b []byte, i int, what string) *syntaxError {
	if i >= len(b) {
		return &syntaxError{off: i, msg: "unexpected end of input"}
	}
	return &syntaxError{off: i, msg: fmt.Sprintf("unexpected %s %s", quoteByte(b[i]), what)}
}

func quoteByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return fmt.Sprintf("%q", rune(c))
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

// skipSpace returns the index of the first byte at or after i that is not
// JSON white space.
func skipSpace(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// skipValue returns the index just after the JSON value that starts at
// b[i] (which is not white space). depth is the nesting depth of the
// enclosing container (0 at the top level).
func skipValue(b []byte, i, depth int) (int, error) {
	if i >= len(b) {
		return i, errAt(b, i, "")
	}
	switch c := b[i]; {
	case c == '"':
		end, _, err := skipString(b, i)
		return end, err
	case c == '{':
		return skipObject(b, i, depth+1)
	case c == '[':
		return skipArray(b, i, depth+1)
	case c == 't':
		return skipLiteral(b, i, "true")
	case c == 'f':
		return skipLiteral(b, i, "false")
	case c == 'n':
		return skipLiteral(b, i, "null")
	case c == '-' || (c >= '0' && c <= '9'):
		return skipNumber(b, i)
	}
	return i, errAt(b, i, "looking for beginning of value")
}

func skipLiteral(b []byte, i int, lit string) (int, error) {
	for k := 0; k < len(lit); k++ {
		if i+k >= len(b) || b[i+k] != lit[k] {
			return i + k, errAt(b, i+k, "in literal "+lit)
		}
	}
	return i + len(lit), nil
}

func skipObject(b []byte, i, depth int) (int, error) {
	if depth > maxDepth {
		return i, &syntaxError{off: i, msg: "exceeded max depth"}
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, nil
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return i, errAt(b, i, "looking for beginning of object key string")
		}
		end, _, err := skipString(b, i)
		if err != nil {
			return end, err
		}
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return i, errAt(b, i, "after object key")
		}
		i = skipSpace(b, i+1)
		if i, err = skipValue(b, i, depth); err != nil {
			return i, err
		}
		i = skipSpace(b, i)
		if i >= len(b) {
			return i, errAt(b, i, "")
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case '}':
			return i + 1, nil
		default:
			return i, errAt(b, i, "after object key:value pair")
		}
	}
}

func skipArray(b []byte, i, depth int) (int, error) {
	if depth > maxDepth {
		return i, &syntaxError{off: i, msg: "exceeded max depth"}
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1, nil
	}
	for {
		var err error
		if i, err = skipValue(b, i, depth); err != nil {
			return i, err
		}
		i = skipSpace(b, i)
		if i >= len(b) {
			return i, errAt(b, i, "")
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case ']':
			return i + 1, nil
		default:
			return i, errAt(b, i, "after array element")
		}
	}
}

// skipString returns the index just after the string that starts at b[i]
// (a '"') and whether it contains escapes.
func skipString(b []byte, i int) (end int, escaped bool, err error) {
	i++
	for i < len(b) {
		// Skip eight plain bytes at a time: no quote, backslash or
		// control character among them. Most strings are long runs of
		// such bytes (descriptions, patterns).
		for i+8 <= len(b) && plain8(binary.LittleEndian.Uint64(b[i:])) {
			i += 8
		}
		if i >= len(b) {
			break
		}
		c := b[i]
		switch {
		case c == '"':
			return i + 1, escaped, nil
		case c == '\\':
			escaped = true
			if i+1 >= len(b) {
				return i + 1, escaped, errAt(b, i+1, "")
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				for k := 2; k < 6; k++ {
					if i+k >= len(b) || !isHex(b[i+k]) {
						return i + k, escaped, errAt(b, i+k, "in \\u hexadecimal character escape")
					}
				}
				i += 6
			default:
				return i + 1, escaped, errAt(b, i+1, "in string escape code")
			}
		case c < 0x20:
			return i, escaped, errAt(b, i, "in string literal")
		default:
			i++
		}
	}
	return i, escaped, errAt(b, i, "")
}

// SWAR constants: one in every byte, the high bit of every byte.
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// plain8 reports whether none of the eight bytes in x is '"', '\\' or a
// control character (< 0x20). Each test is the classic "has a byte less
// than n" bit trick, exact as a yes/no answer for n <= 128; x^(ones*c) turns
// bytes equal to c into zero bytes.
func plain8(x uint64) bool {
	less := func(x uint64, n uint64) uint64 { return (x - ones*n) &^ x & highs }
	return less(x, 0x20)|less(x^(ones*'"'), 1)|less(x^(ones*'\\'), 1) == 0
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// skipNumber returns the index just after the number that starts at b[i].
func skipNumber(b []byte, i int) (int, error) {
	if b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	default:
		return i, errAt(b, i, "in numeric literal")
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || !isDigit(b[i]) {
			return i, errAt(b, i, "after decimal point in numeric literal")
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || !isDigit(b[i]) {
			return i, errAt(b, i, "in exponent of numeric literal")
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	return i, nil
}

// validJSON reports whether b is exactly one JSON value with optional
// surrounding white space.
func validJSON(b []byte) error {
	i := skipSpace(b, 0)
	end, err := skipValue(b, i, 0)
	if err != nil {
		return err
	}
	if end = skipSpace(b, end); end != len(b) {
		return errAt(b, end, "after top-level value")
	}
	return nil
}

// The helpers below work on spans the scanner has already checked, so they
// do not report syntax errors again.

// jsonKind names the JSON type of a checked value, for error messages.
func jsonKind(v []byte) string {
	if len(v) == 0 {
		return "nothing"
	}
	switch v[0] {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// decodeString returns the value of the checked JSON string token s.
// Invalid UTF-8 is kept as it is when s has no escapes (callers that care
// check UTF-8 first, as ParseObject does).
func decodeString(s []byte) string {
	inner := s[1 : len(s)-1]
	for _, c := range inner {
		if c == '\\' {
			var out string
			if err := json.Unmarshal(s, &out); err != nil {
				// Unreachable for a checked token; keep the raw text.
				return string(inner)
			}
			return out
		}
	}
	return string(inner)
}

// eachMember calls fn for each member of the checked JSON object obj, with
// the key's raw token (quotes included) and the value's span.
func eachMember(obj []byte, fn func(key, val []byte) error) error {
	i := skipSpace(obj, 1)
	if i < len(obj) && obj[i] == '}' {
		return nil
	}
	for {
		kend, _, _ := skipString(obj, i)
		key := obj[i:kend]
		i = skipSpace(obj, kend)
		i = skipSpace(obj, i+1) // ':'
		vend, err := skipValue(obj, i, 0)
		if err != nil {
			return err
		}
		if err := fn(key, obj[i:vend]); err != nil {
			return err
		}
		i = skipSpace(obj, vend)
		if i >= len(obj) || obj[i] == '}' {
			return nil
		}
		i = skipSpace(obj, i+1) // ','
	}
}

// eachElement calls fn for each element of the checked JSON array arr with
// its index and span.
func eachElement(arr []byte, fn func(n int, val []byte) error) error {
	i := skipSpace(arr, 1)
	if i < len(arr) && arr[i] == ']' {
		return nil
	}
	for n := 0; ; n++ {
		vend, err := skipValue(arr, i, 0)
		if err != nil {
			return err
		}
		if err := fn(n, arr[i:vend]); err != nil {
			return err
		}
		i = skipSpace(arr, vend)
		if i >= len(arr) || arr[i] == ']' {
			return nil
		}
		i = skipSpace(arr, i+1) // ','
	}
}
