package federation

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/kurultai/kurultai/internal/seed"
	"github.com/kurultai/kurultai/internal/stix"
	"github.com/kurultai/kurultai/internal/trust"
)

// rogue sends hand-made messages to victim over its link, as a peer that
// does not follow the protocol would.
type rogue struct {
	t      *testing.T
	from   *testNode
	victim *testNode
	js     jetstream.JetStream
	seq    int64
}

func newRogue(t *testing.T, from, victim *testNode) *rogue {
	js, err := jetstream.New(from.fed.links.conn(victim.code))
	if err != nil {
		t.Fatal(err)
	}
	return &rogue{t: t, from: from, victim: victim, js: js, seq: 1 << 40}
}

// send publishes data to the victim's inbound stream.
func (r *rogue) send(data []byte) {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := r.js.Publish(ctx, subjectTo(r.victim.code), data, jetstream.WithMsgID(fmt.Sprintf("rogue-%d", time.Now().UnixNano()))); err != nil {
		r.t.Fatalf("rogue publish: %v", err)
	}
}

// note returns a note signed by s.
func note(t *testing.T, s *trust.Signer, id, content string, markings ...string) []byte {
	t.Helper()
	raw, err := json.Marshal(map[string]any{"type": "note", "spec_version": "2.1", "id": id, "created": "2026-01-01T00:00:00.000Z",
		"modified": "2026-01-01T00:00:00.000Z", "content": content, "object_refs": []string{seed.IdentityID("SEC")}, "object_marking_refs": markings})
	if err != nil {
		t.Fatal(err)
	}
	if raw, err = s.Sign(raw); err != nil {
		t.Fatal(err)
	}
	return raw
}

// put makes a one-item message.
func (r *rogue) put(from string, raw []byte) []byte {
	r.seq++
	b := &batch{V: wireVersion, From: from, To: r.victim.code, Items: []item{{Seq: r.seq, Op: opPut, Collection: seed.IntelCollectionID, Object: raw}}}
	return b.encode()
}

func TestRefusals(t *testing.T) {
	if testing.Short() {
		t.Skip("starts federation servers")
	}
	ca := testCA(t)
	sec, kg := newTestNode(t, ca, "SEC"), newTestNode(t, ca, "KG")
	sec.tune = func(c *Config) { c.MaxObjectBytes = 4 << 10 }
	link(t, sec, kg)
	sec.start()
	kg.start()
	eventually(t, "link up", func() bool { return sec.fed.links.connected("KG") })
	r := newRogue(t, kg, sec)

	// KZ's node key, which the rogue got hold of objects signed by.
	kzKeys, _, err := trust.Init(t.TempDir(), time.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	kzSigner, _ := kzKeys.NewSigner("KZ")
	// A signer with KG's own key claiming to sign for KZ.
	kgKeys, err := trust.Load(kg.dir)
	if err != nil {
		t.Fatal(err)
	}
	claimKZ, _ := trust.NewSigner(kgKeys.PrivateKey(), "KZ")

	members := []string{relMembers}
	tampered := bytes.Replace(note(t, kg.signer, newID(), "original", members...), []byte("original"), []byte("altered!"), 1)
	huge := note(t, kg.signer, newID(), strings.Repeat("x", 8<<10), members...)
	cases := []struct {
		reason string
		data   []byte
	}{
		{"wrong sender or receiver", r.put("KZ", note(t, kg.signer, newID(), "claims to come from KZ", members...))},
		{"signed for another participant", r.put("KG", note(t, kzSigner, newID(), "KZ's object relayed by KG", members...))},
		{"bad signature", r.put("KG", note(t, claimKZ, newID(), "KG's key, KZ named as signer", members...))},
		{"bad signature", r.put("KG", tampered)},
		{"missing", r.put("KG", []byte(`{"type":"note","spec_version":"2.1","id":"`+newID()+`","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","content":"unsigned","object_refs":["`+seed.IdentityID("SEC")+`"],"object_marking_refs":["`+relMembers+`"]}`))},
		{"not released to this node", r.put("KG", note(t, kg.signer, newID(), "for KG only", relTo("KG")))},
		{"malformed message", []byte(`{"v":1,"from":"KG","to":"SEC","items":[{"seq":1,"op":"put"`)},
		{"malformed message", []byte("\x00\xff not json")},
		{"oversized message", r.put("KG", huge)},
		{"malformed object", r.put("KG", []byte(`{"type":"note","id":"not-an-id"}`))},
	}
	for _, c := range cases {
		r.send(c.data)
	}
	// The link still works: a good object arrives.
	good := newID()
	r.send(r.put("KG", note(t, kg.signer, good, "fine", members...)))
	eventually(t, "good object stored", func() bool {
		for _, v := range sec.versions("KG") {
			if v.id == good {
				return true
			}
		}
		return false
	})
	want := map[string]float64{}
	for _, c := range cases {
		want[c.reason]++
	}
	for reason, n := range want {
		if got := counterValue(t, sec.fed.metrics.refused.WithLabelValues("kg-node", reason)); got != n {
			t.Errorf("refused %q = %v, want %v", reason, got, n)
		}
	}
	if got := len(sec.versions("KG")); got != 1 {
		t.Errorf("SEC holds %d notes of KG, want only the good one", got)
	}
	if got := len(sec.versions("KZ")); got != 0 {
		t.Errorf("SEC holds %d notes attributed to KZ, want none", got)
	}

	// A replay of a version its originator withdrew is refused.
	id := newID()
	v1 := note(t, kg.signer, id, "v1", members...)
	r.send(r.put("KG", v1))
	v1Seq := r.seq
	eventually(t, "v1 stored", func() bool { return len(sec.versions("KG")) == 2 })
	r.seq++
	key, _ := stix.ParseObject(v1)
	tomb := &batch{V: wireVersion, From: "KG", To: "SEC", Items: []item{{Seq: r.seq, Op: opTombstone, Collection: seed.IntelCollectionID, ID: id, VersionKey: key.VersionKey}}}
	r.send(tomb.encode())
	eventually(t, "v1 removed", func() bool { return len(sec.versions("KG")) == 1 })
	old := &batch{V: wireVersion, From: "KG", To: "SEC", Items: []item{{Seq: v1Seq, Op: opPut, Collection: seed.IntelCollectionID, Object: v1}}}
	r.send(old.encode())
	eventually(t, "replay refused", func() bool {
		return counterValue(t, sec.fed.metrics.refused.WithLabelValues("kg-node", "store")) == 1
	})
	if got := len(sec.versions("KG")); got != 1 {
		t.Errorf("after the replay SEC holds %d notes of KG, want 1", got)
	}
}

// counterValue reads a counter.
func counterValue(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}
