package crisis

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/charter"
)

// rich builds a situation that uses every record kind, including records
// that do not count (a late objection, a forged declaration) and several
// versions of a draft, and returns the world at its end.
func rich(t testing.TB) *world {
	t.Helper()
	w := newWorld(t)
	h := time.Hour
	w.now = t0.Add(2 * h)
	w.do(kz, &RequestConsultation{Reason: "unrest"})
	w.do(chair, &ChangeMode{To: "consultation", Reason: "requested"})
	w.do(sec, &AskConsent{})
	w.do(kz, &AnswerConsent{Answer: ConsentGranted})
	w.do(kz, &DesignateBriefer{Briefer: "Ministry of Foreign Affairs"})
	w.do(kz, &PostReport{Title: "Situation", Text: "Protests spread.", Audience: "members+observers"})
	d := id(w.do(sec, &DraftStatement{Title: "Statement", Text: "v1", Release: "public"}))
	w.advance(time.Minute)
	w.do(sec, &DraftStatement{Draft: d, Title: "Statement", Text: "v2", Release: "public"})
	s1 := id(w.do(chair, &OpenSilence{Draft: d, Urgency: Urgent}))
	w.advance(h)
	w.do(uz, &BreakSilence{Silence: s1, Kind: Amendment, Text: "Add a line."})
	w.do(chair, &Declare{Silence: s1, Outcome: NotAdopted})
	w.advance(time.Minute)
	w.do(sec, &DraftStatement{Draft: d, Title: "Statement", Text: "v3", Release: "public"})
	s2 := id(w.do(chair, &OpenSilence{Draft: d, Urgency: Urgent}))
	w.do(chair, &ExtendSilence{Silence: s2, Expires: w.now.Add(7 * h)})
	late := w.do(az, &BreakSilence{Silence: s2, Kind: Objection, Text: "late"}).Records[0]
	w.recs = w.recs[:len(w.recs)-1]
	w.advance(8 * h)
	w.recs = append(w.recs, w.forge(late, w.now))
	dec := w.do(chair, &Declare{Silence: s2, Outcome: Adopted}).Records[0].(*Declaration)
	forged := *dec
	forged.ID, forged.By, forged.Role, forged.Outcome = "kurultai-declaration--7d4a1f2e-0b1c-4d5e-8f90-a1b2c3d4e5f6", "KZ", charter.RoleAffected, NotAdopted
	w.recs = append(w.recs, w.forge(&forged, w.now))
	members := []string{"AZ", "KZ", "KG", "TR", "UZ"}
	m := id(w.do(chair, &ConveneMeeting{Level: "senior_officials", Start: w.now.Add(h), Invitees: members, Agenda: "a"}))
	w.advance(2 * h)
	w.do(sec, &RecordMeeting{Meeting: m, Held: true, Present: members[:3], Outcome: "o"})
	w.do(chair, &ChangeMode{To: "activation"})
	r := id(w.do(kz, &RequestAssistance{Items: []Item{{Item: "flour", Quantity: 100, Unit: "t"}, {Item: "medical teams", Quantity: 2}}}))
	p1 := id(w.do(az, &AnswerAssistance{Request: r, Message: "pledge", Items: []Item{{Item: "flour", Quantity: 60, Unit: "t"}}}))
	w.do(kg, &AnswerAssistance{Request: r, Message: "need_info", Text: "Where to deliver?"})
	p2 := id(w.do(uz, &AnswerAssistance{Request: r, Message: "pledge", Items: []Item{{Item: "flour", Quantity: 40, Unit: "t"}, {Item: "medical teams", Quantity: 2}}}))
	w.do(kz, &AcceptAssistance{Request: r, Pledge: p1, Message: "accept"})
	w.do(kz, &AcceptAssistance{Request: r, Pledge: p2, Message: "accept"})
	w.do(az, &MarkDelivered{Request: r, Pledge: p1})
	o := id(w.do(tr, &OfferAssistance{Recipient: "KZ", Items: []Item{{Item: "field hospital", Quantity: 1}}}))
	w.do(kz, &AcceptAssistance{Request: o, Message: "accept"})
	w.advance(h)
	// Records from several nodes may carry the same instant: two reports,
	// and two moves by the chair from two sessions, of which one counts.
	at := w.now
	rep := w.do(kz, &PostReport{Text: "from KZ"}).Records[0]
	rep2 := w.do(sec, &PostReport{Text: "from SEC"}).Records[0]
	mv := w.do(chair, &ChangeMode{To: "stand_down", Reason: "first session"}).Records[0].(*ModeChange)
	w.recs = w.recs[:len(w.recs)-3]
	mv2 := *mv
	mv2.ID, mv2.Reason = "kurultai-mode-change--0f0e0d0c-0b0a-4908-8706-050403020100", "second session"
	w.recs = append(w.recs, w.forge(rep, at), w.forge(rep2, at), w.forge(mv, at), w.forge(&mv2, at))
	w.advance(h)
	return w
}

