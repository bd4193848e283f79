package crisis

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
)

func find(t *testing.T, st *State, id string) DeadlineStatus {
	t.Helper()
	for _, d := range st.Deadlines {
		if d.ID == id {
			return d
		}
	}
	t.Fatalf("no deadline %s in %v", id, deadlineIDs(st))
	return DeadlineStatus{}
}

func deadlineIDs(st *State) []string {
	var out []string
	for _, d := range st.Deadlines {
		out = append(out, d.ID+"="+d.Status)
	}
	return out
}

func dueIDs(ns []Notification) []string {
	var out []string
	for _, n := range ns {
		out = append(out, n.ID)
	}
	return out
}

// TestDeadlinesAndReminders walks one situation through the consultation
// deadline with the fake clock: reminders at 50% and 90%, then the
// overdue digest to the chair, then met late.
func TestDeadlinesAndReminders(t *testing.T) {
	w := newWorld(t)
	at := func(d time.Duration) []Notification {
		w.now = t0.Add(d)
		return w.m.Due(w.state(), w.now)
	}
	remind50 := "remind/" + w.sit + "/consultation/50%/TR"
	remind90 := "remind/" + w.sit + "/consultation/90%/TR"

	if got := at(5 * time.Hour); slices.ContainsFunc(got, func(n Notification) bool { return strings.Contains(n.ID, "/consultation/") }) {
		t.Errorf("a consultation reminder before 50%%: %v", dueIDs(got))
	}
	got := at(6 * time.Hour)
	if !slices.Contains(dueIDs(got), remind50) {
		t.Fatalf("at 50%% no %s in %v", remind50, dueIDs(got))
	}
	for _, n := range got {
		if n.ID == remind50 && (n.Role != "chair" || n.Kind != NoteReminder || !n.Due.Equal(t0.Add(12*time.Hour))) {
			t.Errorf("reminder %+v", n)
		}
		if n.To == "HU" {
			t.Errorf("an observer is reminded of a members-only situation: %+v", n)
		}
	}
	if got := at(11 * time.Hour); !slices.Contains(dueIDs(got), remind90) || slices.Contains(dueIDs(got), remind50) {
		t.Errorf("at 11h: want only the 90%% reminder, got %v", dueIDs(got))
	}
	if st := w.state(); find(t, st, "consultation").Status != DuePending {
		t.Errorf("before due: %s", find(t, st, "consultation").Status)
	}

	got = at(12*time.Hour + time.Second)
	var digest *Notification
	for i, n := range got {
		if n.Kind == NoteOverdue {
			digest = &got[i]
		}
		if strings.Contains(n.ID, "/consultation/") {
			t.Errorf("a reminder after due: %s", n.ID)
		}
	}
	if digest == nil || digest.To != "TR" || digest.Role != "chair" || !strings.Contains(digest.Params["deadlines"], "consultation") {
		t.Fatalf("overdue digest = %+v", digest)
	}
	again := at(12*time.Hour + time.Minute)
	if !slices.Contains(dueIDs(again), digest.ID) {
		t.Errorf("the digest id changed without a new overdue item: %v", dueIDs(again))
	}

	w.now = t0.Add(13 * time.Hour)
	w.do(chair, &ChangeMode{To: "consultation"})
	st := w.state()
	c := find(t, st, "consultation")
	if c.Status != DueMissed || !c.MetAt.Equal(w.now.Add(time.Microsecond)) && !c.MetAt.Equal(w.now) {
		t.Errorf("consultation opened late: %+v", c)
	}
	som := find(t, st, "senior_officials")
	if som.Status != DuePending || !som.Due.Equal(c.MetAt.Add(24*time.Hour)) {
		t.Errorf("senior officials deadline: %+v", som)
	}
	for _, n := range w.m.Due(st, w.now) {
		if n.Kind == NoteOverdue && strings.Contains(n.Params["deadlines"], "consultation,") {
			t.Errorf("a deadline met late is still in the overdue digest: %v", n.Params)
		}
	}
	if st.Score.Missed == 0 || st.Score.Share >= 1 {
		t.Errorf("score %+v", st.Score)
	}
}

// script is one action at an offset from onset; save, if set, receives
// the id of the record it creates.
type script struct {
	at   time.Duration
	p    kurultai.Principal
	a    func() Action
	save *string
}

