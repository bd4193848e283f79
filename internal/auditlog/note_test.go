package auditlog

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"time"
)

// testKey returns a deterministic Ed25519 key from a label.
func testKey(label string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte(label))
	return ed25519.NewKeyFromSeed(seed[:])
}

func pub(k ed25519.PrivateKey) ed25519.PublicKey { return k.Public().(ed25519.PublicKey) }

func testCheckpoint() Checkpoint {
	return Checkpoint{Origin: Origin("KZ"), Size: 20852163, Root: bytes.Repeat([]byte{7}, 32)}
}

func TestCheckpointText(t *testing.T) {
	c := testCheckpoint()
	want := "kurultai/KZ/audit\n20852163\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n"
	if c.Text() != want {
		t.Errorf("Text = %q, want %q", c.Text(), want)
	}
	back, err := ParseCheckpoint(want)
	if err != nil || back.Size != c.Size || back.Origin != c.Origin || !bytes.Equal(back.Root, c.Root) {
		t.Errorf("ParseCheckpoint = %+v, %v", back, err)
	}
}

func TestKeyHash(t *testing.T) {
	// The key id is SHA-256(name || LF || type || key)[:4], big-endian.
	k := pub(testKey("log"))
	sum := sha256.Sum256(append(append([]byte("example.com/log\n"), 0x01), k...))
	if got := (NoteKey{Name: "example.com/log", Type: sigTypeEd25519, Public: k}).Hash(); got != binary.BigEndian.Uint32(sum[:4]) {
		t.Errorf("key hash %08x", got)
	}
	cos := (NoteKey{Name: "example.com/log", Type: sigTypeCosignature, Public: k}).Hash()
	if cos == binary.BigEndian.Uint32(sum[:4]) {
		t.Errorf("cosignature key hash equals the note key hash: the type byte is ignored")
	}
}

func TestSignAndOpenCheckpoint(t *testing.T) {
	priv := testKey("node")
	s, err := NewNoteSigner(Origin("KZ"), priv)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(s.String(), string(priv)) {
		t.Fatal("signer prints its key")
	}
	c := testCheckpoint()
	note := SignCheckpoint(c, s).String()
	if !strings.HasPrefix(note, c.Text()+"\n— kurultai/KZ/audit ") {
		t.Fatalf("note:\n%s", note)
	}
	keys := []NoteKey{{Name: Origin("KZ"), Type: sigTypeEd25519, Public: pub(priv)}}
	got, _, err := OpenCheckpoint([]byte(note), Origin("KZ"), keys)
	if err != nil || got.Size != c.Size {
		t.Fatalf("OpenCheckpoint: %+v, %v", got, err)
	}
	// A cosignature appended by a witness, and a signature by an unknown
	// key, are ignored by the log's check.
	cos, _ := NewCosigner(WitnessName("TR"), testKey("tr"))
	n, _ := ParseNote([]byte(note))
	n.Sigs = append(n.Sigs, cos.Cosign(n.Text, time.Unix(1679315147, 0)))
	other, _ := NewNoteSigner("someone/else", testKey("x"))
	n.Sigs = append(n.Sigs, other.Sign(n.Text))
	if _, _, err := OpenCheckpoint([]byte(n.String()), Origin("KZ"), keys); err != nil {
		t.Fatalf("with extra signatures: %v", err)
	}
	// The witness key verifies its cosignature.
	wk := []NoteKey{{Name: WitnessName("TR"), Type: sigTypeCosignature, Public: pub(testKey("tr"))}}
	if ok, err := VerifyNote(n, wk); err != nil || len(ok) != 1 {
		t.Fatalf("cosignature: %v", err)
	}
	if ts, ok := CosignatureTime(n.Sigs[1]); !ok || ts.Unix() != 1679315147 {
		t.Errorf("cosignature time %v %v", ts, ok)
	}

	tests := []struct {
		name string
		note string
		keys []NoteKey
		want error
	}{
		{"changed size", strings.Replace(note, "20852163", "20852164", 1), keys, ErrBadSignature},
		{"changed root", strings.Replace(note, "BwcH", "CAcH", 1), keys, ErrBadSignature},
		{"other key", note, []NoteKey{{Name: Origin("KZ"), Type: sigTypeEd25519, Public: pub(testKey("other"))}}, ErrNoKnownSigner},
		{"no keys", note, nil, ErrNoKnownSigner},
		{"other origin", note, []NoteKey{{Name: Origin("TR"), Type: sigTypeEd25519, Public: pub(priv)}}, ErrMalformed},
		{"truncated signature", note[:len(note)-20] + "\n", keys, ErrMalformed},
		{"no signature", c.Text() + "\n", keys, ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			origin := Origin("KZ")
			if tc.name == "other origin" {
				origin = Origin("TR")
			}
			_, _, err := OpenCheckpoint([]byte(tc.note), origin, tc.keys)
			if !errors.Is(err, tc.want) {
				t.Errorf("error %v, want %v", err, tc.want)
			}
		})
	}
	// A forged signature by the known key's name and hash is bad, not
	// ignored.
	n2, _ := ParseNote([]byte(note))
	n2.Sigs[0].Sig = bytes.Repeat([]byte{1}, 64)
	if _, _, err := OpenCheckpoint([]byte(n2.String()), Origin("KZ"), keys); !errors.Is(err, ErrBadSignature) {
		t.Errorf("forged signature: %v", err)
	}
}

