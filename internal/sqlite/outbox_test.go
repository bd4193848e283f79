package sqlite

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
)

var fedPeer = Peer{Name: "uz-node", Kind: PeerNode, Participant: "UZ", URL: "tls://127.0.0.1:7422", Keys: "{}", Dial: "auto"}

// outboxOps returns the op and id of every outbox entry after seq.
func outboxOps(t *testing.T, s *Store, after int64) []string {
	t.Helper()
	es, err := s.Outbox(context.Background(), after, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Op+" "+e.ID)
	}
	return out
}

func addOne(t *testing.T, s *Store, p kurultai.Principal, v *kurultai.ObjectVersion) {
	t.Helper()
	st, err := s.AddObjects(context.Background(), kurultai.Write{Principal: p, Collection: benchColl, StatusID: "s-" + v.ID + v.Version, Objects: []*kurultai.ObjectVersion{v}})
	if err != nil || len(st.Failures) > 0 {
		t.Fatalf("AddObjects: %v %+v", err, st.Failures)
	}
}

func TestOutboxRecordsLocalChangesOnly(t *testing.T) {
	s := openTest(t)
	benchSetup(t, s)
	ctx := context.Background()
	head, err := s.OutboxHead(ctx)
	if err != nil || head == 0 {
		t.Fatalf("OutboxHead after setup = %d, %v; want the setup marking's entry", head, err)
	}
	mod := time.Unix(1700000000, 0)
	v1 := fixtureVersion(1, mod, benchMarking)
	addOne(t, s, benchPrincipal, v1)

	// A version received from a peer makes no entry.
	uz := kurultai.Principal{Username: "peer:uz-node", Participant: "UZ", Kind: kurultai.KindMember, Role: kurultai.RoleLiaison}
	if err := s.AddPeer(ctx, fedPeer); err != nil {
		t.Fatal(err)
	}
	r := fixtureVersion(2, mod, benchMarking)
	st, err := s.AddReplicated(ctx, "uz-node", kurultai.Write{Principal: uz, Collection: benchColl, StatusID: "r1", Objects: []*kurultai.ObjectVersion{r}}, []int64{7})
	if err != nil || len(st.Successes) != 1 {
		t.Fatalf("AddReplicated: %v %+v", err, st)
	}
	if _, err := s.DeleteObject(ctx, benchColl, v1.ID, kurultai.VersionFilter{All: true}, func(*kurultai.ObjectVersion) bool { return true }, kurultai.AuditEntry{Action: kurultai.ActionObjectDelete}); err != nil {
		t.Fatal(err)
	}
	got := outboxOps(t, s, head)
	want := []string{"put " + v1.ID, "delete " + v1.ID}
	if !slices.Equal(got, want) {
		t.Errorf("outbox = %q, want %q", got, want)
	}
	es, err := s.Outbox(ctx, head, 10)
	if err != nil {
		t.Fatal(err)
	}
	if es[0].Version != nil {
		t.Errorf("deleted version still loaded: %+v", es[0].Version)
	}
	p, err := s.Peer(ctx, "uz-node")
	if err != nil {
		t.Fatal(err)
	}
	if p.RecvSeq != 7 || p.Received != 1 {
		t.Errorf("peer progress = seq %d received %d, want 7 and 1", p.RecvSeq, p.Received)
	}
}

func TestOutboxVersionHasEffectiveRefs(t *testing.T) {
	s := openTest(t)
	benchSetup(t, s)
	ctx := context.Background()
	head, _ := s.OutboxHead(ctx)
	v1 := fixtureVersion(1, time.Unix(1700000000, 0), benchMarking)
	v2 := fixtureVersion(1, time.Unix(1700000100, 0), benchMarking, kurultai.TLP2RedID)
	addOne(t, s, benchPrincipal, v1)
	addOne(t, s, benchPrincipal, v2)
	es, err := s.Outbox(ctx, head, 10)
	if err != nil || len(es) != 2 {
		t.Fatalf("Outbox = %d entries, %v", len(es), err)
	}
	old := es[0].Version
	if old == nil || string(old.Raw) != string(v1.Raw) || old.Originator != "KZ" || old.Collection != benchColl {
		t.Fatalf("first entry version = %+v", old)
	}
	if !slices.Contains(old.EffectiveMarkingRefs, kurultai.TLP2RedID) {
		t.Errorf("older version's effective refs %v lack the newer version's TLP:RED", old.EffectiveMarkingRefs)
	}
	vs, err := s.ObjectVersions(ctx, v1.ID)
	if err != nil || len(vs) != 2 || string(vs[1].Raw) != string(v2.Raw) || vs[0].Collection != benchColl {
		t.Errorf("ObjectVersions = %d, %v", len(vs), err)
	}
}

func TestAckPeerAndHolds(t *testing.T) {
	s := openTest(t)
	benchSetup(t, s)
	ctx := context.Background()
	if err := s.AddPeer(ctx, fedPeer); err != nil {
		t.Fatal(err)
	}
	a := PeerAck{Cursor: 10, Count: 2, Holds: []ObjectKey{{benchColl, "x--1"}, {benchColl, "x--2"}}}
	if err := s.AckPeer(ctx, "uz-node", a); err != nil {
		t.Fatal(err)
	}
	if err := s.AckPeer(ctx, "uz-node", PeerAck{Cursor: 5, Count: 1, Drops: []ObjectKey{{benchColl, "x--1"}}}); err != nil {
		t.Fatal(err)
	}
	p, err := s.Peer(ctx, "uz-node")
	if err != nil {
		t.Fatal(err)
	}
	if p.Cursor != 10 || p.Sent != 3 {
		t.Errorf("cursor %d sent %d, want 10 (never back) and 3", p.Cursor, p.Sent)
	}
	holds, err := s.PeerHolds(ctx, "uz-node", benchColl, []string{"x--1", "x--2", "x--3"})
	if err != nil {
		t.Fatal(err)
	}
	if len(holds) != 1 || !holds["x--2"] {
		t.Errorf("holds = %v, want x--2 only", holds)
	}
	if err := s.AckPeer(ctx, "nobody", PeerAck{Cursor: 1}); kurultai.ErrorCode(err) != kurultai.CodeNotFound {
		t.Errorf("AckPeer(unknown) = %v, want not found", err)
	}
}

