package trust

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"time"

	"github.com/kurultai/kurultai/internal/stix"
)

// Alg is the only signature algorithm: Ed25519 (RFC 8032).
const Alg = "ed25519"

// keyringFormat names the version of the keyring file.
const keyringFormat = "kurultai-keyring-1"

// b64 encodes keys and signatures: base64url without padding (RFC 4648
// §5). Strict decoding refuses padding and non-zero trailing bits, so one
// value has one spelling.
var b64 = base64.RawURLEncoding.Strict()

// KeyID returns the id of a public key: the first 16 hex digits of its
// SHA-256.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// PublicKey is one of a node's public keys.
type PublicKey struct {
	ID      string
	Key     ed25519.PublicKey
	Created time.Time
	Retired time.Time // zero for the current key
}

// Keyring is a node's current private key and all its public keys, current
// and retired. Printing a Keyring (fmt, slog) shows key ids only.
type Keyring struct {
	priv ed25519.PrivateKey
	keys []PublicKey // oldest first; the last is current
}

// KeyringPath returns where the keyring of the data directory dataDir is.
func KeyringPath(dataDir string) string { return filepath.Join(dataDir, "keys", "keyring.json") }

// Current returns the current public key.
func (k Keyring) Current() PublicKey { return k.keys[len(k.keys)-1] }

// Keys returns every public key, oldest first; the last is current.
func (k *Keyring) Keys() []PublicKey { return slices.Clone(k.keys) }

// PrivateKey returns the current private key, for signers (objects here,
// audit checkpoints elsewhere). Never log or store it.
func (k *Keyring) PrivateKey() ed25519.PrivateKey { return k.priv }

// String shows the key ids only. String, Format and LogValue have value
// receivers so that a copied Keyring prints no secret either.
func (k Keyring) String() string {
	return fmt.Sprintf("trust.Keyring{current: %s, keys: %d}", k.Current().ID, len(k.keys))
}

// Format makes every fmt verb print String, so that %#v or %+v cannot
// print the private key.
func (k Keyring) Format(f fmt.State, _ rune) { io.WriteString(f, k.String()) }

// LogValue shows the key ids only.
func (k Keyring) LogValue() slog.Value {
	return slog.GroupValue(slog.String("current", k.Current().ID), slog.Int("keys", len(k.keys)))
}

// keyringJSON is the keyring file.
type keyringJSON struct {
	Format     string    `json:"format"`
	Current    string    `json:"current"`
	PrivateKey string    `json:"private_key"` // the current key's 32-byte RFC 8032 seed
	Keys       []keyJSON `json:"keys"`
}

// keyJSON is one public key, in the keyring file and in key documents.
type keyJSON struct {
	KeyID     string `json:"key_id"`
	Alg       string `json:"alg"`
	PublicKey string `json:"public_key"`
	Created   string `json:"created"`
	Retired   string `json:"retired,omitempty"`
}

func (p PublicKey) json() keyJSON {
	k := keyJSON{KeyID: p.ID, Alg: Alg, PublicKey: b64.EncodeToString(p.Key), Created: stix.FormatTime(p.Created)}
	if !p.Retired.IsZero() {
		k.Retired = stix.FormatTime(p.Retired)
	}
	return k
}

// Init returns the keyring of dataDir, creating it with a new key when
// there is none; created reports whether it did. now stamps the key;
// random (nil: crypto/rand) supplies the seed.
func Init(dataDir string, now time.Time, random io.Reader) (k *Keyring, created bool, err error) {
	k, err = Load(dataDir)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return k, false, err
	}
	pub, priv, err := newKey(random)
	if err != nil {
		return nil, false, err
	}
	k = &Keyring{priv: priv, keys: []PublicKey{{ID: KeyID(pub), Key: pub, Created: stamp(now)}}}
	if err := k.write(dataDir, false); err != nil {
		if errors.Is(err, fs.ErrExist) { // created meanwhile by another process
			k, err = Load(dataDir)
			return k, false, err
		}
		return nil, false, err
	}
	return k, true, nil
}