func TestParseNoteRefuses(t *testing.T) {
	sig := "— a/b " + b64EncodeForTest(make([]byte, 68)) + "\n"
	for _, tc := range []struct{ name, note string }{
		{"empty", ""},
		{"no final newline", "text\n\n" + strings.TrimSuffix(sig, "\n")},
		{"no blank line", "text\n" + sig},
		{"no signatures", "text\n\n"},
		{"control char", "te\tst\n\n" + sig},
		{"carriage return", "text\r\n\n" + sig},
		{"invalid utf-8", "te\xffxt\n\n" + sig},
		{"no em dash", "text\n\n- a/b AAAAAAAA\n"},
		{"plus in name", "text\n\n— a+b " + b64EncodeForTest(make([]byte, 68)) + "\n"},
		{"no space", "text\n\n—a/b AAAAAAAA\n"},
		{"short signature", "text\n\n— a/b AAAA\n"},
		{"bad base64", "text\n\n— a/b ****\n"},
		{"unpadded base64", "text\n\n— a/b " + strings.TrimRight(b64EncodeForTest(make([]byte, 68)), "=") + "\n"},
		{"too many", "text\n\n" + strings.Repeat(sig, MaxNoteSignatures+1)},
		{"too large", strings.Repeat("x", MaxNoteSize) + "\n\n" + sig},
	} {
		if _, err := ParseNote([]byte(tc.note)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: error %v, want ErrMalformed", tc.name, err)
		}
	}
	// The text may hold blank lines: the last blank line separates.
	n, err := ParseNote([]byte("a\n\nb\n\n" + sig))
	if err != nil || n.Text != "a\n\nb\n" || len(n.Sigs) != 1 {
		t.Errorf("text with a blank line: %+v, %v", n, err)
	}
}

func TestParseCheckpointRefuses(t *testing.T) {
	root := b64EncodeForTest(make([]byte, 32))
	for _, text := range []string{
		"", "o\n1\n", "o\n1\n" + root, "\n1\n" + root + "\n", "o\n01\n" + root + "\n", "o\n-1\n" + root + "\n",
		"o\n+1\n" + root + "\n", "o\n18446744073709551616\n" + root + "\n", "o\n1\nAAAA\n", "o\n1\n" + root + "\n\n",
		"o\n 1\n" + root + "\n", "o\n1\n" + root[:len(root)-1] + "\n",
	} {
		if _, err := ParseCheckpoint(text); !errors.Is(err, ErrMalformed) {
			t.Errorf("%q: error %v, want ErrMalformed", text, err)
		}
	}
	c, err := ParseCheckpoint("o\n0\n" + root + "\next\n")
	if err != nil || c.Size != 0 || len(c.Extensions) != 1 {
		t.Errorf("size 0 with an extension line: %+v %v", c, err)
	}
}

