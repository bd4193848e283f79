package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/kurultai/kurultai/internal/auth"
	"github.com/kurultai/kurultai/internal/config"
	"github.com/kurultai/kurultai/internal/crisis"
	clockpkg "github.com/kurultai/kurultai/internal/crisis/clock"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/natsbus"
	"github.com/kurultai/kurultai/internal/natsbus/natstest"
	"github.com/kurultai/kurultai/internal/seed"
	"github.com/kurultai/kurultai/internal/taxii"
)

// pollWait bounds each wait for a node to notice a change of its links.
const pollWait = 20 * time.Second

// inProcessNode starts a node in this process with cfg (data directory
// and listen address filled in) and returns it with a TAXII client acting
// as a KZ liaison through a bearer token. The node's log is shown if the
// test fails.
func inProcessNode(t *testing.T, cfg config.Config) (*node, *taxiiClient) {
	t.Helper()
	cfg.DataDir = t.TempDir()
	cfg.Listen = "127.0.0.1:0"
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	ctx := context.Background()
	n, err := startNode(ctx, cfg, log, time.Now)
	if err != nil {
		t.Fatalf("startNode: %v", err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := n.shutdown(sctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if t.Failed() {
			t.Logf("node log:\n%s", logs.String())
		}
	})
	u, err := n.store.CreateUser(ctx, kurultai.User{Username: "kz", Participant: "KZ", Role: kurultai.RoleLiaison, PasswordHash: "-", Created: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	id, secret, full, err := auth.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	if err := n.store.CreateToken(ctx, kurultai.Token{ID: id, UserID: u.ID, Hash: auth.TokenHash(secret), Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
	return n, &taxiiClient{t: t, base: n.URL(), user: "kz", token: full}
}

// postIndicator posts one indicator released to the members and returns
// the status code, the headers and the body.
func postIndicator(c *taxiiClient, raw string) (int, http.Header, []byte) {
	c.t.Helper()
	return c.do(http.MethodPost, collPath+"/objects/", []byte(`{"objects":[`+raw+`]}`))
}

// wantStored checks a 202 whose status stored exactly one object.
func wantStored(t *testing.T, code int, body []byte) {
	t.Helper()
	if code != http.StatusAccepted || !strings.Contains(string(body), `"success_count":1`) {
		t.Fatalf("POST = %d %s, want 202 storing one object", code, body)
	}
}

// postUntilStored posts raw until it is stored, accepting 503 with
// Retry-After in between (and nothing else).
func postUntilStored(t *testing.T, c *taxiiClient, raw string) {
	t.Helper()
	deadline := time.Now().Add(pollWait)
	for {
		code, h, body := postIndicator(c, raw)
		switch {
		case code == http.StatusAccepted:
			wantStored(t, code, body)
			return
		case code != http.StatusServiceUnavailable:
			t.Fatalf("POST = %d %s, want 202 or 503", code, body)
		case h.Get("Retry-After") == "":
			t.Fatalf("503 without Retry-After: %s", body)
		case time.Now().After(deadline):
			t.Fatalf("POST still 503 after %s: %s", pollWait, body)
		}
		time.Sleep(100 * time.Millisecond) // polling the node, not waiting a fixed time
	}
}

func membersIndicator(name string) (id, raw string) {
	return indicator(name, "2022-01-03T10:00:00.000Z", kurultai.TLP2GreenID, seed.AudienceMarkingID("members"))
}

// TestEndToEndNATSCluster runs a node against a three-server NATS cluster
// and kills the server it is connected to: writes, their live
// announcements and the clock's durable notifications go on.
func TestEndToEndNATSCluster(t *testing.T) {
	c := natstest.Start(t, 3)
	cfg := config.Default()
	cfg.NATS = strings.Join(c.URLs(), ",")
	n, kz := inProcessNode(t, cfg)
	if got := n.bus.Replicas(); got != 3 {
		t.Errorf("stream replicas = %d, want 3", got)
	}
	victim := n.bus.Conn().ConnectedServerName()

	// Another process's live view: a client on a server that stays up.
	var watchURL string
	for i, u := range c.URLs() {
		if c.Server(i).Name() != victim {
			watchURL = u
		}
	}
	watcher, err := nats.Connect(watchURL)
	if err != nil {
		t.Fatal(err)
	}
	defer watcher.Close()
	added, err := watcher.SubscribeSync(taxii.SubjectObjectsAdded)
	if err != nil {
		t.Fatal(err)
	}
	live, err := watcher.SubscribeSync(clockpkg.LiveSubject("KZ"))
	if err != nil {
		t.Fatal(err)
	}
	if err := watcher.Flush(); err != nil {
		t.Fatal(err)
	}
	// announced waits for an objects.added message naming id.
	announced := func(id string) {
		t.Helper()
		deadline := time.Now().Add(pollWait)
		for time.Now().Before(deadline) {
			m, err := added.NextMsg(time.Until(deadline))
			if err != nil {
				break
			}
			var list []taxii.AddedObject
			if err := json.Unmarshal(m.Data, &list); err != nil {
				t.Fatalf("objects.added: %v", err)
			}
			for _, a := range list {
				if a.ID == id {
					return
				}
			}
		}
		t.Fatalf("no objects.added for %s within %s", id, pollWait)
	}
	// notify publishes a clock notification through the node's bus and
	// checks that it is stored and announced live.
	notify := func(id string) {
		t.Helper()
		note := crisis.Notification{ID: id, Situation: "x-kurultai-situation--test", Kind: crisis.NoteAlertRaised, To: "KZ", At: time.Now()}
		deadline := time.Now().Add(pollWait)
		for {
			ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
			_, err := clockpkg.Publish(ctx, n.bus, note)
			cancel()
			if err == nil {
				break
			}
			if kurultai.ErrorCode(err) != kurultai.CodeUnavailable || time.Now().After(deadline) {
				t.Fatalf("clock publish %s: %v", id, err)
			}
		}
		m, err := live.NextMsg(pollWait)
		if err != nil {
			t.Fatalf("no live notification %s: %v", id, err)
		}
		if !strings.Contains(string(m.Data), id) {
			t.Errorf("live notification %s, want %s", m.Data, id)
		}
		s, err := n.bus.JetStream().Stream(t.Context(), natsbus.StreamName)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetLastMsgForSubject(t.Context(), clockpkg.DurableSubject("KZ")); err != nil {
			t.Errorf("durable notification %s not in the stream: %v", id, err)
		}
	}

	id1, raw1 := membersIndicator("cluster before the kill")
	code, _, body := postIndicator(kz, raw1)
	wantStored(t, code, body)
	announced(id1)
	notify("notification--before")

	for i := range c.URLs() {
		if c.Server(i).Name() == victim {
			c.Kill(i)
		}
	}
	for i := range 5 {
		id, raw := membersIndicator(fmt.Sprintf("cluster after the kill %d", i))
		postUntilStored(t, kz, raw)
		announced(id)
	}
	notify("notification--after")
	if got := n.bus.Conn().ConnectedServerName(); got == victim {
		t.Errorf("node still connected to the killed server %s", victim)
	}
	var env envelope
	kz.getJSON(collPath+"/objects/"+id1+"/", &env)
	if len(env.Objects) != 1 {
		t.Errorf("object written before the kill: %d versions, want 1", len(env.Objects))
	}
}
