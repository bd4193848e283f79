package auth

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// fakeDir is a DirectoryStore holding participants, users and tokens in
// maps and counting lookups. Methods the Authenticator does not call panic
// through the nil embedded interface.
type fakeDir struct {
	kurultai.DirectoryStore

	mu           sync.Mutex // guards everything below
	participants map[string]kurultai.Participant
	users        map[int64]kurultai.User
	tokens       map[string]kurultai.Token
	calls        map[string]int
	fail         error // returned by every lookup when set
}

func newFakeDir() *fakeDir {
	return &fakeDir{
		participants: map[string]kurultai.Participant{},
		users:        map[int64]kurultai.User{},
		tokens:       map[string]kurultai.Token{},
		calls:        map[string]int{},
	}
}

func (d *fakeDir) count(name string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.calls[name]
}

func (d *fakeDir) resetCalls() {
	d.mu.Lock()
	defer d.mu.Unlock()
	clear(d.calls)
}

func (d *fakeDir) Participant(_ context.Context, code string) (kurultai.Participant, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.calls["Participant"]++
	if d.fail != nil {
		return kurultai.Participant{}, d.fail
	}
	p, ok := d.participants[code]
	if !ok {
		return p, kurultai.Errorf(kurultai.CodeNotFound, "participant not found")
	}
	return p, nil
}

func (d *fakeDir) UserByName(_ context.Context, name string) (kurultai.User, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.calls["UserByName"]++
	if d.fail != nil {
		return kurultai.User{}, d.fail
	}
	for _, u := range d.users {
		if u.Username == name {
			return u, nil
		}
	}
	return kurultai.User{}, kurultai.Errorf(kurultai.CodeNotFound, "user not found")
}

func (d *fakeDir) UserByID(_ context.Context, id int64) (kurultai.User, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.calls["UserByID"]++
	if d.fail != nil {
		return kurultai.User{}, d.fail
	}
	u, ok := d.users[id]
	if !ok {
		return u, kurultai.Errorf(kurultai.CodeNotFound, "user not found")
	}
	return u, nil
}

func (d *fakeDir) TokenByID(_ context.Context, id string) (kurultai.Token, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.calls["TokenByID"]++
	if d.fail != nil {
		return kurultai.Token{}, d.fail
	}
	t, ok := d.tokens[id]
	if !ok {
		return t, kurultai.Errorf(kurultai.CodeNotFound, "token not found")
	}
	return t, nil
}

func (d *fakeDir) setUser(u kurultai.User) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.users[u.ID] = u
}

// fakeClock is a settable clock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// fixture is a directory with participants KZ (member) and HU (observer),
// users alice (KZ liaison), bob (HU liaison, disabled), admin (no
// participant), ghost (participant missing), broken (bad stored hash),
// carol (HU liaison, colons in her password) and tokens.
type fixture struct {
	dir       *fakeDir
	clock     *fakeClock
	auth      *Authenticator
	token     string // alice's token, expiring in an hour
	expired   string // alice's token, expired
	bobToken  string
	forever   string // alice's token without expiry
	tokenTime time.Time
}

const alicePassword = "alice's long passphrase"

func newFixture(t testing.TB) *fixture {
	t.Helper()
	start := time.Date(2022, 1, 5, 12, 0, 0, 0, time.UTC)
	f := &fixture{dir: newFakeDir(), clock: &fakeClock{now: start}, tokenTime: start}
	f.dir.participants["KZ"] = kurultai.Participant{Code: "KZ", Name: "Kazakhstan", Kind: kurultai.KindMember}
	f.dir.participants["HU"] = kurultai.Participant{Code: "HU", Name: "Hungary", Kind: kurultai.KindObserver}
	f.dir.users[1] = kurultai.User{ID: 1, Username: "alice", Participant: "KZ", Role: kurultai.RoleLiaison, PasswordHash: cheapHash(t, alicePassword)}
	f.dir.users[2] = kurultai.User{ID: 2, Username: "bob", Participant: "HU", Role: kurultai.RoleLiaison, PasswordHash: cheapHash(t, "bob"), Disabled: true}
	f.dir.users[3] = kurultai.User{ID: 3, Username: "admin", Role: kurultai.RoleAdmin, PasswordHash: cheapHash(t, "admin")}
	f.dir.users[4] = kurultai.User{ID: 4, Username: "ghost", Participant: "XX", Role: kurultai.RoleLiaison, PasswordHash: cheapHash(t, "ghost")}
	f.dir.users[6] = kurultai.User{ID: 6, Username: "carol", Participant: "HU", Role: kurultai.RoleLiaison, PasswordHash: cheapHash(t, "pass:with:colons")}
	f.dir.users[5] = kurultai.User{ID: 5, Username: "broken", Participant: "KZ", Role: kurultai.RoleLiaison, PasswordHash: "$argon2id$garbage"}
	f.token = f.addToken(t, 1, start.Add(time.Hour))
	f.expired = f.addToken(t, 1, start.Add(-time.Second))
	f.bobToken = f.addToken(t, 2, time.Time{})
	f.forever = f.addToken(t, 1, time.Time{})
	f.auth = NewAuthenticator(f.dir, f.clock.Now)
	return f
}

func (f *fixture) addToken(t testing.TB, user int64, expires time.Time) string {
	t.Helper()
	id, secret, full, err := NewToken()
	if err != nil {
		t.Fatal(err)
	}
	f.dir.tokens[id] = kurultai.Token{ID: id, UserID: user, Hash: TokenHash(secret), Created: f.tokenTime, Expires: expires}
	return full
}
