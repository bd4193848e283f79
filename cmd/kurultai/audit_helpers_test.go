package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/access"
	"github.com/kurultai/kurultai/internal/auditlog"
	"github.com/kurultai/kurultai/internal/auth"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/sqlite"
	"github.com/kurultai/kurultai/internal/trust"
)

const auditColl = "91a7b528-80eb-42ed-a74d-c6fbd5a26116"

// auditNode is the audit surface of a node over a real data directory:
// its keyring, its store, the checkpoint worker and the HTTP API with the
// real authenticator, and the public key document.
type auditNode struct {
	dir   string
	store *sqlite.Store
	keys  *trust.Keyring
	cp    *auditlog.Checkpointer
	srv   *httptest.Server
}

// openAuditNode opens (or creates) the node of participant KZ in dir, with
// the witnesses' key documents.
func openAuditNode(t *testing.T, dir string, witnesses ...trust.KeysDocument) *auditNode {
	t.Helper()
	ctx := context.Background()
	keys, _, err := trust.Init(dir, time.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(ctx, filepath.Join(dir, "kurultai.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	n := &auditNode{dir: dir, store: st, keys: keys}
	signer, err := auditlog.NewNoteSigner(auditlog.Origin("KZ"), keys.PrivateKey())
	if err != nil {
		t.Fatal(err)
	}
	if n.cp, err = auditlog.NewCheckpointer(auditlog.CheckpointerConfig{Store: st, Signer: signer, Origin: auditlog.Origin("KZ")}); err != nil {
		t.Fatal(err)
	}
	known, err := st.Markings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	api, err := auditlog.New(auditlog.Config{Store: st, Auth: auth.NewAuthenticator(st, time.Now), Markings: access.NewMarkings(known...),
		Participant: "KZ", Witnesses: witnesses})
	if err != nil {
		t.Fatal(err)
	}
	keysHandler, err := trust.KeysHandler(keys.Document(trust.NodeIdentityID("KZ"), "KZ"))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	api.Routes(mux)
	mux.Handle("GET "+trust.WellKnownPath, keysHandler)
	n.srv = httptest.NewServer(mux)
	t.Cleanup(n.close)
	return n
}

func (n *auditNode) close() {
	if n.srv != nil {
		n.srv.Close()
		n.srv = nil
	}
	if n.store != nil {
		n.store.Close()
		n.store = nil
	}
}

// seed stores the directory, users with password "pw" and a few objects
// (each write appends an audit entry).
func (n *auditNode) seed(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	for _, p := range []kurultai.Participant{
		{Code: "KZ", Name: "Kazakhstan", Kind: kurultai.KindMember},
		{Code: "TR", Name: "Türkiye", Kind: kurultai.KindMember},
		{Code: "AZ", Name: "Azerbaijan", Kind: kurultai.KindMember},
	} {
		if err := n.store.PutParticipant(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := n.store.PutCollection(ctx, kurultai.Collection{ID: auditColl, Title: "Intel"}); err != nil {
		t.Fatal(err)
	}
	hash, err := auth.HashPassword("pw")
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []kurultai.User{
		{Username: "kz-auditor", Participant: "KZ", Role: kurultai.RoleAuditor},
		{Username: "tr-auditor", Participant: "TR", Role: kurultai.RoleAuditor},
		{Username: "kz-liaison", Participant: "KZ", Role: kurultai.RoleLiaison},
	} {
		u.PasswordHash = hash
		if _, err := n.store.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	p := kurultai.Principal{Username: "kz-liaison", Participant: "KZ", Kind: kurultai.KindMember, Role: kurultai.RoleLiaison}
	for i := range 3 {
		id := fmt.Sprintf("indicator--00000000-0000-4000-8000-%012d", i)
		raw, _ := json.Marshal(map[string]any{"type": "indicator", "spec_version": "2.1", "id": id, "created": "2022-01-02T10:00:00.000Z",
			"modified": "2022-01-02T10:00:00.000Z", "object_marking_refs": []string{kurultai.TLP2GreenID}})
		mod := time.Date(2022, 1, 2, 10, 0, 0, 0, time.UTC)
		v := &kurultai.ObjectVersion{ID: id, Type: "indicator", SpecVersion: "2.1", Created: mod, Modified: mod, Version: "2022-01-02T10:00:00.000Z",
			VersionKey: mod.UnixNano(), MarkingRefs: []string{kurultai.TLP2GreenID}, Raw: raw}
		if _, err := n.store.AddObjects(ctx, kurultai.Write{Principal: p, Collection: auditColl, StatusID: fmt.Sprint("s", i, time.Now().UnixNano()), Objects: []*kurultai.ObjectVersion{v}}); err != nil {
			t.Fatal(err)
		}
	}
}

// reads appends n read entries of the KZ liaison.
func (n *auditNode) reads(t *testing.T, count int) {
	t.Helper()
	var es []kurultai.AuditEntry
	for i := range count {
		es = append(es, kurultai.AuditEntry{Username: "kz-liaison", Participant: "KZ", Action: kurultai.ActionObjectsRead,
			Objects:  []kurultai.ObjectRef{{ID: "indicator--00000000-0000-4000-8000-000000000001", Version: "2022-01-02T10:00:00.000Z"}},
			Query:    fmt.Sprintf("collection=%s&page=%d", auditColl, i),
			Decision: kurultai.DecisionAllow, Detail: "returned 1, withheld 0"})
	}
	if err := n.store.AppendAudit(context.Background(), es...); err != nil {
		t.Fatal(err)
	}
}

// publish publishes a checkpoint and returns its size.
func (n *auditNode) publish(t *testing.T) uint64 {
	t.Helper()
	rec, _, err := n.cp.Publish(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return rec.Size
}

// runAuditCmd runs 'kurultai audit args...'.
func runAuditCmd(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := runAudit(context.Background(), args, noEnv, &out, &errOut)
	return out.String() + errOut.String(), err
}

// copyDir copies a data directory, keeping permissions (the keyring's
// included).
func copyDir(t *testing.T, from string) string {
	t.Helper()
	to := filepath.Join(t.TempDir(), "copy")
	err := filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		dst := filepath.Join(to, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(dst, info.Mode().Perm())
		}
		in, err := os.Open(path)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_EXCL, info.Mode().Perm())
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
	if err != nil {
		t.Fatal(err)
	}
	return to
}

// tamper opens the database of dir directly, drops the append-only
// triggers and runs fn.
func tamper(t *testing.T, dir string, fn func(db *sql.DB)) {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(dir, "kurultai.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, tr := range []string{"audit_log_no_update", "audit_log_no_delete", "audit_nodes_no_update", "audit_nodes_no_delete",
		"audit_checkpoints_no_update", "audit_checkpoints_no_delete"} {
		mustExec(t, db, "DROP TRIGGER "+tr)
	}
	fn(db)
}

func mustExec(t *testing.T, db *sql.DB, stmt string, args ...any) {
	t.Helper()
	if _, err := db.Exec(stmt, args...); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}
