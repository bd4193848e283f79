package ops

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestRecover checks the three outcomes of a panic in a handler: an error
// answer before the response started, an aborted response after, and
// http.ErrAbortHandler passed through.
func TestRecover(t *testing.T) {
	quiet := slog.New(slog.DiscardHandler)
	handler := func(body bool, v any) http.Handler {
		return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			w := &Writer{ResponseWriter: rw}
			defer Recover(w, r, quiet, "test", func() { http.Error(w, "internal error", http.StatusInternalServerError) })
			if body {
				w.WriteHeader(http.StatusOK)
			}
			panic(v)
		})
	}
	rec := httptest.NewRecorder()
	handler(false, "boom").ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusInternalServerError {
		t.Errorf("panic before the response: %d, want 500", rec.Code)
	}
	for _, tc := range []struct {
		name string
		body bool
		v    any
	}{{"after the response started", true, "boom"}, {"abort", false, http.ErrAbortHandler}} {
		func() {
			defer func() {
				if v := recover(); v != http.ErrAbortHandler {
					t.Errorf("%s: recovered %v, want http.ErrAbortHandler", tc.name, v)
				}
			}()
			handler(tc.body, tc.v).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
		}()
	}
}
