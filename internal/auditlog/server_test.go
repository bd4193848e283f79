package auditlog_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/kurultai/kurultai/internal/auditlog"
	"github.com/kurultai/kurultai/internal/jcs"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/sqlite"
)

func TestCheckpointsAndProofs(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()
	if status, _ := e.do(t, http.MethodGet, "kz-liaison", "/audit/v1/checkpoint", nil); status != http.StatusNotFound {
		t.Errorf("checkpoint before the first: %d, want 404", status)
	}
	first := e.publish(t)
	e.appendEntries(t, "tr-liaison", 7, e.objB)
	if _, published, _ := e.cp.Publish(ctx); !published {
		t.Fatal("no checkpoint after new entries")
	}
	if _, published, _ := e.cp.Publish(ctx); published {
		t.Fatal("a checkpoint with no new entries")
	}
	second, err := e.store.LatestCheckpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if second.Size != first.Size+7 {
		t.Fatalf("sizes %d then %d", first.Size, second.Size)
	}

	// The latest checkpoint, as a note any verifier can check.
	status, body := e.do(t, http.MethodGet, "tr-liaison", "/audit/v1/checkpoint", nil)
	if status != http.StatusOK {
		t.Fatalf("checkpoint: %d %s", status, body)
	}
	cur, _, err := auditlog.OpenCheckpoint(body, auditlog.Origin("KZ"), e.keys)
	if err != nil || cur.Size != second.Size {
		t.Fatalf("checkpoint %+v: %v", cur, err)
	}
	old, _, _ := auditlog.OpenCheckpoint(first.Note, auditlog.Origin("KZ"), e.keys)

	var list auditlog.CheckpointsResponse
	e.getJSON(t, "tr-liaison", "/audit/v1/checkpoints?since=0", &list)
	if len(list.Checkpoints) != 2 || list.Checkpoints[1].Size != second.Size || list.More {
		t.Fatalf("checkpoints: %+v", list)
	}
	e.getJSON(t, "tr-liaison", "/audit/v1/checkpoints?since=0&limit=1", &list)
	if len(list.Checkpoints) != 1 || !list.More {
		t.Fatalf("checkpoints, limit 1: %+v", list)
	}

	// Consistency between the two checkpoints, and inclusion of every
	// entry, by index and by leaf hash.
	c := e.client("tr-liaison")
	hashes, err := c.Consistency(ctx, old.Size, cur.Size)
	if err != nil {
		t.Fatal(err)
	}
	if err := auditlog.VerifyConsistency(old.Head(), cur.Head(), hashes); err != nil {
		t.Fatal(err)
	}
	rows, err := e.store.AuditRows(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var leaves [][]byte
	for _, r := range rows {
		leaves = append(leaves, r.Leaf)
	}
	for i := range cur.Size {
		p, err := c.Inclusion(ctx, i, cur.Size)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(p.LeafHash, leaves[i]) {
			t.Fatalf("entry %d: proof for another leaf", i)
		}
		if err := auditlog.VerifyInclusion(i, p.LeafHash, cur.Head(), p.Hashes); err != nil {
			t.Fatal(err)
		}
	}
	var byHash auditlog.InclusionProofJSON
	e.getJSON(t, "tr-liaison", "/audit/v1/proof/inclusion?size=3&hash="+url.QueryEscape(base64.StdEncoding.EncodeToString(leaves[2])), &byHash)
	if byHash.Index != 2 {
		t.Errorf("by hash: index %d", byHash.Index)
	}
}

// TestMalformedProofRequests: 400 naming the parameter, never 500.
func TestMalformedProofRequests(t *testing.T) {
	e := newEnv(t, nil)
	e.publish(t)
	head, _ := e.store.TreeHead(t.Context())
	big := "999999"
	for _, tc := range []struct {
		path   string
		status int
		field  string
	}{
		{"/audit/v1/proof/inclusion?index=0", 400, "size"},
		{"/audit/v1/proof/inclusion?index=x&size=2", 400, "index"},
		{"/audit/v1/proof/inclusion?index=2&size=2", 400, "index"},
		{"/audit/v1/proof/inclusion?index=0&size=" + big, 400, "size"},
		{"/audit/v1/proof/inclusion?hash=AAAA&size=2", 400, "hash"},
		{"/audit/v1/proof/inclusion?hash=" + strings.Repeat("A", 43) + "=&size=2", 404, ""},
		{"/audit/v1/proof/inclusion?index=0&size=-1", 400, "size"},
		{"/audit/v1/proof/consistency?from=2", 400, "to"},
		{"/audit/v1/proof/consistency?from=3&to=2", 400, "from"},
		{"/audit/v1/proof/consistency?from=1&to=" + big, 400, "to"},
		{"/audit/v1/proof/consistency?from=1&to=1&to=2", 400, "to"},
		{"/audit/v1/checkpoints?since=abc", 400, "since"},
		{"/audit/v1/checkpoints?limit=0", 400, "limit"},
		{"/audit/v1/entries?from=-3", 400, "from"},
		{"/audit/v1/cosignatures?size=12345", 404, ""},
	} {
		status, body := e.do(t, http.MethodGet, "kz-auditor", tc.path, nil)
		var eb struct{ Error, Code, Field string }
		_ = json.Unmarshal(body, &eb)
		if status != tc.status || eb.Field != tc.field || eb.Error == "" {
			t.Errorf("%s: %d %s; want %d naming %q", tc.path, status, body, tc.status, tc.field)
		}
	}
	// The largest valid requests work.
	for _, path := range []string{
		"/audit/v1/proof/consistency?from=0&to=" + itoa(head.Size),
		"/audit/v1/proof/inclusion?index=" + itoa(head.Size-1) + "&size=" + itoa(head.Size),
	} {
		if status, body := e.do(t, http.MethodGet, "kz-auditor", path, nil); status != 200 {
			t.Errorf("%s: %d %s", path, status, body)
		}
	}
	if status, _ := e.do(t, http.MethodGet, "", "/audit/v1/checkpoint", nil); status != http.StatusUnauthorized {
		t.Errorf("anonymous: %d, want 401", status)
	}
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }

// TestEntriesVisibility: rule 7 of issue 3.
func TestEntriesVisibility(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()
	start, _ := e.store.TreeHead(ctx)
	e.appendEntries(t, "tr-liaison", 1, e.objB)         // concerns B, visible to KZ
	e.appendEntries(t, "tr-liaison", 1, e.objB, e.objC) // B visible to KZ, C not
	e.appendEntries(t, "tr-liaison", 1, e.objC)         // C only: hidden from KZ
	e.appendEntries(t, "tr-liaison", 1)                 // TR's query without objects
	e.appendEntries(t, "kz-liaison", 1, e.objA)         // KZ's own

	type seen struct {
		complete bool
		objects  int
	}
	view := func(user string) map[uint64]seen {
		t.Helper()
		var r auditlog.EntriesResponse
		e.getJSON(t, user, "/audit/v1/entries?from="+itoa(start.Size)+"&limit=1000", &r)
		out := map[uint64]seen{}
		for _, en := range r.Entries {
			var body struct {
				Objects []kurultai.ObjectRef `json:"objects"`
				Query   string               `json:"query"`
				Seq     uint64               `json:"seq"`
			}
			if err := json.Unmarshal(en.Entry, &body); err != nil || body.Seq != en.Index+1 {
				t.Fatalf("entry %d: %s (%v)", en.Index, en.Entry, err)
			}
			canon, _ := jcs.Canonicalize(en.Entry)
			if en.Complete != bytes.Equal(auditlog.LeafHash(canon), en.LeafHash) {
				t.Errorf("entry %d: complete=%v but its leaf hash matching is %v", en.Index, en.Complete, !en.Complete)
			}
			if !en.Complete && (body.Query != "" || en.WithheldObjects == 0) {
				t.Errorf("entry %d: incomplete but shows its query or withholds nothing", en.Index)
			}
			out[en.Index-start.Size] = seen{en.Complete, len(body.Objects)}
		}
		return out
	}
	kz := view("kz-auditor")
	want := map[uint64]seen{0: {true, 1}, 1: {false, 1}, 4: {true, 1}}
	for i, w := range want {
		if kz[i] != w {
			t.Errorf("KZ's auditor, entry +%d: %+v, want %+v", i, kz[i], w)
		}
	}
	// Entries 5 and on are the audit of the reads themselves.
	for i := range kz {
		if _, ok := want[i]; !ok && i < 5 {
			t.Errorf("KZ's auditor sees entry +%d", i)
		}
	}
	tr := view("tr-auditor")
	for i := range uint64(4) {
		if s, ok := tr[i]; !ok || !s.complete {
			t.Errorf("TR's auditor, its own entry +%d: %+v, %v", i, s, ok)
		}
	}
	if _, ok := tr[4]; ok {
		t.Errorf("TR's auditor sees KZ's read of an object released to KZ only")
	}
	az := view("az-auditor")
	if s := az[0]; !s.complete {
		t.Errorf("AZ's auditor, a read of a members object: %+v", s)
	}
	for _, i := range []uint64{2, 3, 4} {
		if _, ok := az[i]; ok {
			t.Errorf("AZ's auditor sees entry +%d", i)
		}
	}

	// Only auditors read entries; the refusal is audited.
	before, _ := e.store.TreeHead(ctx)
	if status, _ := e.do(t, http.MethodGet, "kz-liaison", "/audit/v1/entries", nil); status != http.StatusForbidden {
		t.Errorf("a liaison reads entries: %d", status)
	}
	after, _ := e.store.TreeHead(ctx)
	rows, _ := e.store.AuditRows(ctx, before.Size, 10)
	if after.Size != before.Size+1 || rows[0].Action != auditlog.ActionEntriesRead || rows[0].Decision != kurultai.DecisionDeny {
		t.Errorf("the refused read is not audited: %+v", rows)
	}
}

// failingAudit is the store whose audit appends fail.
type failingAudit struct{ *sqlite.Store }

func (failingAudit) AppendAudit(context.Context, ...kurultai.AuditEntry) error {
	return errors.New("disk full")
}

func TestEntriesFailClosed(t *testing.T) {
	e := newEnv(t, func(s *sqlite.Store) auditlog.Store { return failingAudit{s} })
	status, body := e.do(t, http.MethodGet, "kz-auditor", "/audit/v1/entries", nil)
	if status != http.StatusServiceUnavailable || bytes.Contains(body, []byte("kz-liaison")) {
		t.Errorf("entries with a failing audit log: %d %s", status, body)
	}
}

func TestCosignatures(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()
	rec := e.publish(t)
	n, err := auditlog.ParseNote(rec.Note)
	if err != nil {
		t.Fatal(err)
	}
	cosign := func(code string, text string) string {
		c, err := auditlog.NewCosigner(auditlog.WitnessName(code), testKey(code))
		if err != nil {
			t.Fatal(err)
		}
		m := auditlog.Note{Text: text, Sigs: append(n.Sigs[:1:1], c.Cosign(text, e.clock.now()))}
		return m.String()
	}
	post := func(body string) (int, []byte) {
		return e.do(t, http.MethodPost, "tr-liaison", "/audit/v1/cosignatures", strings.NewReader(body))
	}
	var st auditlog.StatusResponse
	e.getJSON(t, "tr-liaison", "/audit/v1/status", &st)
	if st.Members != 3 || st.Majority != 2 || st.Latest == nil || st.Latest.Witnessed || st.Witnessed != nil {
		t.Fatalf("status before cosigning: %+v", st)
	}

	other := auditlog.Checkpoint{Origin: auditlog.Origin("KZ"), Size: rec.Size, Root: make([]byte, 32)}
	wrongSig := cosign("TR", n.Text)
	wrongSig = wrongSig[:len(wrongSig)-10] + "AAAAAAAAA\n"
	for _, tc := range []struct {
		name, body string
		status     int
	}{
		{"not a note", "hello", 400},
		{"unknown size", cosign("TR", auditlog.Checkpoint{Origin: auditlog.Origin("KZ"), Size: rec.Size + 100, Root: rec.Root}.Text()), 404},
		{"other origin", cosign("TR", auditlog.Checkpoint{Origin: auditlog.Origin("TR"), Size: rec.Size, Root: rec.Root}.Text()), 400},
		{"another checkpoint of the size", cosign("TR", other.Text()), 409},
		{"unknown witness", cosign("UZ", n.Text), 400},
		{"bad signature", wrongSig, 400},
		{"the node's own signature only", string(rec.Note), 400},
	} {
		if status, body := post(tc.body); status != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.name, status, body, tc.status)
		}
	}
	if cos, _ := e.store.Cosignatures(ctx, rec.Size); len(cos) != 0 {
		t.Fatalf("refused cosignatures were stored: %+v", cos)
	}

	// TR cosigns; then the observer HU (does not count); then AZ: a
	// majority of the three members.
	for _, code := range []string{"TR", "TR", "HU"} {
		if status, body := post(cosign(code, n.Text)); status != 200 {
			t.Fatalf("%s cosigns: %d %s", code, status, body)
		}
	}
	e.getJSON(t, "tr-liaison", "/audit/v1/status", &st)
	if st.Latest.MemberCosignatures != 1 || len(st.Latest.Cosignatures) != 2 || st.Latest.Witnessed {
		t.Fatalf("after TR and HU: %+v", st.Latest)
	}
	if status, body := post(cosign("AZ", n.Text)); status != 200 {
		t.Fatalf("AZ cosigns: %d %s", status, body)
	}
	e.getJSON(t, "tr-liaison", "/audit/v1/status", &st)
	if !st.Latest.Witnessed || st.Witnessed == nil || st.Witnessed.Size != rec.Size {
		t.Fatalf("after AZ: %+v", st)
	}
	// The witnessed checkpoint stays the answer while a newer one waits
	// for cosignatures.
	e.appendEntries(t, "kz-liaison", 2)
	newer := e.publish(t)
	e.getJSON(t, "tr-liaison", "/audit/v1/status", &st)
	if st.Latest.Size != newer.Size || st.Latest.Witnessed || st.Witnessed == nil || st.Witnessed.Size != rec.Size {
		t.Fatalf("after a newer checkpoint: latest %+v witnessed %+v", st.Latest, st.Witnessed)
	}
	// The cosigned note verifies with the witnesses' keys.
	var cr auditlog.CosignaturesResponse
	e.getJSON(t, "tr-liaison", "/audit/v1/cosignatures?size="+itoa(rec.Size), &cr)
	full := n.Text + "\n" + n.Sigs[0].Line()
	for _, c := range cr.Cosignatures {
		full += c.Line
	}
	fn, err := auditlog.ParseNote([]byte(full))
	if err != nil {
		t.Fatal(err)
	}
	witnesses := append(auditlog.WitnessNoteKeys(keysDoc("TR", testKey("TR"))), auditlog.WitnessNoteKeys(keysDoc("AZ", testKey("AZ")))...)
	if ok, err := auditlog.VerifyNote(fn, witnesses); err != nil || len(ok) != 2 {
		t.Errorf("cosigned note: %d witnesses verified, %v", len(ok), err)
	}
}