func TestCosignatureRefuses(t *testing.T) {
	cos, _ := NewCosigner(WitnessName("TR"), testKey("tr"))
	text := testCheckpoint().Text()
	sig := cos.Cosign(text, time.Unix(100, 0))
	k := NoteKey{Name: WitnessName("TR"), Type: sigTypeCosignature, Public: pub(testKey("tr"))}
	if _, err := verifyCosignature(k, text, sig.Sig); err != nil {
		t.Fatal(err)
	}
	changedTime := bytes.Clone(sig.Sig)
	changedTime[7]++
	if _, err := verifyCosignature(k, text, changedTime); err == nil {
		t.Error("a cosignature with another timestamp verifies")
	}
	if _, err := verifyCosignature(k, text+"x\n", sig.Sig); err == nil {
		t.Error("a cosignature of another text verifies")
	}
	if _, err := verifyCosignature(k, text, sig.Sig[:70]); err == nil {
		t.Error("a short cosignature verifies")
	}
	// A note signature is not a cosignature: the messages differ.
	ns, _ := NewNoteSigner(WitnessName("TR"), testKey("tr"))
	if _, err := verifyCosignature(k, text, append(make([]byte, 8), ns.Sign(text).Sig...)); err == nil {
		t.Error("a plain note signature passes as a cosignature")
	}
}

func b64EncodeForTest(b []byte) string { return b64.EncodeToString(b) }

// FuzzParseNote: any input either fails with ErrMalformed or parses into a
// note that prints back to exactly the input.
func FuzzParseNote(f *testing.F) {
	s, _ := NewNoteSigner(Origin("KZ"), testKey("node"))
	note := SignCheckpoint(testCheckpoint(), s)
	f.Add([]byte(note.String()))
	cos, _ := NewCosigner(WitnessName("TR"), testKey("tr"))
	note.Sigs = append(note.Sigs, cos.Cosign(note.Text, time.Unix(1, 0)))
	f.Add([]byte(note.String()))
	f.Add([]byte("a\n\nb\n\n— x AAAAAAA=\n"))
	f.Add([]byte("\n\n— x AAAAAAA=\n"))
	f.Add([]byte("text\n\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := ParseNote(data)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v is not ErrMalformed", err)
			}
			return
		}
		if n.String() != string(data) {
			t.Fatalf("round trip:\n%q\n%q", data, n.String())
		}
		if c, err := ParseCheckpoint(n.Text); err == nil && c.Text() != n.Text {
			t.Fatalf("checkpoint round trip:\n%q\n%q", n.Text, c.Text())
		}
		keys := []NoteKey{{Name: Origin("KZ"), Type: sigTypeEd25519, Public: pub(testKey("node"))},
			{Name: WitnessName("TR"), Type: sigTypeCosignature, Public: pub(testKey("tr"))}}
		_, _ = VerifyNote(n, keys) // must not panic
	})
}

// FuzzParseCheckpoint: a parsed checkpoint prints back to its text.
func FuzzParseCheckpoint(f *testing.F) {
	f.Add(testCheckpoint().Text())
	f.Add("o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n")
	f.Add("o\n1\nAAAA\next\n")
	f.Fuzz(func(t *testing.T, text string) {
		c, err := ParseCheckpoint(text)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v is not ErrMalformed", err)
			}
			return
		}
		if c.Text() != text {
			t.Fatalf("round trip: %q → %q", text, c.Text())
		}
	})
}
