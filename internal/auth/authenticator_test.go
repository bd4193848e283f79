package auth

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
)

func request(headers ...string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/taxii2/", nil)
	for _, h := range headers {
		r.Header.Add("Authorization", h)
	}
	return r
}

func basic(userpass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(userpass))
}

// wantUnauthenticated checks that err is a CodeUnauthenticated *kurultai.Error
// with the message.
func wantUnauthenticated(t *testing.T, err error, msg string) {
	t.Helper()
	var e *kurultai.Error
	if !errors.As(err, &e) || e.Code != kurultai.CodeUnauthenticated {
		t.Fatalf("error = %v, want CodeUnauthenticated", err)
	}
	if e.Message != msg {
		t.Errorf("message = %q, want %q", e.Message, msg)
	}
}

func TestAuthenticate(t *testing.T) {
	f := newFixture(t)
	alice := kurultai.Principal{UserID: 1, Username: "alice", Participant: "KZ", Kind: kurultai.KindMember, Role: kurultai.RoleLiaison}
	carol := kurultai.Principal{UserID: 6, Username: "carol", Participant: "HU", Kind: kurultai.KindObserver, Role: kurultai.RoleLiaison}
	admin := kurultai.Principal{UserID: 3, Username: "admin", Role: kurultai.RoleAdmin}
	const (
		required    = "authentication required"
		malformed   = "malformed authorization header"
		unsupported = "unsupported authorization scheme"
		invalid     = "invalid credentials"
	)
	tests := []struct {
		name    string
		headers []string
		want    kurultai.Principal
		msg     string // "" for success
	}{
		{"basic", []string{basic("alice:" + alicePassword)}, alice, ""},
		{"basic, scheme in lower case", []string{"basic " + basic("alice:" + alicePassword)[6:]}, alice, ""},
		{"basic, two spaces", []string{"Basic  " + basic("alice:" + alicePassword)[6:]}, alice, ""},
		{"password with colons, observer", []string{basic("carol:pass:with:colons")}, carol, ""},
		{"user without participant", []string{basic("admin:admin")}, admin, ""},
		{"bearer", []string{"Bearer " + f.token}, alice, ""},
		{"bearer, no expiry", []string{"bearer " + f.forever}, alice, ""},

		{"no header", nil, kurultai.Principal{}, required},
		{"two headers", []string{basic("alice:" + alicePassword), basic("alice:" + alicePassword)}, kurultai.Principal{}, malformed},
		{"empty header", []string{""}, kurultai.Principal{}, malformed},
		{"scheme only", []string{"Basic"}, kurultai.Principal{}, malformed},
		{"scheme and space", []string{"Basic "}, kurultai.Principal{}, malformed},
		{"extra token", []string{basic("alice:"+alicePassword) + " x"}, kurultai.Principal{}, malformed},
		{"malformed base64", []string{"Basic !!!!"}, kurultai.Principal{}, malformed},
		{"unpadded base64", []string{"Basic YWxpY2U6eA"}, kurultai.Principal{}, malformed},
		{"missing colon", []string{basic("alice")}, kurultai.Principal{}, malformed},
		{"wrong scheme", []string{"Digest username=alice"}, kurultai.Principal{}, unsupported},
		{"token in basic", []string{"Token " + f.token}, kurultai.Principal{}, unsupported},
		{"empty user", []string{basic(":" + alicePassword)}, kurultai.Principal{}, invalid},
		{"empty password", []string{basic("alice:")}, kurultai.Principal{}, invalid},
		{"wrong password", []string{basic("alice:wrong")}, kurultai.Principal{}, invalid},
		{"password with trailing space", []string{basic("alice:" + alicePassword + " ")}, kurultai.Principal{}, invalid},
		{"unknown user", []string{basic("mallory:" + alicePassword)}, kurultai.Principal{}, invalid},
		{"disabled user", []string{basic("bob:bob")}, kurultai.Principal{}, invalid},
		{"participant missing", []string{basic("ghost:ghost")}, kurultai.Principal{}, invalid},
		{"stored hash malformed", []string{basic("broken:x")}, kurultai.Principal{}, invalid},
		{"bearer, malformed", []string{"Bearer kt_nope"}, kurultai.Principal{}, invalid},
		{"bearer, password", []string{"Bearer " + alicePassword[:5]}, kurultai.Principal{}, invalid},
		{"bearer, unknown id", []string{"Bearer kt_aaaaaaaaaaaa" + f.token[15:]}, kurultai.Principal{}, invalid},
		{"bearer, wrong secret", []string{"Bearer " + f.token[:16] + f.forever[16:]}, kurultai.Principal{}, invalid},
		{"bearer, expired", []string{"Bearer " + f.expired}, kurultai.Principal{}, "token expired"},
		{"bearer, disabled user", []string{"Bearer " + f.bobToken}, kurultai.Principal{}, invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := f.auth.Authenticate(request(tt.headers...))
			if tt.msg != "" {
				wantUnauthenticated(t, err, tt.msg)
				if got != (kurultai.Principal{}) {
					t.Errorf("principal = %+v on failure", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("Authenticate: %v", err)
			}
			if got != tt.want {
				t.Errorf("principal = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestAuthenticateBasicCache(t *testing.T) {
	f := newFixture(t)
	good := request(basic("alice:" + alicePassword))
	for range 3 {
		if _, err := f.auth.Authenticate(good); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.dir.count("UserByName"); n != 1 {
		t.Errorf("UserByName called %d times for 3 requests, want 1", n)
	}
	if n := f.dir.count("Participant"); n != 1 {
		t.Errorf("Participant called %d times, want 1", n)
	}

	// A cached success does not let another password in.
	_, err := f.auth.Authenticate(request(basic("alice:wrong")))
	wantUnauthenticated(t, err, "invalid credentials")

	// Failures are not cached.
	f.dir.resetCalls()
	for range 2 {
		_, err := f.auth.Authenticate(request(basic("alice:wrong")))
		wantUnauthenticated(t, err, "invalid credentials")
	}
	if n := f.dir.count("UserByName"); n != 2 {
		t.Errorf("UserByName called %d times for 2 failures, want 2", n)
	}

	// The entry expires with the TTL.
	f.dir.resetCalls()
	f.clock.Advance(DefaultCacheTTL - time.Second)
	if _, err := f.auth.Authenticate(good); err != nil {
		t.Fatal(err)
	}
	if n := f.dir.count("UserByName"); n != 0 {
		t.Errorf("UserByName called %d times before the TTL, want 0", n)
	}
	f.clock.Advance(time.Second)
	if _, err := f.auth.Authenticate(good); err != nil {
		t.Fatal(err)
	}
	if n := f.dir.count("UserByName"); n != 1 {
		t.Errorf("UserByName called %d times after the TTL, want 1", n)
	}

	// Disabling takes effect at the next lookup: after Flush.
	u := f.dir.users[1]
	u.Disabled = true
	f.dir.setUser(u)
	if _, err := f.auth.Authenticate(good); err != nil {
		t.Errorf("cached entry not used: %v", err)
	}
	f.auth.Flush()
	_, err = f.auth.Authenticate(good)
	wantUnauthenticated(t, err, "invalid credentials")
}

func TestAuthenticateBearerCache(t *testing.T) {
	f := newFixture(t)
	f.auth.ttl = 2 * time.Hour // longer than the token's life
	r := request("Bearer " + f.token)
	for range 3 {
		if _, err := f.auth.Authenticate(r); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.dir.count("TokenByID"); n != 1 {
		t.Errorf("TokenByID called %d times for 3 requests, want 1", n)
	}
	// The cache never outlives the token.
	f.clock.Advance(time.Hour)
	_, err := f.auth.Authenticate(r)
	wantUnauthenticated(t, err, "token expired")

	// A wrong secret for a cached id is not served from the cache.
	f.dir.resetCalls()
	if _, err := f.auth.Authenticate(request("Bearer " + f.forever)); err != nil {
		t.Fatal(err)
	}
	_, err = f.auth.Authenticate(request("Bearer " + f.forever[:16] + f.token[16:]))
	wantUnauthenticated(t, err, "invalid credentials")
	if n := f.dir.count("TokenByID"); n != 2 {
		t.Errorf("TokenByID called %d times, want 2", n)
	}
}

func TestAuthenticateStoreFailure(t *testing.T) {
	f := newFixture(t)
	f.dir.fail = errors.New("disk on fire")
	for _, h := range []string{basic("alice:" + alicePassword), "Bearer " + f.token} {
		_, err := f.auth.Authenticate(request(h))
		if err == nil || kurultai.ErrorCode(err) != kurultai.CodeInternal {
			t.Errorf("%.6s: error = %v, want an internal error", h, err)
		}
		if kurultai.ErrorMessage(err) != "internal error" {
			t.Errorf("message leaks: %q", kurultai.ErrorMessage(err))
		}
	}
}

func TestAuthenticateBusy(t *testing.T) {
	f := newFixture(t)
	for range cap(f.auth.slots) {
		f.auth.slots <- struct{}{}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := request(basic("alice:" + alicePassword)).WithContext(ctx)
	_, err := f.auth.Authenticate(r)
	if kurultai.ErrorCode(err) != kurultai.CodeUnavailable {
		t.Errorf("error = %v, want CodeUnavailable", err)
	}
}

func TestCacheBounded(t *testing.T) {
	now := time.Date(2022, 1, 5, 0, 0, 0, 0, time.UTC)
	c := newCache(3)
	key := func(b byte) cacheKey { return cacheKey{b} }
	c.put(key(1), kurultai.Principal{UserID: 1}, now.Add(time.Second), now)
	c.put(key(2), kurultai.Principal{UserID: 2}, now.Add(time.Minute), now)
	c.put(key(3), kurultai.Principal{UserID: 3}, now.Add(time.Minute), now)
	later := now.Add(2 * time.Second)
	c.put(key(4), kurultai.Principal{UserID: 4}, later.Add(time.Minute), later) // sweeps 1
	if _, ok := c.get(key(2), later); !ok {
		t.Error("live entry evicted while an expired one was there")
	}
	for b := byte(5); b < 50; b++ {
		c.put(key(b), kurultai.Principal{UserID: int64(b)}, later.Add(time.Minute), later)
		if n := c.len(); n > 3 {
			t.Fatalf("cache holds %d entries, max 3", n)
		}
	}
	if p, ok := c.get(key(49), later); !ok || p.UserID != 49 {
		t.Error("newest entry missing")
	}
	c.put(key(60), kurultai.Principal{}, later, later) // already expired: not stored
	if _, ok := c.get(key(60), later); ok {
		t.Error("expired entry stored")
	}
}

func FuzzParseAuthorization(f *testing.F) {
	f.Add(basic("alice:pw"))
	f.Add("Bearer kt_aaaaaaaaaaaa_bbbb")
	f.Add("Basic")
	f.Add("basic  Og==")
	f.Fuzz(func(t *testing.T, h string) {
		scheme, cred, err := parseAuthorization([]string{h})
		if err != nil {
			if kurultai.ErrorCode(err) != kurultai.CodeUnauthenticated {
				t.Fatalf("error %v is not unauthenticated", err)
			}
			return
		}
		if cred == "" {
			t.Fatal("empty credentials accepted")
		}
		if scheme == schemeBasic {
			user, pw, err := parseBasic(cred)
			if err == nil && (user == "" || pw == "") {
				t.Fatalf("empty user or password accepted from %q", h)
			}
			if err != nil && kurultai.ErrorCode(err) != kurultai.CodeUnauthenticated {
				t.Fatalf("error %v is not unauthenticated", err)
			}
		}
	})
}

func BenchmarkAuthenticate(b *testing.B) {
	f := newFixture(b)
	for _, bb := range []struct{ name, header string }{
		{"basic cached", basic("alice:" + alicePassword)},
		{"bearer cached", "Bearer " + f.token},
	} {
		b.Run(bb.name, func(b *testing.B) {
			r := request(bb.header)
			if _, err := f.auth.Authenticate(r); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := f.auth.Authenticate(r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCheckPassword(b *testing.B) {
	enc, err := HashPassword("correct horse")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if ok, err := CheckPassword(enc, "correct horse"); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}
