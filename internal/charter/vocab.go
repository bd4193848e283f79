package charter

import (
	"fmt"
	"slices"
	"strings"
)

// Action is something a principal may do in a situation.
type Action string

// The actions.
const (
	ActRaiseAlert          Action = "raise_alert"
	ActRequestConsultation Action = "request_consultation"
	ActAskConsent          Action = "ask_consent"
	ActAnswerConsent       Action = "answer_consent"
	ActDesignateBriefer    Action = "designate_briefer"
	ActPostReport          Action = "post_report"
	ActDraftStatement      Action = "draft_statement"
	ActOpenSilence         Action = "open_silence"
	ActBreakSilence        Action = "break_silence"
	ActExtendSilence       Action = "extend_silence"
	ActDeclare             Action = "declare"
	ActChangeMode          Action = "change_mode"
	ActClose               Action = "close"
	ActConveneMeeting      Action = "convene_meeting"
	ActRecordMeeting       Action = "record_meeting"
	ActRequestAssistance   Action = "request_assistance"
	ActOfferAssistance     Action = "offer_assistance"
	ActAnswerAssistance    Action = "answer_assistance"
	ActAcceptAssistance    Action = "accept_assistance"
	ActMarkDelivered       Action = "mark_delivered"
	ActCancelAssistance    Action = "cancel_assistance"
	ActCloseAssistance     Action = "close_assistance"
)

// AllActions in a mode's action list allows every action.
const AllActions Action = "*"

// Actions lists every action in a stable order.
var Actions = []Action{
	ActRaiseAlert, ActRequestConsultation, ActAskConsent, ActAnswerConsent,
	ActDesignateBriefer, ActPostReport, ActDraftStatement, ActOpenSilence,
	ActBreakSilence, ActExtendSilence, ActDeclare, ActChangeMode, ActClose,
	ActConveneMeeting, ActRecordMeeting, ActRequestAssistance, ActOfferAssistance,
	ActAnswerAssistance, ActAcceptAssistance, ActMarkDelivered, ActCancelAssistance,
	ActCloseAssistance,
}

// Valid reports whether a is a known action.
func (a Action) Valid() bool { return slices.Contains(Actions, a) }

// Role is a role in the crisis mechanism. A principal holds roles by its
// participant and its user role:
//
//	chair        a user with role chair of the charter's chair participant
//	secretariat  a user with role secretariat of a secretariat participant
//	member       a liaison of a member
//	affected     a liaison of a member the situation affects (also member)
//	observer     a liaison of an observer
//
// Administrators and auditors hold no role in the mechanism.
type Role string

// The roles.
const (
	RoleChair       Role = "chair"
	RoleSecretariat Role = "secretariat"
	RoleMember      Role = "member"
	RoleAffected    Role = "affected"
	RoleObserver    Role = "observer"
)

// RoleAll, as a deadline owner, reminds every participant.
const RoleAll Role = "all"

// Roles lists every role in a stable order.
var Roles = []Role{RoleChair, RoleSecretariat, RoleMember, RoleAffected, RoleObserver}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// RecordKind is a kind of crisis record (a STIX object type without the
// "kurultai-" prefix).
type RecordKind string

// The record kinds.
const (
	KindSituation           RecordKind = "situation"
	KindModeChange          RecordKind = "mode-change"
	KindConsultationRequest RecordKind = "consultation-request"
	KindConsentRequest      RecordKind = "consent-request"
	KindConsentAnswer       RecordKind = "consent-answer"
	KindBriefer             RecordKind = "briefer"
	KindSituationReport     RecordKind = "situation-report"
	KindStatementDraft      RecordKind = "statement-draft"
	KindSilence             RecordKind = "silence"
	KindSilenceBreak        RecordKind = "silence-break"
	KindSilenceExtension    RecordKind = "silence-extension"
	KindDeclaration         RecordKind = "declaration"
	KindMeeting             RecordKind = "meeting"
	KindMeetingOutcome      RecordKind = "meeting-outcome"
	KindAssistanceRequest   RecordKind = "assistance-request"
	KindAssistanceResponse  RecordKind = "assistance-response"
)

