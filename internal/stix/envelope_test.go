package stix

import (
	"strings"
	"testing"
)

func TestParseEnvelope(t *testing.T) {
	t.Parallel()
	a, b := obj(indicatorBase), obj(scoBase)
	tests := []struct {
		name string
		body string
		want []string
	}{
		{"envelope", `{"more":false,"next":"abc","objects":[` + a + `,` + b + `]}`, []string{a, b}},
		{"envelope with space", " \n{ \"objects\" : [ " + a + " ,\n\t" + b + " ] }\r\n", []string{a, b}},
		{"bundle", `{"type":"bundle","id":"bundle--44af6c39-c09b-49c5-9de2-394224b04982","objects":[` + a + `]}`, []string{a}},
		{"bundle 2.0 style", `{"type":"bundle","id":"bundle--44af6c39-c09b-49c5-9de2-394224b04982","spec_version":"2.0","objects":[` + a + `]}`, []string{a}},
		{"empty objects", `{"objects":[]}`, []string{}},
		{"unknown members ignored", `{"x":{"objects":1},"objects":[` + a + `],"y":[1,2]}`, []string{a}},
		{"objects not validated here", `{"objects":[{"anything":1}]}`, []string{`{"anything":1}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseEnvelope([]byte(tt.body))
			if err != nil {
				t.Fatalf("ParseEnvelope: %v", err)
			}
			if got == nil {
				t.Fatal("got nil slice")
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d objects, want %d", len(got), len(tt.want))
			}
			for n := range got {
				if string(got[n]) != tt.want[n] {
					t.Errorf("object %d = %s, want %s", n, got[n], tt.want[n])
				}
				if cap(got[n]) != len(got[n]) {
					t.Errorf("object %d has spare capacity; appending to it would overwrite the body", n)
				}
			}
		})
	}
}

func TestParseEnvelopeInvalid(t *testing.T) {
	t.Parallel()
	a := obj(indicatorBase)
	tests := []struct {
		name, body, field, msg string
	}{
		{"empty body", ``, "", "unexpected end of input"},
		{"array", `[` + a + `]`, "", "must be a JSON object"},
		{"null", `null`, "", "not null"},
		{"no objects", `{"more":false}`, "objects", "required"},
		{"empty object", `{}`, "objects", "required"},
		{"objects null", `{"objects":null}`, "objects", "must be an array of STIX objects, not null"},
		{"objects object", `{"objects":{}}`, "objects", "not an object"},
		{"object not object", `{"objects":[` + a + `,"x"]}`, "objects[1]", "must be a JSON object, not a string"},
		{"object array", `{"objects":[[]]}`, "objects[0]", "must be a JSON object, not an array"},
		{"syntax error in object", `{"objects":[` + a + `,{"a":}]}`, "objects[1]", "invalid JSON"},
		{"missing comma", `{"objects":[` + a + ` ` + a + `]}`, "objects", "after array element"},
		{"unterminated", `{"objects":[` + a, "objects", "unexpected end of input"},
		{"trailing garbage", `{"objects":[]}x`, "", "after the top-level object"},
		{"second value", `{"objects":[]} {}`, "", "after the top-level object"},
		{"duplicate objects", `{"objects":[],"objects":[` + a + `]}`, "objects", "duplicate member"},
		{"more string", `{"more":"false","objects":[]}`, "more", "must be a boolean"},
		{"next number", `{"next":1,"objects":[]}`, "next", "must be a string"},
		{"type not bundle", `{"type":"envelope","objects":[]}`, "type", `must be "bundle"`},
		{"type number", `{"type":1,"objects":[]}`, "type", "must be a string"},
		{"bundle without id", `{"type":"bundle","objects":[]}`, "id", "required for a bundle"},
		{"bundle bad id", `{"type":"bundle","id":"indicator--44af6c39-c09b-49c5-9de2-394224b04982","objects":[]}`, "id", "bundle"},
		{"syntax error in other member", `{"x":[1,,2],"objects":[]}`, "x", "invalid JSON"},
		{"bad key", `{objects:[]}`, "", "looking for beginning of object key string"},
		{"deep nesting", `{"objects":[{"a":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}]}`, "objects[0]", "exceeded max depth"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseEnvelope([]byte(tt.body))
			if got != nil {
				t.Errorf("got %d objects with the error", len(got))
			}
			wantInvalid(t, err, tt.field, tt.msg)
		})
	}
}
