package stix

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// seedObjects returns valid and nearly valid objects for the fuzz corpora.
func seedObjects() []string {
	seeds := []string{
		obj(indicatorBase),
		obj(indicatorBase, "object_marking_refs", `["`+kurultai.TLP2RedID+`"]`, "granular_markings", `[{"selectors":["name"],"marking_ref":"`+testMarkingID+`"}]`),
		obj(indicatorBase, "external_references", `[{"source_name":"a","url":"u","hashes":{"MD5":"00"}}]`, "labels", `["x"]`),
		obj(indicatorBase, "modified", q("2020-01-01T00:00:00.000Z")),
		obj(scoBase),
		obj(markingBase),
		obj(markingBase, "extensions", tlpExt("amber")),
		obj(markingBase, "extensions", del, "definition_type", q("statement"), "definition", `{"statement":"s"}`),
		obj(extDefBase),
		`{"type":"x-a","id":"x-a--6ba7b810-9dad-41d1-80b4-00c04fd430c8","extensions":{"x-b-ext":{"a":1}}}`,
		`{"\u0074ype":"indicator"}`,
		`[]`, `{}`, `{"a":1}{`, "\xff",
		string(typicalObject(3)),
	}
	for _, raw := range TLPMarkingDefinitions() {
		seeds = append(seeds, string(raw))
	}
	return seeds
}

func FuzzParseObject(f *testing.F) {
	for _, s := range seedObjects() {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		in := bytes.Clone(raw)
		v, err := ParseObject(raw)
		if !bytes.Equal(raw, in) {
			t.Fatal("ParseObject modified its input")
		}
		if err != nil {
			var ke *kurultai.Error
			if !errors.As(err, &ke) || ke.Code != kurultai.CodeInvalid || v != nil {
				t.Fatalf("error %T %v with version %v", err, err, v)
			}
			return
		}
		if !json.Valid(raw) {
			t.Fatalf("accepted invalid JSON %q", raw)
		}
		if !bytes.Equal(v.Raw, raw) {
			t.Fatal("Raw differs from the input")
		}
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("accepted something encoding/json cannot decode as an object: %v", err)
		}
		if m["id"] != v.ID || m["type"] != v.Type || !strings.HasPrefix(v.ID, v.Type+"--") {
			t.Fatalf("id/type %q %q disagree with encoding/json %v %v", v.ID, v.Type, m["id"], m["type"])
		}
		if v.Version != "" {
			ts, err := ParseTime(v.Version)
			if err != nil || ts.UnixNano() != v.VersionKey {
				t.Fatalf("Version %q, VersionKey %d: %v", v.Version, v.VersionKey, err)
			}
		} else if v.VersionKey != 0 {
			t.Fatalf("VersionKey %d without Version", v.VersionKey)
		}
		for i, r := range v.MarkingRefs {
			if !strings.HasPrefix(r, "marking-definition--") {
				t.Fatalf("marking ref %q", r)
			}
			for _, prev := range v.MarkingRefs[:i] {
				if prev == r {
					t.Fatalf("repeated marking ref %q", r)
				}
			}
		}
		if v.Marking != nil && (v.Type != "marking-definition" || v.Marking.ID != v.ID) {
			t.Fatalf("Marking %+v on %s", v.Marking, v.ID)
		}
	})
}

func FuzzParseEnvelope(f *testing.F) {
	for _, s := range seedObjects() {
		f.Add([]byte(`{"objects":[` + s + `]}`))
	}
	f.Add([]byte(`{"type":"bundle","id":"bundle--44af6c39-c09b-49c5-9de2-394224b04982","objects":[` + obj(indicatorBase) + `,` + obj(scoBase) + `]}`))
	f.Add([]byte(`{"more":true,"next":"x","objects":[]}`))
	f.Add([]byte(`{"objects":[1]}`))
	f.Add([]byte(`{"objects":[{}],"objects":[]}`))
	f.Add([]byte(`{"objects":[{}]} x`))
	f.Fuzz(func(t *testing.T, body []byte) {
		objs, err := ParseEnvelope(body)
		if err != nil {
			if kurultai.ErrorCode(err) != kurultai.CodeInvalid || objs != nil {
				t.Fatalf("error %v with %d objects", err, len(objs))
			}
			return
		}
		if !json.Valid(body) {
			t.Fatalf("accepted invalid JSON %q", body)
		}
		if objs == nil {
			t.Fatal("nil objects without an error")
		}
		for n, o := range objs {
			if len(o) == 0 || o[0] != '{' || !json.Valid(o) {
				t.Fatalf("object %d is not a JSON object: %q", n, o)
			}
			// Each object must be a piece of the body.
			if !bytes.Contains(body, o) {
				t.Fatalf("object %d is not part of the body", n)
			}
			_, _ = ParseObject(o)
		}
	})
}

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{
		"2021-03-04T05:06:07Z", "2021-03-04T05:06:07.123Z", "2021-03-04T05:06:07.123456789123Z",
		"2021-02-29T00:00:00Z", "2016-12-31T23:59:60Z", "2021-03-04T05:06:07+01:00",
		"2021-03-04T05:06:07.Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ts, err := ParseTime(s)
		if err != nil {
			if !ts.IsZero() {
				t.Fatalf("non-zero time %v with error %v", ts, err)
			}
			return
		}
		if ts.Location() != time.UTC {
			t.Fatalf("location %v", ts.Location())
		}
		back, err := ParseTime(FormatTime(ts))
		if err != nil || !back.Equal(ts.Truncate(time.Microsecond)) {
			t.Fatalf("round trip of %q: %v, %v", s, back, err)
		}
		// Up to nanoseconds, the standard library must agree.
		if frac := strings.IndexByte(s, '.'); frac < 0 || len(s)-frac-2 <= 9 {
			std, err := time.Parse(time.RFC3339Nano, s)
			if err != nil || !std.Equal(ts) {
				t.Fatalf("time.Parse(%q) = %v, %v; ParseTime = %v", s, std, err, ts)
			}
		}
	})
}

// FuzzScanner checks the scanner against encoding/json.
func FuzzScanner(f *testing.F) {
	for _, s := range seedObjects() {
		f.Add([]byte(s))
	}
	for _, s := range []string{`[1,-0.5e+3,"\u00e9\"",true,false,null,{}]`, `"\ud800"`, `01`, `[1,]`, "\"\x01\"", `{"a":[{"b":"c\\"}]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got := validJSON(b) == nil
		if want := json.Valid(b); got != want {
			t.Fatalf("validJSON(%q) = %v, json.Valid = %v", b, got, want)
		}
		// decodeString keeps invalid UTF-8 as it is (ParseObject rejects
		// it before decoding anything); encoding/json replaces it.
		if got && len(b) > 0 && utf8.Valid(b) {
			i := skipSpace(b, 0)
			if i < len(b) && b[i] == '"' {
				end, _, _ := skipString(b, i)
				var want string
				if err := json.Unmarshal(b[i:end], &want); err == nil && decodeString(b[i:end]) != want {
					t.Fatalf("decodeString(%q) = %q, want %q", b[i:end], decodeString(b[i:end]), want)
				}
			}
		}
	})
}
