package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/kurultai/kurultai/internal/access"
	"github.com/kurultai/kurultai/internal/charter"
	"github.com/kurultai/kurultai/internal/crisis"
	"github.com/kurultai/kurultai/internal/crisis/clock"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/seed"
	"github.com/kurultai/kurultai/internal/sqlite"
	"github.com/kurultai/kurultai/internal/trust"
)

// t0 is the onset of the test situations (the January 2022 onset).
var t0 = time.Date(2022, 1, 2, 0, 0, 0, 0, time.UTC)

// The principals, by bearer token.
var principals = fakeAuth{
	"kz":    liaison(1, "KZ", kurultai.KindMember),
	"uz":    liaison(2, "UZ", kurultai.KindMember),
	"az":    liaison(3, "AZ", kurultai.KindMember),
	"kg":    liaison(4, "KG", kurultai.KindMember),
	"tr":    liaison(5, "TR", kurultai.KindMember),
	"hu":    liaison(6, "HU", kurultai.KindObserver),
	"chair": {UserID: 7, Username: "tr-chair", Participant: "TR", Kind: kurultai.KindMember, Role: kurultai.RoleChair},
	"sec":   {UserID: 8, Username: "sec-officer", Participant: "SEC", Kind: kurultai.KindSecretariat, Role: kurultai.RoleSecretariat},
	"admin": {UserID: 9, Username: "admin", Participant: "SEC", Kind: kurultai.KindSecretariat, Role: kurultai.RoleAdmin},
}

func liaison(id int64, code string, k kurultai.ParticipantKind) kurultai.Principal {
	return kurultai.Principal{UserID: id, Username: strings.ToLower(code) + "-liaison", Participant: code, Kind: k, Role: kurultai.RoleLiaison}
}

// fakeAuth authenticates "Authorization: Bearer <name>".
type fakeAuth map[string]kurultai.Principal

func (a fakeAuth) Authenticate(r *http.Request) (kurultai.Principal, error) {
	p, ok := a[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
	if !ok {
		return kurultai.Principal{}, kurultai.Errorf(kurultai.CodeUnauthenticated, "invalid credentials")
	}
	return p, nil
}

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// auditStore is the real store whose audit log can be made to fail.
type auditStore struct {
	*sqlite.Store
	mu   sync.Mutex
	fail bool
}

func (s *auditStore) AppendAudit(ctx context.Context, es ...kurultai.AuditEntry) error {
	s.mu.Lock()
	fail := s.fail
	s.mu.Unlock()
	if fail {
		return errors.New("disk full")
	}
	return s.Store.AppendAudit(ctx, es...)
}

func (s *auditStore) setFail(f bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = f
}

// memBus records what is published and de-duplicates durable messages.
type memBus struct {
	mu      sync.Mutex
	durable []clock.Message
	ids     map[string]bool
	added   int // objects.added messages
}

func (b *memBus) Publish(_ context.Context, subject string, _ []byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if subject == clock.SubjectObjectsAdded {
		b.added++
	}
	return nil
}

func (b *memBus) PublishDurable(_ context.Context, _ string, data []byte, id string) (*jetstream.PubAck, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ids == nil {
		b.ids = map[string]bool{}
	}
	if b.ids[id] {
		return &jetstream.PubAck{Duplicate: true}, nil
	}
	b.ids[id] = true
	var m clock.Message
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	b.durable = append(b.durable, m)
	return &jetstream.PubAck{}, nil
}

func (b *memBus) Subscribe(string, func(string, []byte)) (func(), error) { return func() {}, nil }
func (b *memBus) Close() error                                           { return nil }

func (b *memBus) messages() []clock.Message {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]clock.Message(nil), b.durable...)
}

// env is a Server over a real SQLite store seeded as a node seeds it.
type env struct {
	t     testing.TB
	store *auditStore
	srv   *Server
	mux   *http.ServeMux
	clock *fakeClock
	bus   *memBus
	m     *crisis.Mechanism
	logs  *bytes.Buffer
}

