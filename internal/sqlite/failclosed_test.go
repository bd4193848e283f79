package sqlite_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/kurultai/kurultai/internal/access"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/sqlite"
	"github.com/kurultai/kurultai/internal/taxii"
)

type oneUser struct{ p kurultai.Principal }

func (a oneUser) Authenticate(*http.Request) (kurultai.Principal, error) { return a.p, nil }

// TestTAXIIFailsClosed drives the real TAXII server over the real store:
// when the audit log cannot be appended, a POST answers 503 and stores
// nothing, a GET answers 503 and shows nothing, and a DELETE answers 503
// and deletes nothing.
func TestTAXIIFailsClosed(t *testing.T) {
	ctx := t.Context()
	var failing atomic.Bool
	st, err := sqlite.OpenWithAuditFault(ctx, filepath.Join(t.TempDir(), "kurultai.db"), sqlite.Options{},
		func(stage string, _ []kurultai.AuditEntry) error {
			if failing.Load() {
				return errors.New("injected: disk full")
			}
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const coll = "91a7b528-80eb-42ed-a74d-c6fbd5a26116"
	if err := st.PutParticipant(ctx, kurultai.Participant{Code: "KZ", Name: "Kazakhstan", Kind: kurultai.KindMember}); err != nil {
		t.Fatal(err)
	}
	if err := st.PutCollection(ctx, kurultai.Collection{ID: coll, Title: "Intel"}); err != nil {
		t.Fatal(err)
	}
	known, err := st.Markings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p := kurultai.Principal{Username: "kz", Participant: "KZ", Kind: kurultai.KindMember, Role: kurultai.RoleLiaison}
	srv, err := taxii.New(taxii.Config{Store: st, Markings: access.NewMarkings(known...), Auth: oneUser{p}})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	srv.Routes(mux)
	ts := httptest.NewServer(mux)
	defer ts.Close()

	objects := ts.URL + "/taxii2/root/collections/" + coll + "/objects/"
	post := func(n int) (int, string) {
		body := fmt.Sprintf(`{"objects":[{"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-%012d",`+
			`"created":"2022-01-02T10:00:00.000Z","modified":"2022-01-02T10:00:00.000Z","pattern":"[x:y = 'z']","pattern_type":"stix",`+
			`"valid_from":"2022-01-02T10:00:00.000Z","object_marking_refs":["%s"]}]}`, n, kurultai.TLP2GreenID)
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, objects, strings.NewReader(body))
		req.Header.Set("Content-Type", taxii.MediaTypeTAXII)
		req.Header.Set("Accept", taxii.MediaTypeTAXII)
		return send(t, req)
	}
	get := func() (int, string) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, objects, nil)
		req.Header.Set("Accept", taxii.MediaTypeTAXII)
		return send(t, req)
	}
	before, _ := st.TreeHead(ctx)
	failing.Store(true)
	if status, body := post(1); status != http.StatusServiceUnavailable {
		t.Fatalf("POST with a failing audit log: %d %s", status, body)
	}
	if status, body := get(); status != http.StatusServiceUnavailable || strings.Contains(body, "indicator--") {
		t.Fatalf("GET with a failing audit log: %d %s", status, body)
	}
	failing.Store(false)
	if n, _ := st.CountObjects(ctx); n != 0 {
		t.Errorf("%d objects stored by the failed POST", n)
	}
	if after, _ := st.TreeHead(ctx); after.Size != before.Size {
		t.Errorf("the audit tree grew from %d to %d while appends failed", before.Size, after.Size)
	}
	if status, body := post(2); status != http.StatusAccepted {
		t.Fatalf("POST once the audit log works: %d %s", status, body)
	}
	if status, body := get(); status != http.StatusOK || !strings.Contains(body, "indicator--00000000-0000-4000-8000-000000000002") ||
		strings.Contains(body, "indicator--00000000-0000-4000-8000-000000000001") {
		t.Fatalf("GET once the audit log works: %d %s", status, body)
	}
	// A delete whose audit entry fails deletes nothing.
	failing.Store(true)
	req, _ := http.NewRequestWithContext(ctx, http.MethodDelete, objects+"indicator--00000000-0000-4000-8000-000000000002/", nil)
	req.Header.Set("Accept", taxii.MediaTypeTAXII)
	if status, body := send(t, req); status != http.StatusServiceUnavailable {
		t.Fatalf("DELETE with a failing audit log: %d %s", status, body)
	}
	failing.Store(false)
	if n, _ := st.CountObjects(ctx); n != 1 {
		t.Errorf("%d objects after the failed DELETE, want 1", n)
	}
}

func send(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(data)
}
