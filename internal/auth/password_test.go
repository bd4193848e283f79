package auth

import (
	"errors"
	"strings"
	"testing"
)

// cheapHash hashes pw with small parameters, for tests that need many
// hashes; CheckPassword takes the parameters from the string.
func cheapHash(t testing.TB, pw string) string {
	t.Helper()
	h := argonHash{memory: 64, time: 1, threads: 1, salt: []byte("0123456789abcdef")}
	h.key = h.derive(pw, keyLen)
	return h.encode()
}

func TestHashPassword(t *testing.T) {
	enc, err := HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("encoded = %q", enc)
	}
	for _, tt := range []struct {
		pw   string
		want bool
	}{
		{"correct horse", true},
		{"correct horse ", false},
		{"Correct horse", false},
		{"", false},
		{strings.Repeat("x", maxPasswordLen+1), false},
	} {
		got, err := CheckPassword(enc, tt.pw)
		if err != nil || got != tt.want {
			t.Errorf("CheckPassword(%.20q) = %v, %v; want %v", tt.pw, got, err, tt.want)
		}
	}
	enc2, err := HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if enc2 == enc {
		t.Error("two hashes of one password are equal: salt not random")
	}
}

func TestHashPasswordRefuses(t *testing.T) {
	for _, pw := range []string{"", strings.Repeat("x", maxPasswordLen+1)} {
		if _, err := HashPassword(pw); err == nil {
			t.Errorf("HashPassword(%d bytes) succeeded", len(pw))
		}
	}
}

func TestCheckPasswordMalformed(t *testing.T) {
	good := cheapHash(t, "pw")
	parts := strings.Split(good, "$")
	salt, key := parts[4], parts[5]
	tests := []struct {
		name, enc string
	}{
		{"empty", ""},
		{"garbage", "not a hash"},
		{"bcrypt", "$2a$10$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234"},
		{"argon2i", "$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + key},
		{"old version", "$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + key},
		{"no version", "$argon2id$m=64,t=1,p=1$" + salt + "$" + key},
		{"params out of order", "$argon2id$v=19$t=1,m=64,p=1$" + salt + "$" + key},
		{"missing param", "$argon2id$v=19$m=64,t=1$" + salt + "$" + key},
		{"extra param", "$argon2id$v=19$m=64,t=1,p=1,k=2$" + salt + "$" + key},
		{"leading zero", "$argon2id$v=19$m=064,t=1,p=1$" + salt + "$" + key},
		{"zero time", "$argon2id$v=19$m=64,t=0,p=1$" + salt + "$" + key},
		{"zero lanes", "$argon2id$v=19$m=64,t=1,p=0$" + salt + "$" + key},
		{"negative", "$argon2id$v=19$m=-64,t=1,p=1$" + salt + "$" + key},
		{"plus sign", "$argon2id$v=19$m=+64,t=1,p=1$" + salt + "$" + key},
		{"overflow", "$argon2id$v=19$m=99999999999,t=1,p=1$" + salt + "$" + key},
		{"memory too large", "$argon2id$v=19$m=4194304,t=1,p=1$" + salt + "$" + key},
		{"too many passes", "$argon2id$v=19$m=64,t=1000,p=1$" + salt + "$" + key},
		{"memory below lanes", "$argon2id$v=19$m=8,t=1,p=4$" + salt + "$" + key},
		{"padded salt", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "==$" + key},
		{"bad base64", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key[:len(key)-1] + "!"},
		{"short salt", "$argon2id$v=19$m=64,t=1,p=1$YWJj$" + key},
		{"short hash", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$YWJjZGVm"},
		{"newline in hash", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key[:4] + "\r\n" + key[4:]},
		{"empty hash", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$"},
		{"trailing field", good + "$"},
		{"no leading dollar", good[1:]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := CheckPassword(tt.enc, "pw")
			if ok || !errors.Is(err, ErrMalformedHash) {
				t.Errorf("CheckPassword = %v, %v; want false, ErrMalformedHash", ok, err)
			}
		})
	}
	if ok, err := CheckPassword(good, "pw"); !ok || err != nil {
		t.Fatalf("control hash: %v, %v", ok, err)
	}
}

func FuzzDecodeHash(f *testing.F) {
	f.Add(cheapHash(f, "pw"))
	f.Add("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g")
	f.Add("$argon2id$v=19$m=64,t=1,p=1$$")
	f.Add("$argon2id$v=19$m=,t=,p=$a$b")
	f.Add("$$$$$")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := decodeHash(s)
		if err != nil {
			if !errors.Is(err, ErrMalformedHash) {
				t.Fatalf("error %v does not wrap ErrMalformedHash", err)
			}
			return
		}
		// Whatever is accepted is canonical and within bounds.
		if got := h.encode(); got != s {
			t.Fatalf("re-encoded %q as %q", s, got)
		}
		if h.memory > maxMemory || h.time < 1 || h.time > maxTime || h.threads < 1 || h.threads > maxThreads {
			t.Fatalf("parameters out of bounds: %+v", h)
		}
	})
}
