package web

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/auth"
	"github.com/kurultai/kurultai/internal/crisis"
	"github.com/kurultai/kurultai/internal/crisis/clock"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/sqlite"
)

// secondProcess serves the pages of w's node from another Server on the
// same store, as a second process behind the same address would.
func (w *world) secondProcess(t *testing.T) *httptest.Server {
	t.Helper()
	cfg := w.web.cfg
	cfg.Auth = auth.NewAuthenticator(w.store, w.clock.Now)
	b, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	b.Routes(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// on returns a browser with c's cookies that talks to another process.
func (c *client) on(srv *httptest.Server) *client {
	// The jar keys cookies by host, not port: both processes get them, as
	// behind one address.
	w := *c.w
	w.srv = srv
	return &client{t: c.t, w: &w, http: c.http, user: c.user}
}

// TestSessionSharedAcrossProcesses: a session made by signing in on A
// works on B, forms included; a sign-out on A ends it on B.
func TestSessionSharedAcrossProcesses(t *testing.T) {
	w := newWorld(t)
	a := w.login("kz-liaison")
	b := a.on(w.secondProcess(t))
	status, text, _ := b.getText("/settings")
	if status != http.StatusOK || !strings.Contains(text, "kz-liaison") {
		t.Fatalf("B GET /settings with A's session: %d\n%s", status, text)
	}
	resp := b.postPage("/settings", "/settings", url.Values{"lang": {"tr"}, "tz": {"Asia/Almaty"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/settings" {
		t.Fatalf("B POST /settings: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	// A token the session did not get is refused on B too.
	resp = b.post("/settings", url.Values{"csrf": {csrfToken(randomToken())}, "lang": {"en"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("B POST with another session's token: %d, want 403", resp.StatusCode)
	}
	// Sign out on A; B forgets the session once its copy is older than
	// cacheFor.
	resp = a.postPage("/settings", "/logout", url.Values{})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("A POST /logout: %d", resp.StatusCode)
	}
	w.clock.Advance(cacheFor)
	if resp := b.post("/settings", url.Values{"lang": {"en"}}); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Errorf("B after sign-out on A: %d to %q, want the sign-in page", resp.StatusCode, resp.Header.Get("Location"))
	}
	if status, _, _ := a.get("/settings"); status != http.StatusSeeOther {
		t.Errorf("A after sign-out: %d, want 303", status)
	}
}

// TestSessionIdleAcrossProcesses: activity on one process keeps the
// session alive on the other (through the stored last_seen, touched at
// most every touchEvery); without activity it expires on both.
func TestSessionIdleAcrossProcesses(t *testing.T) {
	w := newWorld(t)
	a := w.login("kz-liaison")
	b := a.on(w.secondProcess(t))
	// Activity on A only, for longer than the idle timeout.
	step := DefaultIdleTimeout / 4
	for i := range 6 {
		w.clock.Advance(step)
		if status, _, _ := a.get("/settings"); status != http.StatusOK {
			t.Fatalf("A after %v: %d", time.Duration(i+1)*step, status)
		}
	}
	if status, _, _ := b.get("/settings"); status != http.StatusOK {
		t.Fatalf("B after activity on A: %d, want 200", status)
	}
	// Idle past the timeout: expired everywhere.
	w.clock.Advance(DefaultIdleTimeout + time.Second)
	for name, c := range map[string]*client{"A": a, "B": b} {
		resp, err := c.http.Get(c.w.srv.URL + "/settings")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
			t.Errorf("%s after idling: %d to %q", name, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
}

// TestSessionMaxAgeFromStore: the maximum age counts from the stored
// creation time, on every process.
func TestSessionMaxAgeFromStore(t *testing.T) {
	w := newWorld(t)
	a := w.login("kz-liaison")
	b := a.on(w.secondProcess(t))
	for elapsed := time.Duration(0); elapsed < DefaultMaxAge-DefaultIdleTimeout/2; elapsed += DefaultIdleTimeout / 2 {
		w.clock.Advance(DefaultIdleTimeout / 2)
		if status, _, _ := b.get("/settings"); status != http.StatusOK {
			t.Fatalf("B at %v: %d", elapsed, status)
		}
	}
	w.clock.Advance(DefaultIdleTimeout / 2)
	if status, _, _ := a.get("/settings"); status != http.StatusSeeOther {
		t.Errorf("A past the maximum age: %d, want 303", status)
	}
}

// TestSessionStoreKeepsNoID: the store holds the SHA-256 of the id, never
// the id or the CSRF token; touches are rare; expired rows are swept.
func TestSessionStoreKeepsNoID(t *testing.T) {
	w := newWorld(t)
	c := w.login("kz-liaison")
	u, _ := url.Parse(w.srv.URL)
	var id string
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == sessionCookie {
			id = ck.Value
		}
	}
	if !validID(id) {
		t.Fatalf("session cookie %q", id)
	}
	ws, err := w.store.SessionByHash(w.ctx, hashID(id))
	if err != nil || ws.Principal != w.users["kz-liaison"] {
		t.Fatalf("stored session: %+v, %v", ws, err)
	}
	raw := dumpDB(t, w)
	for _, secret := range []string{id, csrfToken(id)} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("the database holds %q", secret)
		}
	}
	// Requests within touchEvery leave last_seen; the first after it
	// moves it.
	for range 5 {
		w.clock.Advance(touchEvery / 10)
		c.get("/settings")
	}
	if ws2, _ := w.store.SessionByHash(w.ctx, hashID(id)); !ws2.LastSeen.Equal(ws.LastSeen) {
		t.Errorf("last_seen moved to %v within %v", ws2.LastSeen, touchEvery)
	}
	w.clock.Advance(touchEvery)
	c.get("/settings")
	if ws2, _ := w.store.SessionByHash(w.ctx, hashID(id)); !ws2.LastSeen.Equal(w.clock.Now()) {
		t.Errorf("last_seen %v, want %v", ws2.LastSeen, w.clock.Now())
	}
	// Long after expiry, the next sign-in sweeps the row.
	w.clock.Advance(DefaultMaxAge + tombstoneFor + time.Minute)
	w.login("uz-liaison")
	if _, err := w.store.SessionByHash(w.ctx, hashID(id)); kurultai.ErrorCode(err) != kurultai.CodeNotFound {
		t.Errorf("expired session after a sweep: %v, want not found", err)
	}
}

// dumpDB returns every byte of the world's database files.
func dumpDB(t *testing.T, w *world) []byte {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(w.dir, "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("database files: %v, %v", files, err)
	}
	var out []byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b...)
	}
	return out
}

// failingStore is the world's store with session reads and deletes
// that fail while down is set.
type failingStore struct {
	*sqlite.Store
	down atomic.Bool
}

var errStoreDown = &kurultai.Error{Code: kurultai.CodeUnavailable, Message: "database unavailable"}

func (f *failingStore) SessionByHash(ctx context.Context, h []byte) (kurultai.WebSession, error) {
	if f.down.Load() {
		return kurultai.WebSession{}, errStoreDown
	}
	return f.Store.SessionByHash(ctx, h)
}

func (f *failingStore) DeleteSession(ctx context.Context, h []byte) error {
	if f.down.Load() {
		return errStoreDown
	}
	return f.Store.DeleteSession(ctx, h)
}

// TestSessionStoreDown: while the store cannot answer, pages answer 503
// with Retry-After rather than sending the user to sign in, and a
// sign-out fails rather than ending the session on this process only;
// the session works again when the store is back.
func TestSessionStoreDown(t *testing.T) {
	var fs *failingStore
	w := newWorld(t, func(w *world, c *Config) {
		fs = &failingStore{Store: w.store}
		c.Store = fs
	})
	c := w.login("kz-liaison")
	_, _, doc := c.get("/settings")
	token := attr(find(doc, byAttr("name", "csrf")), "value")
	// The copy of the session is fresh: the sign-out fails at the store.
	fs.down.Store(true)
	if resp := c.post("/logout", url.Values{"csrf": {token}}); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("sign-out with the store down: %d, want 503", resp.StatusCode)
	}
	if status, _, _ := c.get("/settings"); status != http.StatusOK {
		t.Errorf("GET after a failed sign-out: %d, want 200 (the session is as it was)", status)
	}
	// The copy is stale: the page cannot tell whether the session lives.
	w.clock.Advance(cacheFor)
	status, h, _ := c.get("/settings")
	if status != http.StatusServiceUnavailable || h.Get("Retry-After") == "" {
		t.Errorf("GET with the store down: %d, Retry-After %q; want 503 with it", status, h.Get("Retry-After"))
	}
	fs.down.Store(false)
	if status, _, _ := c.get("/settings"); status != http.StatusOK {
		t.Errorf("GET with the store back: %d, want 200", status)
	}
}

// readyBus is a bus that can say it is down.
type readyBus struct {
	memBus
	down atomic.Bool
}

func (b *readyBus) Ready() error {
	if b.down.Load() {
		return &kurultai.Error{Code: kurultai.CodeUnavailable, Message: "message bus unavailable"}
	}
	return nil
}

// TestActionRefusedWhileBusDown: an action taken while the bus cannot
// announce it is refused with 503 before anything is stored, and goes
// through once the bus is back.
func TestActionRefusedWhileBusDown(t *testing.T) {
	s := newScenario(t)
	bus := &readyBus{}
	s.w.svc.bus = bus
	var announced atomic.Int32
	bus.Subscribe(clock.SubjectObjectsAdded, func(string, []byte) { announced.Add(1) })
	before, err := s.w.store.CountObjects(s.w.ctx)
	if err != nil {
		t.Fatal(err)
	}
	page := "/situations/" + s.sit + "/statements/" + s.draft
	uz := s.w.login("uz-liaison")
	form := func() url.Values {
		return url.Values{"silence": {s.silent}, "kind": {"objection"}, "text": {"Paragraph 2 goes too far."}}
	}
	bus.down.Store(true)
	resp := uz.postPage(page, "/situations/"+s.sit+"/actions/break_silence", form())
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("action with the bus down: %d, Retry-After %q; want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if _, err := s.w.svc.Act(s.w.ctx, s.w.users["uz-liaison"], s.sit, &crisis.BreakSilence{Silence: s.silent, Kind: "objection", Text: "x"}); kurultai.ErrorCode(err) != kurultai.CodeUnavailable {
		t.Errorf("Act with the bus down: %v, want CodeUnavailable", err)
	}
	if after, err := s.w.store.CountObjects(s.w.ctx); err != nil || after != before || announced.Load() != 0 {
		t.Fatalf("with the bus down: %d objects (was %d), %d announcements", after, before, announced.Load())
	}
	bus.down.Store(false)
	if resp := uz.postPage(page, "/situations/"+s.sit+"/actions/break_silence", form()); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("action with the bus back: %d", resp.StatusCode)
	}
	if after, _ := s.w.store.CountObjects(s.w.ctx); after <= before || announced.Load() != 1 {
		t.Errorf("with the bus back: %d objects (was %d), %d announcements", after, before, announced.Load())
	}
}

// TestSessionsInMemory: with a store that keeps no sessions, they live
// in the process, and sign-in, pages and sign-out work as with one.
func TestSessionsInMemory(t *testing.T) {
	w := newWorld(t, func(w *world, c *Config) {
		c.Store = struct{ kurultai.Store }{w.store} // hides SessionStore
	})
	if w.web.sessions.shared != nil {
		t.Fatal("sessions are shared through a store that keeps none")
	}
	c := w.login("kz-liaison")
	if status, _, _ := c.get("/settings"); status != http.StatusOK {
		t.Fatalf("GET /settings: %d", status)
	}
	if n := len(w.web.sessions.m); n != 1 {
		t.Errorf("%d sessions in memory, want 1", n)
	}
	if resp := c.postPage("/settings", "/logout", url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /logout: %d", resp.StatusCode)
	}
	if status, _, _ := c.get("/settings"); status != http.StatusSeeOther {
		t.Errorf("GET after sign-out: %d, want 303", status)
	}
}

// BenchmarkSessionLookup is the cost a page pays to find its session
// (in the shared store's cache, as for most requests).
func BenchmarkSessionLookup(b *testing.B) {
	w := newWorld(b)
	sess, err := w.web.sessions.create(w.ctx, w.users["kz-liaison"], w.clock.Now())
	if err != nil {
		b.Fatal(err)
	}
	now := w.clock.Now()
	b.ReportAllocs()
	for b.Loop() {
		if _, state, err := w.web.sessions.lookup(w.ctx, sess.id, now); state != sessionLive || err != nil {
			b.Fatal(state, err)
		}
	}
}

// BenchmarkSessionLookupStore is the same when the copy must be reread
// from the store (once per cacheFor per session and process).
func BenchmarkSessionLookupStore(b *testing.B) {
	w := newWorld(b)
	sess, err := w.web.sessions.create(w.ctx, w.users["kz-liaison"], w.clock.Now())
	if err != nil {
		b.Fatal(err)
	}
	now := w.clock.Now()
	b.ReportAllocs()
	for b.Loop() {
		sess.mu.Lock()
		sess.fetched = time.Time{}
		sess.mu.Unlock()
		if _, state, err := w.web.sessions.lookup(w.ctx, sess.id, now); state != sessionLive || err != nil {
			b.Fatal(state, err)
		}
	}
}

// FuzzSessionID feeds arbitrary cookie values to the session lookup: an
// id no sign-in made finds no session and no error, and only ids of
// randomToken's form reach the store.
func FuzzSessionID(f *testing.F) {
	w := newWorld(f)
	sess, err := w.web.sessions.create(w.ctx, w.users["kz-liaison"], w.clock.Now())
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"", "x", randomToken(), sess.id[:42], sess.id + "=", strings.ToUpper(sess.id), "\x00" + sess.id[1:], strings.Repeat("é", 22)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		got, state, err := w.web.sessions.lookup(w.ctx, id, w.clock.Now())
		if id == sess.id {
			if got != sess || state != sessionLive || err != nil {
				t.Fatalf("the signed-in id: %v, %v, %v", got, state, err)
			}
			return
		}
		if got != nil || state != sessionNone || err != nil {
			t.Fatalf("lookup(%q) = %v, %v, %v; want no session", id, got, state, err)
		}
		if validID(id) && (len(id) != 43 || strings.ContainsAny(id, "+/=")) {
			t.Fatalf("validID(%q) for a value randomToken never makes", id)
		}
	})
}
