package charter

import (
	"fmt"
	"slices"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// Charter is an organization's crisis procedure as data. Load returns one
// that has passed every check; code that holds a *Charter may rely on its
// references being consistent (every role, mode, participant, level and
// event it names exists).
type Charter struct {
	// Version names this text of the charter; every situation records the
	// version it runs under.
	Version      string        `yaml:"version"`
	Organization Organization  `yaml:"organization"`
	Participants []Participant `yaml:"participants"`
	Chair        Chair         `yaml:"chair"`
	// Roles lists the actions each role may take.
	Roles     map[Role][]Action `yaml:"roles"`
	Modes     Modes             `yaml:"modes"`
	Deadlines []Deadline        `yaml:"deadlines"`
	// Reminders are the default reminders of every deadline.
	Reminders  Reminders  `yaml:"reminders"`
	Consent    Consent    `yaml:"consent"`
	Decisions  Decisions  `yaml:"decisions"`
	Meetings   Meetings   `yaml:"meetings"`
	Assistance Assistance `yaml:"assistance"`
	// Releasability is the audience each kind of record is released to.
	Releasability map[RecordKind]Release `yaml:"releasability"`
	// KPIs are the intervals measured for every situation.
	KPIs []KPI `yaml:"kpis"`
}

// Organization names the organization.
type Organization struct {
	Name      string `yaml:"name"`
	ShortName string `yaml:"short_name,omitempty"`
}

// Participant is a state or body taking part.
type Participant struct {
	Code string                   `yaml:"code"`
	Name string                   `yaml:"name"`
	Kind kurultai.ParticipantKind `yaml:"kind"`
}

// Chair is the chairmanship: a member and its term. The term is
// informational; a new chairmanship is a new charter version.
type Chair struct {
	Participant string `yaml:"participant"`
	Term        Term   `yaml:"term"`
}

// Term is a period of dates (YYYY-MM-DD), both inclusive.
type Term struct {
	From string `yaml:"from"`
	To   string `yaml:"to"`
}

// Modes are the crisis modes and the transitions between them.
type Modes struct {
	// Initial is the mode a new situation starts in.
	Initial string `yaml:"initial"`
	States  []Mode `yaml:"states"`
}

// Mode is one crisis mode.
type Mode struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description,omitempty"`
	// To lists the modes the chair may move to from this one.
	To []string `yaml:"to"`
	// Actions lists the actions allowed while a situation is in this mode;
	// AllActions ("*") allows every action.
	Actions []Action `yaml:"actions"`
	// Final marks the mode that closes a situation (exactly one; it has no
	// transitions and the close action moves to it).
	Final bool `yaml:"final,omitempty"`
}

// Deadline is a duty with a due time counted from an event.
type Deadline struct {
	ID    string `yaml:"id"`
	Title string `yaml:"title"`
	// From is the event the deadline counts from (see Events).
	From string `yaml:"from"`
	// Within is the time allowed after From. Exactly one of Within and
	// Every is set.
	Within Duration `yaml:"within,omitempty"`
	// Every makes the deadline repeat: the MetBy event is due every period
	// after From, until Until (or until the situation stands down).
	Every Duration `yaml:"every,omitempty"`
	// Each makes one deadline per occurrence of From (one per assistance
	// request, say) instead of one for the first occurrence.
	Each bool `yaml:"each,omitempty"`
	// MetBy is the event that meets the deadline.
	MetBy string `yaml:"met_by"`
	// Until stops a repeating deadline; empty means the first entry into a
	// final mode.
	Until string `yaml:"until,omitempty"`
	// Owner is the role reminded; "all" reminds everyone.
	Owner Role `yaml:"owner"`
	// Reminders overrides the charter's default reminders.
	Reminders *Reminders `yaml:"reminders,omitempty"`
}

// Reminders say when, before a due time, the owner is reminded.
type Reminders struct {
	// Percent are points of the deadline's span (1-99) from its start.
	Percent []int `yaml:"percent,omitempty"`
	// Before are offsets before the due time.
	Before []Duration `yaml:"before,omitempty"`
}

