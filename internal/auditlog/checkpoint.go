package auditlog

import (
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kurultai/kurultai/internal/trust"
)

// Origin returns the checkpoint origin (and the log's key name) of the
// audit log of the node of a participant.
func Origin(participant string) string { return "kurultai/" + participant + "/audit" }

// WitnessName returns the key name under which a participant's witness
// cosigns checkpoints.
func WitnessName(participant string) string { return "kurultai/" + participant + "/witness" }

// Checkpoint is the text of a C2SP checkpoint (c2sp.org/tlog-checkpoint):
// origin, tree size and root hash, one per line.
type Checkpoint struct {
	Origin     string
	Size       uint64
	Root       []byte
	Extensions []string // extension lines; Kurultai writes none
}

// Head returns the checkpoint's tree head.
func (c Checkpoint) Head() TreeHead { return TreeHead{Size: c.Size, Root: c.Root} }

// Text returns the note text of the checkpoint, final newline included.
func (c Checkpoint) Text() string {
	var b strings.Builder
	b.WriteString(c.Origin)
	b.WriteByte('\n')
	b.WriteString(strconv.FormatUint(c.Size, 10))
	b.WriteByte('\n')
	b.WriteString(b64.EncodeToString(c.Root))
	b.WriteByte('\n')
	for _, e := range c.Extensions {
		b.WriteString(e)
		b.WriteByte('\n')
	}
	return b.String()
}

