package federation

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/kurultai/kurultai/internal/pki"
)

const waitFor = 20 * time.Second

// testCA makes a deployment CA for a test.
func testCA(t testing.TB) *pki.CA {
	t.Helper()
	ca, err := pki.InitCA(filepath.Join(t.TempDir(), "ca"), pki.CAOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

// testNodeTLS issues a node certificate and loads it.
func testNodeTLS(t testing.TB, ca *pki.CA, code string) *pki.Node {
	t.Helper()
	is, err := ca.Issue(pki.IssueOptions{Participant: code, Hosts: []string{"127.0.0.1"}})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "tls")
	if err := ca.WriteNode(dir, is); err != nil {
		t.Fatal(err)
	}
	n, err := pki.LoadNode(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func testLog(t testing.TB) *slog.Logger {
	if os.Getenv("KURULTAI_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})).With("test", t.Name())
	}
	return slog.New(slog.DiscardHandler)
}

func startTestLinks(t *testing.T, cfg linkConfig) *links {
	t.Helper()
	if cfg.Dir == "" {
		cfg.Dir = filepath.Join(t.TempDir(), "nats")
	}
	cfg.Log = testLog(t)
	cfg.MaxPayload = 1 << 20
	cfg.MaxStorePerPeer = 64 << 20
	cfg.ReconnectWait = 100 * time.Millisecond
	l, err := startLinks(t.Context(), cfg)
	if err != nil {
		t.Fatalf("startLinks %s: %v", cfg.Participant, err)
	}
	t.Cleanup(l.Close)
	return l
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: still false after %s", what, waitFor)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestLinksCarryOnlyFederationSubjects(t *testing.T) {
	ca := testCA(t)
	sec := startTestLinks(t, linkConfig{Participant: "SEC", Listen: "127.0.0.1:0", TLS: testNodeTLS(t, ca, "SEC"),
		Peers: []linkPeer{{Participant: "KZ"}}})
	kz := startTestLinks(t, linkConfig{Participant: "KZ", TLS: testNodeTLS(t, ca, "KZ"),
		Peers: []linkPeer{{Participant: "SEC", URL: sec.leafURL(), Dial: true}}})
	eventually(t, "link up", func() bool { return kz.connected("SEC") && sec.connected("KZ") })

	ctx := t.Context()
	publish := func(from *links, to string, id string) (*jetstream.PubAck, error) {
		js, err := jetstream.New(from.conn(to))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		return js.Publish(ctx, subjectTo(to), []byte("hello "+to), jetstream.WithMsgID(id))
	}
	// Both directions over the one link, each into the receiver's stream.
	for _, tt := range []struct {
		from *links
		to   string
	}{{kz, "SEC"}, {sec, "KZ"}} {
		var ack *jetstream.PubAck
		eventually(t, "publish to "+tt.to, func() bool {
			var err error
			ack, err = publish(tt.from, tt.to, "m1")
			return err == nil
		})
		if ack.Stream != inStream || ack.Domain != tt.to || ack.Duplicate {
			t.Errorf("ack to %s = %+v, want a new message in %s of domain %s", tt.to, ack, inStream, tt.to)
		}
		again, err := publish(tt.from, tt.to, "m1")
		if err != nil || !again.Duplicate {
			t.Errorf("republish to %s = %+v, %v; want a duplicate", tt.to, again, err)
		}
	}

	// The peer cannot reach this node's JetStream API through the link.
	for _, tt := range []struct {
		from *links
		peer string
		subj string
	}{
		{kz, "SEC", "$JS.SEC.API.INFO"},
		{kz, "SEC", "$JS.SEC.API.STREAM.NAMES"},
		{sec, "KZ", "$JS.KZ.API.INFO"},
		{sec, "KZ", "$JS.KZ.API.STREAM.DELETE." + inStream},
	} {
		if _, err := tt.from.conn(tt.peer).Request(tt.subj, nil, 500*time.Millisecond); err == nil {
			t.Errorf("request %s over the link answered, want no answer", tt.subj)
		}
	}
	// Its own account's API still answers locally.
	if _, err := kz.conn("SEC").Request("$JS.API.INFO", nil, 2*time.Second); err != nil {
		t.Errorf("local JetStream API: %v", err)
	}
}

func TestLinksRefuseStrangers(t *testing.T) {
	ca, other := testCA(t), testCA(t)
	sec := startTestLinks(t, linkConfig{Participant: "SEC", Listen: "127.0.0.1:0", TLS: testNodeTLS(t, ca, "SEC"),
		Peers: []linkPeer{{Participant: "KZ"}}})
	// A node certified by another CA, and a node of the deployment that
	// SEC does not list as a peer.
	stranger := startTestLinks(t, linkConfig{Participant: "KZ", TLS: testNodeTLS(t, other, "KZ"),
		Peers: []linkPeer{{Participant: "SEC", URL: sec.leafURL(), Dial: true}}})
	unknown := startTestLinks(t, linkConfig{Participant: "TM", TLS: testNodeTLS(t, ca, "TM"),
		Peers: []linkPeer{{Participant: "SEC", URL: sec.leafURL(), Dial: true}}})
	time.Sleep(500 * time.Millisecond) // give both a few attempts
	if sec.connected("KZ") || stranger.connected("SEC") || unknown.connected("SEC") {
		t.Error("a link from a stranger came up")
	}
	js, _ := jetstream.New(stranger.conn("SEC"))
	ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
	defer cancel()
	if _, err := js.Publish(ctx, subjectTo("SEC"), []byte("x")); err == nil || !(errors.Is(err, nats.ErrNoResponders) || strings.Contains(err.Error(), "deadline") || strings.Contains(err.Error(), "no responders")) {
		t.Errorf("publish without a link = %v, want no responders", err)
	}
}
