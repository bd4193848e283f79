package auditlog_test

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/access"
	"github.com/kurultai/kurultai/internal/auditlog"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/sqlite"
	"github.com/kurultai/kurultai/internal/trust"
)

// The fixture: three members (KZ, the node; TR; AZ), an observer (HU) and
// the secretariat; one collection; releasability markings to KZ only, to
// TR only and to members.
const (
	collID  = "91a7b528-80eb-42ed-a74d-c6fbd5a26116"
	relKZ   = "marking-definition--1b8e5bd6-3f0e-4b4b-9c27-3d1d8c0e6a02"
	relTR   = "marking-definition--1b8e5bd6-3f0e-4b4b-9c27-3d1d8c0e6a03"
	relMemb = "marking-definition--1b8e5bd6-3f0e-4b4b-9c27-3d1d8c0e6a01"
)

func principal(user, code string, kind kurultai.ParticipantKind, role kurultai.Role) kurultai.Principal {
	return kurultai.Principal{Username: user, Participant: code, Kind: kind, Role: role}
}

var principals = map[string]kurultai.Principal{
	"kz-liaison": principal("kz-liaison", "KZ", kurultai.KindMember, kurultai.RoleLiaison),
	"kz-auditor": principal("kz-auditor", "KZ", kurultai.KindMember, kurultai.RoleAuditor),
	"tr-liaison": principal("tr-liaison", "TR", kurultai.KindMember, kurultai.RoleLiaison),
	"tr-auditor": principal("tr-auditor", "TR", kurultai.KindMember, kurultai.RoleAuditor),
	"az-auditor": principal("az-auditor", "AZ", kurultai.KindMember, kurultai.RoleAuditor),
}

// headerAuth authenticates by the X-User header: a fake of the
// authenticator, which has its own tests.
type headerAuth struct{}

func (headerAuth) Authenticate(r *http.Request) (kurultai.Principal, error) {
	p, ok := principals[r.Header.Get("X-User")]
	if !ok {
		return p, kurultai.Errorf(kurultai.CodeUnauthenticated, "who are you")
	}
	return p, nil
}

// testKey returns a deterministic Ed25519 key from a label.
func testKey(label string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte(label))
	return ed25519.NewKeyFromSeed(seed[:])
}

// keysDoc returns the key document of a participant whose key is priv.
func keysDoc(code string, priv ed25519.PrivateKey) trust.KeysDocument {
	pub := priv.Public().(ed25519.PublicKey)
	return trust.KeysDocument{Node: trust.NodeIdentityID(code), Participant: code,
		Keys: []trust.PublicKey{{ID: trust.KeyID(pub), Key: pub, Created: time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)}}}
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type env struct {
	store *sqlite.Store
	cp    *auditlog.Checkpointer
	srv   *httptest.Server
	clock *clock
	keys  []auditlog.NoteKey
	objA  kurultai.ObjectRef // KZ's, released to KZ only
	objB  kurultai.ObjectRef // KZ's, released to members
	objC  kurultai.ObjectRef // TR's, released to TR only
}

