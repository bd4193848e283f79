package ops

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestEndpoints(t *testing.T) {
	ready := errors.New("db down")
	o := New(Check{Name: "store", Fn: func(context.Context) error { return ready }})
	mux := http.NewServeMux()
	o.Routes(mux)
	mux.HandleFunc("GET /thing/{id}", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	srv := httptest.NewServer(o.Middleware(mux))
	defer srv.Close()

	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := get("/healthz"); code != 200 {
		t.Errorf("healthz = %d", code)
	}
	code, body := get("/readyz")
	if code != 503 || !strings.Contains(body, "store") || strings.Contains(body, "db down") {
		t.Errorf("readyz with failing check = %d %q, want 503 naming the check only", code, body)
	}
	ready = nil
	if code, _ := get("/readyz"); code != 200 {
		t.Errorf("readyz = %d, want 200", code)
	}
	get("/thing/1")
	get("/thing/2")
	_, metrics := get("/metrics")
	want := `kurultai_http_requests_total{code="418",method="GET",route="GET /thing/{id}"} 2`
	if !strings.Contains(metrics, want) {
		t.Errorf("metrics lack %q", want)
	}
}
