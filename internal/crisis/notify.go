package crisis

import (
	"maps"
	"slices"
	"time"

	"github.com/kurultai/kurultai/internal/charter"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/stix"
)

// Notification is one message for one participant. Its ID is stable: the
// same event always yields the same id, so a caller that publishes each id
// once never sends a message twice. Params hold names, ids and times,
// never a record's text; the text is looked up by Kind.
type Notification struct {
	ID        string
	Situation string
	Kind      string // the text key, e.g. "silence.broken"
	To        string // participant code
	// Role, if set, narrows the message to that participant's users
	// acting in the role (chair: the chair's users only).
	Role   charter.Role
	Params map[string]string
	Due    time.Time // the due time it concerns, if any
	At     time.Time // when it became due to send
}

// The notification kinds.
const (
	NoteAlertRaised           = "alert.raised"
	NoteModeChanged           = "mode.changed"
	NoteConsultationRequested = "consultation.requested"
	NoteConsentAsked          = "consent.asked"
	NoteConsentAnswered       = "consent.answered"
	NoteBrieferDesignated     = "briefer.designated"
	NoteReportPosted          = "report.posted"
	NoteStatementDrafted      = "statement.drafted"
	NoteSilenceOpened         = "silence.opened"
	NoteSilenceBroken         = "silence.broken" // the text is not adopted
	NoteRedraft               = "statement.redraft"
	NoteMeetingRequired       = "meeting.required"
	NoteSilenceExtended       = "silence.extended"
	NoteStatementAdopted      = "statement.adopted"
	NoteStatementNotAdopted   = "statement.not_adopted"
	NoteMeetingConvened       = "meeting.convened"
	NoteMeetingRecorded       = "meeting.recorded"
	NoteAssistanceRequested   = "assistance.requested"
	NoteAssistanceOffered     = "assistance.offered"
	NoteAssistanceMessage     = "assistance.message"
	NoteSilenceExpired        = "silence.expired" // unbroken: the chair may declare adoption
	NoteConsentTimedOut       = "consent.timed_out"
	NoteReminder              = "deadline.reminder"
	NoteOverdue               = "deadline.overdue" // the digest to the chair
)

