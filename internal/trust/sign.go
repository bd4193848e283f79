package trust

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"sync"

	"github.com/kurultai/kurultai/internal/jcs"
	"github.com/kurultai/kurultai/internal/kurultai"
)

// The Kurultai STIX extensions.
const (
	// ExtensionID is the extension-definition of the signature property
	// extension.
	ExtensionID = kurultai.SignatureExtensionID
	// ExtensionName is its name.
	ExtensionName = "kurultai-signature"
	// KeysExtensionID is the extension-definition of the property
	// extension that carries a node's public keys on its identity object.
	KeysExtensionID = kurultai.NodeKeysExtensionID
	// KeysExtensionName is its name.
	KeysExtensionName = "kurultai-node-keys"
)

// messagePrefix starts every signed message (see the package doc).
const messagePrefix = "kurultai-signature-v1\n"

// participantCode is the form of participant codes (as in releasability
// audiences), which the signer member holds.
var participantCode = regexp.MustCompile(`^[A-Z]{2,10}$`)

// Signer signs objects with one private key for one participant. It is
// safe for concurrent use. Printing a Signer shows its key id only.
type Signer struct {
	priv   ed25519.PrivateKey
	keyID  string
	signer string
	head   string // the entry's value up to its signature member
	bare   []byte // the entry's value without the signature: what is signed
	pool   sync.Pool
}

// scratch is the per-call working space of signers and verifiers.
type scratch struct {
	enc  jcs.Encoder
	text []byte // the object with the entry edited
	msg  []byte // the message signed
}

// NewSigner returns a signer that signs as participant (a participant
// code) with priv.
func NewSigner(priv ed25519.PrivateKey, participant string) (*Signer, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return nil, errors.New("trust: new signer: not an Ed25519 private key")
	}
	if !participantCode.MatchString(participant) {
		return nil, fmt.Errorf("trust: new signer: %q is not a participant code (2 to 10 letters A-Z)", clip(participant))
	}
	id := KeyID(priv.Public().(ed25519.PublicKey))
	// Every value is ASCII without quotes or backslashes, so no escaping.
	head := `{"extension_type":"property-extension","alg":"` + Alg + `","key_id":"` + id + `","signer":"` + participant + `"`
	return &Signer{
		priv:   priv,
		keyID:  id,
		signer: participant,
		head:   head,
		bare:   []byte(head + "}"),
		pool:   sync.Pool{New: func() any { return new(scratch) }},
	}, nil
}

// NewSigner returns a signer with the keyring's current key.
func (k *Keyring) NewSigner(participant string) (*Signer, error) {
	return NewSigner(k.priv, participant)
}

// KeyID returns the id of the signing key.
func (s *Signer) KeyID() string { return s.keyID }

// Participant returns the participant the signer signs as.
func (s *Signer) Participant() string { return s.signer }

// String shows the key id and participant only.
func (s *Signer) String() string {
	return "trust.Signer{key: " + s.keyID + ", signer: " + s.signer + "}"
}

// Format makes every fmt verb print String.
func (s *Signer) Format(f fmt.State, _ rune) { io.WriteString(f, s.String()) }

// LogValue shows the key id and participant only.
func (s *Signer) LogValue() slog.Value {
	return slog.GroupValue(slog.String("key_id", s.keyID), slog.String("signer", s.signer))
}

// Sign returns raw, a JSON object, with the signature entry set: inserted
// if absent, replaced (whoever signed it) if present. Every other byte of
// raw is kept. The same raw gives the same result, and signing the result
// again with the same key gives it back unchanged. A text that is not an
// object, or that RFC 8785 refuses (duplicate names, invalid UTF-8, lone
// surrogates, numbers out of range), is an error with Code CodeInvalid.
func (s *Signer) Sign(raw []byte) ([]byte, error) {
	loc, err := locate(raw)
	if err != nil {
		return nil, err
	}
	sc := s.pool.Get().(*scratch)
	defer s.pool.Put(sc)
	sp := loc.entrySplice()
	sc.text = sp.apply(sc.text[:0], raw, s.bare)
	sc.msg = append(sc.msg[:0], messagePrefix...)
	if sc.msg, err = sc.enc.Append(sc.msg, sc.text); err != nil {
		return nil, canonErr(err, sp, len(s.bare))
	}
	sig := ed25519.Sign(s.priv, sc.msg)

	val := make([]byte, 0, len(s.head)+len(`,"signature":""}`)+b64.EncodedLen(len(sig)))
	val = append(val, s.head...)
	val = append(val, `,"signature":"`...)
	val = b64.AppendEncode(val, sig)
	val = append(val, `"}`...)
	out := make([]byte, 0, len(raw)+len(sp.pre)+len(val)+len(sp.post))
	return sp.apply(out, raw, val), nil
}

// canonErr reports an object RFC 8785 refuses, with the offset in the
// caller's text.
func canonErr(err error, sp splice, valLen int) error {
	var je *jcs.Error
	if errors.As(err, &je) {
		e := *je
		e.Offset = sp.origin(e.Offset, valLen)
		err = &e
	}
	return &kurultai.Error{Code: kurultai.CodeInvalid, Message: "cannot be canonicalized (RFC 8785): " + jsonMessage(err), Err: ErrMalformed}
}

// Content returns the canonical form (RFC 8785) of the object raw without
// its signature entry (and without "extensions" when that was its only
// member): what two copies of one object signed by different keys, or
// signed and unsigned, have in common.
func Content(raw []byte) ([]byte, error) {
	loc, err := locate(raw)
	if err != nil {
		return nil, err
	}
	text := raw
	if loc.has() {
		f := loc.ext
		if loc.ext.count == 1 {
			f = loc.top
		}
		from, to := f.removal()
		text = make([]byte, 0, len(raw)-(to-from))
		text = append(append(text, raw[:from]...), raw[to:]...)
	}
	out, err := jcs.Canonicalize(text)
	if err != nil {
		return nil, &kurultai.Error{Code: kurultai.CodeInvalid, Message: "cannot be canonicalized (RFC 8785): " + jsonMessage(err), Err: ErrMalformed}
	}
	return out, nil
}

// SameContent reports whether two objects are the same apart from white
// space, member order, escapes, number spelling and their signature
// entries. Either failing to canonicalize makes them different unless the
// bytes are equal.
func SameContent(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	ca, err := Content(a)
	if err != nil {
		return false
	}
	cb, err := Content(b)
	return err == nil && bytes.Equal(ca, cb)
}
