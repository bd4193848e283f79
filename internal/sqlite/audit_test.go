package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/auditlog"
	"github.com/kurultai/kurultai/internal/kurultai"
)

// verifyTree checks that the stored tree is the tree of the stored rows.
func verifyTree(t *testing.T, s *Store) auditlog.Report {
	t.Helper()
	rep, err := auditlog.VerifyLog(context.Background(), s, auditlog.VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("audit log does not verify: %v", rep.Problems)
	}
	if int(rep.Entries) != auditCount(t, s) || rep.TreeSize != rep.Entries {
		t.Fatalf("verified %d entries, tree of %d, %d rows", rep.Entries, rep.TreeSize, auditCount(t, s))
	}
	return rep
}

func openWithFault(t *testing.T, fault func(stage string, entries []kurultai.AuditEntry) error) *Store {
	t.Helper()
	s, err := OpenWithAuditFault(t.Context(), filepath.Join(t.TempDir(), "kurultai.db"), Options{}, fault)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestAuditFailClosedWrite: when the audit entry of a write cannot be
// appended, the write fails with CodeUnavailable and leaves nothing: no
// object, no status, no entry, no leaf. Writes queued with it in the same
// group commit are not affected.
func TestAuditFailClosedWrite(t *testing.T) {
	s := openWithFault(t, func(stage string, es []kurultai.AuditEntry) error {
		if stage == faultAppend && es[0].Username == "victim" {
			return errors.New("injected audit failure")
		}
		return nil
	})
	benchSetup(t, s)
	ctx := context.Background()
	before := auditCount(t, s)
	head0, _ := s.TreeHead(ctx)

	release := blockWriter(t, s)
	victim := benchPrincipal
	victim.Username = "victim"
	var wg sync.WaitGroup
	errs := make([]error, 3)
	writes := []kurultai.Write{benchWrite(0, 5), benchWrite(100, 5), benchWrite(200, 5)}
	writes[1].Principal = victim
	for i := range writes {
		wg.Go(func() { _, errs[i] = s.AddObjects(ctx, writes[i]) })
	}
	waitFor(t, "queued writes", func() bool { return len(s.jobs) == 3 })
	release()
	wg.Wait()
	if kurultai.ErrorCode(errs[1]) != kurultai.CodeUnavailable {
		t.Fatalf("write with a failing audit append: %v, want CodeUnavailable", errs[1])
	}
	if errs[0] != nil || errs[2] != nil {
		t.Fatalf("the other writes of the group commit: %v, %v", errs[0], errs[2])
	}
	page, err := s.ListObjects(ctx, kurultai.Query{Collection: benchColl, Limit: 1000}, func(*kurultai.ObjectVersion) bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range page.Items {
		for _, w := range writes[1].Objects {
			if v.ID == w.ID {
				t.Errorf("%s was stored although its audit entry failed", v.ID)
			}
		}
	}
	if len(page.Items) != 1+10 {
		t.Errorf("%d versions listed, want 11", len(page.Items))
	}
	if _, err := s.Status(ctx, writes[1].StatusID); kurultai.ErrorCode(err) != kurultai.CodeNotFound {
		t.Errorf("status of the failed write: %v", err)
	}
	if got := auditCount(t, s); got != before+2 {
		t.Errorf("%d audit entries added, want 2", got-before)
	}
	head, _ := s.TreeHead(ctx)
	if head.Size != head0.Size+2 {
		t.Errorf("tree grew from %d to %d, want +2", head0.Size, head.Size)
	}
	verifyTree(t, s)
}

// TestAuditFailClosedTree: when the tree cannot be extended, the whole
// group commit fails (unavailable) and nothing of it remains; the next
// writes go on from the same tree.
func TestAuditFailClosedTree(t *testing.T) {
	var failing atomic.Bool
	s := openWithFault(t, func(stage string, _ []kurultai.AuditEntry) error {
		if stage == faultTree && failing.Load() {
			return errors.New("injected tree failure")
		}
		return nil
	})
	benchSetup(t, s)
	ctx := context.Background()
	before := auditCount(t, s)
	failing.Store(true)
	_, err := s.AddObjects(ctx, benchWrite(0, 3))
	if kurultai.ErrorCode(err) != kurultai.CodeUnavailable {
		t.Fatalf("AddObjects: %v, want CodeUnavailable", err)
	}
	if err := s.AppendAudit(ctx, entry(1)); kurultai.ErrorCode(err) != kurultai.CodeUnavailable {
		t.Fatalf("AppendAudit: %v, want CodeUnavailable", err)
	}
	if n, _ := s.CountObjects(ctx); n != 1 {
		t.Errorf("%d objects stored, want only the setup's marking", n)
	}
	if got := auditCount(t, s); got != before {
		t.Errorf("%d audit entries added by failed commits", got-before)
	}
	// Writes without audit entries do not touch the tree.
	if err := s.PutParticipant(ctx, kurultai.Participant{Code: "TR", Name: "Türkiye", Kind: kurultai.KindMember}); err != nil {
		t.Errorf("PutParticipant: %v", err)
	}
	failing.Store(false)
	if _, err := s.AddObjects(ctx, benchWrite(0, 3)); err != nil {
		t.Fatal(err)
	}
	verifyTree(t, s)
}

// TestAuditTreeAcrossReruns: jobs that fail after appending entries are
// rolled back alone (savepoint rerun) and leave no leaf; the tree is that
// of the committed rows.
func TestAuditTreeAcrossReruns(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	for round := range 3 {
		release := blockWriter(t, s)
		const n = 40
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				_ = s.submit(ctx, 1, func(ctx context.Context, tx *sql.Tx) error {
					if err := s.insertAudit(ctx, tx, []kurultai.AuditEntry{entry(i), entry(i + 1000)}); err != nil {
						return err
					}
					if (i+round)%7 == 3 {
						return errors.New("job fails after writing")
					}
					return nil
				})
			})
		}
		waitFor(t, "queued jobs", func() bool { return len(s.jobs) == n })
		release()
		wg.Wait()
	}
	rep := verifyTree(t, s)
	if rep.Entries == 0 {
		t.Fatal("nothing committed")
	}
}

