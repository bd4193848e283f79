package web

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/kurultai/kurultai/internal/access"
	"github.com/kurultai/kurultai/internal/auth"
	"github.com/kurultai/kurultai/internal/charter"
	"github.com/kurultai/kurultai/internal/crisis"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/seed"
	"github.com/kurultai/kurultai/internal/sqlite"
)

// testPassword is every test user's password.
const testPassword = "correct horse battery staple"

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Tick advances the clock by a millisecond and returns the time (seed
// writes name their status by the time).
func (c *fakeClock) Tick() time.Time {
	c.Advance(time.Millisecond)
	return c.Now()
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// world is a node's parts for the page tests: the real sqlite store, the
// real access decision and crisis mechanism, the demo accounts.
type world struct {
	t     testing.TB
	ctx   context.Context
	store *sqlite.Store
	dir   string // the store's directory
	marks *access.Markings
	m     *crisis.Mechanism
	svc   *Service
	web   *Server
	clock *fakeClock
	srv   *httptest.Server
	users map[string]kurultai.Principal
}

var testHash = sync.OnceValues(func() (string, error) { return auth.HashPassword(testPassword) })

// newWorld starts a node with the default charter and its demo accounts:
// az-liaison … uz-liaison, hu-liaison, tm-liaison, sec-officer, tr-chair
// and admin.
// Options may add to the pages' configuration (they see the world's
// store, markings and users).
func newWorld(t testing.TB, opts ...func(*world, *Config)) *world {
	t.Helper()
	ctx := context.Background()
	clk := &fakeClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "k.db"), sqlite.Options{Clock: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ch := charter.Default()
	parts := ch.DirectoryParticipants()
	if err := seed.System(ctx, st, parts, "SEC", clk.Tick); err != nil {
		t.Fatal(err)
	}
	if err := st.PutCollection(ctx, crisis.Collection()); err != nil {
		t.Fatal(err)
	}
	sec, err := st.Participant(ctx, "SEC")
	if err != nil {
		t.Fatal(err)
	}
	if err := seed.AddRaw(ctx, st, seed.SystemPrincipal(sec), crisis.CollectionID, crisis.ExtensionDefinitions(seed.PredefinedCreator, seed.SystemCreated), clk.Tick); err != nil {
		t.Fatal(err)
	}
	hash, err := testHash()
	if err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, ctx: ctx, store: st, dir: dir, clock: clk, users: map[string]kurultai.Principal{}}
	kinds := map[string]kurultai.ParticipantKind{}
	for _, p := range parts {
		kinds[p.Code] = p.Kind
	}
	for _, a := range seed.DemoAccounts(parts, ch.Chair.Participant) {
		u, err := st.CreateUser(ctx, kurultai.User{Username: a.Username, Participant: a.Participant, Role: a.Role, PasswordHash: hash, Created: clk.Now()})
		if err != nil {
			t.Fatal(err)
		}
		w.users[a.Username] = kurultai.Principal{UserID: u.ID, Username: u.Username, Participant: u.Participant, Kind: kinds[u.Participant], Role: u.Role}
	}
	known, err := st.Markings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	w.marks = access.NewMarkings(known...)
	w.m = crisis.New(ch, nil)
	w.svc, err = NewService(ServiceConfig{Store: st, Markings: w.marks, Mechanism: w.m, Clock: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Store: st, Markings: w.marks, Auth: auth.NewAuthenticator(st, clk.Now), Mechanism: w.m, Crisis: w.svc, Clock: clk.Now}
	for _, o := range opts {
		o(w, &cfg)
	}
	w.web, err = New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	w.web.Routes(mux)
	w.srv = httptest.NewServer(mux)
	t.Cleanup(w.srv.Close)
	return w
}

// addUser creates a user of a participant with a role.
func (w *world) addUser(name, participant string, role kurultai.Role) {
	w.t.Helper()
	hash, err := testHash()
	if err != nil {
		w.t.Fatal(err)
	}
	u, err := w.store.CreateUser(w.ctx, kurultai.User{Username: name, Participant: participant, Role: role, PasswordHash: hash, Created: w.clock.Now()})
	if err != nil {
		w.t.Fatal(err)
	}
	p, err := w.store.Participant(w.ctx, participant)
	if err != nil {
		w.t.Fatal(err)
	}
	w.users[name] = kurultai.Principal{UserID: u.ID, Username: name, Participant: participant, Kind: p.Kind, Role: role}
}

// act takes a crisis action as a user, failing the test on refusal.
func (w *world) act(user, situation string, a crisis.Action) string {
	w.t.Helper()
	id, err := w.svc.Act(w.ctx, w.users[user], situation, a)
	if err != nil {
		w.t.Fatalf("%s: %s: %v", user, a.Name(), err)
	}
	return id
}

// add stores raw STIX objects as a user in the intel collection.
func (w *world) add(user string, raws ...string) {
	w.t.Helper()
	bs := make([][]byte, len(raws))
	for i, r := range raws {
		bs[i] = []byte(r)
	}
	if err := seed.AddRaw(w.ctx, w.store, w.users[user], seed.IntelCollectionID, bs, w.clock.Tick); err != nil {
		w.t.Fatal(err)
	}
}

// client is a browser: a cookie jar signed in as one user.
type client struct {
	t    testing.TB
	w    *world
	http *http.Client
	user string
}

// login signs in as user through the sign-in form.
func (w *world) login(user string) *client {
	w.t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &client{t: w.t, w: w, user: user, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	status, _, doc := c.get("/login")
	if status != http.StatusOK {
		w.t.Fatalf("GET /login: %d", status)
	}
	token := attr(find(doc, byAttr("name", "csrf")), "value")
	resp := c.post("/login", url.Values{"csrf": {token}, "username": {user}, "password": {testPassword}})
	if resp.StatusCode != http.StatusSeeOther {
		w.t.Fatalf("sign in as %s: %d", user, resp.StatusCode)
	}
	return c
}

// get fetches a page and parses it.
func (c *client) get(path string) (int, http.Header, *html.Node) {
	c.t.Helper()
	resp, err := c.http.Get(c.w.srv.URL + path)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	doc, err := html.Parse(strings.NewReader(string(body)))
	if err != nil {
		c.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, doc
}

// getText fetches a page and returns its visible text and raw HTML.
func (c *client) getText(path string) (int, string, string) {
	c.t.Helper()
	resp, err := c.http.Get(c.w.srv.URL + path)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	doc, err := html.Parse(strings.NewReader(string(body)))
	if err != nil {
		c.t.Fatal(err)
	}
	return resp.StatusCode, textOf(doc), string(body)
}

// setLang chooses the language as the settings form's cookie does.
func (c *client) setLang(lang string) {
	u, _ := url.Parse(c.w.srv.URL)
	c.http.Jar.SetCookies(u, []*http.Cookie{{Name: langCookie, Value: lang, Path: "/"}})
}

func (c *client) post(path string, form url.Values) *http.Response {
	c.t.Helper()
	resp, err := c.http.PostForm(c.w.srv.URL+path, form)
	if err != nil {
		c.t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// postPage posts a form as the page at page would, with its CSRF token.
func (c *client) postPage(page, action string, form url.Values) *http.Response {
	c.t.Helper()
	_, _, doc := c.get(page)
	n := find(doc, byAttr("name", "csrf"))
	if n == nil {
		c.t.Fatalf("%s has no form", page)
	}
	form.Set("csrf", attr(n, "value"))
	form.Set("back", page)
	return c.post(action, form)
}

// find returns the first node matching f, depth first.
func find(n *html.Node, f func(*html.Node) bool) *html.Node {
	if f(n) {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if x := find(c, f); x != nil {
			return x
		}
	}
	return nil
}

// findAll returns every node matching f.
func findAll(n *html.Node, f func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if f(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func byAttr(key, val string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Type == html.ElementNode && attr(n, key) == val }
}

func byTag(tag string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Type == html.ElementNode && n.Data == tag }
}

func attr(n *html.Node, key string) string {
	if n == nil {
		return ""
	}
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// textOf returns the text of n without scripts, collapsed to single spaces.
func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && (n.Data == "script" || n.Data == "style") {
			return
		}
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			b.WriteByte(' ')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

func newJar() (http.CookieJar, error) { return cookiejar.New(nil) }
