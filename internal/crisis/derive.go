package crisis

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/kurultai/kurultai/internal/charter"
	"github.com/kurultai/kurultai/internal/kurultai"
)

// Situations returns the ids of the situations among recs, oldest first.
func Situations(recs []Record) []string {
	var sits []*Situation
	for _, r := range recs {
		if s, ok := r.(*Situation); ok && !slices.ContainsFunc(sits, func(x *Situation) bool { return x.ID == s.ID }) {
			sits = append(sits, s)
		}
	}
	slices.SortFunc(sits, func(a, b *Situation) int {
		return cmp.Or(a.Created.Compare(b.Created), cmp.Compare(a.ID, b.ID))
	})
	ids := make([]string, len(sits))
	for i, s := range sits {
		ids[i] = s.ID
	}
	return ids
}

// Derive computes the state of one situation at instant now from records
// (any order, any mix of situations; other situations' records are
// skipped). The same records in any order give the same state.
//
// Each record is checked as Act checks actions: its writer must hold the
// role it claims, the charter must let that role take the action, in the
// mode the situation was in when the record was created, and what it
// refers to must exist. Records that fail are listed in State.Ignored and
// do not count. A situation without its situation record is CodeNotFound.
func (m *Mechanism) Derive(situation string, recs []Record, now time.Time) (*State, error) {
	now = now.UTC()
	mine := m.select_(situation, recs)
	d := &deriver{m: m, now: now, st: &State{ID: situation, Now: now, records: map[string]Record{}},
		drafts: map[string]*Draft{}, pledges: map[string]*PledgeState{}}
	for _, r := range mine {
		if s, ok := r.(*Situation); ok && s.ID == situation {
			d.st.Situation = s
		}
	}
	if d.st.Situation == nil {
		return nil, kurultai.Errorf(kurultai.CodeNotFound, "situation %s not found", clip(situation))
	}
	for _, r := range mine {
		if t := r.Base().Modified; t.After(d.st.latest) {
			d.st.latest = t
		}
		if why := d.apply(r); why != "" {
			b := r.Base()
			d.st.Ignored = append(d.st.Ignored, Ignored{ID: b.ID, Version: b.Version, Kind: b.Kind, By: b.By, Reason: why})
		}
	}
	d.finish()
	return d.st, nil
}

// select_ returns the records of one situation in processing order: by
// time, then kind, id, version and content, so that any arrival order
// gives the same sequence. Of each record it keeps the newest version;
// of drafts, every version. A record whose newest version is revoked is
// dropped.
func (m *Mechanism) select_(situation string, recs []Record) []Record {
	byID := map[string][]Record{}
	for _, r := range recs {
		if r == nil {
			continue
		}
		b := r.Base()
		if b.Situation != situation {
			continue
		}
		byID[b.ID] = append(byID[b.ID], r)
	}
	var out []Record
	for _, vs := range byID {
		slices.SortFunc(vs, func(a, b Record) int {
			x, y := a.Base(), b.Base()
			return cmp.Or(cmp.Compare(x.VersionKey, y.VersionKey), cmp.Compare(x.digest, y.digest))
		})
		// One version string, one content: the first by digest wins.
		vs = slices.CompactFunc(vs, func(a, b Record) bool { return a.Base().VersionKey == b.Base().VersionKey })
		last := vs[len(vs)-1]
		if last.Base().Revoked {
			continue
		}
		if last.Base().Kind == charter.KindStatementDraft {
			out = append(out, vs...)
		} else {
			out = append(out, last)
		}
	}
	slices.SortFunc(out, func(a, b Record) int {
		x, y := a.Base(), b.Base()
		return cmp.Or(x.Modified.Compare(y.Modified), cmp.Compare(kindRank(x.Kind), kindRank(y.Kind)),
			cmp.Compare(x.ID, y.ID), cmp.Compare(x.VersionKey, y.VersionKey), cmp.Compare(x.digest, y.digest))
	})
	return out
}

func kindRank(k charter.RecordKind) int { return slices.Index(charter.RecordKinds, k) }

// deriver holds one derivation in progress.
type deriver struct {
	m       *Mechanism
	st      *State
	now     time.Time
	drafts  map[string]*Draft
	pledges map[string]*PledgeState
	finalAt time.Time // when the situation entered the final mode
}

