package auditlog_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"log/slog"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/auditlog"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/sqlite"
)

func TestCheckpointerPublish(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()
	rec, published, err := e.cp.Publish(ctx)
	if err != nil || !published {
		t.Fatalf("first Publish: %v, %v", published, err)
	}
	if !rec.Time.Equal(e.clock.now()) {
		t.Errorf("checkpoint time %v, want the injected clock's %v", rec.Time, e.clock.now())
	}
	head, _ := e.store.TreeHead(ctx)
	c, _, err := auditlog.OpenCheckpoint(rec.Note, auditlog.Origin("KZ"), e.keys)
	if err != nil || c.Size != head.Size || string(c.Root) != string(head.Root) {
		t.Fatalf("published %+v for head %+v: %v", c, head, err)
	}
	if _, published, _ := e.cp.Publish(ctx); published {
		t.Error("published again without new entries")
	}
	e.appendEntries(t, "kz-liaison", 1)
	if rec2, published, _ := e.cp.Publish(ctx); !published || rec2.Size != rec.Size+1 {
		t.Errorf("after one entry: %v, size %d", published, rec2.Size)
	}
}

// TestCheckpointerStartClose: Start publishes at once (the worker's first
// round), Close stops it; Close without Start returns.
func TestCheckpointerStartClose(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()
	e.cp.Start()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := e.store.LatestCheckpoint(ctx); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no checkpoint after Start")
		}
		runtime.Gosched()
	}
	e.cp.Start() // a second Start does nothing
	if err := e.cp.Close(); err != nil {
		t.Fatal(err)
	}
	if err := e.cp.Close(); err != nil {
		t.Fatal(err)
	}
	idle, err := auditlog.NewCheckpointer(auditlog.CheckpointerConfig{Store: e.store, Signer: mustSigner(t, "KZ"), Origin: auditlog.Origin("KZ")})
	if err != nil {
		t.Fatal(err)
	}
	if err := idle.Close(); err != nil {
		t.Fatal(err)
	}
}

// failingCheckpoints is a store that cannot store checkpoints.
type failingCheckpoints struct{ *sqlite.Store }

func (failingCheckpoints) AddCheckpoint(context.Context, auditlog.CheckpointRecord) error {
	return kurultai.Errorf(kurultai.CodeUnavailable, "disk full")
}

