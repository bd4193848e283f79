package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/crisis"
)

// scenario raises a situation about KZ and takes it to a draft under
// silence, so that every page has something to show.
type scenario struct {
	w                  *world
	sit, draft, silent string
}

func newScenario(t *testing.T) *scenario {
	t.Helper()
	w := newWorld(t)
	now := w.clock.Now()
	sit := w.act("sec-officer", "", &crisis.RaiseAlert{Title: "Unrest in Zhanaozen", Onset: now.Add(-6 * time.Hour), Affected: []string{"KZ"}, Summary: "Protests over fuel prices."})
	w.clock.Advance(time.Minute)
	w.act("kz-liaison", sit, &crisis.RequestConsultation{Reason: "Violence is spreading."})
	w.act("tr-chair", sit, &crisis.ChangeMode{To: "consultation", Reason: "Kazakhstan asked."})
	w.act("tr-chair", sit, &crisis.AskConsent{})
	w.act("kz-liaison", sit, &crisis.AnswerConsent{Answer: crisis.ConsentGranted})
	w.act("sec-officer", sit, &crisis.DraftStatement{Title: "Solidarity with Kazakhstan", Text: "The members express their solidarity."})
	st, err := w.svc.Situation(w.ctx, w.users["sec-officer"], sit, w.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	draft := st.Drafts[0].ID
	w.act("sec-officer", sit, &crisis.DraftStatement{Draft: draft, Title: "Solidarity with Kazakhstan", Text: "The members express their full solidarity and readiness to help."})
	w.act("tr-chair", sit, &crisis.OpenSilence{Draft: draft, Urgency: crisis.Urgent})
	st, err = w.svc.Situation(w.ctx, w.users["tr-chair"], sit, w.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return &scenario{w: w, sit: sit, draft: draft, silent: st.Silences[0].ID}
}

func TestDeskShowsSituationToMembers(t *testing.T) {
	s := newScenario(t)
	for _, tc := range []struct {
		user string
		see  bool
	}{
		{"kz-liaison", true}, {"uz-liaison", true}, {"tr-chair", true}, {"sec-officer", true},
		{"hu-liaison", false}, {"tm-liaison", false},
		{"admin", true}, // an administrator of the secretariat reads what it may
	} {
		t.Run(tc.user, func(t *testing.T) {
			c := s.w.login(tc.user)
			status, text, raw := c.getText("/")
			if status != http.StatusOK {
				t.Fatalf("GET /: %d\n%s", status, text)
			}
			if got := strings.Contains(text, "Unrest in Zhanaozen"); got != tc.see {
				t.Errorf("desk shows the situation: %v, want %v\n%s", got, tc.see, text)
			}
			if got := strings.Contains(raw, s.sit); got != tc.see {
				t.Errorf("desk names the situation's id: %v, want %v", got, tc.see)
			}
		})
	}
}

func TestStatementPage(t *testing.T) {
	s := newScenario(t)
	page := "/situations/" + s.sit + "/statements/" + s.draft
	uz := s.w.login("uz-liaison")
	status, text, _ := uz.getText(page)
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d\n%s", page, status, text)
	}
	for _, want := range []string{"Solidarity with Kazakhstan", "full solidarity", "Break silence"} {
		if !strings.Contains(text, want) {
			t.Errorf("statement page lacks %q\n%s", want, text)
		}
	}
	resp := uz.postPage(page, "/situations/"+s.sit+"/actions/break_silence", url.Values{"silence": {s.silent}, "kind": {"objection"}, "text": {"Paragraph 2 goes too far."}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("break silence: %d", resp.StatusCode)
	}
	_, text, _ = s.w.login("kz-liaison").getText(page)
	if !strings.Contains(text, "objected") || !strings.Contains(text, "Paragraph 2 goes too far.") {
		t.Errorf("KZ does not see UZ's objection\n%s", text)
	}
	status, _, _ = s.w.login("hu-liaison").getText(page)
	if status != http.StatusNotFound {
		t.Errorf("observer GET statement: %d, want 404", status)
	}
}
