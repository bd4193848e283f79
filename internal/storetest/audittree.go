package storetest

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/auditlog"
	"github.com/kurultai/kurultai/internal/kurultai"
)

// auditStore returns s as an auditlog.Store. Every store must implement
// it (the audit log is a Merkle tree kept with the entries); a store still
// being written skips these tests, saying so.
func auditStore(t *testing.T, s kurultai.Store) auditlog.Store {
	t.Helper()
	as, ok := s.(auditlog.Store)
	if !ok {
		t.Skipf("%T does not implement auditlog.Store yet: its audit log is not tamper-evident", s)
	}
	return as
}

// testAuditTree: every entry, however appended, is a leaf; the recorded
// head is the root of the re-encoded rows; proofs from the stored nodes
// verify.
func testAuditTree(t *testing.T, s kurultai.Store) {
	ctx := t.Context()
	as := auditStore(t, s)
	fixture(t, s)
	add(t, s, kz, collID, newVersion(objectID("indicator", 1), t0, relMembers))
	var roots [][]byte
	for i := range 5 {
		es := make([]kurultai.AuditEntry, i+1) // 1, 2, … entries per call
		for k := range es {
			es[k] = kurultai.AuditEntry{Time: t0.Add(time.Duration(k) * time.Nanosecond), Username: fmt.Sprint("u", k), Participant: "TR",
				Action: kurultai.ActionObjectsRead, Objects: []kurultai.ObjectRef{{ID: objectID("indicator", 1), Version: "2022-01-02T10:00:00.000Z"}},
				Query: "q", Decision: kurultai.DecisionAllow, Detail: "returned 1, withheld 0"}
		}
		if err := s.AppendAudit(ctx, es...); err != nil {
			t.Fatal(err)
		}
		head, err := as.TreeHead(ctx)
		if err != nil {
			t.Fatal(err)
		}
		roots = append(roots, head.Root)
	}
	head, err := as.TreeHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := uint64(len(auditLog(t, s))); head.Size != n {
		t.Fatalf("tree of %d leaves, %d entries", head.Size, n)
	}
	rows, err := as.AuditRows(ctx, 0, 10_000)
	if err != nil {
		t.Fatal(err)
	}
	var leaves [][]byte
	for i, r := range rows {
		if r.Index() != uint64(i) {
			t.Fatalf("row %d has seq %d", i, r.Seq)
		}
		h, err := auditlog.RowLeafHash(r)
		if err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
		leaves = append(leaves, h)
	}
	if !bytes.Equal(auditlog.RootOf(leaves), head.Root) {
		t.Fatal("the recorded root is not the root of the re-encoded rows")
	}
	for i := range leaves {
		if !bytes.Equal(rows[i].Leaf, leaves[i]) {
			t.Fatalf("stored leaf %d differs from the row's", i)
		}
		if idx, err := as.LeafIndex(ctx, leaves[i]); err != nil || idx != uint64(i) {
			t.Fatalf("LeafIndex(leaf %d) = %d, %v", i, idx, err)
		}
	}
	if _, err := as.LeafIndex(ctx, make([]byte, 32)); kurultai.ErrorCode(err) != kurultai.CodeNotFound {
		t.Errorf("LeafIndex(unknown) = %v, want CodeNotFound", err)
	}
	for size := uint64(1); size <= head.Size; size++ {
		root, err := auditlog.RootAt(ctx, as, size)
		if err != nil || !bytes.Equal(root, auditlog.RootOf(leaves[:size])) {
			t.Fatalf("RootAt(%d): %v", size, err)
		}
		for _, i := range []uint64{0, size / 2, size - 1} {
			p, err := auditlog.InclusionProof(ctx, as, i, size)
			if err != nil {
				t.Fatal(err)
			}
			if err := auditlog.VerifyInclusion(i, leaves[i], auditlog.TreeHead{Size: size, Root: root}, p); err != nil {
				t.Fatal(err)
			}
		}
		p, err := auditlog.ConsistencyProof(ctx, as, size, head.Size)
		if err != nil {
			t.Fatal(err)
		}
		if err := auditlog.VerifyConsistency(auditlog.TreeHead{Size: size, Root: root}, head, p); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := auditlog.VerifyLog(ctx, as, auditlog.VerifyOptions{})
	if err != nil || !rep.OK() {
		t.Fatalf("VerifyLog: %v %v", rep.Problems, err)
	}
}

// testAuditCheckpoints: checkpoints and cosignatures are kept as given.
func testAuditCheckpoints(t *testing.T, s kurultai.Store) {
	ctx := t.Context()
	as := auditStore(t, s)
	fixture(t, s)
	if _, err := as.LatestCheckpoint(ctx); kurultai.ErrorCode(err) != kurultai.CodeNotFound {
		t.Errorf("LatestCheckpoint of none: %v", err)
	}
	for i := range 5 {
		if err := s.AppendAudit(ctx, kurultai.AuditEntry{Username: fmt.Sprint("u", i), Action: kurultai.ActionLogin, Decision: kurultai.DecisionAllow}); err != nil {
			t.Fatal(err)
		}
	}
	head, err := as.TreeHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2022, 1, 6, 12, 0, 0, 0, time.UTC)
	cp := func(size uint64) auditlog.CheckpointRecord {
		return auditlog.CheckpointRecord{Size: size, Root: bytes.Repeat([]byte{byte(size)}, 32), Note: fmt.Appendf(nil, "note %d\n", size), Time: at.Add(time.Duration(size))}
	}
	for _, size := range []uint64{1, head.Size - 1, head.Size} {
		if err := as.AddCheckpoint(ctx, cp(size)); err != nil {
			t.Fatalf("AddCheckpoint(%d): %v", size, err)
		}
	}
	if err := as.AddCheckpoint(ctx, cp(head.Size)); kurultai.ErrorCode(err) != kurultai.CodeConflict {
		t.Errorf("a second checkpoint of a size: %v, want CodeConflict", err)
	}
	if err := as.AddCheckpoint(ctx, cp(head.Size+1)); kurultai.ErrorCode(err) != kurultai.CodeInvalid {
		t.Errorf("a checkpoint beyond the tree: %v, want CodeInvalid", err)
	}
	got, err := as.LatestCheckpoint(ctx)
	if err != nil || got.Size != head.Size || !bytes.Equal(got.Note, cp(head.Size).Note) || !got.Time.Equal(cp(head.Size).Time) {
		t.Errorf("LatestCheckpoint = %+v, %v", got, err)
	}
	if got, err := as.CheckpointAt(ctx, 1); err != nil || !bytes.Equal(got.Root, cp(1).Root) {
		t.Errorf("CheckpointAt(1) = %+v, %v", got, err)
	}
	if _, err := as.CheckpointAt(ctx, 2); kurultai.ErrorCode(err) != kurultai.CodeNotFound {
		t.Errorf("CheckpointAt(missing) = %v", err)
	}
	list, err := as.Checkpoints(ctx, 1, 10)
	if err != nil || len(list) != 2 || list[0].Size != head.Size-1 {
		t.Errorf("Checkpoints(after 1) = %+v, %v", list, err)
	}

	line := func(who string) string { return "— kurultai/" + who + "/witness AAAA\n" }
	for _, c := range []auditlog.CosignatureRecord{
		{Size: head.Size - 1, Participant: "TR", Line: line("TR"), Time: at},
		{Size: head.Size - 1, Participant: "KZ", Line: line("KZ"), Time: at},
		{Size: head.Size, Participant: "TR", Line: line("TR"), Time: at},
		{Size: head.Size, Participant: "TR", Line: "— another line\n", Time: at}, // kept: the first
	} {
		if err := as.AddCosignature(ctx, c); err != nil {
			t.Fatalf("AddCosignature(%+v): %v", c, err)
		}
	}
	cos, err := as.Cosignatures(ctx, head.Size)
	if err != nil || len(cos) != 1 || cos[0].Line != line("TR") || !cos[0].Time.Equal(at) {
		t.Errorf("Cosignatures(%d) = %+v, %v", head.Size, cos, err)
	}
	if c, err := as.LatestCosigned(ctx, []string{"KZ", "TR"}, 2); err != nil || c.Size != head.Size-1 {
		t.Errorf("LatestCosigned(2 of KZ, TR) = %+v, %v", c, err)
	}
	if c, err := as.LatestCosigned(ctx, []string{"TR"}, 1); err != nil || c.Size != head.Size {
		t.Errorf("LatestCosigned(1 of TR) = %+v, %v", c, err)
	}
	if _, err := as.LatestCosigned(ctx, []string{"KZ", "TR", "AZ"}, 3); kurultai.ErrorCode(err) != kurultai.CodeNotFound {
		t.Errorf("LatestCosigned(3) = %v, want CodeNotFound", err)
	}
}

