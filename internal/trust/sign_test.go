package trust

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/kurultai/kurultai/internal/jcs"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/stix"
)

func TestSignVerifyRoundTrip(t *testing.T) {
	t.Parallel()
	s := testSigner(t, "a", "KZ")
	v := NewVerifier(testKeys(t, "KZ", "a"))
	tests := []struct {
		name, in string
		changes  bool // the content changes: an empty extensions gets dropped
	}{
		{"indicator", string(testObject(0)), false},
		{"no extensions", `{"type":"x-thing","id":"x-thing--2f0b0e0c-5d6b-4e4f-8f6e-0a1b2c3d4e5f"}`, false},
		{"empty object", `{}`, false},
		{"white space around", " \n{ \"a\" : 1 }\n ", false},
		{"other extensions kept", `{"a":1,"extensions":{"x-acme-ext":{"v":2}}}`, false},
		{"empty extensions", `{"a":1,"extensions":{ }}`, true},
		{"signed by someone else", string(mustSign(t, testSigner(t, "other", "UZ"), testObject(0))), false},
		{"entry with extra members", `{"extensions":{"` + ExtensionID + `":{"extension_type":"property-extension","note":"x"}}}`, false},
		{"escaped names", `{"ext\u0065nsions":{"x-acme-ext":{}},"b":"\u00e9"}`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			signed := mustSign(t, s, []byte(tc.in))
			kid, signer, err := v.Verify(signed)
			if err != nil {
				t.Fatalf("Verify: %v\n%s", err, signed)
			}
			if kid != s.KeyID() || signer != "KZ" {
				t.Errorf("Verify = %s, %s; want %s, KZ", kid, signer, s.KeyID())
			}
			if !json.Valid(signed) {
				t.Fatalf("signed object is not JSON: %s", signed)
			}
			if !SameContent([]byte(tc.in), signed) && !strings.Contains(tc.in, ExtensionID) && !tc.changes {
				t.Errorf("signing changed the content:\n%s\n%s", tc.in, signed)
			}
		})
	}
}

// TestSignKeepsBytes checks that signing only adds the entry: removing it
// from the output gives the input back byte for byte.
func TestSignKeepsBytes(t *testing.T) {
	t.Parallel()
	s := testSigner(t, "a", "KZ")
	in := testObject(0)
	out := mustSign(t, s, in)
	i := bytes.Index(out, []byte(`,"extensions":{`))
	if i < 0 {
		t.Fatalf("no extensions added:\n%s", out)
	}
	end := i + bytes.Index(out[i:], []byte(`"}}`)) + 3
	if got := append(out[:i:i], out[end:]...); !bytes.Equal(got, in) {
		t.Errorf("bytes outside the entry changed:\n%s", got)
	}
}

func TestSignDeterministic(t *testing.T) {
	t.Parallel()
	s := testSigner(t, "a", "KZ")
	for _, in := range [][]byte{testObject(0), []byte(`{"extensions":{"x-acme-ext":{"v":1}},"a":[1,2]}`), []byte(`{}`)} {
		once := mustSign(t, s, in)
		if again := mustSign(t, s, bytes.Clone(in)); !bytes.Equal(once, again) {
			t.Errorf("signing the same bytes twice differs:\n%s\n%s", once, again)
		}
		if twice := mustSign(t, s, once); !bytes.Equal(once, twice) {
			t.Errorf("re-signing a signed object changed it:\n%s\n%s", once, twice)
		}
		// Re-signing after another key signed gives the same bytes as before.
		other := mustSign(t, testSigner(t, "b", "UZ"), once)
		if back := mustSign(t, s, other); !bytes.Equal(once, back) {
			t.Errorf("signing over another signature differs:\n%s\n%s", once, back)
		}
	}
}

func TestSignedObjectParses(t *testing.T) {
	t.Parallel()
	s := testSigner(t, "a", "KZ")
	in := testObject(0)
	want, err := stix.ParseObject(in)
	if err != nil {
		t.Fatal(err)
	}
	signed := mustSign(t, s, in)
	got, err := stix.ParseObject(signed)
	if err != nil {
		t.Fatalf("ParseObject(signed): %v", err)
	}
	if got.ID != want.ID || got.Version != want.Version || strings.Join(got.MarkingRefs, ",") != strings.Join(want.MarkingRefs, ",") {
		t.Errorf("signed object parses as %+v, want %+v", got, want)
	}
}

