package crisis

import (
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// TestConsentGate covers the affected state's consent: asked, answered,
// refused, timed out, and what each allows.
func TestConsentGate(t *testing.T) {
	allMembers := []string{"AZ", "KZ", "KG", "TR", "UZ"}
	withObserver := append([]string{"HU", "SEC"}, allMembers...)
	tests := []struct {
		name string
		// setup runs after consultation opened; the gate is then tested.
		setup      func(w *world)
		status     string
		path       string
		observerOK bool   // a meeting may invite HU
		release    string // what an adopted public draft would be released to
	}{
		{
			name:   "unasked: gated actions wait",
			setup:  func(w *world) {},
			status: ConsentUnasked, path: PathWait,
		},
		{
			name: "asked, pending: gated actions wait",
			setup: func(w *world) {
				w.do(chair, &AskConsent{})
				w.advance(11 * time.Hour)
			},
			status: ConsentPending, path: PathWait,
		},
		{
			name: "granted",
			setup: func(w *world) {
				w.do(sec, &AskConsent{})
				w.advance(time.Hour)
				w.do(kz, &AnswerConsent{Answer: ConsentGranted})
				w.refuse(kz, &AnswerConsent{Answer: ConsentRefused}, kurultai.CodeConflict, "already answered")
			},
			status: ConsentGranted, path: PathNormal, observerOK: true, release: kurultai.AudiencePublic,
		},
		{
			name: "refused: members only",
			setup: func(w *world) {
				w.do(sec, &AskConsent{})
				w.do(kz, &AnswerConsent{Answer: ConsentRefused, Note: "Kazakhstan asks for time"})
			},
			status: ConsentRefused, path: PathMembersOnly, release: kurultai.AudienceMembers,
		},
		{
			name: "timeout: members only",
			setup: func(w *world) {
				w.do(sec, &AskConsent{})
				w.advance(12*time.Hour + time.Second)
			},
			status: ConsentTimedOut, path: PathMembersOnly, release: kurultai.AudienceMembers,
		},
		{
			name: "late grant after timeout restores the normal path",
			setup: func(w *world) {
				w.do(sec, &AskConsent{})
				w.advance(13 * time.Hour)
				w.do(kz, &AnswerConsent{Answer: ConsentGranted})
			},
			status: ConsentGranted, path: PathNormal, observerOK: true, release: kurultai.AudiencePublic,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			w.do(chair, &ChangeMode{To: "consultation"})
			w.refuse(az, &AnswerConsent{Answer: ConsentGranted}, kurultai.CodeForbidden, "charter roles: answer_consent is for affected")
			tt.setup(w)
			st := w.state()
			if st.Consent.Status != tt.status || st.Consent.Path != tt.path {
				t.Fatalf("consent %s/%s, want %s/%s", st.Consent.Status, st.Consent.Path, tt.status, tt.path)
			}
			told := recipientsOf(notesOf(w.m.Due(st, w.now), NoteConsentTimedOut))
			if want := tt.status == ConsentTimedOut; want != (len(told) == 2) {
				t.Errorf("consent timeout told to %v", told)
			}
			start := w.now.Add(24 * time.Hour)
			d := w.do(sec, &DraftStatement{Title: "Statement", Text: "Solidarity.", Release: kurultai.AudiencePublic})
			if tt.path == PathWait {
				w.refuse(chair, &ConveneMeeting{Level: "senior_officials", Start: start, Invitees: allMembers, Agenda: "x"}, kurultai.CodeForbidden, "charter consent.gated")
				w.refuse(chair, &OpenSilence{Draft: id(d), Urgency: Urgent}, kurultai.CodeForbidden, "charter consent.gated")
				return
			}
			if tt.observerOK {
				w.do(chair, &ConveneMeeting{Level: "foreign_ministers", Start: start, Invitees: withObserver, Agenda: "x", Format: "videoconference"})
			} else {
				w.refuse(chair, &ConveneMeeting{Level: "foreign_ministers", Start: start, Invitees: withObserver, Agenda: "x"}, kurultai.CodeForbidden, "observer HU cannot be invited")
				w.do(chair, &ConveneMeeting{Level: "foreign_ministers", Start: start, Invitees: allMembers, Agenda: "x"})
			}
			s := w.do(chair, &OpenSilence{Draft: id(d), Urgency: Urgent}).Records[0].(*Silence)
			if s.Release != tt.release {
				t.Errorf("silence release %s, want %s", s.Release, tt.release)
			}
		})
	}
}

func TestConsentHaltPath(t *testing.T) {
	w := newWorld(t)
	ch := *w.m.Charter
	ch.Consent.OnRefusal = "halt"
	w.m = New(&ch, SequentialIDs(t.Name()+"/halt"))
	w.do(chair, &ChangeMode{To: "consultation"})
	w.do(sec, &AskConsent{})
	w.do(kz, &AnswerConsent{Answer: ConsentRefused})
	w.refuse(chair, &ConveneMeeting{Level: "senior_officials", Start: w.now.Add(time.Hour), Invitees: []string{"AZ", "KZ", "KG", "TR", "UZ"}, Agenda: "x"},
		kurultai.CodeForbidden, "charter consent.on_refusal")
	// Asking again opens a new request, which the affected state may
	// grant.
	w.do(sec, &AskConsent{Note: "second request"})
	if st := w.state(); st.Consent.Status != ConsentPending {
		t.Errorf("after asking again: %s, want pending", st.Consent.Status)
	}
	w.do(kz, &AnswerConsent{Answer: ConsentGranted})
	w.do(chair, &ConveneMeeting{Level: "senior_officials", Start: w.now.Add(time.Hour), Invitees: []string{"AZ", "KZ", "KG", "TR", "UZ"}, Agenda: "x"})
}