func TestPeersCRUD(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	if err := s.AddPeer(ctx, fedPeer); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		p    Peer
	}{
		{"same name", Peer{Name: fedPeer.Name, Kind: PeerNode, Participant: "KG", Dial: "auto"}},
		{"same participant", Peer{Name: "other", Kind: PeerNode, Participant: "UZ", Dial: "auto"}},
	}
	for _, tt := range tests {
		if err := s.AddPeer(ctx, tt.p); kurultai.ErrorCode(err) != kurultai.CodeConflict {
			t.Errorf("%s: AddPeer = %v, want conflict", tt.name, err)
		}
	}
	// A TAXII peer may share a node peer's participant.
	if err := s.AddPeer(ctx, Peer{Name: "uz-taxii", Kind: PeerTAXII, Participant: "UZ", URL: "https://x", Dial: "no"}); err != nil {
		t.Errorf("TAXII peer: %v", err)
	}
	up := fedPeer
	up.URL = "tls://10.0.0.1:7422"
	if err := s.UpdatePeer(ctx, up); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPeerState(ctx, "uz-taxii", `{"next":"abc"}`); err != nil {
		t.Fatal(err)
	}
	ps, err := s.Peers(ctx)
	if err != nil || len(ps) != 2 || ps[0].URL != up.URL || ps[1].State != `{"next":"abc"}` || ps[0].Options != "{}" {
		t.Fatalf("Peers = %+v, %v", ps, err)
	}
	if err := s.RemovePeer(ctx, "uz-node"); err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{
		s.RemovePeer(ctx, "uz-node"),
		s.UpdatePeer(ctx, up),
		func() error { _, err := s.Peer(ctx, "uz-node"); return err }(),
	} {
		if kurultai.ErrorCode(err) != kurultai.CodeNotFound {
			t.Errorf("on a removed peer: %v, want not found", err)
		}
	}
}

// TestRemovalsCommute: a tombstone removes only versions sent before it,
// and refuses those older messages that arrive after it, whatever the
// order of arrival.
func TestRemovalsCommute(t *testing.T) {
	s := openTest(t)
	benchSetup(t, s)
	ctx := context.Background()
	if err := s.AddPeer(ctx, fedPeer); err != nil {
		t.Fatal(err)
	}
	uz := kurultai.Principal{Username: "peer:uz-node", Participant: "UZ", Kind: kurultai.KindMember, Role: kurultai.RoleLiaison}
	put := func(v *kurultai.ObjectVersion, seq int64) kurultai.Status {
		t.Helper()
		c := *v
		st, err := s.AddReplicated(ctx, "uz-node", kurultai.Write{Principal: uz, Collection: benchColl, StatusID: "r" + time.Now().String(), Objects: []*kurultai.ObjectVersion{&c}}, []int64{seq})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	versions := func(id string) []int64 {
		t.Helper()
		vs, err := s.ObjectVersions(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var keys []int64
		for _, v := range vs {
			keys = append(keys, v.VersionKey)
		}
		return keys
	}
	v1 := fixtureVersion(1, time.Unix(1700000000, 0), benchMarking)
	v2 := fixtureVersion(1, time.Unix(1700000100, 0), benchMarking)
	put(v1, 1)
	put(v2, 2)
	entry := kurultai.AuditEntry{Username: "peer:uz-node", Participant: "UZ", Action: "replication.tombstone"}
	// The tombstone (seq 5) covers both; v2 re-sent later (seq 6) stays.
	put(v2, 6)
	n, err := s.ApplyRemoval(ctx, "uz-node", Removal{Participant: "UZ", Collection: benchColl, ID: v1.ID, VersionKey: v2.VersionKey, Seq: 5}, entry)
	if err != nil || n != 1 {
		t.Fatalf("ApplyRemoval = %d, %v; want 1 removed", n, err)
	}
	if got := versions(v1.ID); !slices.Equal(got, []int64{v2.VersionKey}) {
		t.Errorf("after the tombstone: versions %v, want only v2 (sent after it)", got)
	}
	// A replay of v1 from before the tombstone is refused.
	st := put(v1, 1)
	if len(st.Failures) != 1 || st.Failures[0].Message != msgWithdrawn {
		t.Errorf("replayed v1: %+v, want refused as withdrawn", st)
	}
	// Removals apply only to the named participant's versions.
	mine := fixtureVersion(9, time.Unix(1700000000, 0), benchMarking)
	addOne(t, s, benchPrincipal, mine)
	if n, err := s.ApplyRemoval(ctx, "uz-node", Removal{Participant: "UZ", Collection: benchColl, ID: mine.ID, VersionKey: mine.VersionKey, Exact: true, Seq: 9}, entry); err != nil || n != 0 {
		t.Errorf("removal of another participant's object = %d, %v; want 0", n, err)
	}
	if got := versions(mine.ID); len(got) != 1 {
		t.Errorf("local object lost by a peer's removal: %v", got)
	}
	head, _ := s.OutboxHead(ctx)
	es, _ := s.Outbox(ctx, 0, 1000)
	for _, e := range es {
		if e.ID == v1.ID {
			t.Errorf("replicated change in the outbox: %+v (head %d)", e, head)
		}
	}
}