// Consent is the affected state's consent gate.
type Consent struct {
	// Gated actions need the affected state's consent (or the
	// members-only path) before they may be taken about it.
	Gated []Action `yaml:"gated"`
	// Timeout is how long the affected state has to answer.
	Timeout Duration `yaml:"timeout"`
	// OnTimeout and OnRefusal say what happens then: PathMembersOnly (the
	// work goes ahead among members only) or PathHalt (gated actions stay
	// refused).
	OnTimeout string `yaml:"on_timeout"`
	OnRefusal string `yaml:"on_refusal"`
}

// The consent paths.
const (
	PathMembersOnly = "members_only"
	PathHalt        = "halt"
)

// Decisions are the decision rules.
type Decisions struct {
	// Rule is how decisions are taken; only "consensus" is defined.
	Rule    string  `yaml:"rule"`
	Silence Silence `yaml:"silence"`
}

// Silence is the silence procedure: a text is adopted unless a member
// breaks silence before an exact expiry.
type Silence struct {
	Urgent  Duration `yaml:"urgent"`  // default period of an urgent procedure
	Normal  Duration `yaml:"normal"`  // default period of a normal procedure
	Minimum Duration `yaml:"minimum"` // no procedure may be shorter
	// MaxExtensions is how many times the chair may extend one procedure.
	MaxExtensions int `yaml:"max_extensions"`
	// BrokenBy are the roles that may break silence.
	BrokenBy []Role  `yaml:"broken_by"`
	OnBreak  OnBreak `yaml:"on_break"`
	// OnExpiry is what follows an unbroken expiry; only "chair_declares".
	OnExpiry string `yaml:"on_expiry"`
}

// OnBreak is what follows a broken silence.
type OnBreak struct {
	// Outcome is the text's outcome; only "not_adopted".
	Outcome string `yaml:"outcome"`
	// Notify is who is told: "all" participants or "members".
	Notify string `yaml:"notify"`
	// MeetingWithin is the time within which a meeting must be held
	// (0: no such duty). It adds the deadline MeetingAfterBreakID.
	MeetingWithin Duration `yaml:"meeting_within"`
}

// MeetingAfterBreakID is the id of the deadline that OnBreak.MeetingWithin
// adds when the charter does not define it itself.
const MeetingAfterBreakID = "meeting_after_break"

// Meetings are the meeting levels and the quorum.
type Meetings struct {
	// Levels, from the lowest to the highest.
	Levels []Level `yaml:"levels"`
	Quorum Quorum  `yaml:"quorum"`
	// Decisions is how meetings decide; only "consensus".
	Decisions string `yaml:"decisions"`
}

// Level is a meeting level.
type Level struct {
	ID    string `yaml:"id"`
	Title string `yaml:"title"`
}

// Quorum says who must be invited and how many members must be present.
type Quorum struct {
	Invite  string `yaml:"invite"`  // "all_members" or "any"
	Present string `yaml:"present"` // "majority" or "all" (of the members)
}

// Assistance lists the assistance messages the mechanism accepts and the
// statuses a request goes through.
type Assistance struct {
	Messages []string `yaml:"messages"`
	Statuses []string `yaml:"statuses"`
}

// The assistance messages.
const (
	MsgRequest   = "request"
	MsgOffer     = "offer"
	MsgPledge    = "pledge"
	MsgAccept    = "accept"
	MsgDecline   = "decline"
	MsgNeedInfo  = "need_info"
	MsgDelivered = "delivered"
	MsgCancel    = "cancel"
	MsgClose     = "close"
)

// AssistanceMessages lists every assistance message.
var AssistanceMessages = []string{MsgRequest, MsgOffer, MsgPledge, MsgAccept, MsgDecline, MsgNeedInfo, MsgDelivered, MsgCancel, MsgClose}

// The assistance statuses.
const (
	StatusOpen          = "open"
	StatusPartlyPledged = "partly_pledged"
	StatusFullyPledged  = "fully_pledged"
	StatusDelivered     = "delivered"
	StatusClosed        = "closed"
)

// AssistanceStatuses lists every assistance status in order.
var AssistanceStatuses = []string{StatusOpen, StatusPartlyPledged, StatusFullyPledged, StatusDelivered, StatusClosed}