// ParseCheckpoint reads a checkpoint note text: a non-empty origin, the
// size in decimal without leading zeros, the base64 root hash of 32 bytes,
// then optional non-empty extension lines.
func ParseCheckpoint(text string) (Checkpoint, error) {
	var c Checkpoint
	if !strings.HasSuffix(text, "\n") {
		return c, fmt.Errorf("%w: checkpoint: no final newline", ErrMalformed)
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 3 {
		return c, fmt.Errorf("%w: checkpoint: needs origin, size and root hash lines", ErrMalformed)
	}
	for i, l := range lines {
		if l == "" {
			return c, fmt.Errorf("%w: checkpoint: line %d is empty", ErrMalformed, i+1)
		}
	}
	c.Origin = lines[0]
	size := lines[1]
	n, err := strconv.ParseUint(size, 10, 64)
	if err != nil || strconv.FormatUint(n, 10) != size {
		return c, fmt.Errorf("%w: checkpoint: size %q is not a decimal number without leading zeros", ErrMalformed, clip(size))
	}
	c.Size = n
	root, err := b64.DecodeString(lines[2])
	if err != nil || len(root) != HashSize {
		return c, fmt.Errorf("%w: checkpoint: root hash is not base64 of %d bytes", ErrMalformed, HashSize)
	}
	c.Root = root
	if len(lines) > 3 {
		c.Extensions = lines[3:]
	}
	return c, nil
}

// NodeNoteKeys returns the note keys of a node's audit log: each of its
// Ed25519 keys (current and retired) under the name Origin(participant).
func NodeNoteKeys(doc trust.KeysDocument) []NoteKey {
	keys := make([]NoteKey, 0, len(doc.Keys))
	for _, k := range doc.Keys {
		keys = append(keys, NoteKey{Name: Origin(doc.Participant), Type: sigTypeEd25519, Public: k.Key})
	}
	return keys
}

// WitnessNoteKeys returns the cosigning keys of a participant's witness:
// each key of its key document under the name WitnessName(participant).
func WitnessNoteKeys(doc trust.KeysDocument) []NoteKey {
	keys := make([]NoteKey, 0, len(doc.Keys))
	for _, k := range doc.Keys {
		keys = append(keys, NoteKey{Name: WitnessName(doc.Participant), Type: sigTypeCosignature, Public: k.Key})
	}
	return keys
}

// SignCheckpoint returns the signed note of c.
func SignCheckpoint(c Checkpoint, s *NoteSigner) Note {
	text := c.Text()
	return Note{Text: text, Sigs: []NoteSignature{s.Sign(text)}}
}

// OpenCheckpoint parses a checkpoint note and checks that the log of
// origin signed it with one of keys (ed25519 note keys named origin).
// Other signatures (witnesses, unknown keys) are left for the caller.
func OpenCheckpoint(data []byte, origin string, keys []NoteKey) (Checkpoint, Note, error) {
	n, err := ParseNote(data)
	if err != nil {
		return Checkpoint{}, n, err
	}
	c, err := ParseCheckpoint(n.Text)
	if err != nil {
		return c, n, err
	}
	if c.Origin != origin {
		return c, n, fmt.Errorf("%w: checkpoint origin %q, want %q", ErrMalformed, clip(c.Origin), origin)
	}
	var logKeys []NoteKey
	for _, k := range keys {
		if k.Name == origin && k.Type == sigTypeEd25519 {
			logKeys = append(logKeys, k)
		}
	}
	if _, err := VerifyNote(Note{Text: n.Text, Sigs: n.Sigs}, logKeys); err != nil {
		return c, n, fmt.Errorf("checkpoint of size %d: %w", c.Size, err)
	}
	return c, n, nil
}

// Cosigner countersigns checkpoints as a witness (c2sp.org/tlog-cosignature,
// Ed25519 cosignature/v1).
type Cosigner struct {
	name string
	priv ed25519.PrivateKey
	hash uint32
}

// NewCosigner returns a cosigner with the key name (see WitnessName).
func NewCosigner(name string, priv ed25519.PrivateKey) (*Cosigner, error) {
	if err := checkKeyName(name); err != nil {
		return nil, fmt.Errorf("auditlog: cosigner: %w", err)
	}
	if len(priv) != ed25519.PrivateKeySize {
		return nil, errors.New("auditlog: cosigner: not an Ed25519 private key")
	}
	pub := priv.Public().(ed25519.PublicKey)
	return &Cosigner{name: name, priv: priv, hash: keyHash(name, sigTypeCosignature, pub)}, nil
}

// String shows the name and key hash only.
func (c *Cosigner) String() string { return fmt.Sprintf("auditlog.Cosigner{%s %08x}", c.name, c.hash) }

// Cosign returns the cosignature of a checkpoint text at time t: the
// signature is the 8-byte big-endian POSIX time followed by the Ed25519
// signature of "cosignature/v1\ntime <t>\n" and the text.
func (c *Cosigner) Cosign(text string, t time.Time) NoteSignature {
	ts := uint64(max(t.Unix(), 0))
	sig := binary.BigEndian.AppendUint64(make([]byte, 0, 8+ed25519.SignatureSize), ts)
	sig = append(sig, ed25519.Sign(c.priv, cosignedMessage(text, ts))...)
	return NoteSignature{Name: c.name, KeyHash: c.hash, Sig: sig}
}

func cosignedMessage(text string, ts uint64) []byte {
	return []byte("cosignature/v1\ntime " + strconv.FormatUint(ts, 10) + "\n" + text)
}

// verifyCosignature checks a cosignature by k over text and returns its
// time.
func verifyCosignature(k NoteKey, text string, sig []byte) (time.Time, error) {
	if len(sig) != 8+ed25519.SignatureSize {
		return time.Time{}, errors.New("cosignature is not a timestamp and an Ed25519 signature")
	}
	ts := binary.BigEndian.Uint64(sig)
	if ts > 1<<63-1 {
		return time.Time{}, errors.New("cosignature timestamp out of range")
	}
	if !ed25519.Verify(k.Public, cosignedMessage(text, ts), sig[8:]) {
		return time.Time{}, errors.New("does not verify")
	}
	return time.Unix(int64(ts), 0).UTC(), nil
}

// CosignatureTime returns the time a cosignature claims; ok is false when
// the signature is too short to hold one.
func CosignatureTime(s NoteSignature) (time.Time, bool) {
	if len(s.Sig) != 8+ed25519.SignatureSize {
		return time.Time{}, false
	}
	ts := binary.BigEndian.Uint64(s.Sig)
	if ts > 1<<63-1 {
		return time.Time{}, false
	}
	return time.Unix(int64(ts), 0).UTC(), true
}
