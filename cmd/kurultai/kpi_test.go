package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/charter"
	"github.com/kurultai/kurultai/internal/crisis"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/seed"
	"github.com/kurultai/kurultai/internal/sqlite"
)

// crisisNode is a node's store with the crisis collection, for the kpi
// command's tests: records are acted, derived and stored as the API will.
type crisisNode struct {
	t   *testing.T
	st  *sqlite.Store
	m   *crisis.Mechanism
	now time.Time
	sit string
	n   int
}

var kpiOnset = time.Date(2022, 1, 2, 0, 0, 0, 0, time.UTC)

func newCrisisNode(t *testing.T, dir string) *crisisNode {
	t.Helper()
	ctx := context.Background()
	tick := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { tick = tick.Add(time.Millisecond); return tick }
	st, err := sqlite.Open(ctx, filepath.Join(dir, "kurultai.db"), sqlite.Options{Clock: clock, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := seed.System(ctx, st, charter.Default().DirectoryParticipants(), "SEC", clock); err != nil {
		t.Fatal(err)
	}
	if err := st.PutCollection(ctx, crisis.Collection()); err != nil {
		t.Fatal(err)
	}
	sec := kurultai.Principal{Username: "system", Participant: "SEC", Kind: kurultai.KindSecretariat, Role: kurultai.RoleSecretariat}
	if err := seed.AddRaw(ctx, st, sec, crisis.CollectionID, crisis.ExtensionDefinitions(seed.IdentityID("SEC"), seed.SystemCreated), clock); err != nil {
		t.Fatal(err)
	}
	return &crisisNode{t: t, st: st, m: crisis.New(charter.Default(), crisis.SequentialIDs(t.Name())), now: kpiOnset.Add(time.Hour)}
}

// act derives the situation from the store, acts and stores the records
// under the acting principal.
func (c *crisisNode) act(p kurultai.Principal, a crisis.Action) string {
	c.t.Helper()
	ctx := context.Background()
	var st *crisis.State
	if c.sit != "" {
		recs, _, err := c.m.Load(ctx, c.st, crisis.CollectionID, func(*kurultai.ObjectVersion) bool { return true })
		if err != nil {
			c.t.Fatal(err)
		}
		if st, err = c.m.Derive(c.sit, recs, c.now); err != nil {
			c.t.Fatal(err)
		}
	}
	res, err := c.m.Act(st, p, a, c.now)
	if err != nil {
		c.t.Fatalf("%s: %v", a.Name(), err)
	}
	c.n++
	status, err := c.st.AddObjects(ctx, kurultai.Write{Principal: p, Collection: crisis.CollectionID, StatusID: fmt.Sprintf("kpi-test-%d", c.n), Objects: res.Versions, Time: c.now})
	if err != nil || len(status.Failures) > 0 {
		c.t.Fatalf("store %s: %v %+v", a.Name(), err, status.Failures)
	}
	return res.Records[0].Base().ID
}

func principal(code string, k kurultai.ParticipantKind, r kurultai.Role) kurultai.Principal {
	return kurultai.Principal{Username: strings.ToLower(code), Participant: code, Kind: k, Role: r}
}

func TestKPI(t *testing.T) {
	dir := t.TempDir()
	c := newCrisisNode(t, dir)
	chair := principal("TR", kurultai.KindMember, kurultai.RoleChair)
	secr := principal("SEC", kurultai.KindSecretariat, kurultai.RoleSecretariat)
	kz := principal("KZ", kurultai.KindMember, kurultai.RoleLiaison)
	az := principal("AZ", kurultai.KindMember, kurultai.RoleLiaison)
	members := []string{"AZ", "KZ", "KG", "TR", "UZ"}
	at := func(d time.Duration) { c.now = kpiOnset.Add(d) }

	c.sit = c.act(secr, &crisis.RaiseAlert{Title: "Kazakhstan unrest", Onset: kpiOnset, Affected: []string{"KZ"}})
	at(5 * time.Hour)
	c.act(chair, &crisis.ChangeMode{To: "consultation"})
	c.act(secr, &crisis.AskConsent{})
	at(6 * time.Hour)
	c.act(kz, &crisis.AnswerConsent{Answer: crisis.ConsentGranted})
	draft := c.act(secr, &crisis.DraftStatement{Title: "Statement", Text: "Solidarity."})
	silence := c.act(chair, &crisis.OpenSilence{Draft: draft, Urgency: crisis.Urgent})
	at(13 * time.Hour)
	c.act(chair, &crisis.Declare{Silence: silence, Outcome: crisis.Adopted})
	c.act(chair, &crisis.ChangeMode{To: "activation"})
	fm := c.act(chair, &crisis.ConveneMeeting{Level: "foreign_ministers", Start: kpiOnset.Add(48 * time.Hour), Invitees: members, Agenda: "extraordinary"})
	at(20 * time.Hour)
	req := c.act(kz, &crisis.RequestAssistance{Items: []crisis.Item{{Item: "medical teams", Quantity: 2}}})
	at(26 * time.Hour)
	c.act(az, &crisis.AnswerAssistance{Request: req, Message: "pledge", Items: []crisis.Item{{Item: "medical teams", Quantity: 2}}})
	at(50 * time.Hour)
	c.act(chair, &crisis.RecordMeeting{Meeting: fm, Held: true, Present: members})
	c.st.Close()

	var out, errOut bytes.Buffer
	if err := runKPI(context.Background(), []string{"--data", dir, "--format", "json"}, noEnv, &out, &errOut); err != nil {
		t.Fatalf("kpi: %v %s", err, errOut.String())
	}
	var reports []kpiReport
	if err := json.Unmarshal(out.Bytes(), &reports); err != nil {
		t.Fatalf("json output: %v\n%s", err, out.String())
	}
	if len(reports) != 1 || reports[0].Title != "Kazakhstan unrest" || reports[0].Mode != "activation" {
		t.Fatalf("reports %+v", reports)
	}
	want := map[string]time.Duration{"consultation": 5 * time.Hour, "statement": 13 * time.Hour, "ministerial": 48 * time.Hour, "assistance_answer": 6 * time.Hour}
	for _, k := range reports[0].KPIs {
		w, ok := want[k.ID]
		if !ok || k.Seconds == nil {
			t.Errorf("KPI %s = %+v", k.ID, k)
			continue
		}
		// Act keeps records of one situation strictly ordered, so times
		// may be a few microseconds late.
		if got := time.Duration(*k.Seconds * float64(time.Second)); got < w || got > w+time.Millisecond {
			t.Errorf("KPI %s = %s, want %s", k.ID, got, w)
		}
	}
	if d := reports[0].Deadlines; d.Met != 4 || d.Missed == 0 || d.Share == nil {
		t.Errorf("deadlines %+v", d)
	}

	out.Reset()
	if err := runKPI(context.Background(), []string{"--data", dir}, noEnv, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"SITUATION", "CONSULTATION", "MINISTERIAL", "Kazakhstan unrest", "5h 0m", "2d 0h", "activation"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}

	// The situation is released to members: an observer sees none.
	out.Reset()
	if err := runKPI(context.Background(), []string{"--data", dir, "--format", "json", "--as", "HU"}, noEnv, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(out.String()) != "[]" {
		t.Errorf("an observer sees members-only situations: %s", out.String())
	}

	for _, args := range [][]string{
		{"--data", dir, "--format", "xml"},
		{"--data", dir, "--as", "ZZ"},
		{"--data", dir, "--situation", "kurultai-situation--00000000-0000-4000-8000-000000000000"},
		{"--data", filepath.Join(dir, "none")},
	} {
		if err := runKPI(context.Background(), args, noEnv, &out, &errOut); err == nil {
			t.Errorf("kpi %v: no error", args)
		}
	}
}
