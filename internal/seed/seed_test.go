package seed_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/access"
	"github.com/kurultai/kurultai/internal/charter"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/seed"
	"github.com/kurultai/kurultai/internal/sqlite"
	"github.com/kurultai/kurultai/internal/trust"
)

func TestSystemAndDemoAreIdempotent(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "k.db"), sqlite.Options{Clock: time.Now, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	keys, _, err := trust.Init(dir, time.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := keys.NewSigner("SEC")
	if err != nil {
		t.Fatal(err)
	}
	ch := charter.Default()
	parts := ch.DirectoryParticipants()
	path := filepath.Join(dir, "demo-accounts.json")

	var first []seed.Account
	var count int64
	for round := range 2 {
		if err := seed.System(ctx, st, parts, "SEC", time.Now); err != nil {
			t.Fatalf("round %d: System: %v", round, err)
		}
		accounts, err := seed.Demo(ctx, st, parts, ch.Chair.Participant, path, signer, time.Now)
		if err != nil {
			t.Fatalf("round %d: Demo: %v", round, err)
		}
		n, err := st.CountObjects(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if round == 0 {
			first, count = accounts, n
			continue
		}
		if n != count {
			t.Errorf("second run stored %d more object versions", n-count)
		}
		for i := range accounts {
			if accounts[i].Password != first[i].Password {
				t.Errorf("%s: password changed when the data directory was reused", accounts[i].Username)
			}
		}
	}
	if len(first) != 11 {
		t.Errorf("%d demo accounts, want 11 (7 liaisons, officer, auditor, admin, chair)", len(first))
	}

	// Each participant sees a different subset of the demo objects.
	ms, err := st.Markings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	markings := access.NewMarkings(ms...)
	visible := func(code string, kind kurultai.ParticipantKind) int {
		p := kurultai.Principal{Username: "t", Participant: code, Kind: kind, Role: kurultai.RoleLiaison}
		page, err := st.ListObjects(ctx, kurultai.Query{Collection: seed.IntelCollectionID, Types: []string{"report", "note", "location"}, Limit: 100},
			func(v *kurultai.ObjectVersion) bool { return access.Decide(p, v, markings) })
		if err != nil {
			t.Fatal(err)
		}
		return len(page.Items)
	}
	got := map[string]int{"KZ": visible("KZ", kurultai.KindMember), "UZ": visible("UZ", kurultai.KindMember),
		"HU": visible("HU", kurultai.KindObserver), "TM": visible("TM", kurultai.KindObserver)}
	want := map[string]int{"KZ": 4, "UZ": 4, "HU": 3, "TM": 2}
	for code, n := range want {
		if got[code] != n {
			t.Errorf("%s sees %d demo objects, want %d", code, got[code], n)
		}
	}
}

// TestSeedTwoProcessesAtOnce: two processes of one node (the same keys)
// seed one store at the same instant of a frozen clock: both succeed and
// the second adds no version.
func TestSeedTwoProcessesAtOnce(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	frozen := func() time.Time { return now }
	st, err := sqlite.Open(ctx, filepath.Join(dir, "k.db"), sqlite.Options{Clock: frozen})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	keys, _, err := trust.Init(dir, now, nil)
	if err != nil {
		t.Fatal(err)
	}
	parts := charter.Default().DirectoryParticipants()
	startup := func() error {
		signer, err := keys.NewSigner("SEC")
		if err != nil {
			return err
		}
		if err := seed.System(ctx, st, parts, "SEC", frozen); err != nil {
			return err
		}
		doc := keys.Document(trust.NodeIdentityID("SEC"), "SEC")
		return seed.NodeIdentity(ctx, st, "SEC", doc, signer, frozen)
	}
	errs := make(chan error, 2)
	for range 2 {
		go func() { errs <- startup() }()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatalf("startup: %v", err)
		}
	}
	n, err := st.CountObjects(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := startup(); err != nil {
		t.Fatalf("a third startup: %v", err)
	}
	if m, _ := st.CountObjects(ctx); m != n {
		t.Errorf("a third startup added %d versions", m-n)
	}
}
