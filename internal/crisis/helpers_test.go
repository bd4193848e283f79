package crisis

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/charter"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/stix"
)

// The principals of the tests: users of the default (OTS) charter.
var (
	chair = kurultai.Principal{Username: "tr-chair", Participant: "TR", Kind: kurultai.KindMember, Role: kurultai.RoleChair}
	sec   = kurultai.Principal{Username: "sec", Participant: "SEC", Kind: kurultai.KindSecretariat, Role: kurultai.RoleSecretariat}
	kz    = liaison("KZ", kurultai.KindMember)
	az    = liaison("AZ", kurultai.KindMember)
	kg    = liaison("KG", kurultai.KindMember)
	uz    = liaison("UZ", kurultai.KindMember)
	tr    = liaison("TR", kurultai.KindMember)
	hu    = liaison("HU", kurultai.KindObserver)
	admin = kurultai.Principal{Username: "admin", Participant: "SEC", Kind: kurultai.KindSecretariat, Role: kurultai.RoleAdmin}
)

func liaison(code string, k kurultai.ParticipantKind) kurultai.Principal {
	return kurultai.Principal{Username: strings.ToLower(code) + "-liaison", Participant: code, Kind: k, Role: kurultai.RoleLiaison}
}

// t0 is the onset of the test situations.
var t0 = time.Date(2022, 1, 2, 0, 0, 0, 0, time.UTC)

// world is a situation under test with a fake clock: records accumulate
// as a store would keep them.
type world struct {
	t    testing.TB
	m    *Mechanism
	recs []Record
	raw  [][]byte
	now  time.Time
	sit  string
	// notes are the notifications of every accepted action.
	notes []Notification
}

// newWorld raises "Test unrest" in KZ at t0+1h (by the secretariat) and
// returns the world at that instant.
func newWorld(t testing.TB) *world {
	t.Helper()
	w := &world{t: t, m: New(charter.Default(), SequentialIDs(t.Name())), now: t0.Add(time.Hour)}
	res := w.do(sec, &RaiseAlert{Title: "Test unrest", Onset: t0, Affected: []string{"KZ"}})
	w.sit = res.Records[0].Base().ID
	return w
}

func (w *world) advance(d time.Duration) { w.now = w.now.Add(d) }

func (w *world) state() *State {
	w.t.Helper()
	st, err := w.m.Derive(w.sit, w.recs, w.now)
	if err != nil {
		w.t.Fatalf("derive: %v", err)
	}
	return st
}

// try acts and keeps the records if the action is accepted.
func (w *world) try(p kurultai.Principal, a Action) (*Result, error) {
	w.t.Helper()
	var st *State
	if w.sit != "" {
		st = w.state()
	}
	res, err := w.m.Act(st, p, a, w.now)
	if err != nil {
		var ke *kurultai.Error
		if !errors.As(err, &ke) || ke.Code == kurultai.CodeInternal {
			w.t.Fatalf("%s by %s: error without a code: %v", a.Name(), p.Username, err)
		}
		return nil, err
	}
	w.recs = append(w.recs, res.Records...)
	w.raw = append(w.raw, res.Objects...)
	w.notes = append(w.notes, res.Notifications...)
	return res, nil
}

// do acts and fails the test if the action is refused.
func (w *world) do(p kurultai.Principal, a Action) *Result {
	w.t.Helper()
	res, err := w.try(p, a)
	if err != nil {
		w.t.Fatalf("%s by %s at %s: %v", a.Name(), p.Username, w.now, err)
	}
	return res
}

// id returns the id of the first record of a result.
func id(res *Result) string { return res.Records[0].Base().ID }

// refuse checks that an action is refused with the code and a message
// containing want.
func (w *world) refuse(p kurultai.Principal, a Action, code kurultai.Code, want string) {
	w.t.Helper()
	n := len(w.recs)
	_, err := w.try(p, a)
	if err == nil {
		w.t.Fatalf("%s by %s accepted; want %s %q", a.Name(), p.Username, code, want)
	}
	if got := kurultai.ErrorCode(err); got != code || !strings.Contains(err.Error(), want) {
		w.t.Fatalf("%s by %s: got %s %q; want %s containing %q", a.Name(), p.Username, got, err, code, want)
	}
	if len(w.recs) != n {
		w.t.Fatal("a refused action added records")
	}
}

// forge re-writes a record as created at another time (as a peer's
// object that arrives by replication would be) and returns it parsed.
func (w *world) forge(r Record, at time.Time) Record {
	w.t.Helper()
	b := r.Base()
	b.Created, b.Modified = at, at
	raw := encode(r)
	v, err := stix.ParseObject(raw)
	if err != nil {
		w.t.Fatalf("forged object does not parse: %v", err)
	}
	rec, err := w.m.Parse(v)
	if err != nil {
		w.t.Fatalf("forged record does not parse: %v", err)
	}
	return rec
}

// toOpenConsultation moves the situation to consultation with consent
// granted, as most tests need.
func (w *world) consult() {
	w.t.Helper()
	w.do(chair, &ChangeMode{To: "consultation", Reason: "KZ requested"})
	w.do(sec, &AskConsent{})
	w.do(kz, &AnswerConsent{Answer: ConsentGranted})
}

// draftUnderSilence drafts a statement and opens an urgent silence on it.
func (w *world) draftUnderSilence() (draft, silence string) {
	w.t.Helper()
	d := w.do(sec, &DraftStatement{Title: "Statement on the situation in Kazakhstan", Text: "The members express solidarity."})
	s := w.do(chair, &OpenSilence{Draft: id(d), Urgency: Urgent})
	return id(d), id(s)
}

func notesOf(ns []Notification, kind string) []Notification {
	var out []Notification
	for _, n := range ns {
		if n.Kind == kind {
			out = append(out, n)
		}
	}
	return out
}

func recipientsOf(ns []Notification) []string {
	var out []string
	for _, n := range ns {
		out = append(out, n.To)
	}
	return out
}
