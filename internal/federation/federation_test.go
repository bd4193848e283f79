package federation

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/seed"
)

var (
	relMembers = seed.AudienceMarkingID(kurultai.AudienceMembers)
	relPublic  = seed.AudienceMarkingID(kurultai.AudiencePublic)
	relMO      = seed.AudienceMarkingID(kurultai.AudienceMembersObservers)
)

func relTo(code string) string { return seed.AudienceMarkingID(code) }

// mixed writes n notes on node under a spread of markings and returns
// their ids.
func mixed(node *testNode, n int, at time.Time, tag string) []string {
	markings := [][]string{
		{relMembers, kurultai.TLP2GreenID},
		{relPublic, kurultai.TLP2ClearID},
		{relTo(node.code)},                        // the originator only
		{relTo("KZ")},                             // KZ (and the originator)
		{relTo("UZ")},                             // UZ
		{relMO, kurultai.TLP2RedID},               // members, not observers (strict TLP)
		{relMembers, relTo("SEC")},                // intersection: SEC only
		{relTo("HU"), kurultai.TLP2AmberStrictID}, // named observer
	}
	var objs []obj
	var ids []string
	for i := range n {
		o := obj{id: newID(), modified: at, markings: markings[i%len(markings)], content: fmt.Sprintf("%s %s %d", tag, node.code, i)}
		objs = append(objs, o)
		ids = append(ids, o.id)
	}
	node.write(objs...)
	return ids
}

// TestReplicationPartitionAndHeal: four nodes in a full mesh, every link
// through a proxy. Writes on both sides of a partition, narrowing while cut
// off, a node restart; after healing every node holds exactly what it may
// see of every other's notes, with nothing lost and nothing duplicated.
func TestReplicationPartitionAndHeal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts four federation servers")
	}
	ca := testCA(t)
	codes := []string{"SEC", "KZ", "UZ", "HU"}
	var nodes []*testNode
	byCode := map[string]*testNode{}
	for _, c := range codes {
		n := newTestNode(t, ca, c)
		nodes = append(nodes, n)
		byCode[c] = n
	}
	proxies := map[string]*proxy{} // by "A-B", A < B
	for i, a := range nodes {
		for _, b := range nodes[i+1:] {
			key := min(a.code, b.code) + "-" + max(a.code, b.code)
			proxies[key] = link(t, a, b)
		}
	}
	for _, n := range nodes {
		n.start()
	}
	t0 := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	for _, n := range nodes {
		mixed(n, 16, t0, "before")
	}
	converge(t, nodes, time.Minute)

	// A note KZ shares with members, then (cut off from UZ) narrows to
	// itself: UZ must lose it once the partition heals.
	kz, uz := byCode["KZ"], byCode["UZ"]
	narrowed := newID()
	kz.write(obj{id: narrowed, modified: t0, markings: []string{relMembers}, content: "shared"})
	converge(t, nodes, time.Minute)
	if got := len(uz.versions("KZ")); got == 0 {
		t.Fatal("UZ holds none of KZ's notes")
	}

	// Partition UZ from everyone; writes go on on both sides.
	for key, p := range proxies {
		if strings.Contains(key, "UZ") {
			p.setCut(true)
		}
	}
	kz.write(obj{id: narrowed, modified: t0.Add(time.Hour), markings: []string{relTo("KZ")}, content: "narrowed"})
	for _, n := range nodes {
		mixed(n, 12, t0.Add(time.Minute), "during")
	}
	// The nodes still linked to each other go on replicating.
	connected := []*testNode{byCode["SEC"], kz, byCode["HU"]}
	converge(t, connected, time.Minute)
	// A node goes down and comes back while the partition lasts.
	hu := byCode["HU"]
	hu.stop()
	mixed(kz, 8, t0.Add(2*time.Minute), "while HU is down")
	hu.restart()
	mixed(hu, 4, t0.Add(3*time.Minute), "after HU restarted")

	for _, p := range proxies {
		p.setCut(false)
	}
	converge(t, nodes, 2*time.Minute)

	for _, v := range uz.versions("KZ") {
		if v.id == narrowed {
			t.Errorf("UZ still holds the note KZ narrowed to itself (version %d)", v.key)
		}
	}
	if got := len(byCode["SEC"].versions("KZ")); got == 0 {
		t.Error("SEC holds nothing of KZ")
	}
	// KZ's audit log records the tombstone it sent to UZ.
	entries, _, err := kz.store.AuditEntries(context.Background(), 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range entries {
		if e.Action == ActionTombstoneSent && e.Participant == "UZ" && len(e.Objects) == 1 && e.Objects[0].ID == narrowed {
			found = true
		}
	}
	if !found {
		t.Error("KZ's audit log does not record the tombstone sent to UZ")
	}
	st, err := kz.fed.Status(context.Background())
	if err != nil || len(st) != 3 {
		t.Fatalf("Status = %+v, %v", st, err)
	}
	for _, s := range st {
		if s.Behind != 0 || !s.Connected {
			t.Errorf("status of %s: %+v, want connected and nothing behind", s.Name, s)
		}
	}
}
