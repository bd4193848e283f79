package main

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kurultai/kurultai/internal/auditlog"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/trust"
)

// auditDataDir builds a real data directory: a keyring, and a database
// with objects, 30-odd audit entries and checkpoints at several sizes.
// It returns the directory (closed) and the checkpoint sizes.
func auditDataDir(t *testing.T) (string, []uint64) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	n := openAuditNode(t, dir)
	n.seed(t)
	var sizes []uint64
	for range 3 {
		n.reads(t, 9)
		sizes = append(sizes, n.publish(t))
	}
	n.reads(t, 2) // entries after the last checkpoint
	n.close()
	return dir, sizes
}

func TestAuditVerifyTamper(t *testing.T) {
	dir, sizes := auditDataDir(t)
	out, err := runAuditCmd(t, "verify", "--data", dir)
	if err != nil || !strings.Contains(out, "audit log intact") || !strings.Contains(out, "3 checkpoints verified") {
		t.Fatalf("verify of the intact log: %v\n%s", err, out)
	}
	// otherNote is a checkpoint of the right size signed by another key.
	otherKey := ed25519.NewKeyFromSeed(make([]byte, 32))
	otherSigner, _ := auditlog.NewNoteSigner(auditlog.Origin("KZ"), otherKey)

	tests := []struct {
		name string
		fn   func(db *sql.DB)
		want string // in the error
	}{
		{"one byte of one entry", func(db *sql.DB) {
			var detail string
			if err := db.QueryRow(`SELECT detail FROM audit_log WHERE seq = 12`).Scan(&detail); err != nil {
				t.Fatal(err)
			}
			mustExec(t, db, `UPDATE audit_log SET detail = ? WHERE seq = 12`, "X"+detail[1:])
		}, "entry 11 (seq 12): changed"},
		{"one byte of an object id", func(db *sql.DB) {
			mustExec(t, db, `UPDATE audit_log SET objects = replace(objects, '000000000001', '000000000002') WHERE seq = 20`)
		}, "entry 19 (seq 20): changed"},
		{"an entry deleted", func(db *sql.DB) {
			mustExec(t, db, `DELETE FROM audit_log WHERE seq = 7`)
		}, "entry 6 (seq 7): missing"},
		{"two entries swapped", func(db *sql.DB) {
			swap(t, db, 9, 15, true)
		}, "entry 8 (seq 9): reordered"},
		{"two entries swapped, leaf hashes left in place", func(db *sql.DB) {
			swap(t, db, 9, 15, false)
		}, "entry 8 (seq 9): reordered"},
		{"the tail truncated", func(db *sql.DB) {
			mustExec(t, db, `DELETE FROM audit_log WHERE seq > ?`, sizes[1]-3)
		}, "truncated"},
		{"the tail and the tree truncated", func(db *sql.DB) {
			mustExec(t, db, `DELETE FROM audit_log WHERE seq > ?`, sizes[1]-3)
			mustExec(t, db, `UPDATE audit_tree SET size = ?`, sizes[1]-3)
		}, "entry " + itoa(sizes[1]-3) + " (seq " + itoa(sizes[1]-2) + "): truncated"},
		{"a checkpoint replaced by one signed with another key", func(db *sql.DB) {
			var root []byte
			if err := db.QueryRow(`SELECT root FROM audit_checkpoints WHERE size = ?`, sizes[1]).Scan(&root); err != nil {
				t.Fatal(err)
			}
			note := auditlog.SignCheckpoint(auditlog.Checkpoint{Origin: auditlog.Origin("KZ"), Size: sizes[1], Root: root}, otherSigner)
			mustExec(t, db, `UPDATE audit_checkpoints SET note = ? WHERE size = ?`, []byte(note.String()), sizes[1])
		}, "checkpoint at size " + itoa(sizes[1]) + ": checkpoint signature bad"},
		{"a checkpoint replaced by another genuine one", func(db *sql.DB) {
			var note []byte
			if err := db.QueryRow(`SELECT note FROM audit_checkpoints WHERE size = ?`, sizes[0]).Scan(&note); err != nil {
				t.Fatal(err)
			}
			mustExec(t, db, `UPDATE audit_checkpoints SET note = ? WHERE size = ?`, note, sizes[1])
		}, "checkpoint at size " + itoa(sizes[1]) + ": checkpoint signature bad"},
		{"an entry rewritten with its leaf and the whole stored tree", func(db *sql.DB) {
			// The strongest attacker without the key: every stored hash
			// agrees with the changed entry. Only the signed
			// checkpoints still tell.
			mustExec(t, db, `UPDATE audit_log SET detail = 'returned 0, withheld 1', leaf = NULL WHERE seq = 12`)
			mustExec(t, db, `DELETE FROM audit_nodes`)
			mustExec(t, db, `UPDATE audit_tree SET size = 0, compact = X'', root = X'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'`)
		}, "checkpoint at size " + itoa(sizes[0]) + ": checkpoint mismatch"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cp := copyDir(t, dir)
			tamper(t, cp, tc.fn)
			if strings.HasPrefix(tc.name, "an entry rewritten") {
				// The node rebuilds the tree from the rows when it opens.
				n := openAuditNode(t, cp)
				n.close()
			}
			out, err := runAuditCmd(t, "verify", "--data", cp)
			if err == nil {
				t.Fatalf("tampered log verifies:\n%s", out)
			}
			t.Logf("%v", err)
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q\nwant it to name %q\noutput:\n%s", err, tc.want, out)
			}
		})
	}
}

