package auditlog

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on notes. The signed-note format asks verifiers to accept at
// least 16 signatures; a checkpoint cosigned by every member of a large
// organization still fits well within these.
const (
	MaxNoteSize       = 64 << 10
	MaxNoteSignatures = 128
)

// Signature types of the signed-note format (c2sp.org/signed-note).
const (
	sigTypeEd25519     byte = 0x01 // a note signature over the text
	sigTypeCosignature byte = 0x04 // a timestamped witness cosignature (c2sp.org/tlog-cosignature)
)

// The kinds of note error, for errors.Is.
var (
	ErrMalformed     = errors.New("malformed note")
	ErrBadSignature  = errors.New("bad signature")
	ErrNoKnownSigner = errors.New("no signature by a known key")
)

// b64 is the standard base64 encoding with padding (RFC 4648 §4), which
// notes and checkpoints use. Strict decoding gives one spelling per value.
var b64 = base64.StdEncoding.Strict()

// Note is a signed note: a text ending in a newline, and signatures.
type Note struct {
	Text string // includes its final newline
	Sigs []NoteSignature
}

// NoteSignature is one signature line: "— <name> base64(key hash || sig)".
type NoteSignature struct {
	Name    string
	KeyHash uint32
	Sig     []byte // what follows the key hash
}

// Line returns the signature line, newline included.
func (s NoteSignature) Line() string {
	b := make([]byte, 4, 4+len(s.Sig))
	binary.BigEndian.PutUint32(b, s.KeyHash)
	return "— " + s.Name + " " + b64.EncodeToString(append(b, s.Sig...)) + "\n"
}

// String returns the note as text: the text, a blank line and the
// signature lines.
func (n Note) String() string {
	var b strings.Builder
	b.WriteString(n.Text)
	b.WriteByte('\n')
	for _, s := range n.Sigs {
		b.WriteString(s.Line())
	}
	return b.String()
}

// ParseNote reads a signed note. It refuses invalid UTF-8, control
// characters other than newline, a missing blank line, malformed signature
// lines and more than MaxNoteSignatures signatures or MaxNoteSize bytes.
func ParseNote(data []byte) (Note, error) {
	var n Note
	if len(data) > MaxNoteSize {
		return n, fmt.Errorf("%w: larger than %d bytes", ErrMalformed, MaxNoteSize)
	}
	s := string(data)
	if !utf8.ValidString(s) {
		return n, fmt.Errorf("%w: not valid UTF-8", ErrMalformed)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 && s[i] != '\n' {
			return n, fmt.Errorf("%w: control character 0x%02x at byte %d", ErrMalformed, s[i], i)
		}
	}
	if !strings.HasSuffix(s, "\n") {
		return n, fmt.Errorf("%w: does not end with a newline", ErrMalformed)
	}
	// The text is separated from the signatures by the last blank line.
	split := strings.LastIndex(s, "\n\n")
	if split < 0 {
		return n, fmt.Errorf("%w: no blank line before the signatures", ErrMalformed)
	}
	n.Text = s[:split+1]
	lines := strings.SplitAfter(s[split+2:], "\n")
	lines = lines[:len(lines)-1] // the empty string after the last newline
	if len(lines) == 0 {
		return n, fmt.Errorf("%w: no signature lines", ErrMalformed)
	}
	if len(lines) > MaxNoteSignatures {
		return n, fmt.Errorf("%w: more than %d signatures", ErrMalformed, MaxNoteSignatures)
	}
	for i, line := range lines {
		sig, err := parseSignatureLine(strings.TrimSuffix(line, "\n"))
		if err != nil {
			return n, fmt.Errorf("%w: signature line %d: %v", ErrMalformed, i+1, err)
		}
		n.Sigs = append(n.Sigs, sig)
	}
	return n, nil
}

// ParseSignatureLines reads signature lines alone (as a witness returns
// them), each ending in a newline.
func ParseSignatureLines(data []byte) ([]NoteSignature, error) {
	if len(data) > MaxNoteSize || !utf8.Valid(data) {
		return nil, fmt.Errorf("%w: signature lines: too large or not UTF-8", ErrMalformed)
	}
	s := string(data)
	if !strings.HasSuffix(s, "\n") {
		return nil, fmt.Errorf("%w: signature lines: no final newline", ErrMalformed)
	}
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	if len(lines) > MaxNoteSignatures {
		return nil, fmt.Errorf("%w: more than %d signatures", ErrMalformed, MaxNoteSignatures)
	}
	out := make([]NoteSignature, 0, len(lines))
	for i, l := range lines {
		sig, err := parseSignatureLine(l)
		if err != nil {
			return nil, fmt.Errorf("%w: signature line %d: %v", ErrMalformed, i+1, err)
		}
		out = append(out, sig)
	}
	return out, nil
}