// TestDeterminism derives the rich situation from its records shuffled
// with many seeds: the state and the clock's output are always the same.
func TestDeterminism(t *testing.T) {
	w := rich(t)
	want := w.state()
	wantDue := w.m.Due(want, w.now)
	if len(want.Ignored) != 2 || want.Ignored[0].By != "KZ" || want.Ignored[1].Kind != charter.KindModeChange {
		t.Fatalf("the forged declaration and the second move should be ignored: %+v", want.Ignored)
	}
	for seed := uint64(0); seed < 300; seed++ {
		recs := slices.Clone(w.recs)
		rng := rand.New(rand.NewPCG(seed, seed*7+1))
		rng.Shuffle(len(recs), func(i, j int) { recs[i], recs[j] = recs[j], recs[i] })
		// Duplicates (a record delivered twice) change nothing either.
		recs = append(recs, recs[rng.IntN(len(recs))])
		got, err := w.m.Derive(w.sit, recs, w.now)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("seed %d: the state differs from the one derived in arrival order", seed)
		}
		if d := w.m.Due(got, w.now); !reflect.DeepEqual(d, wantDue) {
			t.Fatalf("seed %d: the clock differs", seed)
		}
	}
}

// TestRichState checks the derived state of the rich situation.
func TestRichState(t *testing.T) {
	w := rich(t)
	st := w.state()
	if st.Mode != "stand_down" || len(st.History) != 3 {
		t.Errorf("mode %s history %d", st.Mode, len(st.History))
	}
	if d := st.Drafts[0]; len(d.Versions) != 3 || d.Latest().Text != "v3" {
		t.Errorf("draft versions %d latest %q", len(d.Versions), d.Latest().Text)
	}
	s1, s2 := st.Silences[0], st.Silences[1]
	if s1.Status != SilenceNotAdopted || !slices.Equal(s1.BrokenBy(), []string{"UZ"}) || s1.Breaks[0].BreakKind != Amendment {
		t.Errorf("first procedure %s broken by %v", s1.Status, s1.BrokenBy())
	}
	if s2.Status != SilenceAdopted || len(s2.Late) != 1 || len(s2.Breaks) != 0 || len(s2.Extensions) != 1 || s2.Draft.Text != "v3" {
		t.Errorf("second procedure %s late %d breaks %d ext %d", s2.Status, len(s2.Late), len(s2.Breaks), len(s2.Extensions))
	}
	if ms := st.Meetings[0]; !ms.Held || !ms.Quorum || ms.MembersPresent != 3 || ms.Members != 5 {
		t.Errorf("meeting held %v quorum %v present %d/%d", ms.Held, ms.Quorum, ms.MembersPresent, ms.Members)
	}
	req, offer := st.Assistance[0], st.Assistance[1]
	if req.Status != charter.StatusFullyPledged || req.Totals[0].Pledged != 100 || req.Totals[0].Delivered != 60 || req.Totals[1].Pledged != 2 {
		t.Errorf("request %s totals %+v", req.Status, req.Totals)
	}
	if req.FirstAnswer.IsZero() || offer.Status != charter.StatusFullyPledged || !offer.Accepted {
		t.Errorf("first answer %s offer %s", req.FirstAnswer, offer.Status)
	}
	if st.Consent.Status != ConsentGranted || len(st.Briefers) != 1 || len(st.Reports) != 3 || st.Reports[0].Audience != "members+observers" {
		t.Errorf("consent %s briefers %d reports %d", st.Consent.Status, len(st.Briefers), len(st.Reports))
	}
}