// swap exchanges the contents of two rows, their leaf hashes with them or
// not.
func swap(t *testing.T, db *sql.DB, a, b int, leaves bool) {
	t.Helper()
	cols := "time, username, participant, action, objects, query, decision, detail"
	if leaves {
		cols += ", leaf"
	}
	mustExec(t, db, `CREATE TEMP TABLE x AS SELECT seq, `+cols+` FROM audit_log WHERE seq IN (?, ?)`, a, b)
	set := ""
	for i, c := range strings.Split(cols, ", ") {
		if i > 0 {
			set += ", "
		}
		set += c + " = (SELECT " + c + " FROM x WHERE x.seq = ?)"
	}
	for _, p := range [][2]int{{a, b}, {b, a}} {
		args := []any{}
		for range strings.Split(cols, ", ") {
			args = append(args, p[1])
		}
		mustExec(t, db, `UPDATE audit_log SET `+set+` WHERE seq = ?`, append(args, p[0])...)
	}
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }

func basicAuth(user, pw string) func(*http.Request) {
	return func(r *http.Request) { r.SetBasicAuth(user, pw) }
}

func TestAuditVerifyKeys(t *testing.T) {
	dir, _ := auditDataDir(t)
	k, err := trust.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := k.Document(trust.NodeIdentityID("KZ"), "KZ").MarshalJSON()
	keys := filepath.Join(t.TempDir(), "keys.json")
	if err := os.WriteFile(keys, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := runAuditCmd(t, "verify", "--data", dir, "--keys", keys); err != nil {
		t.Fatalf("with the node's key document: %v\n%s", err, out)
	}
	// Pinned to another participant, the checkpoints' origin is wrong.
	if out, err := runAuditCmd(t, "verify", "--data", dir, "--participant", "TR"); err == nil || !strings.Contains(err.Error(), "checkpoint signature bad") {
		t.Errorf("pinned to TR: %v\n%s", err, out)
	}
	// After a key rotation the old checkpoints verify with the retired key.
	if _, err := trust.Rotate(dir, k.Current().Created.Add(1), nil); err != nil {
		t.Fatal(err)
	}
	n := openAuditNode(t, dir)
	n.reads(t, 1)
	n.publish(t)
	n.close()
	if out, err := runAuditCmd(t, "verify", "--data", dir); err != nil || !strings.Contains(out, "4 checkpoints verified") {
		t.Errorf("after a rotation: %v\n%s", err, out)
	}
	if out, err := runAuditCmd(t, "verify", "--data", dir, "--keys", keys); err == nil {
		t.Errorf("a checkpoint by the new key verifies with the old key document only:\n%s", out)
	}
	if _, err := runAuditCmd(t, "verify", "--data", filepath.Join(t.TempDir(), "nothing")); err == nil {
		t.Error("verify of a missing directory succeeds")
	}
}

// TestAuditCheckRemote: a remote auditor takes a checkpoint, entries are
// added, and the next check proves the log only grew and that given
// entries are in it. A node that rebuilt its log with one entry altered,
// signing with the same key, fails the consistency check.
func TestAuditCheckRemote(t *testing.T) {
	n := openAuditNode(t, filepath.Join(t.TempDir(), "kz"))
	n.seed(t)
	n.reads(t, 5)
	n.publish(t)
	dir := t.TempDir()
	first, second := filepath.Join(dir, "first.ckpt"), filepath.Join(dir, "second.ckpt")
	creds := []string{"--user", "tr-auditor", "--password", "pw"}
	out, err := runAuditCmd(t, append([]string{"check", "--url", n.srv.URL, "--save", first}, creds...)...)
	if err != nil || !strings.Contains(out, "signed by the node") {
		t.Fatalf("first check: %v\n%s", err, out)
	}
	firstNote, _ := os.ReadFile(first)
	old, _, err := auditlog.OpenCheckpoint(firstNote, auditlog.Origin("KZ"), auditlog.NodeNoteKeys(n.keys.Document(trust.NodeIdentityID("KZ"), "KZ")))
	if err != nil {
		t.Fatal(err)
	}

	n.reads(t, 20)
	size := n.publish(t)
	// KZ's auditor sees KZ's entries, so their inclusion can be checked.
	out, err = runAuditCmd(t, "check", "--url", n.srv.URL, "--since", first, "--save", second, "--entries", "0,3,"+itoa(old.Size)+","+itoa(size-1),
		"--user", "kz-auditor", "--password", "pw")
	if err != nil {
		t.Fatalf("second check: %v\n%s", err, out)
	}
	for _, want := range []string{"consistent with the earlier checkpoint of size " + itoa(old.Size), "entry 3: included", "entry " + itoa(size-1) + ": included"} {
		if !strings.Contains(out, want) {
			t.Errorf("second check does not say %q:\n%s", want, out)
		}
	}
	// TR's auditor does not see KZ's reads of an object KZ kept to itself
	// (TLP:GREEN releases to nobody), so it cannot have them checked; a
	// liaison sees no entries at all.
	if out, err := runAuditCmd(t, append([]string{"check", "--url", n.srv.URL, "--entries", "3"}, creds...)...); err == nil || !strings.Contains(err.Error(), "not visible") {
		t.Errorf("TR's auditor checks KZ's entry: %v\n%s", err, out)
	}
	if out, err := runAuditCmd(t, "check", "--url", n.srv.URL, "--user", "kz-liaison", "--password", "pw", "--entries", "1"); err == nil || !strings.Contains(err.Error(), "403") {
		t.Errorf("inclusion checked by a non-auditor: %v\n%s", err, out)
	}
	if out, err := runAuditCmd(t, "check", "--url", n.srv.URL, "--user", "tr-auditor", "--password", "wrong"); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("wrong password: %v\n%s", err, out)
	}
	if out, err := runAuditCmd(t, "check", "--url", n.srv.URL, "--entries", itoa(size+5), "--user", "kz-auditor", "--password", "pw"); err == nil || !strings.Contains(err.Error(), "beyond the checkpoint") {
		t.Errorf("an entry beyond the checkpoint is included:\n%s", out)
	}

	// The node rebuilds its log: the same entries, one altered, the same
	// key. Its checkpoint verifies; consistency with the first does not.
	rows, err := n.store.AuditRows(context.Background(), 0, 10_000)
	if err != nil {
		t.Fatal(err)
	}
	forgedDir := filepath.Join(t.TempDir(), "forged")
	if err := os.MkdirAll(filepath.Join(forgedDir, "keys"), 0o700); err != nil {
		t.Fatal(err)
	}
	keyring, _ := os.ReadFile(trust.KeyringPath(n.dir))
	if err := os.WriteFile(trust.KeyringPath(forgedDir), keyring, 0o600); err != nil {
		t.Fatal(err)
	}
	f := openAuditNode(t, forgedDir)
	f.seed(t) // the same users, for the auditor's login; and entries
	forged, _ := f.store.AuditRows(context.Background(), 0, 10_000)
	var es []kurultai.AuditEntry
	for _, r := range rows[len(forged):] {
		e, err := r.Entry()
		if err != nil {
			t.Fatal(err)
		}
		es = append(es, e)
	}
	es[2].Detail = "returned 0, withheld 1" // an entry within the first checkpoint
	if err := f.store.AppendAudit(context.Background(), es...); err != nil {
		t.Fatal(err)
	}
	f.publish(t)
	out, err = runAuditCmd(t, append([]string{"check", "--url", f.srv.URL, "--since", first}, creds...)...)
	if err == nil || !strings.Contains(err.Error(), "does not extend") {
		t.Fatalf("check of the rebuilt log: %v\n%s", err, out)
	}
	// And a node that shrank its log is caught without a proof.
	out, err = runAuditCmd(t, append([]string{"check", "--url", f.srv.URL, "--since", second}, creds...)...)
	if err == nil || !strings.Contains(err.Error(), "does not extend") && !strings.Contains(err.Error(), "fewer than") {
		t.Fatalf("check of the rebuilt log against the second checkpoint: %v\n%s", err, out)
	}
}