// compliant is a run that meets every deadline of the default charter.
func compliant() []script {
	h := time.Hour
	members := []string{"AZ", "KZ", "KG", "TR", "UZ"}
	var draft, silence, som, fm, request string
	s := []script{
		{3 * h, kz, func() Action { return &RequestConsultation{Reason: "unrest"} }, nil},
		{4 * h, chair, func() Action { return &ChangeMode{To: "consultation"} }, nil},
		{4*h + time.Minute, sec, func() Action { return &AskConsent{} }, nil},
		{5 * h, kz, func() Action { return &AnswerConsent{Answer: ConsentGranted} }, nil},
		{5*h + time.Minute, kz, func() Action { return &DesignateBriefer{Briefer: "Ministry of Foreign Affairs, crisis unit"} }, nil},
		{6*h + time.Minute, sec, func() Action { return &DraftStatement{Title: "Statement", Text: "Solidarity."} }, &draft},
		{7 * h, chair, func() Action { return &OpenSilence{Draft: draft, Urgency: Urgent} }, &silence},
		{13*h + time.Minute, chair, func() Action { return &Declare{Silence: silence, Outcome: Adopted} }, nil},
		{14 * h, chair, func() Action {
			return &ConveneMeeting{Level: "senior_officials", Start: t0.Add(20 * h), Invitees: members, Agenda: "situation"}
		}, &som},
		{21 * h, sec, func() Action {
			return &RecordMeeting{Meeting: som, Held: true, Present: []string{"AZ", "KZ", "TR", "UZ"}, Outcome: "briefed"}
		}, nil},
		{22 * h, chair, func() Action { return &ChangeMode{To: "activation"} }, nil},
		{23 * h, chair, func() Action {
			return &ConveneMeeting{Level: "foreign_ministers", Start: t0.Add(60 * h), Invitees: append([]string{"HU", "TM"}, members...), Agenda: "extraordinary meeting", Format: "videoconference"}
		}, &fm},
		{30 * h, kz, func() Action { return &RequestAssistance{Items: []Item{{Item: "medical teams", Quantity: 3}}} }, &request},
		{40 * h, az, func() Action {
			return &AnswerAssistance{Request: request, Message: "pledge", Items: []Item{{Item: "medical teams", Quantity: 3}}}
		}, nil},
		{61 * h, chair, func() Action {
			return &RecordMeeting{Meeting: fm, Held: true, Present: []string{"AZ", "KZ", "KG", "TR", "UZ", "HU"}, Outcome: "joint statement"}
		}, nil},
		{100 * h, chair, func() Action { return &ChangeMode{To: "stand_down"} }, nil},
	}
	for _, r := range []time.Duration{6, 17, 29, 41, 53, 65, 77, 89, 97} {
		s = append(s, script{r * h, kz, func() Action { return &PostReport{Text: "report"} }, nil})
	}
	slices.SortStableFunc(s, func(a, b script) int { return int(a.at - b.at) })
	return s
}

// play runs the script, asking the clock at each poll instant; poll
// returns the next instant to poll after now. It returns the first time
// each notification id was owed.
func play(t *testing.T, poll func(w *world, st *State) time.Time) (map[string]time.Time, *State) {
	t.Helper()
	w := newWorld(t)
	seen := map[string]time.Time{}
	steps := compliant()
	end := t0.Add(10 * 24 * time.Hour)
	for w.now.Before(end) {
		for len(steps) > 0 && !t0.Add(steps[0].at).After(w.now) {
			s := steps[0]
			steps = steps[1:]
			res := w.do(s.p, s.a())
			if s.save != nil {
				*s.save = id(res)
			}
		}
		st := w.state()
		for _, n := range w.m.Due(st, w.now) {
			if n.At.After(w.now) {
				t.Fatalf("%s owed at %s before its time %s", n.ID, w.now, n.At)
			}
			if _, ok := seen[n.ID]; !ok {
				seen[n.ID] = w.now
			}
		}
		next := poll(w, st)
		if len(steps) > 0 && t0.Add(steps[0].at).Before(next) {
			next = t0.Add(steps[0].at)
		}
		if !next.After(w.now) {
			t.Fatalf("poll does not advance: %s", next)
		}
		w.now = next
	}
	return seen, w.state()
}

// TestReplayCompliantRun plays ten days in milliseconds: a run that keeps
// every deadline meets them all, and asking the clock only when Next says
// gives exactly the notifications that polling every quarter hour gives.
func TestReplayCompliantRun(t *testing.T) {
	quarter, st := play(t, func(w *world, _ *State) time.Time { return w.now.Add(15 * time.Minute) })
	if st.Score.Missed != 0 || st.Score.Pending != 0 || st.Score.Met == 0 || st.Score.Share != 1 {
		t.Errorf("compliant run scored %+v: %v", st.Score, deadlineIDs(st))
	}
	for _, k := range st.KPIs {
		if !k.Reached {
			t.Errorf("KPI %s not reached", k.ID)
		}
	}
	if k := st.KPIs[0]; k.ID != "consultation" || k.Elapsed != 4*time.Hour+time.Microsecond && k.Elapsed != 4*time.Hour {
		t.Errorf("KPI consultation = %+v", k)
	}
	if k := st.KPIs[2]; k.ID != "ministerial" || k.Elapsed != 60*time.Hour {
		t.Errorf("KPI ministerial = %+v, want 60h (the meeting's start)", k)
	}
	for id := range quarter {
		if strings.HasPrefix(id, "overdue/") {
			t.Errorf("a compliant run got an overdue digest: %s", id)
		}
	}
	if len(quarter) == 0 {
		t.Fatal("no reminders at all")
	}
	byNext, _ := play(t, func(w *world, st *State) time.Time {
		if n := w.m.Next(st, w.now); !n.IsZero() {
			return n
		}
		return t0.Add(10 * 24 * time.Hour)
	})
	if a, b := slices.Sorted(maps.Keys(quarter)), slices.Sorted(maps.Keys(byNext)); !slices.Equal(a, b) {
		t.Errorf("polling at Next gives other notifications than polling every 15 minutes:\n%v\n%v", a, b)
	}
}