// RecordKinds lists every record kind in a stable order.
var RecordKinds = []RecordKind{
	KindSituation, KindModeChange, KindConsultationRequest, KindConsentRequest,
	KindConsentAnswer, KindBriefer, KindSituationReport, KindStatementDraft,
	KindSilence, KindSilenceBreak, KindSilenceExtension, KindDeclaration,
	KindMeeting, KindMeetingOutcome, KindAssistanceRequest, KindAssistanceResponse,
}

// Valid reports whether k is a known record kind.
func (k RecordKind) Valid() bool { return slices.Contains(RecordKinds, k) }

// The events deadlines and KPIs count from and to. Events with a suffix
// take a mode name or a meeting level id: "mode.consultation",
// "meeting.held.foreign_ministers". A meeting event with a level is also
// met by a meeting at a higher level.
const (
	EvOnset                = "onset" // the situation's onset time
	EvAlert                = "alert" // the situation was raised
	EvConsultationRequest  = "consultation.requested"
	EvConsentAsked         = "consent.asked"
	EvConsentAnswered      = "consent.answered"
	EvReport               = "report"                // any situation report
	EvReportAffected       = "report.affected"       // a report by an affected state
	EvStatementAdopted     = "statement.adopted"     // the chair declared a text adopted
	EvStatementNotAdopted  = "statement.not_adopted" // the chair declared a text not adopted
	EvSilenceOpened        = "silence.opened"
	EvSilenceBroken        = "silence.broken"
	EvMeetingConvened      = "meeting.convened"
	EvMeetingHeld          = "meeting.held" // held with quorum, at its start time
	EvAssistanceRequested  = "assistance.requested"
	EvAssistanceAnswered   = "assistance.answered" // first pledge, decline or need-info
	EvAssistanceDelivered  = "assistance.delivered"
	evModePrefix           = "mode."
	evMeetingConvenedLevel = EvMeetingConvened + "."
	evMeetingHeldLevel     = EvMeetingHeld + "."
)

// ModeEvent is the event of a situation entering a mode.
func ModeEvent(mode string) string { return evModePrefix + mode }

// MeetingHeldEvent is the event of a meeting at a level (or higher) held.
func MeetingHeldEvent(level string) string { return evMeetingHeldLevel + level }

// MeetingConvenedEvent is the event of a meeting at a level (or higher)
// convened.
func MeetingConvenedEvent(level string) string { return evMeetingConvenedLevel + level }

var plainEvents = []string{
	EvOnset, EvAlert, EvConsultationRequest, EvConsentAsked, EvConsentAnswered,
	EvReport, EvReportAffected, EvStatementAdopted, EvStatementNotAdopted,
	EvSilenceOpened, EvSilenceBroken, EvMeetingConvened, EvMeetingHeld,
	EvAssistanceRequested, EvAssistanceAnswered, EvAssistanceDelivered,
}

// SplitEvent splits an event into its base and its mode or level suffix:
// ("mode", "consultation"), ("meeting.held", "senior_officials"), or
// (name, "") for plain events.
func SplitEvent(name string) (base, arg string) {
	for _, p := range []string{evMeetingHeldLevel, evMeetingConvenedLevel, evModePrefix} {
		if strings.HasPrefix(name, p) {
			return strings.TrimSuffix(p, "."), name[len(p):]
		}
	}
	return name, ""
}

// checkEvent reports why name is not an event of this charter, or "".
func (c *Charter) checkEvent(name string) string {
	if slices.Contains(plainEvents, name) {
		return ""
	}
	base, arg := SplitEvent(name)
	switch base {
	case "mode":
		if _, ok := c.Mode(arg); !ok {
			return fmt.Sprintf("event %q names mode %q, which the charter does not define", name, arg)
		}
		return ""
	case EvMeetingHeld, EvMeetingConvened:
		if c.LevelRank(arg) < 0 {
			return fmt.Sprintf("event %q names meeting level %q, which the charter does not define", name, arg)
		}
		return ""
	}
	return fmt.Sprintf("unknown event %q (one of %s, mode.<mode>, meeting.held.<level>, meeting.convened.<level>)", name, strings.Join(plainEvents, ", "))
}
