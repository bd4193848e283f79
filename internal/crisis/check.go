package crisis

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kurultai/kurultai/internal/charter"
	"github.com/kurultai/kurultai/internal/kurultai"
)

// Limits on record fields.
const (
	maxTitle = 300
	maxText  = 64 << 10
	maxItems = 100
)

func checkText(field, s string, required bool, max int) error {
	switch {
	case required && strings.TrimSpace(s) == "":
		return kurultai.FieldError(field, "required")
	case len(s) > max:
		return kurultai.FieldError(field, "longer than %d bytes", max)
	}
	return nil
}

func checkItems(field string, items []Item, required bool) error {
	if required && len(items) == 0 {
		return kurultai.FieldError(field, "at least one item is required")
	}
	if len(items) > maxItems {
		return kurultai.FieldError(field, "more than %d items", maxItems)
	}
	for i, it := range items {
		f := fmt.Sprintf("%s[%d]", field, i)
		if err := checkText(f+".item", it.Item, true, maxTitle); err != nil {
			return err
		}
		if it.Quantity < 1 || it.Quantity > 1e12 {
			return kurultai.FieldError(f+".quantity", "must be a whole number from 1 to 10^12")
		}
		if err := checkText(f+".unit", it.Unit, false, maxTitle); err != nil {
			return err
		}
	}
	return nil
}

// audienceValid reports whether a is a keyword or a participant code.
func (m *Mechanism) audienceValid(a string) bool {
	switch a {
	case kurultai.AudienceMembers, kurultai.AudienceMembersObservers, kurultai.AudiencePublic:
		return true
	}
	_, ok := m.Charter.Participant(a)
	return ok && a != ""
}

func oneOf(field, s string, allowed ...string) error {
	if !slices.Contains(allowed, s) {
		return kurultai.FieldError(field, "%q is not one of %s", clip(s), strings.Join(allowed, ", "))
	}
	return nil
}