// TestAuditSanitizes: text that is not valid UTF-8 is stored with U+FFFD,
// so that the stored row is exactly what the leaf encodes.
func TestAuditSanitizes(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	e := entry(1)
	e.Query = "match[id]=\xff\xfe"
	e.Objects = []kurultai.ObjectRef{{ID: "x\xff"}}
	if err := s.AppendAudit(ctx, e); err != nil {
		t.Fatal(err)
	}
	rows, err := s.AuditRows(ctx, 0, 10)
	if err != nil || len(rows) != 1 {
		t.Fatal(rows, err)
	}
	if rows[0].Query != "match[id]=\uFFFD" || !strings.Contains(rows[0].Objects, "x\uFFFD") {
		t.Errorf("stored %+v", rows[0])
	}
	verifyTree(t, s)
}

// legacyDB creates a database at schema version 1 with audit rows whose
// sequence numbers are seqs.
func legacyDB(t *testing.T, seqs ...int) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kurultai.db")
	db := rawDB(t, path)
	ms, err := loadMigrations(migrationFiles)
	if err != nil {
		t.Fatal(err)
	}
	if err := applyMigrations(ctx, db, ms[:1], time.Now, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	for _, seq := range seqs {
		_, err := db.ExecContext(ctx, `INSERT INTO audit_log (seq, time, username, participant, action, objects, query, decision, detail)
			VALUES (?, ?, 'old', 'KZ', 'login', '[]', ?, 'allow', '')`, seq, int64(seq)*1e9, "q\xff")
		if err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	return path
}

// TestAuditCatchUp: a database written before the tree existed gets its
// tree when opened, over its old rows.
func TestAuditCatchUp(t *testing.T) {
	ctx := context.Background()
	path := legacyDB(t, 1, 2, 3, 4, 5)
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	head, _ := s.TreeHead(ctx)
	if head.Size != 5 {
		t.Fatalf("tree of %d after catch-up, want 5", head.Size)
	}
	if err := s.AppendAudit(ctx, entry(6)); err != nil {
		t.Fatal(err)
	}
	// The old rows' invalid bytes were hashed as U+FFFD: verification
	// reports each of them, and nothing else.
	rep, err := auditlog.VerifyLog(ctx, s, auditlog.VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) != 5 || rep.Problems[0].Index != 0 || rep.Problems[0].Kind != auditlog.ProblemChanged || rep.TreeSize != 6 {
		t.Errorf("report %+v", rep)
	}
}

func TestAuditCatchUpRefusesGap(t *testing.T) {
	path := legacyDB(t, 1, 2, 4)
	_, err := Open(context.Background(), path, Options{})
	if err == nil || !strings.Contains(err.Error(), "seq 4 where 3 was expected") {
		t.Fatalf("Open of a log with a gap: %v", err)
	}
}

func TestOpenAuditLog(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kurultai.db")
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AppendAudit(ctx, entry(1), entry(2)); err != nil {
		t.Fatal(err)
	}
	l, err := OpenAuditLog(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	rep, err := auditlog.VerifyLog(ctx, l, auditlog.VerifyOptions{})
	if err != nil || !rep.OK() || rep.Entries != 2 {
		t.Fatalf("verify through the read-only file: %+v %v", rep, err)
	}
	if _, err := l.db.ExecContext(ctx, `DELETE FROM audit_log`); err == nil {
		t.Error("the read-only audit log accepted a write")
	}
	s.Close()
	if _, err := OpenAuditLog(ctx, legacyDB(t, 1)); err == nil || !strings.Contains(err.Error(), "no audit tree") {
		t.Errorf("OpenAuditLog of a version 1 database: %v", err)
	}
}

// TestLeafIndex: entries are found by leaf hash before and after the
// batch index catches up with them.
func TestLeafIndex(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	find := func(what string) {
		t.Helper()
		rows, err := s.AuditRows(ctx, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if i, err := s.LeafIndex(ctx, r.Leaf); err != nil || i != r.Index() {
				t.Fatalf("%s: LeafIndex(leaf of seq %d) = %d, %v", what, r.Seq, i, err)
			}
		}
	}
	for i := range 10 {
		if err := s.AppendAudit(ctx, entry(i), entry(i+100)); err != nil {
			t.Fatal(err)
		}
	}
	find("not indexed")
	if err := s.IndexLeaves(ctx); err != nil {
		t.Fatal(err)
	}
	var indexed int
	if err := s.rdb.QueryRowContext(ctx, `SELECT indexed FROM audit_tree`).Scan(&indexed); err != nil || indexed != 20 {
		t.Fatalf("indexed up to %d, %v", indexed, err)
	}
	if err := s.AppendAudit(ctx, entry(1000)); err != nil {
		t.Fatal(err)
	}
	find("partly indexed")
	if err := s.IndexLeaves(ctx); err != nil {
		t.Fatal(err)
	}
	find("indexed")
	if _, err := s.LeafIndex(ctx, make([]byte, 32)); kurultai.ErrorCode(err) != kurultai.CodeNotFound {
		t.Errorf("unknown hash: %v", err)
	}
}

// TestAuditAppendOnly: the triggers refuse changes to entries and to the
// tree's nodes; only a missing leaf may be filled in.
func TestAuditAppendOnly(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	if err := s.AppendAudit(ctx, entry(1), entry(2), entry(3)); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		`UPDATE audit_log SET detail = 'x' WHERE seq = 1`,
		`UPDATE audit_log SET leaf = zeroblob(32) WHERE seq = 1`,
		`UPDATE audit_log SET leaf = NULL WHERE seq = 1`,
		`DELETE FROM audit_log WHERE seq = 3`,
		`UPDATE audit_nodes SET hash = zeroblob(32)`,
		`DELETE FROM audit_nodes`,
	} {
		_, err := s.exec(ctx, stmt)
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v", stmt, err)
		}
	}
	verifyTree(t, s)
}