// TestAuditWitness: two members' witnesses cosign; the checkpoint is
// witnessed by a majority of the three members.
func TestAuditWitness(t *testing.T) {
	base := t.TempDir()
	var docs []trust.KeysDocument
	for _, code := range []string{"TR", "AZ"} {
		k, _, err := trust.Init(filepath.Join(base, code), testTime(), nil)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, k.Document(trust.NodeIdentityID(code), code))
	}
	n := openAuditNode(t, filepath.Join(base, "kz"), docs...)
	n.seed(t)
	n.reads(t, 4)
	n.publish(t)
	for i, code := range []string{"TR", "AZ"} {
		since := filepath.Join(base, code+".ckpt")
		args := []string{"witness", "--url", n.srv.URL, "--since", since, "--data", filepath.Join(base, code), "--participant", code,
			"--user", "tr-auditor", "--password", "pw"}
		out, err := runAuditCmd(t, args...)
		if err != nil || !strings.Contains(out, "first one seen") || !strings.Contains(out, "holds "+itoa(uint64(i+1))+" cosignatures") {
			t.Fatalf("%s witnesses: %v\n%s", code, err, out)
		}
		// The next round checks consistency from what it cosigned.
		n.reads(t, 3)
		n.publish(t)
		if out, err := runAuditCmd(t, args...); err != nil || !strings.Contains(out, "consistent with the earlier checkpoint") {
			t.Fatalf("%s witnesses again: %v\n%s", code, err, out)
		}
	}
	c := &auditlog.Client{BaseURL: n.srv.URL, Authorize: basicAuth("tr-auditor", "pw")}
	st, err := c.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Latest == nil || st.Latest.MemberCosignatures != 1 || st.Witnessed == nil || st.Witnessed.MemberCosignatures != 2 {
		t.Errorf("status: latest %+v, witnessed %+v", st.Latest, st.Witnessed)
	}
	// A witness that is not configured is refused.
	out, err := runAuditCmd(t, "witness", "--url", n.srv.URL, "--since", filepath.Join(base, "uz.ckpt"), "--data", filepath.Join(base, "UZ"),
		"--participant", "UZ", "--user", "tr-auditor", "--password", "pw")
	if err == nil || !strings.Contains(err.Error(), "no cosignature by a known witness") {
		t.Errorf("unknown witness: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(base, "uz.ckpt")); err == nil {
		t.Error("a refused witness saved the checkpoint as cosigned")
	}
}

func TestAuditUsage(t *testing.T) {
	for _, args := range [][]string{{}, {"bogus"}, {"check"}, {"witness", "--url", "http://x"}, {"check", "--url", "http://x", "--entries", "a"}} {
		if _, err := runAuditCmd(t, args...); err == nil {
			t.Errorf("audit %v: no error", args)
		}
	}
	if out, err := runAuditCmd(t, "--help"); err != nil || !strings.Contains(out, "verify") {
		t.Errorf("help: %v %s", err, out)
	}
}
