package federation

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/sqlite"
	"github.com/kurultai/kurultai/internal/taxiiclient"
)

// partnerTAXII is a partner's TAXII collection: it serves what it holds
// and keeps what it is sent.
type partnerTAXII struct {
	mu       sync.Mutex // guards serve and received
	serve    []map[string]any
	received []string // ids
}

func (p *partnerTAXII) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	w.Header().Set("Content-Type", taxiiclient.MediaType)
	if r.Method == http.MethodPost {
		var env struct {
			Objects []struct {
				ID string `json:"id"`
			} `json:"objects"`
		}
		if err := json.NewDecoder(r.Body).Decode(&env); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		for _, o := range env.Objects {
			p.received = append(p.received, o.ID)
		}
		fmt.Fprintf(w, `{"id":"x","status":"complete","success_count":%d,"failure_count":0,"pending_count":0}`, len(env.Objects))
		return
	}
	stamp := "2026-03-01T00:00:00.000Z"
	w.Header().Set("X-TAXII-Date-Added-Last", stamp)
	json.NewEncoder(w).Encode(map[string]any{"more": false, "objects": p.serve})
}

func TestTAXIIPeerPullsAndPushes(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a federation server")
	}
	ca := testCA(t)
	sec := newTestNode(t, ca, "SEC")
	sec.tune = func(c *Config) { c.TAXIIInterval = 50 * time.Millisecond; c.Signer = sec.signer }
	partner := &partnerTAXII{}
	srv := httptest.NewServer(partner)
	t.Cleanup(srv.Close)
	pulledID, unmarked := newID(), newID()
	for _, o := range []struct {
		id       string
		markings []string
	}{{pulledID, []string{relMembers}}, {unmarked, nil}} {
		n := map[string]any{"type": "note", "spec_version": "2.1", "id": o.id, "created": "2026-01-01T00:00:00.000Z",
			"modified": "2026-01-01T00:00:00.000Z", "content": "from the partner", "object_refs": []string{"identity--00000000-0000-4000-8000-000000000001"}}
		if o.markings != nil {
			n["object_marking_refs"] = o.markings
		}
		partner.serve = append(partner.serve, n)
	}
	opts, _ := json.Marshal(TAXIIOptions{Pull: true, Push: true})
	if err := sec.store.AddPeer(context.Background(), sqlite.Peer{Name: "tr-taxii", Kind: sqlite.PeerTAXII, Participant: "TR",
		URL: srv.URL + "/api/collections/c/", Dial: "no", Options: string(opts)}); err != nil {
		t.Fatal(err)
	}
	forTR, notForTR := newID(), newID()
	sec.write(obj{id: forTR, modified: time.Now(), markings: []string{relMembers}, content: "for members"},
		obj{id: notForTR, modified: time.Now(), markings: []string{relTo("KZ")}, content: "for KZ"})
	sec.start()

	eventually(t, "pulled", func() bool { return len(sec.versions("TR")) == 2 })
	eventually(t, "pushed", func() bool {
		partner.mu.Lock()
		defer partner.mu.Unlock()
		return slices.Contains(partner.received, forTR)
	})
	partner.mu.Lock()
	got := slices.Clone(partner.received)
	partner.mu.Unlock()
	if slices.Contains(got, notForTR) {
		t.Error("pushed a note TR may not see")
	}
	if slices.Contains(got, pulledID) || slices.Contains(got, unmarked) {
		t.Error("pushed the partner's own objects back to it")
	}
	// Pulling again stores nothing twice (the cursor, and the store's
	// idempotence), and the cursor is kept.
	time.Sleep(200 * time.Millisecond)
	if n := len(sec.versions("TR")); n != 2 {
		t.Errorf("after more pulls SEC holds %d of TR's notes, want 2", n)
	}
	p, err := sec.store.Peer(context.Background(), "tr-taxii")
	if err != nil || p.State == "" || p.Cursor == 0 {
		t.Errorf("peer progress not kept: %+v %v", p, err)
	}
}
