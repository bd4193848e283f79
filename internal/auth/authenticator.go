package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// Defaults of an Authenticator.
const (
	// DefaultCacheTTL is how long a successful authentication is
	// remembered. A password change, a disabled account or a revoked token
	// takes up to this long to bite unless Flush is called.
	DefaultCacheTTL = 60 * time.Second
	// DefaultCacheSize bounds the number of remembered authentications.
	DefaultCacheSize = 10000

	maxUsernameLen = 256
)

// Authenticator verifies the credentials of HTTP requests: HTTP Basic with a
// username and password (TAXII 2.1 section 8.5) or a bearer token made by
// NewToken. It is safe for concurrent use.
type Authenticator struct {
	dir   kurultai.DirectoryStore
	clock kurultai.Clock
	ttl   time.Duration
	key   [32]byte // HMAC key of cache keys, random per Authenticator
	cache *cache
	// slots bounds concurrent argon2id checks to the number of CPUs: each
	// takes 19 MiB and a core for ~50 ms, and a burst of wrong passwords
	// must not take the node's memory with it. Its buffer holds one token
	// per running check.
	slots chan struct{}
}

// NewAuthenticator returns an Authenticator that looks users and tokens up
// in dir and reads the time from clock (time.Now when nil).
func NewAuthenticator(dir kurultai.DirectoryStore, clock kurultai.Clock) *Authenticator {
	if clock == nil {
		clock = time.Now
	}
	a := &Authenticator{
		dir:   dir,
		clock: clock,
		ttl:   DefaultCacheTTL,
		cache: newCache(DefaultCacheSize),
		slots: make(chan struct{}, max(1, runtime.GOMAXPROCS(0))),
	}
	// crypto/rand.Read does not fail on supported platforms; it crashes the
	// program rather than return short.
	_, _ = rand.Read(a.key[:])
	return a
}

// Flush forgets every cached authentication, so that a disabled account,
// a changed password or a revoked token takes effect at once.
func (a *Authenticator) Flush() { a.cache.flush() }

// Authenticate returns the principal for r. Missing, malformed or wrong
// credentials give a *kurultai.Error with CodeUnauthenticated whose message
// does not say whether the user or token exists. A failing store gives its
// error wrapped (an internal error, not a 401), and a request cancelled while
// waiting for a password check gives CodeUnavailable.
//
// A principal is returned for any enabled account with valid credentials;
// whether it may read or write is for the caller (Principal.CanRead,
// access.Decide).
func (a *Authenticator) Authenticate(r *http.Request) (kurultai.Principal, error) {
	scheme, cred, err := parseAuthorization(r.Header.Values("Authorization"))
	if err != nil {
		return kurultai.Principal{}, err
	}
	switch scheme {
	case schemeBasic:
		user, pw, err := parseBasic(cred)
		if err != nil {
			return kurultai.Principal{}, err
		}
		return a.basic(r.Context(), user, pw)
	default:
		return a.bearer(r.Context(), cred)
	}
}

func (a *Authenticator) basic(ctx context.Context, username, pw string) (kurultai.Principal, error) {
	now := a.clock()
	key := a.cacheKey("basic", username+":"+pw)
	if p, ok := a.cache.get(key, now); ok {
		return p, nil
	}
	u, err := a.dir.UserByName(ctx, username)
	if err != nil {
		if kurultai.ErrorCode(err) != kurultai.CodeNotFound {
			return kurultai.Principal{}, fmt.Errorf("auth: look up user: %w", err)
		}
		// Take as long as a wrong password would.
		if err := a.withSlot(ctx, func() { burnPassword(pw) }); err != nil {
			return kurultai.Principal{}, err
		}
		return kurultai.Principal{}, invalidCredentials(err)
	}
	var ok bool
	var checkErr error
	if err := a.withSlot(ctx, func() { ok, checkErr = CheckPassword(u.PasswordHash, pw) }); err != nil {
		return kurultai.Principal{}, err
	}
	if checkErr != nil {
		return kurultai.Principal{}, invalidCredentials(fmt.Errorf("user %d: %w", u.ID, checkErr))
	}
	if !ok {
		return kurultai.Principal{}, invalidCredentials(nil)
	}
	if u.Disabled {
		return kurultai.Principal{}, invalidCredentials(fmt.Errorf("user %d is disabled", u.ID))
	}
	p, err := a.principal(ctx, u)
	if err != nil {
		return kurultai.Principal{}, err
	}
	a.cache.put(key, p, now.Add(a.ttl), now)
	return p, nil
}

