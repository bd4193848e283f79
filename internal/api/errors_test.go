package api

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
)

func TestHTTPStatus(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{kurultai.FieldError("x", "bad"), http.StatusBadRequest},
		{kurultai.Errorf(kurultai.CodeUnauthenticated, "who"), http.StatusUnauthorized},
		{kurultai.Errorf(kurultai.CodeForbidden, "no"), http.StatusForbidden},
		{kurultai.Errorf(kurultai.CodeNotFound, "none"), http.StatusNotFound},
		{kurultai.Errorf(kurultai.CodeConflict, "clash"), http.StatusConflict},
		{kurultai.Errorf(kurultai.CodeTooLarge, "big"), http.StatusRequestEntityTooLarge},
		{kurultai.Errorf(kurultai.CodeUnavailable, "busy"), http.StatusServiceUnavailable},
		{kurultai.Errorf(kurultai.CodeInternal, "bug"), http.StatusInternalServerError},
		{errors.New("plain"), http.StatusInternalServerError},
		{fmt.Errorf("wrapped: %w", kurultai.Errorf(kurultai.CodeConflict, "x")), http.StatusConflict},
		{&mediaError{"text/plain"}, http.StatusUnsupportedMediaType},
	}
	for _, tt := range tests {
		if got := httpStatus(tt.err); got != tt.want {
			t.Errorf("httpStatus(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}

// TestActionRefusals: every refusal is a 4xx naming the rule or the
// field, is audited, and writes nothing.
func TestActionRefusals(t *testing.T) {
	e := newEnv(t)
	sit := e.raise()
	e.clock.Set(t0.Add(2 * time.Hour))
	e.act("chair", sit, "change_mode", map[string]string{"to": "consultation"})
	draft := e.act("sec", sit, "draft_statement", map[string]string{"title": "T", "text": "Text."}).Records[0].ID
	missing := "kurultai-situation--00000000-0000-4000-8000-000000000000"
	big := `{"title":"` + strings.Repeat("x", DefaultMaxBody) + `"}`

	tests := []struct {
		name         string
		token, sit   string
		action, body string
		ctype        string
		code         int
		field, want  string
	}{
		{"wrong role", "kz", sit, "open_silence", `{"draft":"` + draft + `","urgency":"urgent"}`, "", 403, "", "charter roles: open_silence is for chair"},
		{"observer objection", "hu", sit, "break_silence", `{"silence":"x","kind":"objection","text":"t"}`, "", 403, "", "charter roles: break_silence is for member"},
		{"observer, unknown situation", "hu", missing, "break_silence", `{}`, "", 403, "", "charter roles"},
		{"consent gate", "chair", sit, "open_silence", `{"draft":"` + draft + `","urgency":"urgent"}`, "", 403, "", "charter consent.gated"},
		{"wrong mode", "kz", sit, "request_consultation", `{}`, "", 201, "", ""}, // allowed: a control
		{"closed mode", "chair", sit, "close", `{}`, "", 403, "", "charter modes.consultation.to"},
		{"affected only", "uz", sit, "answer_consent", `{"answer":"granted"}`, "", 403, "", "charter roles: answer_consent is for affected"},
		{"admin", "admin", sit, "request_consultation", `{}`, "", 403, "", "role admin takes no action"},
		{"unknown action", "kz", sit, "surrender", `{}`, "", 404, "action", "not an action"},
		{"raise on a situation", "sec", sit, "raise_alert", `{}`, "", 400, "action", "POST /api/v1/situations"},
		{"unknown situation", "kz", missing, "request_consultation", `{}`, "", 404, "", "not found"},
		{"malformed JSON", "chair", sit, "change_mode", `{"to":`, "", 400, "", "bad parameters"},
		{"wrong type", "chair", sit, "change_mode", `{"to":7}`, "", 400, "to", "must be string"},
		{"unknown field", "chair", sit, "change_mode", `{"to":"activation","mood":"calm"}`, "", 400, "mood", "unknown field"},
		{"trailing data", "chair", sit, "change_mode", `{"to":"activation"} {}`, "", 400, "", "trailing data"},
		{"unknown mode", "chair", sit, "change_mode", `{"to":"panic"}`, "", 400, "to", "not a mode"},
		{"missing reference", "chair", sit, "declare", `{"silence":"kurultai-silence--00000000-0000-4000-8000-000000000000","outcome":"adopted"}`, "", 404, "silence", "not a record"},
		{"bad outcome", "chair", sit, "declare", `{"silence":"x","outcome":"maybe"}`, "", 400, "outcome", "not one of"},
		{"oversize", "sec", sit, "post_report", big, "", 413, "", "exceeds"},
		{"not JSON", "chair", sit, "change_mode", `to=activation`, "application/x-www-form-urlencoded", 415, "Content-Type", "application/json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, denied := e.count(), len(e.audits(AuditAct))
			req := httptest.NewRequest(http.MethodPost, "/api/v1/situations/"+tt.sit+"/actions/"+tt.action, bytes.NewReader([]byte(tt.body)))
			req.Header.Set("Authorization", "Bearer "+tt.token)
			req.Header.Set("Content-Type", "application/json")
			if tt.ctype != "" {
				req.Header.Set("Content-Type", tt.ctype)
			}
			rec := httptest.NewRecorder()
			e.mux.ServeHTTP(rec, req)
			if rec.Code != tt.code {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.code, rec.Body)
			}
			if tt.code == 201 {
				return
			}
			got := apiError(t, rec.Body.Bytes())
			if got.Field != tt.field || !strings.Contains(got.Message, tt.want) {
				t.Errorf("error %+v, want field %q and message containing %q", got, tt.field, tt.want)
			}
			if n := e.count(); n != before {
				t.Errorf("a refused action wrote %d versions", n-before)
			}
			if n := len(e.audits(AuditAct)); n != denied+1 {
				t.Errorf("%d audit entries for a refusal, want 1", n-denied)
			}
		})
	}
}

// TestAuditFailsClosed: when the audit log cannot be written, reads and
// actions answer 503 with Retry-After and nothing is written.
func TestAuditFailsClosed(t *testing.T) {
	e := newEnv(t)
	sit := e.raise()
	before := e.count()
	e.store.setFail(true)
	for _, tc := range []struct{ method, path, body string }{
		{"GET", "/api/v1/situations", ""},
		{"GET", "/api/v1/situations/" + sit, ""},
		{"GET", "/api/v1/notifications", ""},
		{"GET", "/api/v1/charter", ""},
		{"POST", "/api/v1/situations/" + sit + "/actions/request_consultation", "{}"},
		{"POST", "/api/v1/situations/" + sit + "/actions/surrender", "{}"},
	} {
		var body []byte
		if tc.body != "" {
			body = []byte(tc.body)
		}
		code, h, resp := e.do(tc.method, tc.path, "kz", body)
		if code != http.StatusServiceUnavailable || h.Get("Retry-After") == "" {
			t.Errorf("%s %s with a failing audit log = %d (Retry-After %q): %s", tc.method, tc.path, code, h.Get("Retry-After"), resp)
		}
	}
	e.store.setFail(false)
	if n := e.count(); n != before {
		t.Errorf("%d versions written while the audit log failed", n-before)
	}
}

func TestAuthentication(t *testing.T) {
	e := newEnv(t)
	code, h, body := e.do(http.MethodGet, "/api/v1/situations", "", nil)
	if code != http.StatusUnauthorized || h.Get("WWW-Authenticate") == "" || apiError(t, body).Code != "unauthenticated" {
		t.Errorf("no credentials = %d %v %s", code, h, body)
	}
	code, _, body = e.do(http.MethodGet, "/api/v1/nowhere", "kz", nil)
	if code != http.StatusNotFound || apiError(t, body).Code != "not_found" {
		t.Errorf("unknown path = %d %s", code, body)
	}
}

// TestQueryParameters: bad parameters are 400 naming the parameter.
func TestQueryParameters(t *testing.T) {
	e := newEnv(t)
	for path, field := range map[string]string{
		"/api/v1/situations?limit=0":         "limit",
		"/api/v1/situations?limit=x":         "limit",
		"/api/v1/situations?open=maybe":      "open",
		"/api/v1/situations?after=nope":      "after",
		"/api/v1/notifications?since=monday": "since",
		"/api/v1/notifications?after=x":      "after",
		"/api/v1/kpi?limit=-3":               "limit",
		"/api/v1/charter?format=toml":        "format",
	} {
		code, _, body := e.do(http.MethodGet, path, "kz", nil)
		if code != http.StatusBadRequest || apiError(t, body).Field != field {
			t.Errorf("GET %s = %d %s, want 400 naming %s", path, code, body, field)
		}
	}
}

// TestPanicIs500: a panicking dependency is a 500 that leaks nothing.
func TestPanicIs500(t *testing.T) {
	e := newEnv(t)
	h := e.srv.handle(func(http.ResponseWriter, *http.Request, kurultai.Principal) error { panic("secret detail") })
	req := httptest.NewRequest(http.MethodGet, "/api/v1/x", nil)
	req.Header.Set("Authorization", "Bearer kz")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	got := apiError(t, rec.Body.Bytes())
	if rec.Code != 500 || strings.Contains(rec.Body.String(), "secret") || got.ID == "" {
		t.Errorf("panic = %d %s, want a 500 with an error id and no detail", rec.Code, rec.Body)
	}
	if !strings.Contains(e.logs.String(), got.ID) {
		t.Error("the error id is not in the log")
	}
}