// newEnv opens a real store with the fixture and serves the audit API
// over it, or over what wrap makes of it (nil: the store itself).
func newEnv(t *testing.T, wrap func(*sqlite.Store) auditlog.Store) *env {
	t.Helper()
	ctx := t.Context()
	e := &env{clock: &clock{t: time.Date(2022, 1, 6, 12, 0, 0, 0, time.UTC)}}
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "kurultai.db"), sqlite.Options{Clock: e.clock.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	e.store = s
	var store auditlog.Store = s
	if wrap != nil {
		store = wrap(s)
	}
	e.fixture(t)
	known, err := e.store.Markings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := auditlog.NewNoteSigner(auditlog.Origin("KZ"), testKey("KZ"))
	if err != nil {
		t.Fatal(err)
	}
	e.keys = auditlog.NodeNoteKeys(keysDoc("KZ", testKey("KZ")))
	e.cp, err = auditlog.NewCheckpointer(auditlog.CheckpointerConfig{Store: store, Signer: signer, Origin: auditlog.Origin("KZ"), Clock: e.clock.now})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := auditlog.New(auditlog.Config{
		Store: store, Auth: headerAuth{}, Markings: access.NewMarkings(known...), Participant: "KZ", Clock: e.clock.now,
		Witnesses: []trust.KeysDocument{keysDoc("TR", testKey("TR")), keysDoc("AZ", testKey("AZ")), keysDoc("HU", testKey("HU"))},
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	srv.Routes(mux)
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	return e
}

func (e *env) fixture(t *testing.T) {
	t.Helper()
	ctx := t.Context()
	for _, p := range []kurultai.Participant{
		{Code: "KZ", Name: "Kazakhstan", Kind: kurultai.KindMember},
		{Code: "TR", Name: "Türkiye", Kind: kurultai.KindMember},
		{Code: "AZ", Name: "Azerbaijan", Kind: kurultai.KindMember},
		{Code: "HU", Name: "Hungary", Kind: kurultai.KindObserver},
		{Code: "SEC", Name: "Secretariat", Kind: kurultai.KindSecretariat},
	} {
		if err := e.store.PutParticipant(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.store.PutCollection(ctx, kurultai.Collection{ID: collID, Title: "Intel"}); err != nil {
		t.Fatal(err)
	}
	sec := principal("system", "SEC", kurultai.KindSecretariat, kurultai.RoleSecretariat)
	e.add(t, sec, marking(relKZ, "KZ"), marking(relTR, "TR"), marking(relMemb, kurultai.AudienceMembers))
	e.objA = e.add(t, principals["kz-liaison"], indicator(1, relKZ))[0]
	e.objB = e.add(t, principals["kz-liaison"], indicator(2, relMemb))[0]
	e.objC = e.add(t, principals["tr-liaison"], indicator(3, relTR))[0]
}

// add stores versions as p and returns their refs.
func (e *env) add(t *testing.T, p kurultai.Principal, vs ...*kurultai.ObjectVersion) []kurultai.ObjectRef {
	t.Helper()
	st, err := e.store.AddObjects(t.Context(), kurultai.Write{Principal: p, Collection: collID, StatusID: fmt.Sprint("s-", time.Now().UnixNano()), Objects: vs})
	if err != nil || len(st.Failures) > 0 {
		t.Fatalf("AddObjects: %v %+v", err, st.Failures)
	}
	var refs []kurultai.ObjectRef
	for _, d := range st.Successes {
		refs = append(refs, kurultai.ObjectRef{ID: d.ID, Version: d.Version})
	}
	return refs
}

var t0 = time.Date(2022, 1, 2, 10, 0, 0, 0, time.UTC)

func indicator(n int, refs ...string) *kurultai.ObjectVersion {
	id := fmt.Sprintf("indicator--00000000-0000-4000-8000-%012d", n)
	ts := t0.Format("2006-01-02T15:04:05.000Z")
	raw, _ := json.Marshal(map[string]any{"type": "indicator", "spec_version": "2.1", "id": id, "created": ts, "modified": ts, "object_marking_refs": refs})
	return &kurultai.ObjectVersion{ID: id, Type: "indicator", SpecVersion: "2.1", Created: t0, Modified: t0, Version: ts,
		VersionKey: t0.UnixNano(), MarkingRefs: refs, Raw: raw}
}

func marking(id string, audience ...string) *kurultai.ObjectVersion {
	ts := t0.Format("2006-01-02T15:04:05.000Z")
	raw, _ := json.Marshal(map[string]any{"type": "marking-definition", "spec_version": "2.1", "id": id, "created": ts})
	return &kurultai.ObjectVersion{ID: id, Type: "marking-definition", SpecVersion: "2.1", Created: t0, Version: ts, VersionKey: t0.UnixNano(),
		Marking: &kurultai.Marking{ID: id, Name: "rel " + strings.Join(audience, ","), Audience: audience, Releasability: true}, Raw: raw}
}

// appendEntries appends n read entries by the principal.
func (e *env) appendEntries(t *testing.T, user string, n int, objs ...kurultai.ObjectRef) {
	t.Helper()
	p := principals[user]
	var es []kurultai.AuditEntry
	for i := range n {
		es = append(es, kurultai.AuditEntry{Username: p.Username, Participant: p.Participant, Action: kurultai.ActionObjectsRead,
			Objects: objs, Query: fmt.Sprintf("collection=%s&n=%d", collID, i), Decision: kurultai.DecisionAllow, Detail: "returned"})
	}
	if err := e.store.AppendAudit(t.Context(), es...); err != nil {
		t.Fatal(err)
	}
}

// publish publishes a checkpoint and returns it.
func (e *env) publish(t *testing.T) auditlog.CheckpointRecord {
	t.Helper()
	e.clock.add(time.Second)
	rec, _, err := e.cp.Publish(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// get sends a request as user and returns the status and body.
func (e *env) do(t *testing.T, method, user, path string, body io.Reader) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, e.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		req.Header.Set("X-User", user)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, data
}

func (e *env) getJSON(t *testing.T, user, path string, v any) {
	t.Helper()
	status, body := e.do(t, http.MethodGet, user, path, nil)
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, status, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

// client returns an auditlog.Client acting as user.
func (e *env) client(user string) *auditlog.Client {
	return &auditlog.Client{BaseURL: e.srv.URL, Authorize: func(r *http.Request) { r.Header.Set("X-User", user) }}
}
