package taxii

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/kurultai/kurultai/internal/kurultai"
)

func TestNewRequiresDependencies(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name string
		cfg  Config
	}{
		{"no store", Config{Markings: e.srv.markings, Auth: principals}},
		{"no markings", Config{Store: e.store, Auth: principals}},
		{"no auth", Config{Store: e.store, Markings: e.srv.markings}},
		{"negative max", Config{Store: e.store, Markings: e.srv.markings, Auth: principals, MaxContentLength: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := New(tt.cfg); err == nil {
				t.Error("New succeeded")
			}
		})
	}
}

func TestDiscovery(t *testing.T) {
	e := newEnv(t)
	w := e.get("kz", "/taxii2/")
	wantStatus(t, w, http.StatusOK)
	var got discoveryResource
	decode(t, w, &got)
	if got.Title != DefaultTitle || got.Default != "/taxii2/root/" || len(got.APIRoots) != 1 || got.APIRoots[0] != "/taxii2/root/" {
		t.Errorf("discovery = %+v", got)
	}
}

func TestAPIRoot(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Title = "OTS node"; c.MaxContentLength = 12345 })
	w := e.get("hu", "/taxii2/root/")
	wantStatus(t, w, http.StatusOK)
	var got apiRootResource
	decode(t, w, &got)
	if got.Title != "OTS node" || got.MaxContentLength != 12345 ||
		len(got.Versions) != 1 || got.Versions[0] != "application/taxii+json;version=2.1" {
		t.Errorf("api root = %+v", got)
	}
}

// Every endpoint refuses a caller without valid credentials, discovery
// included, with a TAXII error and a Basic challenge.
func TestUnauthenticated(t *testing.T) {
	e := newEnv(t)
	paths := []struct{ method, path string }{
		{"GET", "/taxii2/"},
		{"GET", "/taxii2/root/"},
		{"GET", "/taxii2/root/status/4b4b5d4e-1111-4222-8333-444455556666/"},
		{"GET", "/taxii2/root/collections/"},
		{"GET", "/taxii2/root/collections/" + collID + "/"},
		{"GET", "/taxii2/root/collections/" + collID + "/manifest/"},
		{"GET", objectsPath(collID)},
		{"POST", objectsPath(collID)},
		{"GET", objectsPath(collID) + indicator(1, t0).ID + "/"},
		{"DELETE", objectsPath(collID) + indicator(1, t0).ID + "/"},
		{"GET", objectsPath(collID) + indicator(1, t0).ID + "/versions/"},
	}
	for _, who := range []string{"", "stranger"} {
		for _, p := range paths {
			t.Run(who+" "+p.method+" "+p.path, func(t *testing.T) {
				w := e.do(p.method, p.path, who, "")
				msg := wantError(t, w, http.StatusUnauthorized, "")
				if got := w.Header().Get("WWW-Authenticate"); got != `Basic realm="kurultai"` {
					t.Errorf("WWW-Authenticate = %q", got)
				}
				if strings.Contains(w.Body.String(), "stranger") {
					t.Errorf("error repeats the credentials: %+v", msg)
				}
			})
		}
	}
	if len(e.store.auditLog()) != 0 {
		t.Errorf("unauthenticated requests reached the audit log")
	}
}

func TestAccept(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		accept string
		want   int
	}{
		{"", http.StatusOK},
		{"*/*", http.StatusOK},
		{"application/*", http.StatusOK},
		{"application/taxii+json", http.StatusOK},
		{"application/taxii+json;version=2.1", http.StatusOK},
		{"Application/TAXII+json; version=2.1", http.StatusOK},
		{"text/html, application/taxii+json;version=2.1;q=0.9", http.StatusOK},
		{"application/taxii+json;version=2.0", http.StatusNotAcceptable},
		{"application/taxii+json;version=2.1;q=0", http.StatusNotAcceptable},
		{"application/json", http.StatusNotAcceptable},
		{"application/stix+json;version=2.1", http.StatusNotAcceptable},
		{"text/html", http.StatusNotAcceptable},
		{"garbage;;;", http.StatusNotAcceptable},
	}
	for _, tt := range tests {
		t.Run(tt.accept, func(t *testing.T) {
			w := e.get("kz", "/taxii2/root/collections/", header("Accept", tt.accept))
			if tt.want == http.StatusOK {
				wantStatus(t, w, http.StatusOK)
				return
			}
			wantError(t, w, tt.want, "Accept")
		})
	}
}

