package crisis

import (
	"encoding/json"
	"time"

	"github.com/kurultai/kurultai/internal/charter"
	"github.com/kurultai/kurultai/internal/stix"
)

// Meta is what every record has: its STIX identity and version, its
// writer and the role it acted in, and the situation it belongs to.
type Meta struct {
	Kind     charter.RecordKind
	ID       string
	Created  time.Time
	Modified time.Time
	// Version is the TAXII version (the modified timestamp as written).
	Version    string
	VersionKey int64
	// By is the writer's participant code (from created_by_ref).
	By string
	// Role is the mechanism role the writer acted in (actor_role).
	Role charter.Role
	// Situation is the situation's id (for a situation, its own id).
	Situation string
	// Audience is the releasability audience of the record's markings:
	// a keyword or a participant code ("" if none is recognised).
	Audience string
	// Revoked reports a version its writer revoked.
	Revoked bool
	digest  string // content hash, the last tie-breaker of sorting
}

// Base returns the record's Meta.
func (m *Meta) Base() *Meta { return m }

// Record is one crisis record: *Situation, *ModeChange, and so on.
type Record interface {
	Base() *Meta
}

// Time is a timestamp property of a record, written as a STIX timestamp
// (UTC, microseconds).
type Time struct{ time.Time }

// At wraps t (in UTC, to the microsecond, as it will be written).
func At(t time.Time) Time { return Time{t.UTC().Truncate(time.Microsecond)} }

// MarshalJSON writes a STIX timestamp.
func (t Time) MarshalJSON() ([]byte, error) { return json.Marshal(stix.FormatTime(t.Time)) }

// UnmarshalJSON reads a STIX timestamp.
func (t *Time) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := stix.ParseTime(s)
	if err != nil {
		return err
	}
	t.Time = v
	return nil
}

// Item is a quantity of something asked for, offered or pledged.
type Item struct {
	Item     string `json:"item"`
	Quantity int64  `json:"quantity"`
	Unit     string `json:"unit,omitempty"`
}

// Situation opens a situation: what, since when, which members.
type Situation struct {
	Meta           `json:"-"`
	Title          string   `json:"title"`
	Onset          Time     `json:"onset"`
	Affected       []string `json:"affected"`
	InitialMode    string   `json:"initial_mode"`
	CharterVersion string   `json:"charter_version"`
	Summary        string   `json:"summary,omitempty"`
}

// ModeChange moves a situation from one mode to another.
type ModeChange struct {
	Meta     `json:"-"`
	FromMode string `json:"from_mode"`
	ToMode   string `json:"to_mode"`
	Reason   string `json:"reason,omitempty"`
}

// ConsultationRequest is a member's request for consultation.
type ConsultationRequest struct {
	Meta   `json:"-"`
	Reason string `json:"reason,omitempty"`
}

// ConsentRequest asks the affected states for consent to public
// statements and meetings about them, until Expires.
type ConsentRequest struct {
	Meta    `json:"-"`
	Expires Time   `json:"expires"`
	Note    string `json:"note,omitempty"`
}

// The consent answers.
const (
	ConsentGranted = "granted"
	ConsentRefused = "refused"
)

// ConsentAnswer is an affected state's answer to a consent request.
type ConsentAnswer struct {
	Meta       `json:"-"`
	RequestRef string `json:"request_ref"`
	Answer     string `json:"answer"`
	Note       string `json:"note,omitempty"`
}

// Briefer is an affected state's designation of who briefs the members
// (an office or a function, not a private person).
type Briefer struct {
	Meta    `json:"-"`
	Briefer string `json:"briefer"`
	Note    string `json:"note,omitempty"`
}

// SituationReport is a report on the situation.
type SituationReport struct {
	Meta  `json:"-"`
	Title string `json:"title,omitempty"`
	Text  string `json:"text"`
}

// StatementDraft is a draft text; its STIX versions are its versions.
type StatementDraft struct {
	Meta  `json:"-"`
	Title string `json:"title"`
	Text  string `json:"text"`
	// Release is the audience the text is meant for once adopted.
	Release string `json:"release"`
}

// The silence urgencies.
const (
	Urgent = "urgent"
	Normal = "normal"
)

