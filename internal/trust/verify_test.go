package trust

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/kurultai/kurultai/internal/jcs"
	"github.com/kurultai/kurultai/internal/kurultai"
)

// wantErr checks a verification error's kind, code and field.
func wantErr(t *testing.T, err, kind error, field string) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("got %v, want %v", err, kind)
	}
	var ke *kurultai.Error
	if !errors.As(err, &ke) || ke.Code != kurultai.CodeInvalid {
		t.Fatalf("%v is not a *kurultai.Error with CodeInvalid", err)
	}
	if field != "" && ke.Field != field {
		t.Errorf("field %q, want %q", ke.Field, field)
	}
}

// TestVerifyTamperedProperty changes one byte in the value of every
// property of a signed object, and of the signed entry: each change must
// be a bad signature.
func TestVerifyTamperedProperty(t *testing.T) {
	t.Parallel()
	s := testSigner(t, "a", "KZ")
	v := NewVerifier(testKeys(t, "KZ", "a"))
	signed := mustSign(t, s, testObject(0))
	type prop struct {
		name       string
		from, to   int
		inSigEntry bool
	}
	var props []prop
	collect := func(text []byte, base int, inEntry bool) {
		if _, err := jcs.Members(text, func(m jcs.Member) error {
			props = append(props, prop{string(m.Name), base + m.Value, base + m.End, inEntry})
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	collect(signed, 0, false)
	loc, err := locate(signed)
	if err != nil || !loc.has() {
		t.Fatal("no entry", err)
	}
	entry := loc.ext.m
	collect(signed[entry.Value:entry.End], entry.Value, true)
	if len(props) < 25 {
		t.Fatalf("only %d properties found", len(props))
	}
	for _, p := range props {
		val := string(signed[p.from:p.to])
		// Change the first letter or digit of the value, keeping it JSON.
		i := strings.IndexFunc(val, func(r rune) bool {
			return r >= 'a' && r <= 'z' || r >= '1' && r <= '8' || r >= 'A' && r <= 'Y'
		})
		if i < 0 {
			t.Fatalf("nothing to change in %s", val)
		}
		tampered := bytes.Clone(signed)
		tampered[p.from+i]++
		if !json.Valid(tampered) {
			t.Fatalf("tampering %s broke the JSON", val)
		}
		_, _, err := v.Verify(tampered)
		switch {
		case p.inSigEntry && (p.name == "alg" || p.name == "extension_type"):
			wantErr(t, err, ErrMalformed, entryField+"."+p.name)
		case p.inSigEntry && p.name == "key_id":
			wantErr(t, err, ErrUnknownKey, entryField+".key_id")
		case p.inSigEntry && p.name == "signer":
			wantErr(t, err, ErrBadSignature, entryField+".signer")
		case p.name == "extensions":
			// The first letter is in the name of the signature entry.
			wantErr(t, err, ErrMissing, entryField)
		default:
			wantErr(t, err, ErrBadSignature, entryField+".signature")
		}
	}
}

// TestVerifyEveryByte changes every byte of a signed object in turn: the
// result never verifies unless its content and entry are unchanged.
func TestVerifyEveryByte(t *testing.T) {
	t.Parallel()
	s := testSigner(t, "a", "KZ")
	v := NewVerifier(testKeys(t, "KZ", "a"))
	signed := mustSign(t, s, []byte(`{"type":"note","id":"note--2f0b0e0c-5d6b-4e4f-8f6e-0a1b2c3d4e5f","content":"Ab 1","n":[1.5,true,null]}`))
	want, err := jcs.Canonicalize(signed)
	if err != nil {
		t.Fatal(err)
	}
	for i := range signed {
		for _, c := range []byte{' ', '0', 'a', '"', '}', signed[i] ^ 1} {
			if c == signed[i] {
				continue
			}
			tampered := bytes.Clone(signed)
			tampered[i] = c
			if _, _, err := v.Verify(tampered); err == nil {
				got, err := jcs.Canonicalize(tampered)
				if err != nil || !bytes.Equal(got, want) {
					t.Fatalf("byte %d set to %q verifies:\n%s", i, c, tampered)
				}
			}
		}
	}
}

// TestVerifyTransit re-formats a signed object as transit may: indented,
// members reordered, escapes and numbers spelled differently.
func TestVerifyTransit(t *testing.T) {
	t.Parallel()
	s := testSigner(t, "a", "KZ")
	v := NewVerifier(testKeys(t, "KZ", "a"))
	signed := mustSign(t, s, testObject(0))

	var indented bytes.Buffer
	if err := json.Indent(&indented, signed, "", "\t"); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	mustUnmarshal(t, signed, &m)
	sorted := mustMarshal(t, m) // sorted keys, escapes for <>&, 0.75 for 0.750
	var compact bytes.Buffer
	if err := json.Compact(&compact, signed); err != nil {
		t.Fatal(err)
	}
	reordered := strings.Replace(string(compact.Bytes()), `"type":"indicator","spec_version":"2.1",`, ``, 1)
	reordered = strings.Replace(reordered, `{`, `{"spec_version":"2\u002e1","type":"indicator",`, 1)
	for name, raw := range map[string][]byte{"indented": indented.Bytes(), "sorted": sorted, "compact": compact.Bytes(), "reordered": []byte(reordered)} {
		if bytes.Equal(raw, signed) {
			t.Fatalf("%s: no change", name)
		}
		if _, _, err := v.Verify(raw); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestVerifyMissing(t *testing.T) {
	t.Parallel()
	v := NewVerifier(testKeys(t, "KZ", "a"))
	for _, in := range []string{string(testObject(0)), `{}`, `{"extensions":{"x-acme-ext":{"a":1}}}`} {
		_, _, err := v.Verify([]byte(in))
		wantErr(t, err, ErrMissing, entryField)
	}
}

func TestVerifyUnknownKey(t *testing.T) {
	t.Parallel()
	signed := mustSign(t, testSigner(t, "stranger", "KZ"), testObject(0))
	kid, _, err := NewVerifier(testKeys(t, "KZ", "a", "b")).Verify(signed)
	wantErr(t, err, ErrUnknownKey, entryField+".key_id")
	if kid != KeyID(testKey("stranger").Public().(ed25519PublicKey)) {
		t.Errorf("key id %q not reported", kid)
	}
	if !strings.Contains(err.Error(), kid) {
		t.Errorf("error %q does not name the key", err)
	}
}

func TestVerifyWrongSigner(t *testing.T) {
	t.Parallel()
	// Key a belongs to KZ, but the node claims to sign for UZ.
	signed := mustSign(t, testSigner(t, "a", "UZ"), testObject(0))
	_, _, err := NewVerifier(testKeys(t, "KZ", "a")).Verify(signed)
	wantErr(t, err, ErrBadSignature, entryField+".signer")
}

func TestVerifyMalformed(t *testing.T) {
	t.Parallel()
	s := testSigner(t, "a", "KZ")
	v := NewVerifier(testKeys(t, "KZ", "a"))
	signed := string(mustSign(t, s, []byte(`{"a":1}`)))
	entry := signed[strings.Index(signed, `{"extension_type"`) : len(signed)-2]
	with := func(e string) string { return strings.Replace(signed, entry, e, 1) }
	sig := entry[strings.Index(entry, `"signature":"`)+len(`"signature":"`) : len(entry)-2]
	tests := []struct{ name, in, field string }{
		{"not JSON", `{"a":`, ""},
		{"not an object", `[1]`, ""},
		{"extensions not an object", `{"extensions":"x"}`, "extensions"},
		{"entry not an object", with(`"x"`), entryField},
		{"repeated extensions", `{"extensions":{},` + signed[1:], ""},
		{"repeated entry", with(entry + `,"` + ExtensionID + `":` + entry), "extensions"},
		{"no signature", with(strings.Replace(entry, `,"signature":"`+sig+`"`, ``, 1)), entryField + ".signature"},
		{"no key id", with(strings.Replace(entry, `"key_id":"`+s.KeyID()+`",`, ``, 1)), entryField + ".key_id"},
		{"no signer", with(strings.Replace(entry, `"signer":"KZ",`, ``, 1)), entryField + ".signer"},
		{"signature not a string", with(strings.Replace(entry, `"`+sig+`"`, `7`, 1)), entryField + ".signature"},
		{"signature padded", with(strings.Replace(entry, sig, sig+"==", 1)), entryField + ".signature"},
		{"signature standard base64", with(strings.Replace(entry, sig, strings.NewReplacer("-", "+", "_", "/").Replace(sig)+"+/", 1)), entryField + ".signature"},
		{"signature short", with(strings.Replace(entry, sig, sig[:40], 1)), entryField + ".signature"},
		{"signature repeated", with(strings.Replace(entry, `}`, `,"signature":"`+sig+`"}`, 1)), entryField + ".signature"},
		{"other alg", with(strings.Replace(entry, `"ed25519"`, `"ES256"`, 1)), entryField + ".alg"},
		{"other extension type", with(strings.Replace(entry, `"property-extension"`, `"new-sdo"`, 1)), entryField + ".extension_type"},
		{"repeated name elsewhere", strings.Replace(signed, `{"a":1`, `{"a":1,"a":1`, 1), ""},
		{"invalid UTF-8 elsewhere", strings.Replace(signed, `{"a":1`, "{\"a\":\"\xff\"", 1), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := v.Verify([]byte(tc.in))
			wantErr(t, err, ErrMalformed, tc.field)
			if Reason(err) != "malformed" {
				t.Errorf("Reason = %q", Reason(err))
			}
		})
	}
}

func TestReason(t *testing.T) {
	t.Parallel()
	for err, want := range map[error]string{nil: "ok", ErrMissing: "missing", ErrUnknownKey: "unknown key", ErrBadSignature: "bad signature", ErrMalformed: "malformed", errors.New("x"): "malformed"} {
		if got := Reason(err); got != want {
			t.Errorf("Reason(%v) = %q, want %q", err, got, want)
		}
	}
}

func TestKeySetAdd(t *testing.T) {
	t.Parallel()
	ks := testKeys(t, "KZ", "a")
	pub := testKey("a").Public().(ed25519PublicKey)
	id := KeyID(pub)
	if err := ks.Add(KeyInfo{PublicKey: PublicKey{ID: id, Key: pub}, Participant: "KZ"}); err != nil {
		t.Errorf("adding a key again: %v", err)
	}
	if err := ks.Add(KeyInfo{PublicKey: PublicKey{ID: id, Key: pub}, Participant: "UZ"}); err == nil {
		t.Error("the same key for another participant: no error")
	}
	other := testKey("b").Public().(ed25519PublicKey)
	if err := ks.Add(KeyInfo{PublicKey: PublicKey{ID: id, Key: other}, Participant: "KZ"}); err == nil {
		t.Error("another key under a known id: no error")
	}
	if err := ks.Add(KeyInfo{PublicKey: PublicKey{ID: KeyID(other), Key: other}, Participant: "kz"}); err == nil {
		t.Error("a bad participant code: no error")
	}
	if ks.Len() != 1 {
		t.Errorf("Len = %d, want 1", ks.Len())
	}
}
