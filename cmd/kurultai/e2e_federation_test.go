package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/crisis"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/seed"
)

// syncBuf is a buffer written by one goroutine and read by another.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// ids lists the ids of every object c may read in the intel collection.
func ids(c *taxiiClient) []string {
	c.t.Helper()
	var out []string
	q := url.Values{"limit": {"1000"}}
	for {
		var env envelope
		c.getJSON(collPath+"/objects/?"+q.Encode(), &env)
		for _, o := range env.Objects {
			out = append(out, o["id"].(string))
		}
		if !env.More {
			return out
		}
		q.Set("next", env.Next)
	}
}

// waitFor polls cond for up to two minutes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not so after two minutes", what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestFederationDemo runs the federation demo (a hub and a node per
// member, peered over mutual TLS) and speaks TAXII 2.1 to the nodes as
// liaisons: what a member writes on its own node reaches exactly the nodes
// whose participant may see it, a narrowing withdraws it, and the hub's
// demo objects reach each member node as its participant may see them.
func TestFederationDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("runs six nodes")
	}
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuf{}
	done := make(chan error, 1)
	logw := io.Discard
	if os.Getenv("KURULTAI_TEST_LOG") != "" {
		logw = os.Stderr
	}
	// Through the command line, as a user starts it.
	args := []string{"demo", "--federation", "--data", dir, "--listen", "127.0.0.1:0"}
	go func() { done <- run(ctx, args, func(string) string { return "" }, out, logw) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("demo: %v", err)
		}
	})
	var nodes []demoNodeInfo
	waitFor(t, "nodes.json written", func() bool {
		select {
		case err := <-done:
			t.Fatalf("demo ended: %v", err)
		default:
		}
		b, err := os.ReadFile(filepath.Join(dir, "nodes.json"))
		return err == nil && json.Unmarshal(b, &nodes) == nil
	})
	if !strings.Contains(out.String(), "running at http://") {
		t.Errorf("demo output lacks the hub URL:\n%s", out)
	}
	byCode := map[string]demoNodeInfo{}
	for _, n := range nodes {
		byCode[n.Participant] = n
	}
	for _, c := range []string{"SEC", "AZ", "KZ", "KG", "TR", "UZ"} {
		if _, ok := byCode[c]; !ok {
			t.Fatalf("nodes.json lacks %s: %+v", c, nodes)
		}
	}
	client := func(node, user string) *taxiiClient {
		n := byCode[node]
		acc := readAccounts(t, n.Data)
		a, ok := acc[user]
		if !ok {
			t.Fatalf("node %s has no account %s", node, user)
		}
		return &taxiiClient{t: t, base: n.URL, user: a.Username, pass: a.Password}
	}
	kz, uz, tr, sec := client("KZ", "kz-liaison"), client("UZ", "uz-liaison"), client("TR", "tr-liaison"), client("SEC", "sec-officer")

	rel := seed.AudienceMarkingID
	const v1, v2 = "2022-01-05T10:00:00.000Z", "2022-01-06T10:00:00.000Z"
	idA, a := indicator("fed A members", v1, kurultai.TLP2GreenID, rel("members"))
	idB, b := indicator("fed B KZ only", v1, kurultai.TLP2AmberID, rel("KZ"))
	idC, c := indicator("fed C UZ", v1, kurultai.TLP2AmberID, rel("UZ"))
	if code, _, resp := kz.do(http.MethodPost, collPath+"/objects/", []byte(`{"objects":[`+a+","+b+","+c+`]}`)); code != http.StatusAccepted || !strings.Contains(string(resp), `"success_count":3`) {
		t.Fatalf("POST on KZ's node = %d %s", code, resp)
	}
	has := func(cl *taxiiClient, id string) bool { return slices.Contains(ids(cl), id) }
	waitFor(t, "A on UZ's, TR's and the hub", func() bool { return has(uz, idA) && has(tr, idA) && has(sec, idA) })
	waitFor(t, "C on UZ's node", func() bool { return has(uz, idC) })
	for _, cl := range []*taxiiClient{uz, tr, sec} {
		if has(cl, idB) {
			t.Errorf("B (KZ only) reached %s", cl.base)
		}
	}
	for _, cl := range []*taxiiClient{tr, sec} {
		if has(cl, idC) {
			t.Errorf("C (UZ only) reached %s", cl.base)
		}
	}
	// The hub's demo objects: what a member may see reaches its node, and
	// nothing else does. (KG writes nothing on the hub: on a hub, what a
	// participant wrote is its own, while on its own node the hub's
	// versions are the secretariat's and only their markings count.)
	kg := client("KG", "kg-liaison")
	kzOnHub, kgOnHub := client("SEC", "kz-liaison"), client("SEC", "kg-liaison")
	hubKZ, hubKG := ids(kzOnHub), ids(kgOnHub)
	var forKZOnly []string
	for _, id := range hubKZ {
		// Every node seeds the releasability markings of every
		// participant as its own (so KG's node shows KG "REL TO KZ");
		// they are not replicated.
		if !slices.Contains(hubKG, id) && !strings.HasPrefix(id, "marking-definition--") {
			forKZOnly = append(forKZOnly, id)
		}
	}
	if len(hubKG) == 0 || len(forKZOnly) == 0 {
		t.Fatalf("the demo shows KG %d objects on the hub and KZ %d more; want some of each", len(hubKG), len(forKZOnly))
	}
	waitFor(t, "the hub's objects for KG on KG's node", func() bool {
		got := ids(kg)
		for _, id := range hubKG {
			if !slices.Contains(got, id) {
				return false
			}
		}
		return true
	})
	got := ids(kg)
	for _, id := range forKZOnly {
		if slices.Contains(got, id) {
			t.Errorf("%s, which KG may not see on the hub, reached KG's node", id)
		}
	}
	// The January 2022 crisis records on the hub reach KZ's node: the
	// same records, from which its crisis clock derives the same state.
	crisisIDs := func(cl *taxiiClient) []string {
		var env envelope
		cl.getJSON("/taxii2/root/collections/"+crisis.CollectionID+"/objects/?limit=1000", &env)
		var out []string
		for _, o := range env.Objects {
			out = append(out, o["id"].(string))
		}
		slices.Sort(out)
		return out
	}
	hubCrisis := crisisIDs(kzOnHub)
	if len(hubCrisis) < 5 {
		t.Fatalf("the hub shows KZ %d crisis records", len(hubCrisis))
	}
	waitFor(t, "crisis records on KZ's node", func() bool { return slices.Equal(crisisIDs(kz), hubCrisis) })

	// KZ narrows A to itself: it leaves the other nodes.
	_, a2 := indicator("fed A members", v2, kurultai.TLP2AmberID, rel("KZ"))
	if code, _, resp := kz.do(http.MethodPost, collPath+"/objects/", []byte(`{"objects":[`+a2+`]}`)); code != http.StatusAccepted {
		t.Fatalf("narrowing POST = %d %s", code, resp)
	}
	waitFor(t, "A withdrawn from UZ's, TR's and the hub", func() bool { return !has(uz, idA) && !has(tr, idA) && !has(sec, idA) })
	if !has(kz, idA) {
		t.Error("KZ lost its own object")
	}
}