func TestCheckpointerErrors(t *testing.T) {
	e := newEnv(t, nil)
	signer := mustSigner(t, "KZ")
	for name, cfg := range map[string]auditlog.CheckpointerConfig{
		"no store":          {Signer: signer, Origin: auditlog.Origin("KZ")},
		"no signer":         {Store: e.store, Origin: auditlog.Origin("KZ")},
		"signer of TR":      {Store: e.store, Signer: mustSigner(t, "TR"), Origin: auditlog.Origin("KZ")},
		"negative interval": {Store: e.store, Signer: signer, Origin: auditlog.Origin("KZ"), Interval: -time.Second},
	} {
		if _, err := auditlog.NewCheckpointer(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	cp, err := auditlog.NewCheckpointer(auditlog.CheckpointerConfig{Store: failingCheckpoints{e.store}, Signer: signer, Origin: auditlog.Origin("KZ")})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := cp.Publish(t.Context()); kurultai.ErrorCode(err) != kurultai.CodeUnavailable {
		t.Errorf("Publish with a failing store: %v", err)
	}
	if _, err := e.store.LatestCheckpoint(t.Context()); kurultai.ErrorCode(err) != kurultai.CodeNotFound {
		t.Errorf("a checkpoint was stored: %v", err)
	}
}

func mustSigner(t *testing.T, code string) *auditlog.NoteSigner {
	t.Helper()
	s, err := auditlog.NewNoteSigner(auditlog.Origin(code), testKey(code))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// staleLatest is a store whose LatestCheckpoint misses the checkpoints
// that another process stored since: as a checkpointer sees the store when
// another process publishes between its read and its write.
type staleLatest struct {
	auditlog.Store
	stale bool
}

func (s *staleLatest) LatestCheckpoint(ctx context.Context) (auditlog.CheckpointRecord, error) {
	if s.stale {
		s.stale = false
		return auditlog.CheckpointRecord{}, kurultai.Errorf(kurultai.CodeNotFound, "no checkpoint")
	}
	return s.Store.LatestCheckpoint(ctx)
}

// TestCheckpointerTwoProcesses: two checkpointers of one node on one
// store sign the same tree; the second finds the size stored and takes it
// as published, without an error, and the log still verifies.
func TestCheckpointerTwoProcesses(t *testing.T) {
	var other *staleLatest
	e := newEnv(t, func(s *sqlite.Store) auditlog.Store {
		other = &staleLatest{Store: s}
		return s
	})
	ctx := t.Context()
	first, published, err := e.cp.Publish(ctx)
	if err != nil || !published {
		t.Fatalf("first process: %v, %v", published, err)
	}
	signer, err := auditlog.NewNoteSigner(auditlog.Origin("KZ"), testKey("KZ"))
	if err != nil {
		t.Fatal(err)
	}
	cp2, err := auditlog.NewCheckpointer(auditlog.CheckpointerConfig{Store: other, Signer: signer, Origin: auditlog.Origin("KZ"), Clock: e.clock.now})
	if err != nil {
		t.Fatal(err)
	}
	other.stale = true
	got, published, err := cp2.Publish(ctx)
	if err != nil || published {
		t.Fatalf("second process on the same tree: published %v, %v; want false, nil", published, err)
	}
	if got.Size != first.Size || string(got.Note) != string(first.Note) {
		t.Errorf("second process returned size %d, want the first's %d", got.Size, first.Size)
	}
	rep, err := auditlog.VerifyLog(ctx, e.store, auditlog.VerifyOptions{Keys: []ed25519.PublicKey{testKey("KZ").Public().(ed25519.PublicKey)}})
	if err != nil || !rep.OK() {
		t.Fatalf("verify: %v, %+v", err, rep.Problems)
	}
}

// TestCheckpointerForkedRoot: a checkpoint stored for the tree's size with
// another root (a fork of the log, or an altered store) is not taken as
// published by another process: Publish fails with CodeConflict and logs
// an error, and the stored checkpoint stays as it was.
func TestCheckpointerForkedRoot(t *testing.T) {
	var other *staleLatest
	e := newEnv(t, func(s *sqlite.Store) auditlog.Store {
		other = &staleLatest{Store: s}
		return s
	})
	ctx := t.Context()
	head, err := e.store.TreeHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	forged := bytes.Repeat([]byte{0xab}, len(head.Root))
	if err := e.store.AddCheckpoint(ctx, auditlog.CheckpointRecord{Size: head.Size, Root: forged, Note: []byte("forged\n"), Time: e.clock.now()}); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	cp, err := auditlog.NewCheckpointer(auditlog.CheckpointerConfig{
		Store: other, Signer: mustSigner(t, "KZ"), Origin: auditlog.Origin("KZ"), Clock: e.clock.now,
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	other.stale = true // the checkpointer reads before the forged one is stored
	_, published, err := cp.Publish(ctx)
	if kurultai.ErrorCode(err) != kurultai.CodeConflict || published {
		t.Fatalf("Publish over another root of the same size = %v, %v; want CodeConflict", published, err)
	}
	if !strings.Contains(err.Error(), "forked") {
		t.Errorf("error %q does not say the log forked", err)
	}
	if !strings.Contains(logs.String(), "level=ERROR") || !strings.Contains(logs.String(), "two trees of one size") {
		t.Errorf("no error logged: %q", logs.String())
	}
	got, err := e.store.CheckpointAt(ctx, head.Size)
	if err != nil || !bytes.Equal(got.Root, forged) {
		t.Errorf("stored checkpoint changed: %x, %v", got.Root, err)
	}
}
