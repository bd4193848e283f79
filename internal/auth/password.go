package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// The argon2id parameters of new hashes: OWASP's first recommended set
// (19 MiB, two passes, one lane), about 50 ms per check on a small server.
const (
	argonMemory  = 19456 // KiB
	argonTime    = 2
	argonThreads = 1
	saltLen      = 16
	keyLen       = 32
)

// Bounds on the parameters CheckPassword accepts. They are wide enough for
// any sensible future setting and narrow enough that a corrupt or hostile
// encoded hash cannot make one check take gigabytes or minutes.
const (
	maxMemory      = 1 << 20 // KiB: 1 GiB
	maxTime        = 64
	maxThreads     = 64
	minSaltLen     = 8
	maxSaltLen     = 64
	minKeyLen      = 16
	maxKeyLen      = 64
	maxPasswordLen = 1024 // bytes; longer passwords are refused, not truncated
)

// ErrMalformedHash is wrapped by the errors CheckPassword returns for an
// encoded hash it cannot read.
var ErrMalformedHash = errors.New("auth: malformed password hash")

// phcB64 is the unpadded standard base64 of PHC strings. Strict decoding
// makes every accepted hash re-encode to the same text.
var phcB64 = base64.RawStdEncoding.Strict()

// argonHash is a decoded argon2id hash.
type argonHash struct {
	memory  uint32 // KiB
	time    uint32
	threads uint8
	salt    []byte
	key     []byte
}

// HashPassword hashes pw with argon2id and a fresh random salt, and returns
// it encoded as a PHC string:
// "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>".
func HashPassword(pw string) (string, error) {
	if pw == "" {
		return "", errors.New("auth: hash password: empty password")
	}
	if len(pw) > maxPasswordLen {
		return "", fmt.Errorf("auth: hash password: longer than %d bytes", maxPasswordLen)
	}
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: hash password: %w", err)
	}
	h := argonHash{memory: argonMemory, time: argonTime, threads: argonThreads, salt: salt}
	h.key = h.derive(pw, keyLen)
	return h.encode(), nil
}

// CheckPassword reports whether pw matches the encoded hash, comparing in
// constant time. It returns an error wrapping ErrMalformedHash, and false,
// when encoded cannot be read; it never panics.
func CheckPassword(encoded, pw string) (bool, error) {
	h, err := decodeHash(encoded)
	if err != nil {
		return false, err
	}
	if len(pw) > maxPasswordLen {
		return false, nil
	}
	return subtle.ConstantTimeCompare(h.derive(pw, uint32(len(h.key))), h.key) == 1, nil
}

// burnPassword spends what checking a password against a hash with the
// default parameters costs, so that an unknown user takes as long to refuse
// as a wrong password.
func burnPassword(pw string) {
	h := argonHash{memory: argonMemory, time: argonTime, threads: argonThreads, salt: make([]byte, saltLen)}
	_ = h.derive(pw, keyLen)
}

func (h argonHash) derive(pw string, n uint32) []byte {
	return argon2.IDKey([]byte(pw), h.salt, h.time, h.memory, h.threads, n)
}

func (h argonHash) encode() string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, h.memory, h.time, h.threads,
		phcB64.EncodeToString(h.salt), phcB64.EncodeToString(h.key))
}

// decodeHash reads a PHC argon2id string strictly: the fields in the order
// HashPassword writes them, decimal numbers without leading zeros, and
// unpadded canonical base64.
func decodeHash(s string) (argonHash, error) {
	var h argonHash
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" {
		return h, fmt.Errorf("%w: want 5 $-separated fields", ErrMalformedHash)
	}
	if parts[1] != "argon2id" {
		return h, fmt.Errorf("%w: algorithm is not argon2id", ErrMalformedHash)
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return h, fmt.Errorf("%w: unsupported version", ErrMalformedHash)
	}
	params := strings.Split(parts[3], ",")
	if len(params) != 3 {
		return h, fmt.Errorf("%w: want parameters m, t, p", ErrMalformedHash)
	}
	var err error
	if h.memory, err = param(params[0], "m", maxMemory); err != nil {
		return h, err
	}
	if h.time, err = param(params[1], "t", maxTime); err != nil {
		return h, err
	}
	threads, err := param(params[2], "p", maxThreads)
	if err != nil {
		return h, err
	}
	h.threads = uint8(threads)
	if h.memory < 8*uint32(h.threads) {
		return h, fmt.Errorf("%w: memory below 8 KiB per lane", ErrMalformedHash)
	}
	if h.salt, err = decodeB64(parts[4]); err != nil {
		return h, fmt.Errorf("%w: salt: %v", ErrMalformedHash, err)
	}
	if len(h.salt) < minSaltLen || len(h.salt) > maxSaltLen {
		return h, fmt.Errorf("%w: salt of %d bytes", ErrMalformedHash, len(h.salt))
	}
	if h.key, err = decodeB64(parts[5]); err != nil {
		return h, fmt.Errorf("%w: hash: %v", ErrMalformedHash, err)
	}
	if len(h.key) < minKeyLen || len(h.key) > maxKeyLen {
		return h, fmt.Errorf("%w: hash of %d bytes", ErrMalformedHash, len(h.key))
	}
	return h, nil
}

// decodeB64 decodes canonical unpadded base64. The standard decoder skips
// CR and LF; the re-encoding check refuses them and anything else it would
// let through.
func decodeB64(s string) ([]byte, error) {
	b, err := phcB64.DecodeString(s)
	if err != nil {
		return nil, err
	}
	if phcB64.EncodeToString(b) != s {
		return nil, errors.New("not canonical base64")
	}
	return b, nil
}

// param parses "name=N" with 1 <= N <= max, N in canonical decimal.
func param(s, name string, max uint32) (uint32, error) {
	v, ok := strings.CutPrefix(s, name+"=")
	if !ok || v == "" || len(v) > 10 || v[0] == '0' {
		return 0, fmt.Errorf("%w: parameter %s", ErrMalformedHash, name)
	}
	var n uint64
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%w: parameter %s", ErrMalformedHash, name)
		}
		n = n*10 + uint64(c-'0')
	}
	if n > uint64(max) {
		return 0, fmt.Errorf("%w: parameter %s above %d", ErrMalformedHash, name, max)
	}
	return uint32(n), nil
}