func (a *Authenticator) bearer(ctx context.Context, full string) (kurultai.Principal, error) {
	id, secret, err := ParseToken(full)
	if err != nil {
		return kurultai.Principal{}, invalidCredentials(err)
	}
	now := a.clock()
	key := a.cacheKey("bearer", full)
	if p, ok := a.cache.get(key, now); ok {
		return p, nil
	}
	t, err := a.dir.TokenByID(ctx, id)
	if err != nil {
		if kurultai.ErrorCode(err) != kurultai.CodeNotFound {
			return kurultai.Principal{}, fmt.Errorf("auth: look up token: %w", err)
		}
		return kurultai.Principal{}, invalidCredentials(err)
	}
	if subtle.ConstantTimeCompare(TokenHash(secret), t.Hash) != 1 {
		return kurultai.Principal{}, invalidCredentials(nil)
	}
	// Only the holder of the secret learns that the token has expired.
	if !t.Expires.IsZero() && !now.Before(t.Expires) {
		return kurultai.Principal{}, &kurultai.Error{Code: kurultai.CodeUnauthenticated, Message: "token expired"}
	}
	u, err := a.dir.UserByID(ctx, t.UserID)
	if err != nil {
		if kurultai.ErrorCode(err) != kurultai.CodeNotFound {
			return kurultai.Principal{}, fmt.Errorf("auth: look up token user: %w", err)
		}
		return kurultai.Principal{}, invalidCredentials(err)
	}
	if u.Disabled {
		return kurultai.Principal{}, invalidCredentials(fmt.Errorf("user %d is disabled", u.ID))
	}
	p, err := a.principal(ctx, u)
	if err != nil {
		return kurultai.Principal{}, err
	}
	expires := now.Add(a.ttl)
	if !t.Expires.IsZero() && t.Expires.Before(expires) {
		expires = t.Expires
	}
	a.cache.put(key, p, expires, now)
	return p, nil
}

// principal builds the principal of an authenticated user. A user without a
// participant (an administrator, say) gets a principal without one, which
// reads nothing; a user whose participant is missing is refused.
func (a *Authenticator) principal(ctx context.Context, u kurultai.User) (kurultai.Principal, error) {
	p := kurultai.Principal{UserID: u.ID, Username: u.Username, Participant: u.Participant, Role: u.Role}
	if u.Participant == "" {
		return p, nil
	}
	part, err := a.dir.Participant(ctx, u.Participant)
	if err != nil {
		if kurultai.ErrorCode(err) != kurultai.CodeNotFound {
			return kurultai.Principal{}, fmt.Errorf("auth: look up participant: %w", err)
		}
		return kurultai.Principal{}, invalidCredentials(fmt.Errorf("user %d: participant %q: %w", u.ID, u.Participant, err))
	}
	p.Kind = part.Kind
	return p, nil
}

// withSlot runs fn once a password-check slot is free, or gives up when ctx
// is done.
func (a *Authenticator) withSlot(ctx context.Context, fn func()) error {
	select {
	case a.slots <- struct{}{}:
	case <-ctx.Done():
		return &kurultai.Error{Code: kurultai.CodeUnavailable, Message: "authentication busy", Err: ctx.Err()}
	}
	defer func() { <-a.slots }()
	fn()
	return nil
}

func (a *Authenticator) cacheKey(kind, cred string) cacheKey {
	m := hmac.New(sha256.New, a.key[:])
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(cred))
	var k cacheKey
	m.Sum(k[:0])
	return k
}

type scheme int

const (
	schemeBasic scheme = iota + 1
	schemeBearer
)

// parseAuthorization reads the one Authorization header of a request: its
// scheme (case-insensitive) and its credentials, a single token without
// spaces.
func parseAuthorization(values []string) (scheme, string, error) {
	switch len(values) {
	case 0:
		return 0, "", &kurultai.Error{Code: kurultai.CodeUnauthenticated, Message: "authentication required"}
	case 1:
	default:
		return 0, "", malformedHeader()
	}
	name, cred, ok := strings.Cut(strings.TrimSpace(values[0]), " ")
	cred = strings.TrimLeft(cred, " ")
	if !ok || cred == "" || strings.ContainsAny(cred, " \t") {
		return 0, "", malformedHeader()
	}
	switch {
	case strings.EqualFold(name, "Basic"):
		return schemeBasic, cred, nil
	case strings.EqualFold(name, "Bearer"):
		return schemeBearer, cred, nil
	}
	return 0, "", &kurultai.Error{Code: kurultai.CodeUnauthenticated, Message: "unsupported authorization scheme"}
}

// parseBasic decodes HTTP Basic credentials (RFC 7617): base64 of
// "user:password", the user without a colon.
func parseBasic(cred string) (user, pw string, err error) {
	raw, err := base64.StdEncoding.DecodeString(cred)
	if err != nil {
		return "", "", malformedHeader()
	}
	user, pw, ok := strings.Cut(string(raw), ":")
	if !ok {
		return "", "", malformedHeader()
	}
	if user == "" || pw == "" || len(user) > maxUsernameLen || len(pw) > maxPasswordLen {
		return "", "", invalidCredentials(nil)
	}
	return user, pw, nil
}

func malformedHeader() *kurultai.Error {
	return &kurultai.Error{Code: kurultai.CodeUnauthenticated, Message: "malformed authorization header"}
}

// invalidCredentials is the one answer to wrong credentials, whatever was
// wrong; cause is for the logs only.
func invalidCredentials(cause error) *kurultai.Error {
	return &kurultai.Error{Code: kurultai.CodeUnauthenticated, Message: "invalid credentials", Err: cause}
}