// Rotate replaces the current key of dataDir's keyring with a new one,
// retiring the old one at now and keeping its public key. The old private
// key is forgotten. A running node keeps its key until it restarts.
func Rotate(dataDir string, now time.Time, random io.Reader) (*Keyring, error) {
	old, err := Load(dataDir)
	if err != nil {
		return nil, err
	}
	pub, priv, err := newKey(random)
	if err != nil {
		return nil, err
	}
	t := stamp(now)
	if cur := old.Current(); t.Before(cur.Created) {
		return nil, fmt.Errorf("trust: rotate: the clock (%s) is before the current key's creation (%s)", stix.FormatTime(t), stix.FormatTime(cur.Created))
	}
	keys := old.Keys()
	keys[len(keys)-1].Retired = t
	k := &Keyring{priv: priv, keys: append(keys, PublicKey{ID: KeyID(pub), Key: pub, Created: t})}
	if err := k.write(dataDir, true); err != nil {
		return nil, err
	}
	return k, nil
}

// stamp truncates t to the microseconds that timestamps keep.
func stamp(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func newKey(random io.Reader) (ed25519.PublicKey, ed25519.PrivateKey, error) {
	if random == nil {
		random = rand.Reader
	}
	seed := make([]byte, ed25519.SeedSize)
	if _, err := io.ReadFull(random, seed); err != nil {
		return nil, nil, fmt.Errorf("trust: new key: %w", err)
	}
	priv := ed25519.NewKeyFromSeed(seed)
	clear(seed)
	return priv.Public().(ed25519.PublicKey), priv, nil
}

// Load reads the keyring of dataDir. It refuses a keys directory or
// keyring file that group or others may access, and a keyring whose keys
// do not match their ids. A missing keyring is an error satisfying
// errors.Is(err, fs.ErrNotExist).
func Load(dataDir string) (*Keyring, error) {
	path := KeyringPath(dataDir)
	if err := checkPerm(filepath.Dir(path), true); err != nil {
		return nil, err
	}
	if err := checkPerm(path, false); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("trust: read keyring: %w", err)
	}
	k, err := parseKeyring(data)
	if err != nil {
		return nil, fmt.Errorf("trust: keyring %s: %w", path, err)
	}
	return k, nil
}

// checkPerm refuses a path that is not a directory (dir) or regular file
// (!dir), or whose permissions let group or others in.
func checkPerm(path string, dir bool) error {
	fi, err := os.Lstat(path)
	if err != nil {
		return fmt.Errorf("trust: %w", err)
	}
	want, kind := fs.FileMode(0o600), "file"
	if dir {
		want, kind = 0o700, "directory"
	}
	switch {
	case dir && !fi.IsDir(), !dir && !fi.Mode().IsRegular():
		return fmt.Errorf("trust: %s is not a regular %s (symbolic links are not followed)", path, kind)
	case runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0:
		return fmt.Errorf("trust: %s has permissions %04o; the key %s must be private to its owner (chmod %04o %s)",
			path, fi.Mode().Perm(), kind, want, path)
	}
	return nil
}

