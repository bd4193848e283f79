package trust

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"sync"

	"github.com/kurultai/kurultai/internal/jcs"
	"github.com/kurultai/kurultai/internal/kurultai"
)

// The outcomes of a failed verification, for errors.Is. Verify wraps each
// in a *kurultai.Error with CodeInvalid and the field concerned.
var (
	ErrMissing      = errors.New("missing signature")
	ErrUnknownKey   = errors.New("unknown key")
	ErrBadSignature = errors.New("bad signature")
	ErrMalformed    = errors.New("malformed")
)

// Reason names the outcome of a verification: "ok", "missing", "unknown
// key", "bad signature" or "malformed".
func Reason(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, ErrMissing):
		return "missing"
	case errors.Is(err, ErrUnknownKey):
		return "unknown key"
	case errors.Is(err, ErrBadSignature):
		return "bad signature"
	}
	return "malformed"
}

// KeyInfo is a public key and whom it belongs to.
type KeyInfo struct {
	PublicKey
	Participant string // the participant code signatures by this key name
	Node        string // the node's identity id; may be empty
}

// KeySet holds the public keys a verifier trusts, by key id. It is safe
// for concurrent use.
type KeySet struct {
	mu   sync.RWMutex // guards keys
	keys map[string]KeyInfo
}

// NewKeySet returns an empty key set.
func NewKeySet() *KeySet { return &KeySet{keys: map[string]KeyInfo{}} }

// Add adds a key. Adding a key again is a no-op; a different key or owner
// under a known id is an error.
func (s *KeySet) Add(k KeyInfo) error {
	if len(k.Key) != ed25519.PublicKeySize || KeyID(k.Key) != k.ID {
		return fmt.Errorf("trust: add key %q: the id does not match the key", clip(k.ID))
	}
	if !participantCode.MatchString(k.Participant) {
		return fmt.Errorf("trust: add key %s: %q is not a participant code", k.ID, clip(k.Participant))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.keys[k.ID]; ok {
		if old.Participant != k.Participant || (old.Node != k.Node && old.Node != "" && k.Node != "") {
			return fmt.Errorf("trust: add key %s: already known for %s %s", k.ID, old.Participant, old.Node)
		}
		if old.Node == "" {
			old.Node = k.Node
		}
		if old.Retired.IsZero() {
			old.Retired = k.Retired
		}
		s.keys[k.ID] = old
		return nil
	}
	s.keys[k.ID] = k
	return nil
}

// AddDocument adds every key of a node's key document.
func (s *KeySet) AddDocument(d KeysDocument) error {
	for _, p := range d.Keys {
		if err := s.Add(KeyInfo{PublicKey: p, Participant: d.Participant, Node: d.Node}); err != nil {
			return err
		}
	}
	return nil
}

// Lookup returns the key with the id.
func (s *KeySet) Lookup(id string) (KeyInfo, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	k, ok := s.keys[id]
	return k, ok
}

// Len returns the number of keys.
func (s *KeySet) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.keys)
}

// Verifier checks object signatures against a key set. It is safe for
// concurrent use.
type Verifier struct {
	keys *KeySet
	pool sync.Pool
}

// NewVerifier returns a verifier trusting the keys of ks (which may grow
// later).
func NewVerifier(ks *KeySet) *Verifier {
	return &Verifier{keys: ks, pool: sync.Pool{New: func() any { return new(scratch) }}}
}

// signedEntry is what Verify reads from a signature entry.
type signedEntry struct {
	extensionType, alg, keyID, signer, signature string
}

// Verify checks the signature of the object raw and returns the key id
// and the participant that signed it. The error says what failed (see
// Reason and the Err* values) and names the field.
func (v *Verifier) Verify(raw []byte) (keyID, signer string, err error) {
	loc, err := locate(raw)
	if err != nil {
		return "", "", err
	}
	if !loc.has() {
		return "", "", &kurultai.Error{Code: kurultai.CodeInvalid, Field: entryField, Message: "the object carries no " + ExtensionName + " extension", Err: ErrMissing}
	}
	val := loc.ext.m
	e, err := readEntry(raw[val.Value:val.End])
	if err != nil {
		return "", "", err
	}
	sig, err := b64.DecodeString(e.signature)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return "", "", malformed(entryField+".signature", "not a base64url Ed25519 signature of 64 bytes")
	}
	k, ok := v.keys.Lookup(e.keyID)
	if !ok {
		return e.keyID, e.signer, &kurultai.Error{Code: kurultai.CodeInvalid, Field: entryField + ".key_id",
			Message: fmt.Sprintf("key %q is not known", clip(e.keyID)), Err: ErrUnknownKey}
	}
	if e.signer != k.Participant {
		return e.keyID, e.signer, &kurultai.Error{Code: kurultai.CodeInvalid, Field: entryField + ".signer",
			Message: fmt.Sprintf("key %s belongs to %s, not %q", k.ID, k.Participant, clip(e.signer)), Err: ErrBadSignature}
	}
	// The signed text is the object without the signature member.
	sm, err := find(raw, val.Value, val.End, "signature")
	if err != nil || !sm.ok {
		return "", "", malformed(entryField+".signature", "required") // readEntry saw it once
	}
	from, to := sm.removal()
	sp := splice{from: from, to: to}
	sc := v.pool.Get().(*scratch)
	defer v.pool.Put(sc)
	sc.text = sp.apply(sc.text[:0], raw, nil)
	sc.msg = append(sc.msg[:0], messagePrefix...)
	if sc.msg, err = sc.enc.Append(sc.msg, sc.text); err != nil {
		return e.keyID, e.signer, canonErr(err, sp, 0)
	}
	if !ed25519.Verify(k.Key, sc.msg, sig) {
		return e.keyID, e.signer, &kurultai.Error{Code: kurultai.CodeInvalid, Field: entryField + ".signature",
			Message: fmt.Sprintf("does not match the object (key %s of %s)", k.ID, k.Participant), Err: ErrBadSignature}
	}
	return e.keyID, e.signer, nil
}

// readEntry reads the members of a signature entry that Verify needs.
// Other members are allowed; they are signed like the rest.
func readEntry(text []byte) (signedEntry, error) {
	var e signedEntry
	var seen [5]bool
	names := [5]string{"extension_type", "alg", "key_id", "signer", "signature"}
	dst := [5]*string{&e.extensionType, &e.alg, &e.keyID, &e.signer, &e.signature}
	_, err := jcs.Members(text, func(m jcs.Member) error {
		for i, n := range names {
			if string(m.Name) != n {
				continue
			}
			if seen[i] {
				return malformed(entryField+"."+n, "occurs twice")
			}
			seen[i] = true
			s, err := jcs.String(text[m.Value:m.End])
			if err != nil {
				return malformed(entryField+"."+n, "must be a string")
			}
			*dst[i] = s
		}
		return nil
	})
	if err != nil {
		var ke *kurultai.Error
		if errors.As(err, &ke) {
			return e, err
		}
		return e, malformed(entryField, "not a valid JSON object: %s", jsonMessage(err))
	}
	for i, n := range names {
		if !seen[i] {
			return e, malformed(entryField+"."+n, "required")
		}
	}
	switch {
	case e.extensionType != "property-extension":
		return e, malformed(entryField+".extension_type", "must be \"property-extension\"")
	case e.alg != Alg:
		return e, malformed(entryField+".alg", "%q is not supported (only %q)", clip(e.alg), Alg)
	}
	return e, nil
}
