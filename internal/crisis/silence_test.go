package crisis

import (
	"slices"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// TestSilenceProcedure is the table of the silence procedure's cases.
func TestSilenceProcedure(t *testing.T) {
	tests := []struct {
		name string
		run  func(w *world, draft, silence string)
		// want: the procedure's status at the end, the counted breakers,
		// the late breakers.
		status      string
		brokenBy    []string
		late        []string
		wantAdopted bool
	}{
		{
			name: "unbroken is adopted at expiry",
			run: func(w *world, _, silence string) {
				w.refuse(chair, &Declare{Silence: silence, Outcome: Adopted}, kurultai.CodeConflict, "adoption can be declared only after expiry")
				w.advance(6*time.Hour + time.Second)
				if st := w.state().SilenceByID(silence).Status; st != SilenceExpired {
					w.t.Fatalf("at expiry the status is %s, want expired (awaiting declaration)", st)
				}
				if due := dueIDs(w.m.Due(w.state(), w.now)); !slices.Contains(due, "declare/"+silence) {
					w.t.Errorf("the chair is not asked to declare: %v", due)
				}
				res := w.do(chair, &Declare{Silence: silence, Outcome: Adopted})
				dec := res.Records[0].(*Declaration)
				if dec.Text != "The members express solidarity." || dec.Audience != kurultai.AudienceMembersObservers {
					w.t.Errorf("declaration text %q audience %q", dec.Text, dec.Audience)
				}
				if n := notesOf(res.Notifications, NoteStatementAdopted); !slices.Contains(recipientsOf(n), "HU") {
					w.t.Errorf("observers are not told of the adopted statement: %v", recipientsOf(n))
				}
			},
			status: SilenceAdopted, wantAdopted: true,
		},
		{
			name: "objection before expiry: not adopted, everyone told, redraft, meeting due",
			run: func(w *world, draft, silence string) {
				w.advance(2 * time.Hour)
				res := w.do(az, &BreakSilence{Silence: silence, Kind: Objection, Text: "The text must mention the casualties."})
				broken := notesOf(res.Notifications, NoteSilenceBroken)
				got := recipientsOf(broken)
				slices.Sort(got)
				if want := []string{"KG", "KZ", "SEC", "TR", "UZ"}; !slices.Equal(got, want) {
					w.t.Errorf("silence.broken went to %v, want every member but the objector and the secretariat %v", got, want)
				}
				for _, n := range broken {
					if n.Params["outcome"] != NotAdopted {
						w.t.Errorf("broken notification does not say not adopted: %v", n.Params)
					}
				}
				if r := recipientsOf(notesOf(res.Notifications, NoteRedraft)); !slices.Equal(r, []string{"SEC"}) {
					w.t.Errorf("redraft went to %v, want the drafter SEC", r)
				}
				mr := notesOf(res.Notifications, NoteMeetingRequired)
				if len(mr) != 1 || mr[0].To != "TR" || !mr[0].Due.Equal(w.now.Add(24*time.Hour)) {
					w.t.Errorf("meeting.required = %+v, want one to TR due in 24h", mr)
				}
				w.refuse(chair, &Declare{Silence: silence, Outcome: Adopted}, kurultai.CodeConflict, "silence was broken by AZ (objection")
				w.refuse(az, &BreakSilence{Silence: silence, Kind: Amendment, Text: "again"}, kurultai.CodeConflict, "AZ already broke silence")
				w.do(kg, &BreakSilence{Silence: silence, Kind: Amendment, Text: "Add: readiness to support."})
				st := w.state()
				var after *DeadlineStatus
				for i := range st.Deadlines {
					if st.Deadlines[i].Deadline == "meeting_after_break" {
						after = &st.Deadlines[i]
					}
				}
				if after == nil || after.Status != DuePending || !after.Due.Equal(w.now.Add(24*time.Hour)) {
					w.t.Errorf("meeting-after-break deadline = %+v", after)
				}
				w.do(chair, &Declare{Silence: silence, Outcome: NotAdopted, Reason: "silence broken"})
				w.advance(time.Minute)
				w.do(sec, &DraftStatement{Draft: draft, Title: "Statement, second draft", Text: "The members express solidarity and mourn the victims."})
				if d := w.state().Draft(draft); len(d.Versions) != 2 {
					w.t.Errorf("redraft: %d versions, want 2", len(d.Versions))
				}
			},
			status: SilenceNotAdopted, brokenBy: []string{"AZ", "KG"},
		},
		{
			name: "objection after expiry is refused; a late one from a peer is shown, not counted",
			run: func(w *world, _, silence string) {
				w.advance(time.Hour)
				early := w.do(uz, &BreakSilence{Silence: silence, Kind: Objection, Text: "placeholder"})
				w.recs = w.recs[:len(w.recs)-1] // keep only the forged late copy below
				w.advance(6 * time.Hour)
				w.refuse(az, &BreakSilence{Silence: silence, Kind: Objection, Text: "too late"}, kurultai.CodeConflict, "silence expired at")
				w.recs = append(w.recs, w.forge(early.Records[0], w.now.Add(-time.Minute)))
				w.do(chair, &Declare{Silence: silence, Outcome: Adopted})
			},
			status: SilenceAdopted, late: []string{"UZ"}, wantAdopted: true,
		},
		{
			name: "an observer cannot break silence",
			run: func(w *world, _, silence string) {
				w.refuse(hu, &BreakSilence{Silence: silence, Kind: Objection, Text: "no"}, kurultai.CodeForbidden, "charter roles: break_silence is for member")
				w.refuse(sec, &BreakSilence{Silence: silence, Kind: Objection, Text: "no"}, kurultai.CodeForbidden, "charter roles")
				// An observer's objection written by hand and replicated
				// is ignored too.
				real := w.do(kg, &BreakSilence{Silence: silence, Kind: Objection, Text: "x"}).Records[0].(*SilenceBreak)
				w.recs = w.recs[:len(w.recs)-1]
				real.By, real.Role = "HU", "member"
				w.recs = append(w.recs, w.forge(real, real.Created))
				st := w.state()
				if len(st.Ignored) != 1 || st.Ignored[0].By != "HU" {
					w.t.Errorf("forged observer objection not ignored: %+v", st.Ignored)
				}
				w.advance(6*time.Hour + time.Second)
				w.do(chair, &Declare{Silence: silence, Outcome: Adopted})
			},
			status: SilenceAdopted, wantAdopted: true,
		},
		{
			name: "one extension; a second is refused",
			run: func(w *world, _, silence string) {
				st := w.state().SilenceByID(silence)
				w.do(chair, &ExtendSilence{Silence: silence, Expires: st.Expires.Add(6 * time.Hour), Reason: "KZ asked for time"})
				w.refuse(chair, &ExtendSilence{Silence: silence, Expires: st.Expires.Add(12 * time.Hour)}, kurultai.CodeForbidden, "charter decisions.silence.max_extensions")
				w.advance(8 * time.Hour) // past the first expiry, before the extended one
				w.do(kg, &BreakSilence{Silence: silence, Kind: Amendment, Text: "Add a paragraph."})
			},
			status: SilenceBroken, brokenBy: []string{"KG"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			w.consult()
			draft, silence := w.draftUnderSilence()
			tt.run(w, draft, silence)
			st := w.state()
			s := st.SilenceByID(silence)
			if s.Status != tt.status {
				t.Errorf("status %s, want %s", s.Status, tt.status)
			}
			if got := s.BrokenBy(); !slices.Equal(got, tt.brokenBy) {
				t.Errorf("broken by %v, want %v", got, tt.brokenBy)
			}
			var late []string
			for _, b := range s.Late {
				late = append(late, b.By)
			}
			if !slices.Equal(late, tt.late) {
				t.Errorf("late %v, want %v", late, tt.late)
			}
			adopted := slices.ContainsFunc(st.Events, func(e Event) bool { return e.Name == "statement.adopted" })
			if adopted != tt.wantAdopted {
				t.Errorf("statement.adopted event %v, want %v", adopted, tt.wantAdopted)
			}
		})
	}
}

func TestSilenceExpiryRules(t *testing.T) {
	w := newWorld(t)
	w.consult()
	d := w.do(sec, &DraftStatement{Title: "T", Text: "x"})
	tooSoon := w.now.Add(3 * time.Hour)
	w.refuse(chair, &OpenSilence{Draft: id(d), Urgency: Urgent, Expires: &tooSoon}, kurultai.CodeInvalid, "charter decisions.silence.minimum")
	w.refuse(chair, &OpenSilence{Draft: id(d), Urgency: "soon"}, kurultai.CodeInvalid, "urgency")
	w.refuse(kz, &OpenSilence{Draft: id(d), Urgency: Urgent}, kurultai.CodeForbidden, "charter roles: open_silence is for chair")
	exact := w.now.Add(30*time.Hour + 15*time.Minute)
	s := w.do(chair, &OpenSilence{Draft: id(d), Urgency: Normal, Expires: &exact}).Records[0].(*Silence)
	if !s.Expires.Equal(exact) {
		t.Errorf("expiry %s, want the exact %s", s.Expires, exact)
	}
	w.refuse(chair, &OpenSilence{Draft: id(d), Urgency: Urgent}, kurultai.CodeConflict, "already under silence")
	w.refuse(tr, &DraftStatement{Draft: id(d), Title: "T", Text: "y"}, kurultai.CodeForbidden, "charter roles")
	w.refuse(chair, &DraftStatement{Draft: id(d), Title: "T", Text: "y"}, kurultai.CodeForbidden, "only SEC, who wrote draft")
	if got := w.state().SilenceByID(s.ID).Status; got != SilenceOpen {
		t.Errorf("status %s, want open", got)
	}
}

// TestRedraftNotificationIDs checks that a new version of a draft is
// announced under an id of its own: publishers send each id once, so a
// shared id would swallow the news of the new text.
func TestRedraftNotificationIDs(t *testing.T) {
	w := newWorld(t)
	w.advance(time.Hour)
	v1 := w.do(sec, &DraftStatement{Title: "Statement", Text: "v1"})
	draft := v1.Records[0].Base().ID
	w.advance(time.Hour)
	v2 := w.do(sec, &DraftStatement{Draft: draft, Title: "Statement", Text: "v2"})
	if got := v2.Records[0].Base().ID; got != draft {
		t.Fatalf("the redraft is %s, want a new version of %s", got, draft)
	}
	first, second := notesOf(v1.Notifications, NoteStatementDrafted), notesOf(v2.Notifications, NoteStatementDrafted)
	if len(first) == 0 || len(second) == 0 {
		t.Fatalf("drafted notifications: %d for v1, %d for v2", len(first), len(second))
	}
	seen := map[string]bool{}
	for _, n := range first {
		seen[n.ID] = true
	}
	for _, n := range second {
		if seen[n.ID] {
			t.Errorf("v2 repeats the notification id %s of v1", n.ID)
		}
	}
}