// actionOf returns the action a record is the result of.
func (d *deriver) actionOf(r Record) charter.Action {
	switch r := r.(type) {
	case *Situation:
		return charter.ActRaiseAlert
	case *ModeChange:
		if r.ToMode == d.m.Charter.FinalMode() && d.m.Charter.RoleAllows(r.Role, charter.ActClose) {
			return charter.ActClose
		}
		return charter.ActChangeMode
	case *ConsultationRequest:
		return charter.ActRequestConsultation
	case *ConsentRequest:
		return charter.ActAskConsent
	case *ConsentAnswer:
		return charter.ActAnswerConsent
	case *Briefer:
		return charter.ActDesignateBriefer
	case *SituationReport:
		return charter.ActPostReport
	case *StatementDraft:
		return charter.ActDraftStatement
	case *Silence:
		return charter.ActOpenSilence
	case *SilenceBreak:
		return charter.ActBreakSilence
	case *SilenceExtension:
		return charter.ActExtendSilence
	case *Declaration:
		return charter.ActDeclare
	case *Meeting:
		return charter.ActConveneMeeting
	case *MeetingOutcome:
		return charter.ActRecordMeeting
	case *AssistanceRequest:
		if r.Message == charter.MsgOffer {
			return charter.ActOfferAssistance
		}
		return charter.ActRequestAssistance
	case *AssistanceResponse:
		switch r.Message {
		case charter.MsgPledge, charter.MsgNeedInfo:
			return charter.ActAnswerAssistance
		case charter.MsgDecline:
			if r.PledgeRef == "" && !d.isRecipient(r) {
				return charter.ActAnswerAssistance
			}
			return charter.ActAcceptAssistance
		case charter.MsgAccept:
			return charter.ActAcceptAssistance
		case charter.MsgDelivered:
			return charter.ActMarkDelivered
		case charter.MsgCancel:
			return charter.ActCancelAssistance
		case charter.MsgClose:
			return charter.ActCloseAssistance
		}
	}
	return ""
}

// isRecipient reports whether a response's writer is the recipient of the
// offer it answers.
func (d *deriver) isRecipient(r *AssistanceResponse) bool {
	as := d.st.AssistanceByID(r.RequestRef)
	return as != nil && as.Message == charter.MsgOffer && as.Recipient == r.By
}

// apply adds one record to the state, or returns why it does not count.
func (d *deriver) apply(r Record) string {
	b := r.Base()
	ch := d.m.Charter
	if !d.m.holds(b.By, b.Role, d.st.Affected()) {
		return fmt.Sprintf("%s does not hold the role %s it claims", b.By, b.Role)
	}
	act := d.actionOf(r)
	if !ch.RoleAllows(b.Role, act) {
		return fmt.Sprintf("charter roles: %s may not %s", b.Role, act)
	}
	if _, isSit := r.(*Situation); !isSit && d.st.Mode != "" && !ch.ModeAllows(d.st.Mode, act) {
		return fmt.Sprintf("charter modes.%s.actions: %s is not allowed in mode %s", d.st.Mode, act, d.st.Mode)
	}
	var why string
	switch r := r.(type) {
	case *Situation:
		why = d.situation(r)
	case *ModeChange:
		why = d.modeChange(r)
	case *ConsultationRequest:
		d.st.ConsultationRequests = append(d.st.ConsultationRequests, r)
	case *ConsentRequest:
		d.st.Consent.Request, d.st.Consent.Answers = r, nil
	case *ConsentAnswer:
		why = d.consentAnswer(r)
	case *Briefer:
		d.st.Briefers = append(d.st.Briefers, r)
	case *SituationReport:
		d.st.Reports = append(d.st.Reports, r)
	case *StatementDraft:
		why = d.draft(r)
	case *Silence:
		why = d.silence(r)
	case *SilenceBreak:
		why = d.silenceBreak(r)
	case *SilenceExtension:
		why = d.silenceExtension(r)
	case *Declaration:
		why = d.declaration(r)
	case *Meeting:
		d.st.Meetings = append(d.st.Meetings, &MeetingState{Meeting: r})
	case *MeetingOutcome:
		why = d.meetingOutcome(r)
	case *AssistanceRequest:
		why = d.assistanceRequest(r)
	case *AssistanceResponse:
		why = d.assistanceResponse(r)
	}
	if why == "" {
		d.st.records[b.ID] = r
	}
	return why
}

func (d *deriver) situation(r *Situation) string {
	if r.ID != d.st.ID {
		return "another situation"
	}
	d.st.CharterVersion = r.CharterVersion
	d.st.Mode = r.InitialMode
	if _, ok := d.m.Charter.Mode(r.InitialMode); !ok {
		d.st.Mode = d.m.Charter.Modes.Initial
	}
	return ""
}