// Announce returns the notifications for newly stored records of a
// situation (st is the state before them; nil for a new situation). Each
// goes only to participants in the record's audience, never to its
// writer. Use it for records that arrive by replication too.
func (m *Mechanism) Announce(st *State, recs []Record) []Notification {
	var out []Notification
	affected := func() []string {
		if st != nil {
			return st.Affected()
		}
		return nil
	}
	for _, rec := range recs {
		b := rec.Base()
		// A record's later versions (a redrafted statement, a moved
		// meeting) are events of their own: their ids carry the version,
		// so a publisher that sends each id once does not drop them. The
		// first version keeps the bare id.
		event := b.ID
		if !b.Modified.Equal(b.Created) && b.Version != "" {
			event += "@" + b.Version
		}
		send := func(kind string, to []string, role charter.Role, due time.Time, params map[string]string) {
			for _, code := range to {
				if code == b.By || !m.inAudience(code, b.Audience) {
					continue
				}
				p := maps.Clone(params)
				if p == nil {
					p = map[string]string{}
				}
				p["by"], p["record"] = b.By, b.ID
				out = append(out, Notification{
					ID: event + "/" + kind + "/" + code, Situation: b.Situation, Kind: kind, To: code, Role: role,
					Params: p, Due: due, At: b.Created,
				})
			}
		}
		everyone := m.recipients(charter.RoleAll, nil)
		chair := []string{m.Charter.Chair.Participant}
		switch r := rec.(type) {
		case *Situation:
			send(NoteAlertRaised, everyone, "", time.Time{}, map[string]string{"title": r.Title, "onset": stix.FormatTime(r.Onset.Time), "affected": joinCodes(r.Affected)})
		case *ModeChange:
			send(NoteModeChanged, everyone, "", time.Time{}, map[string]string{"from": r.FromMode, "to": r.ToMode})
		case *ConsultationRequest:
			send(NoteConsultationRequested, chair, charter.RoleChair, time.Time{}, nil)
		case *ConsentRequest:
			send(NoteConsentAsked, affected(), "", r.Expires.Time, map[string]string{"expires": stix.FormatTime(r.Expires.Time)})
		case *ConsentAnswer:
			send(NoteConsentAnswered, append(chair, m.Charter.Codes(kurultai.KindSecretariat)...), "", time.Time{}, map[string]string{"answer": r.Answer})
		case *Briefer:
			send(NoteBrieferDesignated, everyone, "", time.Time{}, map[string]string{"briefer": r.Briefer})
		case *SituationReport:
			send(NoteReportPosted, everyone, "", time.Time{}, map[string]string{"title": r.Title})
		case *StatementDraft:
			send(NoteStatementDrafted, chair, charter.RoleChair, time.Time{}, map[string]string{"title": r.Title, "version": r.Version})
		case *Silence:
			send(NoteSilenceOpened, m.Charter.Codes(kurultai.KindMember), "", r.Expires.Time, map[string]string{"draft": r.DraftRef, "expires": stix.FormatTime(r.Expires.Time), "urgency": r.Urgency})
		case *SilenceBreak:
			who := everyone
			if m.Charter.Decisions.Silence.OnBreak.Notify == "members" {
				who = append(m.Charter.Codes(kurultai.KindMember), m.Charter.Codes(kurultai.KindSecretariat)...)
			}
			params := func() map[string]string {
				return map[string]string{"silence": r.SilenceRef, "draft": r.DraftRef, "kind": r.BreakKind, "outcome": NotAdopted}
			}
			send(NoteSilenceBroken, who, "", time.Time{}, params())
			if st != nil {
				if d := st.Draft(r.DraftRef); d != nil {
					send(NoteRedraft, []string{d.By}, "", time.Time{}, params())
				}
			}
			if w := m.Charter.Decisions.Silence.OnBreak.MeetingWithin.D(); w > 0 {
				send(NoteMeetingRequired, chair, charter.RoleChair, r.Created.Add(w), params())
			}
		case *SilenceExtension:
			send(NoteSilenceExtended, m.Charter.Codes(kurultai.KindMember), "", r.Expires.Time, map[string]string{"silence": r.SilenceRef, "expires": stix.FormatTime(r.Expires.Time)})
		case *Declaration:
			kind := NoteStatementAdopted
			if r.Outcome == NotAdopted {
				kind = NoteStatementNotAdopted
			}
			send(kind, everyone, "", time.Time{}, map[string]string{"silence": r.SilenceRef, "title": r.Title})
		case *Meeting:
			send(NoteMeetingConvened, r.Invitees, "", r.Start.Time, map[string]string{"level": r.Level, "start": stix.FormatTime(r.Start.Time)})
		case *MeetingOutcome:
			var inv []string
			if st != nil {
				if ms := st.MeetingByID(r.MeetingRef); ms != nil {
					inv = ms.Invitees
				}
			}
			send(NoteMeetingRecorded, inv, "", time.Time{}, map[string]string{"meeting": r.MeetingRef})
		case *AssistanceRequest:
			if r.Message == charter.MsgOffer {
				send(NoteAssistanceOffered, []string{r.Recipient}, "", time.Time{}, nil)
			} else {
				send(NoteAssistanceRequested, m.Charter.Codes(kurultai.KindMember), "", time.Time{}, nil)
			}
		case *AssistanceResponse:
			send(NoteAssistanceMessage, m.assistanceParties(st, r), "", time.Time{}, map[string]string{"message": r.Message, "request": r.RequestRef})
		}
	}
	return out
}

// assistanceParties returns who a message about a request concerns: the
// requester (or offer's recipient) and the pledging members.
func (m *Mechanism) assistanceParties(st *State, r *AssistanceResponse) []string {
	if st == nil {
		return nil
	}
	as := st.AssistanceByID(r.RequestRef)
	if as == nil {
		return nil
	}
	who := []string{as.By}
	if as.Recipient != "" {
		who = append(who, as.Recipient)
	}
	for _, p := range as.Pledges {
		if !slices.Contains(who, p.By) {
			who = append(who, p.By)
		}
	}
	return who
}
