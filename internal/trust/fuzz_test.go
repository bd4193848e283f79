package trust

import (
	"bytes"
	"errors"
	"testing"

	"github.com/kurultai/kurultai/internal/kurultai"
)

func objectSeeds(f *testing.F) {
	s, _ := NewSigner(testKey("a"), "KZ")
	other, _ := NewSigner(testKey("b"), "KZ")
	for _, in := range [][]byte{
		testObject(0), []byte(`{}`), []byte(`{"a":1,"extensions":{"x-acme-ext":{"b":2}}}`), []byte(`[1]`),
		[]byte(`{"extensions":{"` + ExtensionID + `":{"extension_type":"property-extension"}}}`),
	} {
		f.Add(in)
		if signed, err := s.Sign(in); err == nil {
			f.Add(signed)
		}
		if signed, err := other.Sign(in); err == nil {
			f.Add(signed)
		}
	}
}

// checkErr checks that a refusal is a caller error of a known kind.
func checkErr(t *testing.T, err error) {
	t.Helper()
	if kurultai.ErrorCode(err) != kurultai.CodeInvalid {
		t.Fatalf("not an invalid-input error: %v", err)
	}
	for _, kind := range []error{ErrMissing, ErrUnknownKey, ErrBadSignature, ErrMalformed} {
		if errors.Is(err, kind) {
			return
		}
	}
	t.Fatalf("error of no known kind: %v", err)
}

// FuzzVerify checks that Verify refuses any input with a clear error, and
// that what it accepts is a well-formed object that signing again leaves
// with the same content.
func FuzzVerify(f *testing.F) {
	objectSeeds(f)
	s, _ := NewSigner(testKey("a"), "KZ")
	ks := NewKeySet()
	for _, n := range []string{"a", "b"} {
		pub := testKey(n).Public().(ed25519PublicKey)
		if err := ks.Add(KeyInfo{PublicKey: PublicKey{ID: KeyID(pub), Key: pub}, Participant: "KZ"}); err != nil {
			f.Fatal(err)
		}
	}
	v := NewVerifier(ks)
	f.Fuzz(func(t *testing.T, data []byte) {
		kid, signer, err := v.Verify(data)
		if err != nil {
			checkErr(t, err)
			return
		}
		if signer != "KZ" {
			t.Fatalf("signer %q", signer)
		}
		if _, ok := ks.Lookup(kid); !ok {
			t.Fatalf("verified with unknown key %q", kid)
		}
		if _, err := Content(data); err != nil {
			t.Fatalf("verified object has no content: %v", err)
		}
		again, err := s.Sign(data)
		if err != nil {
			t.Fatalf("verified object cannot be signed: %v", err)
		}
		if !SameContent(again, data) {
			t.Fatalf("re-signing changed the content:\n%s\n%s", data, again)
		}
	})
}

// FuzzSign checks that what Sign produces verifies, keeps the content and
// is a fixed point of signing.
func FuzzSign(f *testing.F) {
	objectSeeds(f)
	s, _ := NewSigner(testKey("a"), "KZ")
	v := NewVerifier(testKeys(f, "KZ", "a"))
	f.Fuzz(func(t *testing.T, data []byte) {
		signed, err := s.Sign(data)
		if err != nil {
			checkErr(t, err)
			return
		}
		if _, _, err := v.Verify(signed); err != nil {
			t.Fatalf("signed object does not verify: %v\n%s", err, signed)
		}
		if twice, err := s.Sign(signed); err != nil || !bytes.Equal(twice, signed) {
			t.Fatalf("signing twice differs: %v\n%s\n%s", err, signed, twice)
		}
		c, err := Content(data)
		if err != nil {
			t.Fatalf("signable object has no content: %v", err)
		}
		cs, err := Content(signed)
		if err != nil {
			t.Fatal(err)
		}
		// Signing adds only the entry, unless it fills an empty
		// "extensions" that Content then drops.
		if !bytes.Equal(c, cs) && !bytes.Contains(c, []byte(`"extensions":{}`)) {
			t.Fatalf("signing changed the content:\n%s\n%s", c, cs)
		}
	})
}

// FuzzParseKeysDocument checks that the parser refuses bad documents
// without panicking and that what it accepts survives a round trip.
func FuzzParseKeysDocument(f *testing.F) {
	d := KeysDocument{Node: NodeIdentityID("KZ"), Participant: "KZ"}
	for i, n := range []string{"a", "b"} {
		pub := testKey(n).Public().(ed25519PublicKey)
		p := PublicKey{ID: KeyID(pub), Key: pub, Created: testNow}
		if i == 0 {
			p.Retired = testNow
		}
		d.Keys = append(d.Keys, p)
	}
	good, err := d.MarshalJSON()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"node":"identity--2f0b0e0c-5d6b-4e4f-8f6e-0a1b2c3d4e5f","participant":"KZ","keys":[{}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := ParseKeysDocument(data)
		if err != nil {
			return
		}
		out, err := d.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseKeysDocument(out)
		if err != nil {
			t.Fatalf("re-encoded document refused: %v\n%s", err, out)
		}
		if back.Node != d.Node || back.Participant != d.Participant || len(back.Keys) != len(d.Keys) {
			t.Fatalf("round trip changed the document: %+v / %+v", d, back)
		}
		for i := range d.Keys {
			if back.Keys[i].ID != d.Keys[i].ID || !back.Keys[i].Created.Equal(d.Keys[i].Created) || !back.Keys[i].Retired.Equal(d.Keys[i].Retired) {
				t.Fatalf("key %d changed: %+v / %+v", i, d.Keys[i], back.Keys[i])
			}
		}
	})
}