func TestCollections(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		who               string
		canRead, canWrite bool
	}{
		{"kz", true, true},
		{"hu", true, true},
		{"admin", true, false},
		{"nobody", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.who, func(t *testing.T) {
			w := e.get(tt.who, "/taxii2/root/collections/")
			wantStatus(t, w, http.StatusOK)
			var got collectionsResource
			decode(t, w, &got)
			if len(got.Collections) != 2 {
				t.Fatalf("collections = %+v", got)
			}
			c := got.Collections[0]
			if c.ID != collID || c.Title != "Shared" || c.Description != "Shared reports" || c.Alias != "shared" ||
				c.CanRead != tt.canRead || c.CanWrite != tt.canWrite ||
				len(c.MediaTypes) != 1 || c.MediaTypes[0] != "application/stix+json;version=2.1" {
				t.Errorf("collection = %+v", c)
			}

			w = e.get(tt.who, "/taxii2/root/collections/"+collID+"/")
			wantStatus(t, w, http.StatusOK)
			var one collectionResource
			decode(t, w, &one)
			if !reflect.DeepEqual(one, c) {
				t.Errorf("collection = %+v, want %+v", one, c)
			}
		})
	}
}

func TestCollectionsEmpty(t *testing.T) {
	e := newEnv(t)
	e.store.collections = nil
	w := e.get("kz", "/taxii2/root/collections/")
	wantStatus(t, w, http.StatusOK)
	if got := w.Body.String(); got != "{}" {
		t.Errorf("body = %s, want {}", got)
	}
}

func TestCollectionNotFound(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{
		"/taxii2/root/collections/" + missColl + "/",
		"/taxii2/root/collections/" + missColl + "/manifest/",
		objectsPath(missColl),
		objectsPath(missColl) + indicator(1, t0).ID + "/",
		objectsPath(missColl) + indicator(1, t0).ID + "/versions/",
	} {
		w := e.get("kz", path)
		msg := wantError(t, w, http.StatusNotFound, "")
		if msg.Description != "collection not found" {
			t.Errorf("%s: description %q", path, msg.Description)
		}
	}
	w := e.do("DELETE", objectsPath(missColl)+indicator(1, t0).ID+"/", "kz", "")
	wantError(t, w, http.StatusNotFound, "")
	w = e.do("POST", objectsPath(missColl), "kz", `{"objects":[]}`)
	wantError(t, w, http.StatusNotFound, "")
}

func TestStatus(t *testing.T) {
	e := newEnv(t)
	body := `{"objects":[` + string(indicator(1, t0).Raw) + `]}`
	w := e.do("POST", objectsPath(collID), "kz", body)
	wantStatus(t, w, http.StatusAccepted)
	var posted statusResource
	decode(t, w, &posted)

	path := "/taxii2/root/status/" + posted.ID + "/"
	w = e.get("kz", path)
	wantStatus(t, w, http.StatusOK)
	var got statusResource
	decode(t, w, &got)
	if got.ID != posted.ID || got.Status != "complete" || got.TotalCount != 1 || got.SuccessCount != 1 ||
		got.RequestTimestamp != "2022-01-02T04:04:05.000000Z" {
		t.Errorf("status = %+v", got)
	}

	// Another participant, a missing id and a malformed id all get the
	// same answer.
	hidden := e.get("tr", path)
	missing := e.get("tr", "/taxii2/root/status/4b4b5d4e-1111-4222-8333-444455556666/")
	bad := e.get("kz", "/taxii2/root/status/not-a-uuid/")
	for _, w := range []*httptest.ResponseRecorder{hidden, missing, bad} {
		wantError(t, w, http.StatusNotFound, "")
		if w.Body.String() != hidden.Body.String() {
			t.Errorf("bodies differ: %s vs %s", w.Body, hidden.Body)
		}
	}
	log := e.store.auditLog()
	var decisions []string
	for _, a := range log {
		if a.Action == kurultai.ActionStatusRead {
			decisions = append(decisions, a.Participant+":"+a.Decision)
		}
	}
	want := []string{"KZ:allow", "TR:deny", "TR:deny", "KZ:deny"}
	if strings.Join(decisions, " ") != strings.Join(want, " ") {
		t.Errorf("status audit = %v, want %v", decisions, want)
	}
}