func TestSignRefuses(t *testing.T) {
	t.Parallel()
	s := testSigner(t, "a", "KZ")
	for _, in := range []string{``, `[]`, `"x"`, `{"a":1,"a":2}`, `{"a":{"b":1,"b":2}}`, "{\"a\":\"\xff\"}", `{"a":"\ud800"}`, `{"a":1e400}`,
		`{"extensions":[]}`, `{"extensions":{},"extensions":{}}`, `{"extensions":{"` + ExtensionID + `":1}}`,
		`{"extensions":{"` + ExtensionID + `":{},"` + ExtensionID + `":{}}}`, `{"a":1} {}`, `{"a":1,}`} {
		out, err := s.Sign([]byte(in))
		if err == nil {
			t.Errorf("Sign(%q) = %s, want an error", in, out)
			continue
		}
		if kurultai.ErrorCode(err) != kurultai.CodeInvalid || !errors.Is(err, ErrMalformed) {
			t.Errorf("Sign(%q): %v is not an invalid-input ErrMalformed", in, err)
		}
	}
}

func TestSignErrorOffset(t *testing.T) {
	t.Parallel()
	s := testSigner(t, "a", "KZ")
	// The entry is replaced by a longer one before the repeated name.
	in := `{"extensions":{"` + ExtensionID + `":{"x":1}},"a":1,"a":2}`
	want := fmt.Sprintf("offset %d", strings.LastIndex(in, `"a"`))
	_, err := s.Sign([]byte(in))
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v should name %s of the input", err, want)
	}
}

func TestNewSignerRefuses(t *testing.T) {
	t.Parallel()
	for _, p := range []string{"", "kz", "K", "KZ\"", "ABCDEFGHIJK", "K Z"} {
		if _, err := NewSigner(testKey("a"), p); err == nil {
			t.Errorf("NewSigner(participant %q): no error", p)
		}
	}
	if _, err := NewSigner(testKey("a")[:10], "KZ"); err == nil {
		t.Error("NewSigner(short key): no error")
	}
}

func TestContent(t *testing.T) {
	t.Parallel()
	a, b := testSigner(t, "a", "KZ"), testSigner(t, "b", "KZ")
	plain := []byte(`{"b":1,"a":"x"}`)
	withExt := []byte(`{"b":1,"a":"x","extensions":{"x-acme-ext":{"v":1}}}`)
	for _, in := range [][]byte{plain, withExt} {
		want, err := jcs.Canonicalize(in)
		if err != nil {
			t.Fatal(err)
		}
		for _, signed := range [][]byte{mustSign(t, a, in), mustSign(t, b, in)} {
			got, err := Content(signed)
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("Content(%s) = %s, %v; want %s", signed, got, err, want)
			}
		}
	}
	tests := []struct {
		x, y string
		same bool
	}{
		{`{"a":1,"b":[1,2]}`, "{ \"b\" : [1, 2.0], \"a\" : 1e0 }", true},
		{`{"a":1}`, string(mustSign(t, a, []byte(`{"a":1}`))), true},
		{string(mustSign(t, a, []byte(`{"a":1}`))), string(mustSign(t, b, []byte(`{"a":1}`))), true},
		{`{"a":1}`, `{"a":2}`, false},
		{`{"a":1}`, `{"a":1,"extensions":{"x-acme-ext":{}}}`, false},
		{`{"a":1}`, `{"a":1,"a":1}`, false},
		{`{"a":1,"a":1}`, `{"a":1,"a":1}`, true}, // equal bytes
	}
	for _, tc := range tests {
		if got := SameContent([]byte(tc.x), []byte(tc.y)); got != tc.same {
			t.Errorf("SameContent(%s, %s) = %v, want %v", tc.x, tc.y, got, tc.same)
		}
	}
}

func TestSignerPrintsNoSecret(t *testing.T) {
	t.Parallel()
	s := testSigner(t, "a", "KZ")
	assertNoSecret(t, s, testKey("a"))
}

// TestSignConcurrent signs from several goroutines at once (run with
// -race): each result must equal the one signed alone.
func TestSignConcurrent(t *testing.T) {
	t.Parallel()
	s := testSigner(t, "a", "KZ")
	v := NewVerifier(testKeys(t, "KZ", "a"))
	want := make([][]byte, 8)
	for i := range want {
		want[i] = mustSign(t, s, testObject(i))
	}
	errs := make(chan error, len(want))
	for i := range want {
		go func() {
			for range 20 {
				got, err := s.Sign(testObject(i))
				if err == nil && !bytes.Equal(got, want[i]) {
					err = fmt.Errorf("object %d signed differently", i)
				}
				if err == nil {
					_, _, err = v.Verify(got)
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range want {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