// Silence puts one version of a draft under the silence procedure.
type Silence struct {
	Meta         `json:"-"`
	DraftRef     string `json:"draft_ref"`
	DraftVersion string `json:"draft_version"`
	Expires      Time   `json:"expires"`
	Urgency      string `json:"urgency"`
	// Release is the audience the text gets if adopted: the draft's,
	// narrowed to members on the consent gate's members-only path.
	Release string `json:"release"`
}

// The ways to break silence.
const (
	Objection = "objection"
	Amendment = "amendment"
)

// SilenceBreak is a member's written objection or amendment.
type SilenceBreak struct {
	Meta         `json:"-"`
	SilenceRef   string `json:"silence_ref"`
	DraftRef     string `json:"draft_ref"`
	DraftVersion string `json:"draft_version"`
	BreakKind    string `json:"break_kind"`
	Text         string `json:"text"`
}

// SilenceExtension moves a procedure's expiry later.
type SilenceExtension struct {
	Meta       `json:"-"`
	SilenceRef string `json:"silence_ref"`
	Expires    Time   `json:"expires"`
	Reason     string `json:"reason,omitempty"`
}

// The declared outcomes.
const (
	Adopted    = "adopted"
	NotAdopted = "not_adopted"
)

// Declaration is the chair's authoritative declaration of a procedure's
// outcome. An adopted declaration carries the adopted text.
type Declaration struct {
	Meta         `json:"-"`
	SilenceRef   string `json:"silence_ref"`
	DraftRef     string `json:"draft_ref"`
	DraftVersion string `json:"draft_version"`
	Outcome      string `json:"outcome"`
	Title        string `json:"title,omitempty"`
	Text         string `json:"text,omitempty"`
	Reason       string `json:"reason,omitempty"`
}

// Meeting convenes a meeting.
type Meeting struct {
	Meta     `json:"-"`
	Level    string   `json:"level"`
	Start    Time     `json:"start"`
	Invitees []string `json:"invitees"`
	Agenda   string   `json:"agenda"`
	Format   string   `json:"format,omitempty"`
}

// MeetingOutcome records who attended a meeting and what came of it.
type MeetingOutcome struct {
	Meta       `json:"-"`
	MeetingRef string   `json:"meeting_ref"`
	Held       bool     `json:"held"`
	Present    []string `json:"present,omitempty"`
	Outcome    string   `json:"outcome,omitempty"`
}

// AssistanceRequest is an affected state's request for assistance
// (Message "request") or a member's unsolicited offer to an affected
// state (Message "offer", Recipient set).
type AssistanceRequest struct {
	Meta      `json:"-"`
	Message   string `json:"message"`
	Recipient string `json:"recipient,omitempty"`
	Items     []Item `json:"items"`
	Text      string `json:"text,omitempty"`
}

// AssistanceResponse is one message about a request or offer: a member's
// pledge, decline or question; the requester's accept or decline of a
// pledge (PledgeRef) or offer; a delivery; a cancellation; a closure.
type AssistanceResponse struct {
	Meta       `json:"-"`
	RequestRef string `json:"request_ref"`
	Message    string `json:"message"`
	PledgeRef  string `json:"pledge_ref,omitempty"`
	Items      []Item `json:"items,omitempty"`
	Text       string `json:"text,omitempty"`
}

// newRecord returns an empty record of a kind.
func newRecord(k charter.RecordKind) Record {
	switch k {
	case charter.KindSituation:
		return &Situation{}
	case charter.KindModeChange:
		return &ModeChange{}
	case charter.KindConsultationRequest:
		return &ConsultationRequest{}
	case charter.KindConsentRequest:
		return &ConsentRequest{}
	case charter.KindConsentAnswer:
		return &ConsentAnswer{}
	case charter.KindBriefer:
		return &Briefer{}
	case charter.KindSituationReport:
		return &SituationReport{}
	case charter.KindStatementDraft:
		return &StatementDraft{}
	case charter.KindSilence:
		return &Silence{}
	case charter.KindSilenceBreak:
		return &SilenceBreak{}
	case charter.KindSilenceExtension:
		return &SilenceExtension{}
	case charter.KindDeclaration:
		return &Declaration{}
	case charter.KindMeeting:
		return &Meeting{}
	case charter.KindMeetingOutcome:
		return &MeetingOutcome{}
	case charter.KindAssistanceRequest:
		return &AssistanceRequest{}
	case charter.KindAssistanceResponse:
		return &AssistanceResponse{}
	}
	return nil
}
