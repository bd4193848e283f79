package web

import (
	"crypto/ed25519"
	"crypto/sha256"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/kurultai/kurultai/internal/auditlog"
	"github.com/kurultai/kurultai/internal/auth"
	"github.com/kurultai/kurultai/internal/kurultai"
)

// withAudit serves the audit page from a real audit log server over the
// world's store, as node.go wires it.
func withAudit(w *world, c *Config) {
	srv, err := auditlog.New(auditlog.Config{Store: w.store, Auth: auth.NewAuthenticator(w.store, w.clock.Now), Markings: w.marks, Participant: "SEC", Clock: w.clock.Now})
	if err != nil {
		w.t.Fatal(err)
	}
	c.Audit = srv
}

// checkpoint signs a checkpoint of the log as it stands.
func (w *world) checkpoint() auditlog.CheckpointRecord {
	w.t.Helper()
	seed := sha256.Sum256([]byte("web test node key"))
	signer, err := auditlog.NewNoteSigner(auditlog.Origin("SEC"), ed25519.NewKeyFromSeed(seed[:]))
	if err != nil {
		w.t.Fatal(err)
	}
	cp, err := auditlog.NewCheckpointer(auditlog.CheckpointerConfig{Store: w.store, Signer: signer, Origin: auditlog.Origin("SEC"), Clock: w.clock.Now})
	if err != nil {
		w.t.Fatal(err)
	}
	rec, _, err := cp.Publish(w.ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	return rec
}

func TestAuditPage(t *testing.T) {
	w := newWorld(t, withAudit)
	w.addUser("kz-auditor", "KZ", kurultai.RoleAuditor)
	c := w.login("kz-liaison")
	_, text, _ := c.getText("/audit")
	if !strings.Contains(text, "No checkpoint has been signed yet.") || !strings.Contains(text, "Only auditors read audit entries") {
		t.Errorf("before the first checkpoint, as a liaison: %s", text)
	}
	rec := w.checkpoint()
	a := w.login("kz-auditor")
	status, _, doc := a.get("/audit")
	if status != http.StatusOK {
		t.Fatalf("GET /audit: %d", status)
	}
	if got := textOf(find(doc, byAttr("data-field", "size"))); got != strconv.FormatUint(rec.Size, 10) {
		t.Errorf("checkpoint size %q, want %d", got, rec.Size)
	}
	if got := textOf(find(doc, byAttr("data-field", "witnessed"))); !strings.HasPrefix(got, "not yet") {
		t.Errorf("witnessed: %q", got)
	}
	rows := findAll(doc, func(n *html.Node) bool { return attr(n, "data-entry") != "" })
	if len(rows) == 0 || len(rows) > auditPageSize {
		t.Fatalf("%d entries", len(rows))
	}
	if !strings.Contains(textOf(doc), "kz-liaison") {
		t.Error("the auditor does not see its participant's sign-in")
	}

	// A majority of the members' witnesses cosign: witnessed.
	parts, err := w.store.Participants(w.ctx)
	if err != nil {
		t.Fatal(err)
	}
	var members []string
	for _, p := range parts {
		if p.Kind == kurultai.KindMember {
			members = append(members, p.Code)
		}
	}
	for _, m := range members[:len(members)/2+1] {
		if err := w.store.AddCosignature(w.ctx, auditlog.CosignatureRecord{Size: rec.Size, Participant: m, Line: "— " + m + " x\n", Time: w.clock.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	_, _, doc = a.get("/audit")
	if got := textOf(find(doc, byAttr("data-field", "witnessed"))); !strings.HasPrefix(got, "yes") {
		t.Errorf("witnessed after a majority cosigned: %q", got)
	}
	if s, _, _ := a.getText("/audit?from=x"); s != http.StatusBadRequest {
		t.Errorf("from=x: %d", s)
	}
}

func TestAuditPageOff(t *testing.T) {
	w := newWorld(t)
	_, text, _ := w.login("kz-liaison").getText("/audit")
	if !strings.Contains(text, "The audit log cannot be read from the pages of this node.") {
		t.Errorf("audit page without a reader: %s", text)
	}
}
