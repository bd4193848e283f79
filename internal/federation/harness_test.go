package federation

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/kurultai/kurultai/internal/access"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/pki"
	"github.com/kurultai/kurultai/internal/seed"
	"github.com/kurultai/kurultai/internal/sqlite"
	"github.com/kurultai/kurultai/internal/stix"
	"github.com/kurultai/kurultai/internal/trust"
)

// testParts is the organization of the tests.
var testParts = []kurultai.Participant{
	{Code: "SEC", Name: "Secretariat", Kind: kurultai.KindSecretariat},
	{Code: "AZ", Name: "Azerbaijan", Kind: kurultai.KindMember},
	{Code: "KG", Name: "Kyrgyzstan", Kind: kurultai.KindMember},
	{Code: "KZ", Name: "Kazakhstan", Kind: kurultai.KindMember},
	{Code: "TR", Name: "Türkiye", Kind: kurultai.KindMember},
	{Code: "UZ", Name: "Uzbekistan", Kind: kurultai.KindMember},
	{Code: "HU", Name: "Hungary", Kind: kurultai.KindObserver},
}

func kindOf(code string) kurultai.ParticipantKind {
	for _, p := range testParts {
		if p.Code == code {
			return p.Kind
		}
	}
	return ""
}

// testNode is one node of a test federation: a store, keys, a certificate
// and, once started, the federation.
type testNode struct {
	t        testing.TB
	code     string
	dir      string
	listen   string
	store    *sqlite.Store
	signer   *trust.Signer
	keys     trust.KeysDocument
	markings *access.Markings
	tls      *pki.Node
	fed      *Federation
	tune     func(*Config)
	seq      atomic.Int64
}

// freeAddr returns a loopback address with a port free right now.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func newTestNode(t testing.TB, ca *pki.CA, code string) *testNode {
	t.Helper()
	ctx := context.Background()
	n := &testNode{t: t, code: code, dir: t.TempDir(), listen: freeAddr(t)}
	keys, _, err := trust.Init(n.dir, time.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if n.signer, err = keys.NewSigner(code); err != nil {
		t.Fatal(err)
	}
	n.keys = keys.Document(trust.NodeIdentityID(code), code)
	n.openStore()
	if err := seed.System(ctx, n.store, testParts, code, time.Now); err != nil {
		t.Fatal(err)
	}
	ms, err := n.store.Markings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n.markings = access.NewMarkings(ms...)
	n.tls = testNodeTLS(t, ca, code)
	t.Cleanup(n.close)
	return n
}

func (n *testNode) openStore() {
	st, err := sqlite.Open(context.Background(), filepath.Join(n.dir, "kurultai.db"), sqlite.Options{})
	if err != nil {
		n.t.Fatal(err)
	}
	n.store = st
}

// start runs the federation.
func (n *testNode) start() {
	n.t.Helper()
	cfg := Config{
		Participant: n.code, DataDir: n.dir, Listen: n.listen, TLS: n.tls, Store: n.store, Markings: n.markings,
		Logger: testLog(n.t).With("node", n.code), Poll: 20 * time.Millisecond, Reload: 100 * time.Millisecond,
		ReconnectWait: 100 * time.Millisecond, BatchItems: 64, MaxStorePerPeer: 256 << 20,
	}
	if n.tune != nil {
		n.tune(&cfg)
	}
	f, err := Start(context.Background(), cfg)
	if err != nil {
		n.t.Fatalf("start %s: %v", n.code, err)
	}
	n.fed = f
}

// stop stops the federation and closes the store, as a node going down.
func (n *testNode) stop() {
	if n.fed != nil {
		n.fed.Close()
		n.fed = nil
	}
	if n.store != nil {
		n.store.Close()
		n.store = nil
	}
}

// restart brings a stopped node back.
func (n *testNode) restart() {
	n.openStore()
	n.start()
}

func (n *testNode) close() { n.stop() }

func (n *testNode) keysJSON() string {
	b, err := json.Marshal(n.keys)
	if err != nil {
		n.t.Fatal(err)
	}
	return string(b)
}

// peer makes n list other as a peer reachable at url.
func (n *testNode) peer(other *testNode, url string) {
	n.t.Helper()
	err := n.store.AddPeer(context.Background(), sqlite.Peer{Name: strings.ToLower(other.code) + "-node", Kind: sqlite.PeerNode,
		Participant: other.code, URL: url, Keys: other.keysJSON(), Dial: "auto"})
	if err != nil {
		n.t.Fatal(err)
	}
}

// link peers a and b, the dialler going through a proxy, and returns it.
func link(t testing.TB, a, b *testNode) *proxy {
	t.Helper()
	dialer, acceptor := a, b
	if b.code < a.code {
		dialer, acceptor = b, a
	}
	p := newProxy(t, acceptor.listen)
	dialer.peer(acceptor, p.url())
	acceptor.peer(dialer, "tls://"+dialer.listen)
	return p
}

