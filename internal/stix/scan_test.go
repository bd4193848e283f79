package stix

import (
	"encoding/binary"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestValidJSONMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	inputs := []string{
		``, ` `, `{}`, `[]`, `""`, `0`, `-0`, `-`, `01`, `1.`, `1.5e`, `1.5e+3`, `1E-3`, `-0.0e0`,
		`true`, `tru`, `false`, `null`, `nul`, `nullx`, `{"a":1}`, `{"a":1,}`, `{"a" 1}`, `{a:1}`,
		`[1,2]`, `[1,,2]`, `[1 2]`, `["\u00e9"]`, `["\u00g0"]`, `["\x"]`, "[\"\t\"]", `["\/\b\f\n\r\t\"\\"]`,
		`{"a":{"b":[{"c":null}]}}`, ` {"a" : [ true , false ] } `, `{} {}`, `{"a":"b"`, `"abc`, `"\`,
		"\"\x7f\"", "\"\xff\"", `[` + strings.Repeat(`"aaaaaaaa\"bbbbbbbb",`, 10) + `1]`,
		strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth),
		strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1),
		strings.Repeat(`{"a":`, maxDepth) + `1` + strings.Repeat("}", maxDepth),
		strings.Repeat(`{"a":`, maxDepth+1) + `1` + strings.Repeat("}", maxDepth+1),
	}
	for _, in := range inputs {
		got := validJSON([]byte(in)) == nil
		if want := json.Valid([]byte(in)); got != want {
			t.Errorf("validJSON(%.40q) = %v, json.Valid = %v", in, got, want)
		}
	}
}

func TestPlain8(t *testing.T) {
	t.Parallel()
	naive := func(x uint64) bool {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], x)
		for _, c := range b {
			if c < 0x20 || c == '"' || c == '\\' {
				return false
			}
		}
		return true
	}
	r := rand.New(rand.NewPCG(1, 2))
	interesting := []byte{0, 0x1f, 0x20, 0x21, '"', '\\', 'a', 0x7f, 0x80, 0xff, '"' + 1, '\\' - 1}
	for range 200000 {
		var b [8]byte
		for k := range b {
			if r.IntN(2) == 0 {
				b[k] = interesting[r.IntN(len(interesting))]
			} else {
				b[k] = byte(r.IntN(256))
			}
		}
		x := binary.LittleEndian.Uint64(b[:])
		if plain8(x) != naive(x) {
			t.Fatalf("plain8(% x) = %v, want %v", b, plain8(x), naive(x))
		}
	}
}

func TestDecodeString(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{`""`, ""},
		{`"abc"`, "abc"},
		{`"a\"b\\c\/d"`, `a"b\c/d`},
		{`"\u00e9\ud83d\ude00"`, "é😀"},
		{`"\ud800"`, "\ufffd"},
	}
	for _, tt := range tests {
		if got := decodeString([]byte(tt.in)); got != tt.want {
			t.Errorf("decodeString(%s) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