func parseSignatureLine(line string) (NoteSignature, error) {
	var sig NoteSignature
	rest, ok := strings.CutPrefix(line, "— ")
	if !ok {
		return sig, errors.New(`must start with "— " (em dash, space)`)
	}
	name, enc, ok := strings.Cut(rest, " ")
	if !ok {
		return sig, errors.New("needs a key name, a space and the signature")
	}
	if err := checkKeyName(name); err != nil {
		return sig, err
	}
	raw, err := b64.DecodeString(enc)
	if err != nil || len(raw) < 5 {
		return sig, errors.New("signature is not base64 of a key hash and a signature")
	}
	sig.Name = name
	sig.KeyHash = binary.BigEndian.Uint32(raw)
	sig.Sig = raw[4:]
	return sig, nil
}

// checkKeyName applies the signed-note rules for key names: non-empty,
// no Unicode spaces, no plus sign.
func checkKeyName(name string) error {
	if name == "" {
		return errors.New("empty key name")
	}
	if strings.ContainsFunc(name, func(r rune) bool { return unicode.IsSpace(r) || r == '+' }) {
		return fmt.Errorf("key name %q holds a space or a plus sign", clip(name))
	}
	return nil
}

// NoteKey is a public key that signs notes under a name.
type NoteKey struct {
	Name   string
	Type   byte // sigTypeEd25519 or sigTypeCosignature
	Public ed25519.PublicKey
}

// Hash is the key's 32-bit id: the first four bytes of
// SHA-256(name || 0x0A || type || public key), big-endian.
func (k NoteKey) Hash() uint32 { return keyHash(k.Name, k.Type, k.Public) }

func keyHash(name string, typ byte, pub ed25519.PublicKey) uint32 {
	h := sha256.New()
	h.Write([]byte(name))
	h.Write([]byte{'\n', typ})
	h.Write(pub)
	return binary.BigEndian.Uint32(h.Sum(nil))
}

// NoteSigner signs note texts with an Ed25519 key under a name. It never
// prints its private key.
type NoteSigner struct {
	name string
	priv ed25519.PrivateKey
	hash uint32
}

// NewNoteSigner returns a signer for the key name.
func NewNoteSigner(name string, priv ed25519.PrivateKey) (*NoteSigner, error) {
	if err := checkKeyName(name); err != nil {
		return nil, fmt.Errorf("auditlog: note signer: %w", err)
	}
	if len(priv) != ed25519.PrivateKeySize {
		return nil, errors.New("auditlog: note signer: not an Ed25519 private key")
	}
	pub := priv.Public().(ed25519.PublicKey)
	return &NoteSigner{name: name, priv: priv, hash: keyHash(name, sigTypeEd25519, pub)}, nil
}

// Name returns the key name.
func (s *NoteSigner) Name() string { return s.name }

// String shows the name and key hash only.
func (s *NoteSigner) String() string {
	return fmt.Sprintf("auditlog.NoteSigner{%s %08x}", s.name, s.hash)
}

// Sign signs a note text.
func (s *NoteSigner) Sign(text string) NoteSignature {
	return NoteSignature{Name: s.name, KeyHash: s.hash, Sig: ed25519.Sign(s.priv, []byte(text))}
}

// VerifyNote checks a note's signatures against keys, following the
// signed-note rules: a signature whose name and key hash match no key is
// ignored; one that matches a key must verify, else the note is rejected
// (ErrBadSignature); and at least one must verify (else ErrNoKnownSigner).
// It returns the keys whose signatures verified, in signature order.
func VerifyNote(n Note, keys []NoteKey) ([]NoteKey, error) {
	var ok []NoteKey
	for _, s := range n.Sigs {
		for _, k := range keys {
			if k.Name != s.Name || k.Hash() != s.KeyHash {
				continue
			}
			if err := verifySig(k, n.Text, s.Sig); err != nil {
				return nil, fmt.Errorf("%w: %s (key %08x): %v", ErrBadSignature, s.Name, s.KeyHash, err)
			}
			ok = append(ok, k)
		}
	}
	if len(ok) == 0 {
		return nil, ErrNoKnownSigner
	}
	return ok, nil
}

func verifySig(k NoteKey, text string, sig []byte) error {
	switch k.Type {
	case sigTypeEd25519:
		if len(sig) != ed25519.SignatureSize || !ed25519.Verify(k.Public, []byte(text), sig) {
			return errors.New("does not verify")
		}
		return nil
	case sigTypeCosignature:
		_, err := verifyCosignature(k, text, sig)
		return err
	}
	return fmt.Errorf("unknown key type 0x%02x", k.Type)
}

// clip shortens untrusted text quoted in errors.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