// Release is the default audience of a record kind.
type Release struct {
	// Audience is a keyword (members, members+observers, public) or a
	// participant code.
	Audience string `yaml:"audience"`
	// AuthorMayChoose lets the author pick another audience per record.
	AuthorMayChoose bool `yaml:"author_may_choose,omitempty"`
}

// KPI is an interval measured per situation: from the first From event to
// the first To event after it.
type KPI struct {
	ID    string `yaml:"id"`
	Title string `yaml:"title"`
	From  string `yaml:"from"`
	To    string `yaml:"to"`
}

// Participant returns the participant with the code.
func (c *Charter) Participant(code string) (Participant, bool) {
	for _, p := range c.Participants {
		if p.Code == code {
			return p, true
		}
	}
	return Participant{}, false
}

// DirectoryParticipants returns the participants as the exchange core
// keeps them.
func (c *Charter) DirectoryParticipants() []kurultai.Participant {
	out := make([]kurultai.Participant, 0, len(c.Participants))
	for _, p := range c.Participants {
		out = append(out, kurultai.Participant{Code: p.Code, Name: p.Name, Kind: p.Kind})
	}
	return out
}

// Codes returns the codes of the participants of a kind, in charter order.
func (c *Charter) Codes(kind kurultai.ParticipantKind) []string {
	var out []string
	for _, p := range c.Participants {
		if p.Kind == kind {
			out = append(out, p.Code)
		}
	}
	return out
}

// Mode returns the mode with the name.
func (c *Charter) Mode(name string) (Mode, bool) {
	for _, m := range c.Modes.States {
		if m.Name == name {
			return m, true
		}
	}
	return Mode{}, false
}

// FinalMode returns the name of the final mode.
func (c *Charter) FinalMode() string {
	for _, m := range c.Modes.States {
		if m.Final {
			return m.Name
		}
	}
	return ""
}

// CanTransition reports whether the chair may move a situation from one
// mode to another.
func (c *Charter) CanTransition(from, to string) bool {
	m, ok := c.Mode(from)
	return ok && slices.Contains(m.To, to)
}

// ModeAllows reports whether action may be taken in the mode.
func (c *Charter) ModeAllows(mode string, a Action) bool {
	m, ok := c.Mode(mode)
	if !ok {
		return false
	}
	return slices.Contains(m.Actions, AllActions) || slices.Contains(m.Actions, a)
}

// RoleAllows reports whether role r may take action a.
func (c *Charter) RoleAllows(r Role, a Action) bool {
	return slices.Contains(c.Roles[r], a)
}

// RolesFor returns the roles that may take action a, in Roles order.
func (c *Charter) RolesFor(a Action) []Role {
	var out []Role
	for _, r := range Roles {
		if c.RoleAllows(r, a) {
			out = append(out, r)
		}
	}
	return out
}

// LevelRank returns the position of a meeting level (0 is the lowest) or -1.
func (c *Charter) LevelRank(id string) int {
	for i, l := range c.Meetings.Levels {
		if l.ID == id {
			return i
		}
	}
	return -1
}

// Gated reports whether action a needs the affected state's consent.
func (c *Charter) Gated(a Action) bool { return slices.Contains(c.Consent.Gated, a) }

// AssistanceAllows reports whether the charter accepts an assistance message.
func (c *Charter) AssistanceAllows(msg string) bool {
	return slices.Contains(c.Assistance.Messages, msg)
}

// ReleaseOf returns the releasability default of a record kind (members
// when the charter does not name the kind).
func (c *Charter) ReleaseOf(k RecordKind) Release {
	if r, ok := c.Releasability[k]; ok {
		return r
	}
	return Release{Audience: kurultai.AudienceMembers}
}

// EffectiveReminders returns the reminders of a deadline.
func (c *Charter) EffectiveReminders(d Deadline) Reminders {
	if d.Reminders != nil {
		return *d.Reminders
	}
	return c.Reminders
}

// String summarises the charter for logs.
func (c *Charter) String() string {
	return fmt.Sprintf("%s charter %s (%d participants, chair %s)", c.Organization.ShortName, c.Version, len(c.Participants), c.Chair.Participant)
}
