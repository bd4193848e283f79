package jcs

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"unicode/utf8"
)

func addSeeds(f *testing.F) {
	for _, s := range []string{
		`{}`, `[]`, `{"b":1,"a":[1,2.50,-0,1e21,1e-7]}`, `"\u00e9\ud83d\ude00\n"`, `{"a":1,"a":2}`,
		`"\ud800"`, "\"\xff\"", `1e400`, `[1,]`, `{"😀":1,"ﬁ":2}`, `{"\u0061":1,"a":2}`, `12345678901234567890`,
		` { "x" : { "z" : null , "y" : true } } `, `[[[[[]]]]]`, `"\/\b\f\r\t\u0001"`,
	} {
		f.Add([]byte(s))
	}
	f.Add(typicalObject())
}

// FuzzCanonicalize checks that the canonical form means what the input
// means (as encoding/json reads both), is valid JSON and UTF-8, and is its
// own canonical form; and that every refusal is either invalid JSON or one
// of the I-JSON rules.
func FuzzCanonicalize(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := Canonicalize(data)
		var in any
		inErr := json.Unmarshal(data, &in)
		if err != nil {
			switch {
			case errors.Is(err, ErrSyntax):
				if json.Valid(data) {
					t.Fatalf("refused as invalid JSON, but encoding/json accepts it: %v", err)
				}
			case errors.Is(err, ErrUTF8):
				if utf8.Valid(data) {
					t.Fatalf("refused as invalid UTF-8, but it is valid: %v", err)
				}
			case errors.Is(err, ErrNumberRange):
				if inErr == nil {
					t.Fatalf("refused a number as out of range, but encoding/json decodes it: %v", err)
				}
			case errors.Is(err, ErrLoneSurrogate), errors.Is(err, ErrDuplicateKey), errors.Is(err, ErrDepth):
			default:
				t.Fatalf("error of no known kind: %v", err)
			}
			return
		}
		if inErr != nil {
			t.Fatalf("accepted input that encoding/json refuses (%v); output %s", inErr, out)
		}
		if !json.Valid(out) || !utf8.Valid(out) {
			t.Fatalf("output is not valid JSON/UTF-8: %q", out)
		}
		var got any
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("output does not decode: %v", err)
		}
		if !reflect.DeepEqual(in, got) {
			t.Fatalf("meaning changed:\n in %#v\nout %#v", in, got)
		}
		again, err := Canonicalize(out)
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("not idempotent: %q -> %q (%v)", out, again, err)
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, out); err != nil || !bytes.Equal(compact.Bytes(), out) {
			t.Fatalf("output has white space: %q", out)
		}
	})
}

// FuzzMembers checks that Members agrees with Canonicalize and
// encoding/json on the members of an object, and that its spans are
// exact.
func FuzzMembers(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		var ms []Member
		_, err := Members(data, func(m Member) error {
			ms = append(ms, m)
			return nil
		})
		var obj map[string]json.RawMessage
		_, cerr := Canonicalize(data)
		if cerr != nil || json.Unmarshal(data, &obj) != nil {
			return // Members checks syntax only; nothing to compare
		}
		if err != nil {
			t.Fatalf("Members refused an object Canonicalize accepts: %v", err)
		}
		if len(ms) != len(obj) {
			t.Fatalf("%d members, encoding/json finds %d", len(ms), len(obj))
		}
		for _, m := range ms {
			want, ok := obj[string(m.Name)]
			if !ok {
				t.Fatalf("member %q unknown to encoding/json", m.Name)
			}
			if !bytes.Equal(data[m.Value:m.End], want) {
				t.Fatalf("member %q: value %q, encoding/json %q", m.Name, data[m.Value:m.End], want)
			}
			if data[m.Start] != '"' {
				t.Fatalf("member %q: Start %d is not a quote", m.Name, m.Start)
			}
		}
	})
}