func (d *deriver) modeChange(r *ModeChange) string {
	if r.FromMode != d.st.Mode {
		return fmt.Sprintf("moves from mode %s, but the situation was in mode %s", r.FromMode, d.st.Mode)
	}
	if !d.m.Charter.CanTransition(r.FromMode, r.ToMode) {
		return fmt.Sprintf("charter modes.%s.to: no transition to %s", r.FromMode, r.ToMode)
	}
	d.st.Mode = r.ToMode
	d.st.History = append(d.st.History, ModeEntry{From: r.FromMode, To: r.ToMode, At: r.Created, By: r.By, Role: r.Role, Reason: r.Reason, Record: r.ID})
	if r.ToMode == d.m.Charter.FinalMode() && d.finalAt.IsZero() {
		d.finalAt = r.Created
	}
	return ""
}

func (d *deriver) consentAnswer(r *ConsentAnswer) string {
	req := d.st.Consent.Request
	if req == nil || req.ID != r.RequestRef {
		return "answers a consent request that is not the latest"
	}
	for _, a := range d.st.Consent.Answers {
		if a.By == r.By {
			return fmt.Sprintf("%s already answered this consent request", r.By)
		}
	}
	d.st.Consent.Answers = append(d.st.Consent.Answers, r)
	return ""
}

func (d *deriver) draft(r *StatementDraft) string {
	dr, ok := d.drafts[r.ID]
	if !ok {
		dr = &Draft{ID: r.ID, By: r.By}
		d.drafts[r.ID] = dr
		d.st.Drafts = append(d.st.Drafts, dr)
	} else if dr.By != r.By {
		return fmt.Sprintf("a version of %s's draft written by %s", dr.By, r.By)
	}
	dr.Versions = append(dr.Versions, r)
	return ""
}

func (d *deriver) silence(r *Silence) string {
	dr := d.drafts[r.DraftRef]
	if dr == nil || dr.Version(r.DraftVersion) == nil {
		return fmt.Sprintf("draft %s version %s is not known", r.DraftRef, r.DraftVersion)
	}
	d.st.Silences = append(d.st.Silences, &SilenceState{Silence: r, Draft: dr.Version(r.DraftVersion), Expires: r.Expires.Time})
	return ""
}

func (d *deriver) silenceBreak(r *SilenceBreak) string {
	s := d.st.SilenceByID(r.SilenceRef)
	if s == nil {
		return fmt.Sprintf("silence procedure %s is not known", r.SilenceRef)
	}
	if r.DraftRef != s.DraftRef || r.DraftVersion != s.DraftVersion {
		return "refers to another text than the one under silence"
	}
	for _, b := range append(s.Breaks, s.Late...) {
		if b.By == r.By {
			return fmt.Sprintf("a second objection or amendment by %s to the same text", r.By)
		}
	}
	s.Breaks = append(s.Breaks, r) // finish sorts out the late ones
	return ""
}

func (d *deriver) silenceExtension(r *SilenceExtension) string {
	s := d.st.SilenceByID(r.SilenceRef)
	if s == nil {
		return fmt.Sprintf("silence procedure %s is not known", r.SilenceRef)
	}
	if len(s.Extensions) >= d.m.Charter.Decisions.Silence.MaxExtensions {
		return fmt.Sprintf("charter decisions.silence.max_extensions: only %d extension(s)", d.m.Charter.Decisions.Silence.MaxExtensions)
	}
	if !r.Created.Before(s.Expires) {
		return fmt.Sprintf("made after the expiry %s", timeStr(s.Expires))
	}
	if !r.Expires.After(s.Expires) {
		return "does not move the expiry later"
	}
	if s.Declaration != nil {
		return "made after the declaration"
	}
	s.Extensions = append(s.Extensions, r)
	s.Expires = r.Expires.Time
	return ""
}

func (d *deriver) declaration(r *Declaration) string {
	s := d.st.SilenceByID(r.SilenceRef)
	if s == nil {
		return fmt.Sprintf("silence procedure %s is not known", r.SilenceRef)
	}
	if s.Declaration != nil {
		return fmt.Sprintf("the chair already declared %s", s.Declaration.Outcome)
	}
	s.Declaration = r
	return ""
}

func (d *deriver) meetingOutcome(r *MeetingOutcome) string {
	ms := d.st.MeetingByID(r.MeetingRef)
	if ms == nil {
		return fmt.Sprintf("meeting %s is not known", r.MeetingRef)
	}
	if ms.Outcome != nil {
		return "the meeting's outcome is already recorded"
	}
	ms.Outcome = r
	return ""
}
