package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"fmt"
)

// TokenPrefix starts every bearer token, so that leaked tokens are easy to
// recognise (and to scan for).
const TokenPrefix = "kt_"

// A token is TokenPrefix, a 12-character id, "_" and a 52-character secret,
// both in lower-case base32 (letters and digits 2-7: no character that
// breaks double-click selection or needs escaping).
const (
	tokenIDLen     = 12
	tokenSecretLen = 52 // 32 random bytes
	tokenLen       = len(TokenPrefix) + tokenIDLen + 1 + tokenSecretLen
)

// ErrMalformedToken is wrapped by the errors ParseToken returns.
var ErrMalformedToken = errors.New("auth: malformed token")

var tokenB32 = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewToken returns a new random token: its public id, its secret, and the
// full string the user presents ("kt_" + id + "_" + secret). Store the id
// and TokenHash(secret); show full once and keep it nowhere.
func NewToken() (id, secret, full string, err error) {
	var buf [8 + 32]byte
	if _, err := rand.Read(buf[:]); err != nil {
		return "", "", "", fmt.Errorf("auth: new token: %w", err)
	}
	id = tokenB32.EncodeToString(buf[:8])[:tokenIDLen] // 60 random bits
	secret = tokenB32.EncodeToString(buf[8:])
	return id, secret, TokenPrefix + id + "_" + secret, nil
}

// ParseToken splits a full token into its id and secret. It accepts exactly
// the form NewToken makes and returns an error wrapping ErrMalformedToken
// for anything else.
func ParseToken(full string) (id, secret string, err error) {
	if len(full) != tokenLen || full[:len(TokenPrefix)] != TokenPrefix || full[len(TokenPrefix)+tokenIDLen] != '_' {
		return "", "", ErrMalformedToken
	}
	id = full[len(TokenPrefix) : len(TokenPrefix)+tokenIDLen]
	secret = full[len(TokenPrefix)+tokenIDLen+1:]
	if !isTokenText(id) || !isTokenText(secret) {
		return "", "", ErrMalformedToken
	}
	return id, secret, nil
}

// TokenHash returns the SHA-256 of a token's secret, the only form of it the
// store keeps. The secret carries 256 random bits, so a fast hash is enough.
func TokenHash(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

func isTokenText(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '2' || c > '7') {
			return false
		}
	}
	return true
}