// obj is an object to write: a note with markings.
type obj struct {
	id       string
	modified time.Time
	markings []string
	content  string
}

func newID() string { return "note--" + uuid.NewString() }

// write signs and stores versions as a liaison of n's participant, as the
// TAXII server does, and returns them as stored.
func (n *testNode) write(objs ...obj) []*kurultai.ObjectVersion {
	n.t.Helper()
	ctx := context.Background()
	w := kurultai.Write{Principal: kurultai.Principal{Username: strings.ToLower(n.code) + "-liaison", Participant: n.code, Kind: kindOf(n.code), Role: kurultai.RoleLiaison},
		Collection: seed.IntelCollectionID, StatusID: fmt.Sprintf("w-%s-%d", n.code, n.seq.Add(1)), Time: time.Now()}
	for _, o := range objs {
		ts := stix.FormatTime(o.modified)
		raw, err := json.Marshal(map[string]any{"type": "note", "spec_version": "2.1", "id": o.id, "created": "2026-01-01T00:00:00.000Z",
			"modified": ts, "content": o.content, "object_refs": []string{seed.IdentityID(n.code)}, "object_marking_refs": o.markings})
		if err != nil {
			n.t.Fatal(err)
		}
		if raw, err = n.signer.Sign(raw); err != nil {
			n.t.Fatal(err)
		}
		v, err := stix.ParseObject(raw)
		if err != nil {
			n.t.Fatal(err)
		}
		w.Objects = append(w.Objects, v)
	}
	st, err := n.store.AddObjects(ctx, w)
	if err != nil || len(st.Failures) > 0 {
		n.t.Fatalf("write on %s: %v %+v", n.code, err, st.Failures)
	}
	return w.Objects
}

// ref is an object version in a store.
type ref struct {
	id  string
	key int64
}

// versions returns the versions of the intel collection in n's store
// originated by code.
func (n *testNode) versions(code string) []ref {
	n.t.Helper()
	var out []ref
	q := kurultai.Query{Collection: seed.IntelCollectionID, Versions: kurultai.VersionFilter{All: true}, Limit: 10000}
	for {
		p, err := n.store.ListObjects(context.Background(), q, func(v *kurultai.ObjectVersion) bool { return v.Originator == code && v.Type == "note" })
		if err != nil {
			n.t.Fatal(err)
		}
		for _, v := range p.Items {
			out = append(out, ref{v.ID, v.VersionKey})
		}
		if !p.More {
			break
		}
		q.After = p.Next
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id || out[i].id == out[j].id && out[i].key < out[j].key })
	return out
}

// expected returns the notes written on origin that reader may see, as
// origin decides now.
func expected(t testing.TB, origin *testNode, reader string) []ref {
	t.Helper()
	p := kurultai.Principal{Username: "check", Participant: reader, Kind: kindOf(reader), Role: kurultai.RoleLiaison}
	var out []ref
	q := kurultai.Query{Collection: seed.IntelCollectionID, Versions: kurultai.VersionFilter{All: true}, Limit: 10000}
	for {
		pg, err := origin.store.ListObjects(context.Background(), q, func(v *kurultai.ObjectVersion) bool {
			return v.Originator == origin.code && v.Type == "note" && access.Decide(p, v, origin.markings)
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range pg.Items {
			out = append(out, ref{v.ID, v.VersionKey})
		}
		if !pg.More {
			break
		}
		q.After = pg.Next
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id || out[i].id == out[j].id && out[i].key < out[j].key })
	return out
}

// divergence describes how the nodes differ from what each may see, or
// returns "" when every node holds exactly that.
func divergence(t testing.TB, nodes []*testNode) string {
	t.Helper()
	var b strings.Builder
	for _, origin := range nodes {
		for _, reader := range nodes {
			if reader == origin {
				continue
			}
			want, got := expected(t, origin, reader.code), reader.versions(origin.code)
			if !slices.Equal(want, got) {
				fmt.Fprintf(&b, "%s holds %d of %s's notes, may see %d (extra %d, missing %d)\n", reader.code, len(got), origin.code, len(want),
					len(minus(got, want)), len(minus(want, got)))
			}
		}
	}
	return b.String()
}

func minus(a, b []ref) []ref {
	var out []ref
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// converge waits until every node holds exactly what it may see.
func converge(t testing.TB, nodes []*testNode, within time.Duration) {
	t.Helper()
	start := time.Now()
	deadline := start.Add(within)
	for {
		d := divergence(t, nodes)
		if d == "" {
			t.Logf("converged in %s", time.Since(start).Round(time.Millisecond))
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not converged after %s:\n%s", within, d)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