func parseKeyring(data []byte) (*Keyring, error) {
	var kj keyringJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&kj); err != nil {
		return nil, fmt.Errorf("not a keyring: %w", err)
	}
	if kj.Format != keyringFormat {
		return nil, fmt.Errorf("format %q, want %q", kj.Format, keyringFormat)
	}
	seed, err := b64.DecodeString(kj.PrivateKey)
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, errors.New("private_key: not a base64url Ed25519 seed of 32 bytes")
	}
	priv := ed25519.NewKeyFromSeed(seed)
	clear(seed)
	keys, err := parseKeys("keys", kj.Keys)
	if err != nil {
		return nil, err
	}
	cur := keys[len(keys)-1]
	switch {
	case cur.ID != kj.Current:
		return nil, fmt.Errorf("current: %q is not the last key (%s)", kj.Current, cur.ID)
	case !cur.Retired.IsZero():
		return nil, fmt.Errorf("keys: the current key %s is retired", cur.ID)
	case !bytes.Equal(priv.Public().(ed25519.PublicKey), cur.Key):
		return nil, fmt.Errorf("private_key: does not belong to the current key %s", cur.ID)
	}
	for _, p := range keys[:len(keys)-1] {
		if p.Retired.IsZero() {
			return nil, fmt.Errorf("keys: %s is not current but has no retired time", p.ID)
		}
	}
	return &Keyring{priv: priv, keys: keys}, nil
}

// parseKeys checks a list of public keys: ids matching keys, no repeats,
// valid times, retired not before created.
func parseKeys(field string, in []keyJSON) ([]PublicKey, error) {
	if len(in) == 0 {
		return nil, fmt.Errorf("%s: no keys", field)
	}
	out := make([]PublicKey, 0, len(in))
	seen := make(map[string]bool, len(in))
	for i, kj := range in {
		f := fmt.Sprintf("%s[%d]", field, i)
		if kj.Alg != Alg {
			return nil, fmt.Errorf("%s.alg: %q is not %q", f, clip(kj.Alg), Alg)
		}
		pub, err := b64.DecodeString(kj.PublicKey)
		if err != nil || len(pub) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("%s.public_key: not a base64url Ed25519 public key of 32 bytes", f)
		}
		p := PublicKey{ID: KeyID(pub), Key: ed25519.PublicKey(pub)}
		if kj.KeyID != p.ID {
			return nil, fmt.Errorf("%s.key_id: %q is not the id of the public key (%s)", f, clip(kj.KeyID), p.ID)
		}
		if seen[p.ID] {
			return nil, fmt.Errorf("%s: key %s listed twice", f, p.ID)
		}
		seen[p.ID] = true
		if p.Created, err = stix.ParseTime(kj.Created); err != nil {
			return nil, fmt.Errorf("%s.created: %w", f, err)
		}
		if kj.Retired != "" {
			if p.Retired, err = stix.ParseTime(kj.Retired); err != nil {
				return nil, fmt.Errorf("%s.retired: %w", f, err)
			}
			if p.Retired.Before(p.Created) {
				return nil, fmt.Errorf("%s.retired: before created", f)
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// write stores the keyring atomically: a new file is written and synced,
// then renamed over the old one (replace) or linked to the name only if
// it is free (!replace).
func (k *Keyring) write(dataDir string, replace bool) error {
	path := KeyringPath(dataDir)
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("trust: keys directory: %w", err)
	}
	if err := checkPerm(dir, true); err != nil {
		return err
	}
	kj := keyringJSON{Format: keyringFormat, Current: k.Current().ID, PrivateKey: b64.EncodeToString(k.priv.Seed())}
	for _, p := range k.keys {
		kj.Keys = append(kj.Keys, p.json())
	}
	data, err := json.MarshalIndent(kj, "", "  ")
	if err != nil {
		return fmt.Errorf("trust: encode keyring: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".keyring-*")
	if err != nil {
		return fmt.Errorf("trust: write keyring: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(append(data, '\n'))
	if err == nil {
		err = tmp.Chmod(0o600)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		if replace {
			err = os.Rename(tmp.Name(), path)
		} else {
			err = os.Link(tmp.Name(), path)
		}
	}
	if err != nil {
		return fmt.Errorf("trust: write keyring: %w", err)
	}
	return syncDir(dir)
}

// syncDir makes a rename or link in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("trust: sync keys directory: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && runtime.GOOS != "windows" {
		return fmt.Errorf("trust: sync keys directory: %w", err)
	}
	return nil
}

// clip shortens untrusted text quoted in errors.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
