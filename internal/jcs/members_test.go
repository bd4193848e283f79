package jcs

import (
	"errors"
	"strings"
	"testing"
)

func TestMembers(t *testing.T) {
	t.Parallel()
	text := " {\"a\" : 1, \"b\\u0063\":{\"x\":[1,2]} ,\"d\":\"s\"}\n"
	type got struct {
		name, value string
	}
	var ms []got
	closing, err := Members([]byte(text), func(m Member) error {
		if text[m.Start] != '"' {
			t.Errorf("Start %d is not a quote", m.Start)
		}
		ms = append(ms, got{string(m.Name), text[m.Value:m.End]})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []got{{"a", "1"}, {"bc", `{"x":[1,2]}`}, {"d", `"s"`}}
	if len(ms) != len(want) {
		t.Fatalf("got %v, want %v", ms, want)
	}
	for i := range want {
		if ms[i] != want[i] {
			t.Errorf("member %d: got %v, want %v", i, ms[i], want[i])
		}
	}
	if text[closing] != '}' || strings.TrimSpace(text[closing+1:]) != "" {
		t.Errorf("closing %d is not the last brace", closing)
	}
}

func TestMembersEmptyAndErrors(t *testing.T) {
	t.Parallel()
	closing, err := Members([]byte(` { } `), func(Member) error { t.Error("called for an empty object"); return nil })
	if err != nil || closing != 3 {
		t.Errorf("empty object: closing %d, %v", closing, err)
	}
	stop := errors.New("stop")
	if _, err := Members([]byte(`{"a":1,"b":2}`), func(Member) error { return stop }); err != stop {
		t.Errorf("fn error: got %v", err)
	}
	for _, in := range []string{`[]`, `"x"`, `{"a":1} x`, `{"a":}`, `{"a":[1,}`, "{\"a\":\"\xff\"}", `{"a":"\ud800"}`, `{"a" 1}`, `{"a":1,}`, ``,
		`{"a":` + strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth) + `}`} {
		if _, err := Members([]byte(in), func(Member) error { return nil }); err == nil {
			t.Errorf("Members(%.40q): no error", in)
		}
	}
}

func TestString(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{`"abc"`, "abc"}, {`""`, ""}, {`"a\"b\\c\/d\n"`, "a\"b\\c/d\n"}, {`"\u00e9\ud83d\ude00"`, "é😀"},
	}
	for _, tc := range tests {
		got, err := String([]byte(tc.in))
		if err != nil || got != tc.want {
			t.Errorf("String(%s) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{``, `abc`, `"abc`, `"a" `, ` "a"`, `"\ud800"`, "\"\xff\"", `1`} {
		if got, err := String([]byte(in)); err == nil {
			t.Errorf("String(%q) = %q, want an error", in, got)
		}
	}
}