func newEnv(t testing.TB) *env {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	clk := &fakeClock{now: t0.Add(-time.Hour)}
	st, err := sqlite.Open(ctx, filepath.Join(dir, "kurultai.db"), sqlite.Options{Clock: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ch := charter.Default()
	if err := seed.System(ctx, st, ch.DirectoryParticipants(), "SEC", clk.Now); err != nil {
		t.Fatal(err)
	}
	if err := st.PutCollection(ctx, crisis.Collection()); err != nil {
		t.Fatal(err)
	}
	clk.Add(time.Second) // seed status ids are the time
	self := kurultai.Participant{Code: "SEC", Kind: kurultai.KindSecretariat}
	if err := seed.AddRaw(ctx, st, seed.SystemPrincipal(self), crisis.CollectionID, crisis.ExtensionDefinitions(seed.PredefinedCreator, seed.SystemCreated), clk.Now); err != nil {
		t.Fatal(err)
	}
	known, err := st.Markings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	keys, _, err := trust.Init(filepath.Join(dir, "node"), clk.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := keys.NewSigner("SEC")
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, store: &auditStore{Store: st}, clock: clk, bus: &memBus{}, m: crisis.New(ch, nil), logs: &bytes.Buffer{}}
	e.srv, err = New(Config{
		Store: e.store, Markings: access.NewMarkings(known...), Auth: principals, Mechanism: e.m,
		Bus: e.bus, Signer: signer, Clock: clk.Now, Logger: slog.New(slog.NewTextHandler(e.logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	e.mux = http.NewServeMux()
	e.srv.Routes(e.mux)
	clk.Set(t0)
	return e
}

// do sends a request as the principal named by token ("" for none).
func (e *env) do(method, path, token string, body []byte) (int, http.Header, []byte) {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	e.mux.ServeHTTP(rec, req)
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" && !strings.Contains(path, "format=yaml") {
		e.t.Errorf("%s %s: Content-Type %q, want application/json", method, path, ct)
	}
	return rec.Code, rec.Header(), rec.Body.Bytes()
}

// get GETs path as token, expects 200 and decodes into v.
func (e *env) get(path, token string, v any) {
	e.t.Helper()
	code, _, body := e.do(http.MethodGet, path, token, nil)
	if code != http.StatusOK {
		e.t.Fatalf("%s GET %s = %d: %s", token, path, code, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		e.t.Fatalf("%s GET %s: %v: %s", token, path, err, body)
	}
}

// actResult is the answer to an action, as tests read it.
type actResult struct {
	Action    string      `json:"action"`
	Situation string      `json:"situation"`
	Records   []recordRef `json:"records"`
	Notified  int         `json:"notified"`
	State     *stateView  `json:"state"`
}

// act posts an action (raise_alert when sit is "") and expects 201.
func (e *env) act(token, sit, action string, params any) actResult {
	e.t.Helper()
	code, body := e.try(token, sit, action, params)
	if code != http.StatusCreated {
		e.t.Fatalf("%s %s on %s = %d: %s", token, action, sit, code, body)
	}
	var r actResult
	if err := json.Unmarshal(body, &r); err != nil {
		e.t.Fatal(err)
	}
	if len(r.Records) == 0 || r.State == nil {
		e.t.Fatalf("%s %s: answer without records or state: %s", token, action, body)
	}
	return r
}

// try posts an action and returns the status and body.
func (e *env) try(token, sit, action string, params any) (int, []byte) {
	e.t.Helper()
	body, err := json.Marshal(params)
	if err != nil {
		e.t.Fatal(err)
	}
	path := "/api/v1/situations"
	if sit != "" || action != "raise_alert" {
		path = fmt.Sprintf("/api/v1/situations/%s/actions/%s", sit, action)
	}
	code, _, resp := e.do(http.MethodPost, path, token, body)
	return code, resp
}

// apiError decodes an error body.
func apiError(t testing.TB, body []byte) errorDetail {
	t.Helper()
	var b errorBody
	if err := json.Unmarshal(body, &b); err != nil || b.Error.Code == "" || b.Error.Message == "" {
		t.Fatalf("not an error body (%v): %s", err, body)
	}
	return b.Error
}

// raise opens the test situation (onset t0, KZ) as the secretariat at
// t0+1h and returns its id.
func (e *env) raise() string {
	e.t.Helper()
	e.clock.Set(t0.Add(time.Hour))
	r := e.act("sec", "", "raise_alert", map[string]any{"title": "Kazakhstan unrest", "onset": t0, "affected": []string{"KZ"}})
	return r.Situation
}

// count returns the number of crisis record versions stored.
func (e *env) count() int {
	e.t.Helper()
	if err := e.srv.idx.Refresh(context.Background()); err != nil {
		e.t.Fatal(err)
	}
	return e.srv.idx.Len()
}

// audits returns the audit entries with the action, oldest first.
func (e *env) audits(action string) []kurultai.AuditEntry {
	e.t.Helper()
	var out []kurultai.AuditEntry
	var after int64
	for {
		es, last, err := e.store.AuditEntries(context.Background(), after, 1000)
		if err != nil {
			e.t.Fatal(err)
		}
		for _, a := range es {
			if a.Action == action {
				out = append(out, a)
			}
		}
		if len(es) == 0 || last == after {
			return out
		}
		after = last
	}
}

// state GETs a situation as token.
func (e *env) state(token, sit string) stateView {
	e.t.Helper()
	var v stateView
	e.get("/api/v1/situations/"+sit, token, &v)
	return v
}

func hasAction(v stateView, name string) bool {
	for _, a := range v.Actions {
		if a.Action == name {
			return true
		}
	}
	return false
}
