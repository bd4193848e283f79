package auth

import (
	"crypto/sha256"
	"errors"
	"strings"
	"testing"
)

func TestNewToken(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id, secret, full, err := NewToken()
		if err != nil {
			t.Fatal(err)
		}
		if len(id) != 12 || len(secret) != 52 || full != "kt_"+id+"_"+secret {
			t.Fatalf("NewToken = %q, %q, %q", id, secret, full)
		}
		gid, gsecret, err := ParseToken(full)
		if err != nil || gid != id || gsecret != secret {
			t.Fatalf("ParseToken(%q) = %q, %q, %v", full, gid, gsecret, err)
		}
		if seen[id] || seen[secret] {
			t.Fatalf("repeated id or secret in %q", full)
		}
		seen[id], seen[secret] = true, true
	}
}

func TestParseTokenMalformed(t *testing.T) {
	_, _, good, err := NewToken()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, s string }{
		{"empty", ""},
		{"prefix only", "kt_"},
		{"wrong prefix", "kx_" + good[3:]},
		{"upper-case prefix", "KT_" + good[3:]},
		{"no separator", good[:15] + "a" + good[16:]},
		{"short", good[:len(good)-1]},
		{"long", good + "a"},
		{"upper case", strings.ToUpper(good[:5]) + good[5:]},
		{"base32 padding", good[:len(good)-1] + "="},
		{"digit 1", good[:20] + "1" + good[21:]},
		{"digit 8", good[:5] + "8" + good[6:]},
		{"base64url char", good[:30] + "-" + good[31:]},
		{"separator in id", good[:8] + "_" + good[9:]},
		{"space", good[:30] + " " + good[31:]},
		{"non-ascii", good[:len(good)-2] + "é"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := ParseToken(tt.s); !errors.Is(err, ErrMalformedToken) {
				t.Errorf("ParseToken(%q) error = %v, want ErrMalformedToken", tt.s, err)
			}
		})
	}
}

func TestTokenHash(t *testing.T) {
	want := sha256.Sum256([]byte("secret"))
	if got := TokenHash("secret"); string(got) != string(want[:]) {
		t.Errorf("TokenHash = %x", got)
	}
}

func FuzzParseToken(f *testing.F) {
	_, _, full, err := NewToken()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(full)
	f.Add("kt_aaaaaaaaaaaa_" + strings.Repeat("a", 52))
	f.Add("kt__")
	f.Fuzz(func(t *testing.T, s string) {
		id, secret, err := ParseToken(s)
		if err != nil {
			return
		}
		if TokenPrefix+id+"_"+secret != s || len(id) != tokenIDLen || len(secret) != tokenSecretLen {
			t.Fatalf("ParseToken(%q) = %q, %q", s, id, secret)
		}
	})
}