// check validates a record's own fields (references to other records are
// checked when the state is derived).
func (m *Mechanism) check(rec Record) error {
	ch := m.Charter
	switch r := rec.(type) {
	case *Situation:
		if err := checkText("title", r.Title, true, maxTitle); err != nil {
			return err
		}
		if r.Onset.IsZero() {
			return kurultai.FieldError("onset", "required")
		}
		if len(r.Affected) == 0 {
			return kurultai.FieldError("affected", "at least one affected member is required")
		}
		for i, c := range r.Affected {
			if p, ok := ch.Participant(c); !ok || p.Kind != kurultai.KindMember || slices.Index(r.Affected, c) < i {
				return kurultai.FieldError(fmt.Sprintf("affected[%d]", i), "%q is not a member of charter %s (or is repeated)", clip(c), ch.Version)
			}
		}
		if r.InitialMode == "" {
			return kurultai.FieldError("initial_mode", "required")
		}
		return checkText("summary", r.Summary, false, maxText)
	case *ModeChange:
		if r.FromMode == "" || r.ToMode == "" {
			return kurultai.FieldError("to_mode", "from_mode and to_mode are required")
		}
		return checkText("reason", r.Reason, false, maxText)
	case *ConsultationRequest:
		return checkText("reason", r.Reason, false, maxText)
	case *ConsentRequest:
		if r.Expires.IsZero() {
			return kurultai.FieldError("expires", "required")
		}
		return checkText("note", r.Note, false, maxText)
	case *ConsentAnswer:
		if err := checkRef("request_ref", r.RequestRef, charter.KindConsentRequest); err != nil {
			return err
		}
		if err := oneOf("answer", r.Answer, ConsentGranted, ConsentRefused); err != nil {
			return err
		}
		return checkText("note", r.Note, false, maxText)
	case *Briefer:
		if err := checkText("briefer", r.Briefer, true, maxTitle); err != nil {
			return err
		}
		return checkText("note", r.Note, false, maxText)
	case *SituationReport:
		if err := checkText("title", r.Title, false, maxTitle); err != nil {
			return err
		}
		return checkText("text", r.Text, true, maxText)
	case *StatementDraft:
		if err := checkText("title", r.Title, true, maxTitle); err != nil {
			return err
		}
		if err := checkText("text", r.Text, true, maxText); err != nil {
			return err
		}
		return oneOf("release", r.Release, kurultai.AudienceMembers, kurultai.AudienceMembersObservers, kurultai.AudiencePublic)
	case *Silence:
		if err := checkRef("draft_ref", r.DraftRef, charter.KindStatementDraft); err != nil {
			return err
		}
		if r.DraftVersion == "" {
			return kurultai.FieldError("draft_version", "required")
		}
		if r.Expires.IsZero() {
			return kurultai.FieldError("expires", "required")
		}
		if err := oneOf("urgency", r.Urgency, Urgent, Normal); err != nil {
			return err
		}
		return oneOf("release", r.Release, kurultai.AudienceMembers, kurultai.AudienceMembersObservers, kurultai.AudiencePublic)
	case *SilenceBreak:
		if err := checkRef("silence_ref", r.SilenceRef, charter.KindSilence); err != nil {
			return err
		}
		if err := checkRef("draft_ref", r.DraftRef, charter.KindStatementDraft); err != nil {
			return err
		}
		if err := oneOf("break_kind", r.BreakKind, Objection, Amendment); err != nil {
			return err
		}
		return checkText("text", r.Text, true, maxText)
	case *SilenceExtension:
		if err := checkRef("silence_ref", r.SilenceRef, charter.KindSilence); err != nil {
			return err
		}
		if r.Expires.IsZero() {
			return kurultai.FieldError("expires", "required")
		}
		return checkText("reason", r.Reason, false, maxText)
	case *Declaration:
		if err := checkRef("silence_ref", r.SilenceRef, charter.KindSilence); err != nil {
			return err
		}
		if err := oneOf("outcome", r.Outcome, Adopted, NotAdopted); err != nil {
			return err
		}
		if err := checkText("text", r.Text, r.Outcome == Adopted, maxText); err != nil {
			return err
		}
		return checkText("reason", r.Reason, false, maxText)
	case *Meeting:
		if ch.LevelRank(r.Level) < 0 {
			return kurultai.FieldError("level", "%q is not a meeting level of charter %s", clip(r.Level), ch.Version)
		}
		if r.Start.IsZero() {
			return kurultai.FieldError("start", "required")
		}
		if err := m.checkCodes("invitees", r.Invitees, true); err != nil {
			return err
		}
		return checkText("agenda", r.Agenda, true, maxText)
	case *MeetingOutcome:
		if err := checkRef("meeting_ref", r.MeetingRef, charter.KindMeeting); err != nil {
			return err
		}
		if err := m.checkCodes("present", r.Present, false); err != nil {
			return err
		}
		return checkText("outcome", r.Outcome, false, maxText)
	case *AssistanceRequest:
		if err := oneOf("message", r.Message, charter.MsgRequest, charter.MsgOffer); err != nil {
			return err
		}
		if r.Message == charter.MsgOffer {
			if p, ok := ch.Participant(r.Recipient); !ok || p.Kind != kurultai.KindMember {
				return kurultai.FieldError("recipient", "an offer needs a member as recipient, not %q", clip(r.Recipient))
			}
		} else if r.Recipient != "" {
			return kurultai.FieldError("recipient", "only offers have a recipient")
		}
		if err := checkItems("items", r.Items, true); err != nil {
			return err
		}
		return checkText("text", r.Text, false, maxText)
	case *AssistanceResponse:
		if err := checkRef("request_ref", r.RequestRef, charter.KindAssistanceRequest); err != nil {
			return err
		}
		if err := oneOf("message", r.Message, charter.MsgPledge, charter.MsgAccept, charter.MsgDecline,
			charter.MsgNeedInfo, charter.MsgDelivered, charter.MsgCancel, charter.MsgClose); err != nil {
			return err
		}
		if r.PledgeRef != "" {
			if err := checkRef("pledge_ref", r.PledgeRef, charter.KindAssistanceResponse); err != nil {
				return err
			}
		}
		if err := checkItems("items", r.Items, r.Message == charter.MsgPledge); err != nil {
			return err
		}
		return checkText("text", r.Text, r.Message == charter.MsgNeedInfo, maxText)
	}
	return nil
}

// checkCodes checks a list of participant codes: known, not repeated.
func (m *Mechanism) checkCodes(field string, codes []string, required bool) error {
	if required && len(codes) == 0 {
		return kurultai.FieldError(field, "at least one participant is required")
	}
	for i, c := range codes {
		if _, ok := m.Charter.Participant(c); !ok {
			return kurultai.FieldError(fmt.Sprintf("%s[%d]", field, i), "%q is not a participant of charter %s", clip(c), m.Charter.Version)
		}
		if slices.Index(codes, c) < i {
			return kurultai.FieldError(fmt.Sprintf("%s[%d]", field, i), "%s is listed twice", c)
		}
	}
	return nil
}
