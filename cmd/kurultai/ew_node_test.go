package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/access"
	"github.com/kurultai/kurultai/internal/auth"
	"github.com/kurultai/kurultai/internal/config"
	"github.com/kurultai/kurultai/internal/crisis"
	"github.com/kurultai/kurultai/internal/ew/sources"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/seed"
	"github.com/kurultai/kurultai/internal/sqlite"
	"github.com/kurultai/kurultai/internal/trust"
	"github.com/kurultai/kurultai/internal/web"
)

// TestStartEarlyWarning runs the node's early warning in process over the
// whole corpus as one local source: the unrest in Kazakhstan opens exactly
// one monitoring situation, and GET /api/v1/sources shows the source's
// health to a signed-in user only.
func TestStartEarlyWarning(t *testing.T) {
	corpusDir, err := filepath.Abs("../../data/corpus")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skip("no corpus")
	}
	ctx := context.Background()
	dir := t.TempDir()
	cfg := config.Default()
	cfg.DataDir = dir
	cfg.Participant = "SEC"
	n := &node{cfg: cfg, log: slog.New(slog.DiscardHandler), clock: time.Now}
	keys, _, err := trust.Init(dir, time.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if n.signer, err = keys.NewSigner(cfg.Participant); err != nil {
		t.Fatal(err)
	}
	if n.store, err = sqlite.Open(ctx, filepath.Join(dir, "k.db"), sqlite.Options{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.store.Close() })
	if n.charter, err = loadCharter(""); err != nil {
		t.Fatal(err)
	}
	if err := seed.System(ctx, n.store, n.charter.DirectoryParticipants(), cfg.Participant, time.Now); err != nil {
		t.Fatal(err)
	}
	if err := seedCrisis(ctx, n.store, cfg.Participant, time.Now); err != nil {
		t.Fatal(err)
	}
	known, err := n.store.Markings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := web.NewService(web.ServiceConfig{Store: n.store, Markings: access.NewMarkings(known...),
		Mechanism: crisis.New(n.charter, nil), Signer: n.signer})
	if err != nil {
		t.Fatal(err)
	}
	f := sources.File{Sources: []sources.Source{{Name: "Corpus", URL: corpusDir, Interval: sources.Duration(time.Hour)}}}
	if err := f.Save(filepath.Join(dir, sources.FileName)); err != nil {
		t.Fatal(err)
	}

	e, err := startEarlyWarning(ctx, n, svc)
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	t.Cleanup(func() {
		if !closed {
			e.Close(ctx)
		}
	})
	sec, err := n.store.Participant(ctx, "SEC")
	if err != nil {
		t.Fatal(err)
	}
	var kz []*crisis.State
	deadline := time.Now().Add(60 * time.Second)
	for {
		states, err := svc.Situations(ctx, seed.SystemPrincipal(sec), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		kz = kz[:0]
		for _, st := range states {
			if slices.Contains(st.Affected(), "KZ") {
				kz = append(kz, st)
			}
		}
		if len(kz) > 0 && len(e.poller.Health()) > 0 && e.poller.Health()[0].Items > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no situation for KZ after 60 s; health %+v", e.poller.Health())
		}
		time.Sleep(50 * time.Millisecond) // polling with a deadline, not a timed wait
	}
	if len(kz) != 1 {
		t.Errorf("%d situations for KZ, want 1", len(kz))
	}
	if want := time.Date(2022, 1, 2, 0, 0, 0, 0, time.UTC); !kz[0].Situation.Onset.Equal(want) {
		t.Errorf("onset %s, want %s", kz[0].Situation.Onset, want)
	}

	for _, r := range kz[0].Reports {
		t.Logf("report on the KZ situation: %s", r.Title)
	}

	// A restart reading the same news opens nothing new and reports nothing twice.
	if err := e.Close(ctx); err != nil {
		t.Fatal(err)
	}
	reports := len(kz[0].Reports)
	if e, err = startEarlyWarning(ctx, n, svc); err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(60 * time.Second)
	for len(e.poller.Health()) == 0 || e.poller.Health()[0].LastSuccess.IsZero() || e.poller.Health()[0].LastSuccess.Before(kz[0].Now) {
		if time.Now().After(deadline) {
			t.Fatalf("no poll after the restart; health %+v", e.poller.Health())
		}
		time.Sleep(50 * time.Millisecond)
	}
	states, err := svc.Situations(ctx, seed.SystemPrincipal(sec), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var again []*crisis.State
	for _, st := range states {
		if slices.Contains(st.Affected(), "KZ") {
			again = append(again, st)
		}
	}
	if len(again) != 1 {
		t.Errorf("after a restart: %d situations for KZ", len(again))
	} else if len(again[0].Reports) != reports {
		t.Errorf("after a restart: %d reports, was %d", len(again[0].Reports), reports)
	}

	// The health endpoint.
	hash, err := auth.HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.store.CreateUser(ctx, kurultai.User{Username: "kz", Participant: "KZ", Role: kurultai.RoleLiaison, PasswordHash: hash, Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	e.Routes(mux, auth.NewAuthenticator(n.store, time.Now))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	for _, tc := range []struct {
		name string
		user string
		want int
	}{
		{"anonymous", "", http.StatusUnauthorized},
		{"wrong password", "kz:wrong", http.StatusUnauthorized},
		{"member", "kz:correct horse", http.StatusOK},
	} {
		req, _ := http.NewRequest("GET", srv.URL+"/api/v1/sources", nil)
		if tc.user != "" {
			u, p, _ := cutColon(tc.user)
			req.SetBasicAuth(u, p)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			Sources []sourceHealth `json:"sources"`
		}
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("%s: status %d, want %d", tc.name, resp.StatusCode, tc.want)
			continue
		}
		if tc.want != http.StatusOK {
			continue
		}
		if err != nil || len(body.Sources) != 1 || body.Sources[0].Name != "Corpus" || body.Sources[0].Items == 0 || body.Sources[0].LastSuccess.IsZero() {
			t.Errorf("%s: sources %+v (%v)", tc.name, body.Sources, err)
		}
	}
	closed = true
	if err := e.Close(ctx); err != nil {
		t.Error(err)
	}
}

func cutColon(s string) (string, string, bool) {
	for i := range len(s) {
		if s[i] == ':' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}