// testAuditObjectVersions: the refs of audit entries find their versions,
// in any collection, for the access decision.
func testAuditObjectVersions(t *testing.T, s kurultai.Store) {
	ctx := t.Context()
	as := auditStore(t, s)
	fixture(t, s)
	st1 := add(t, s, kz, collID, newVersion(objectID("indicator", 1), t0, relKZ), newVersion(objectID("indicator", 1), t0.Add(time.Hour), relKZ))
	sco := &kurultai.ObjectVersion{ID: "ipv4-addr--00000000-0000-4000-8000-000000000009", Type: "ipv4-addr", SpecVersion: "2.1",
		Raw: []byte(`{"type":"ipv4-addr","spec_version":"2.1","id":"ipv4-addr--00000000-0000-4000-8000-000000000009","value":"198.51.100.1"}`)}
	st2 := add(t, s, tr, otherColl, sco)
	var refs []kurultai.ObjectRef
	for _, d := range append(st1.Successes, st2.Successes...) {
		refs = append(refs, kurultai.ObjectRef{ID: d.ID, Version: d.Version})
	}
	missing := kurultai.ObjectRef{ID: objectID("indicator", 1), Version: "2030-01-01T00:00:00.000Z"}
	got, err := as.AuditObjectVersions(ctx, append(refs, missing, kurultai.ObjectRef{ID: "x--y"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(refs) {
		t.Fatalf("%d versions found, want %d", len(got), len(refs))
	}
	for _, r := range refs {
		v := got[r]
		if v == nil || v.ID != r.ID || v.Originator == "" || v.EffectiveMarkingRefs == nil {
			t.Errorf("%+v: %+v", r, v)
		}
	}
	if v := got[refs[2]]; v == nil || v.Originator != "TR" || v.Collection != otherColl {
		t.Errorf("the SCO by its date added: %+v", v)
	}
}
