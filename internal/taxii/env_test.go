package taxii

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/kurultai/kurultai/internal/access"
	"github.com/kurultai/kurultai/internal/kurultai"
)

// Fixture ids.
const (
	collID    = "9d6d5f4e-2b8a-4c7e-8f3a-1c2d3e4f5a6b"
	otherColl = "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"
	missColl  = "11111111-2222-4333-8444-555555555555"

	relMembers = "marking-definition--a1a1a1a1-0000-4000-8000-000000000001"
	relKZ      = "marking-definition--a1a1a1a1-0000-4000-8000-000000000002"
	relHU      = "marking-definition--a1a1a1a1-0000-4000-8000-000000000003"
	relPublic  = "marking-definition--a1a1a1a1-0000-4000-8000-000000000004"
)

// The principals, by bearer token name.
var principals = fakeAuth{
	"kz":     {UserID: 1, Username: "aigerim", Participant: "KZ", Kind: kurultai.KindMember, Role: kurultai.RoleLiaison},
	"tr":     {UserID: 2, Username: "emre", Participant: "TR", Kind: kurultai.KindMember, Role: kurultai.RoleLiaison},
	"hu":     {UserID: 3, Username: "zsofia", Participant: "HU", Kind: kurultai.KindObserver, Role: kurultai.RoleLiaison},
	"admin":  {UserID: 4, Username: "root", Participant: "SEC", Kind: kurultai.KindSecretariat, Role: kurultai.RoleAdmin},
	"nobody": {UserID: 5, Username: "ghost", Role: kurultai.RoleLiaison},
}

var t0 = time.Date(2022, 1, 2, 3, 4, 5, 0, time.UTC)

// env is a server over a fake store, with helpers to call it.
type env struct {
	t       testing.TB
	store   *fakeStore
	bus     *fakeBus
	srv     *Server
	mux     *http.ServeMux
	metrics *Metrics
	logs    *bytes.Buffer
}

type envOption func(*Config)

