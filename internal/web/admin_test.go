package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
)

func TestAdminPage(t *testing.T) {
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	w := newWorld(t, withSources(testSources(at)), func(w *world, c *Config) {
		c.Peers = func(context.Context) ([]Peer, error) {
			return []Peer{{Name: "tashkent", Kind: "node", Participant: "UZ", URL: "nats://uz.example:4222", Dial: "auto", Created: at, Sent: 12, Received: 7}}, nil
		}
	})
	for _, tok := range []kurultai.Token{
		{ID: "tok-feed", UserID: w.users["kz-liaison"].UserID, Label: "KZ feed reader", Hash: []byte("SECRETHASHBYTES"), Created: at, Expires: at.Add(time.Hour)},
		{ID: "tok-forever", UserID: w.users["admin"].UserID, Label: "backup", Hash: []byte("SECRETHASHBYTES"), Created: at.Add(time.Minute)},
	} {
		if err := w.store.CreateToken(w.ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	status, _, doc := w.login("admin").get("/admin")
	if status != http.StatusOK {
		t.Fatalf("GET /admin: %d", status)
	}
	text := textOf(doc)
	for _, want := range []string{"tok-feed", "KZ feed reader", "kz-liaison", "expired", "never", "Kazinform", "failing (3 in a row)", "tashkent", "nats://uz.example:4222"} {
		if !strings.Contains(text, want) {
			t.Errorf("admin page lacks %q", want)
		}
	}
	_, _, raw := w.login("admin").getText("/admin")
	for _, secret := range []string{"SECRETHASHBYTES", "U0VDUkVUSEFTSEJZVEVT", "$argon2"} {
		if strings.Contains(raw, secret) {
			t.Errorf("admin page shows %q", secret)
		}
	}
	if peer := find(doc, byAttr("data-peer", "tashkent")); peer == nil || !strings.Contains(textOf(peer), "12") {
		t.Errorf("peer row: %q", textOf(peer))
	}
	for _, user := range []string{"kz-liaison", "sec-officer", "tr-chair"} {
		if s, _, raw := w.login(user).getText("/admin"); s != http.StatusForbidden || strings.Contains(raw, "tok-feed") {
			t.Errorf("%s GET /admin: %d", user, s)
		}
	}
}

func TestAdminPageNotFederated(t *testing.T) {
	w := newWorld(t)
	_, text, _ := w.login("admin").getText("/admin")
	for _, want := range []string{"This node is not federated.", "No tokens.", "This node reads no news sources."} {
		if !strings.Contains(text, want) {
			t.Errorf("admin page lacks %q", want)
		}
	}
}