func newEnv(t testing.TB, opts ...envOption) *env {
	t.Helper()
	st := newFakeStore(t0)
	st.collections = []kurultai.Collection{
		{ID: collID, Title: "Shared", Description: "Shared reports", Alias: "shared"},
		{ID: otherColl, Title: "Other"},
	}
	st.participants = []kurultai.Participant{
		{Code: "KZ", Kind: kurultai.KindMember}, {Code: "TR", Kind: kurultai.KindMember},
		{Code: "HU", Kind: kurultai.KindObserver}, {Code: "SEC", Kind: kurultai.KindSecretariat},
	}
	e := &env{t: t, store: st, bus: &fakeBus{}, logs: &bytes.Buffer{}}
	e.metrics = NewMetrics(prometheus.NewRegistry())
	cfg := Config{
		Store: st,
		Markings: access.NewMarkings(
			kurultai.Marking{ID: relMembers, Releasability: true, Audience: []string{kurultai.AudienceMembers}},
			kurultai.Marking{ID: relKZ, Releasability: true, Audience: []string{"KZ"}},
			kurultai.Marking{ID: relHU, Releasability: true, Audience: []string{"HU"}},
			kurultai.Marking{ID: relPublic, Releasability: true, Audience: []string{kurultai.AudiencePublic}},
		),
		Auth:    principals,
		Bus:     e.bus,
		Clock:   func() time.Time { return t0.Add(time.Hour) },
		Logger:  slog.New(slog.NewTextHandler(e.logs, nil)),
		Metrics: e.metrics,
	}
	for _, o := range opts {
		o(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.srv = srv
	e.mux = http.NewServeMux()
	srv.Routes(e.mux)
	return e
}

// indicator returns an indicator version with the markings, as ParseObject
// would.
func indicator(n int, modified time.Time, markings ...string) *kurultai.ObjectVersion {
	id := fmt.Sprintf("indicator--00000000-0000-4000-8000-%012d", n)
	mod := modified.Format("2006-01-02T15:04:05.000Z")
	raw := fmt.Sprintf(`{"type":"indicator","spec_version":"2.1","id":%q,"created":"2021-12-01T00:00:00.000Z","modified":%q,%s"pattern":"[ipv4-addr:value = '10.0.0.%d']","pattern_type":"stix","valid_from":"2021-12-01T00:00:00Z"}`,
		id, mod, markingsJSON(markings), n)
	return &kurultai.ObjectVersion{
		ID: id, Type: "indicator", SpecVersion: "2.1",
		Created: time.Date(2021, 12, 1, 0, 0, 0, 0, time.UTC), Modified: modified,
		Version: mod, VersionKey: modified.UnixNano(), MarkingRefs: markings, Raw: []byte(raw),
	}
}

// sco returns an ipv4-addr version (no version of its own).
func sco(n int, markings ...string) *kurultai.ObjectVersion {
	id := fmt.Sprintf("ipv4-addr--00000000-0000-4000-9000-%012d", n)
	raw := fmt.Sprintf(`{"type":"ipv4-addr","spec_version":"2.1","id":%q,%s"value":"10.1.0.%d"}`, id, markingsJSON(markings), n)
	return &kurultai.ObjectVersion{ID: id, Type: "ipv4-addr", SpecVersion: "2.1", MarkingRefs: markings, Raw: []byte(raw)}
}

// markingsJSON is the object_marking_refs member for markings, with its
// trailing comma, or nothing.
func markingsJSON(markings []string) string {
	if len(markings) == 0 {
		return ""
	}
	b, _ := json.Marshal(markings)
	return `"object_marking_refs":` + string(b) + ","
}

type reqOpt func(*http.Request)

func header(k, v string) reqOpt { return func(r *http.Request) { r.Header.Set(k, v) } }

// do sends a request as the principal named who ("" for none) with the
// TAXII Accept header.
func (e *env) do(method, path, who, body string, opts ...reqOpt) *httptest.ResponseRecorder {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r := httptest.NewRequest(method, path, rd)
	r.Header.Set("Accept", MediaTypeTAXII)
	if body != "" {
		r.Header.Set("Content-Type", MediaTypeTAXII)
	}
	if who != "" {
		r.Header.Set("Authorization", "Bearer "+who)
	}
	for _, o := range opts {
		o(r)
	}
	w := httptest.NewRecorder()
	e.mux.ServeHTTP(w, r)
	return w
}

func (e *env) get(who, path string, opts ...reqOpt) *httptest.ResponseRecorder {
	e.t.Helper()
	return e.do(http.MethodGet, path, who, "", opts...)
}

// wantStatus fails the test unless w has the status and the TAXII type.
func wantStatus(t *testing.T, w *httptest.ResponseRecorder, status int) {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status = %d, want %d; body: %s", w.Code, status, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); ct != MediaTypeTAXII {
		t.Errorf("Content-Type = %q, want %q", ct, MediaTypeTAXII)
	}
}

// decode decodes the JSON body of w into v.
func decode(t *testing.T, w *httptest.ResponseRecorder, v any) {
	t.Helper()
	if err := json.Unmarshal(w.Body.Bytes(), v); err != nil {
		t.Fatalf("decode %s: %v", w.Body, err)
	}
}

// wantError checks a TAXII error message: status, http_status and, when
// field is not empty, the field named in title, description and details.
func wantError(t *testing.T, w *httptest.ResponseRecorder, status int, field string) errorMessage {
	t.Helper()
	wantStatus(t, w, status)
	var msg errorMessage
	decode(t, w, &msg)
	if msg.Title == "" || msg.HTTPStatus != fmt.Sprint(status) {
		t.Errorf("error message %+v: want a title and http_status %d", msg, status)
	}
	if field != "" {
		if !strings.Contains(msg.Title, field) || !strings.Contains(msg.Description, field) || msg.Details["field"] != field {
			t.Errorf("error message %+v does not name %q", msg, field)
		}
	}
	return msg
}

// envelope is a decoded TAXII envelope.
type envelope struct {
	More    bool              `json:"more"`
	Next    string            `json:"next"`
	Objects []json.RawMessage `json:"objects"`
}

// ids returns the ids and versions ("id@version") of an envelope.
func (en envelope) ids(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, raw := range en.Objects {
		var o struct{ ID, Modified string }
		if err := json.Unmarshal(raw, &o); err != nil {
			t.Fatal(err)
		}
		s := o.ID
		if o.Modified != "" {
			s += "@" + o.Modified
		}
		out = append(out, s)
	}
	return out
}

func ref(v *kurultai.ObjectVersion) string {
	if v.Version == "" {
		return v.ID
	}
	return v.ID + "@" + v.Version
}

func refsOf(vs ...*kurultai.ObjectVersion) []string {
	var out []string
	for _, v := range vs {
		out = append(out, ref(v))
	}
	return out
}

func counter(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}

func objectsPath(coll string) string { return "/taxii2/root/collections/" + coll + "/objects/" }
