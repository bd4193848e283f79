package crisis

import (
	"time"

	"github.com/kurultai/kurultai/internal/charter"
)

// State is a situation as derived from its records at one instant.
type State struct {
	ID        string
	Situation *Situation
	// Now is the instant the state was derived for.
	Now time.Time
	// CharterVersion is the version the situation was raised under; the
	// state is derived under the mechanism's charter, which may be newer.
	CharterVersion string
	Mode           string
	// Final reports whether the situation is in the final mode.
	Final   bool
	History []ModeEntry

	ConsultationRequests []*ConsultationRequest
	Consent              ConsentState
	Briefers             []*Briefer
	Reports              []*SituationReport
	Drafts               []*Draft
	Silences             []*SilenceState
	Meetings             []*MeetingState
	Assistance           []*AssistanceState

	// Events are the dated events deadlines and KPIs count with, in order.
	Events    []Event
	Deadlines []DeadlineStatus
	// Score counts the deadline instances by status.
	Score Score
	KPIs  []KPIValue
	// Ignored lists records that do not count, and why.
	Ignored []Ignored

	records map[string]Record // by id: the version in effect
	latest  time.Time         // the newest record time of the situation
}

// ModeEntry is one move between modes.
type ModeEntry struct {
	From, To string
	At       time.Time
	By       string
	Role     charter.Role
	Reason   string
	Record   string // the mode change's id
}

// Consent statuses.
const (
	ConsentUnasked  = "unasked"
	ConsentPending  = "pending"
	ConsentTimedOut = "timed_out"
	// ConsentGranted and ConsentRefused are also statuses.
)

// Consent paths: what gated actions may do.
const (
	PathWait        = "wait"         // not asked yet, or waiting for the answer: gated actions refused
	PathNormal      = "normal"       // consent granted
	PathMembersOnly = "members_only" // timed out or refused, charter says go ahead among members
	PathHalt        = "halt"         // timed out or refused, charter says stop
)

// ConsentState is the consent gate of a situation: the latest request and
// the affected states' answers to it.
type ConsentState struct {
	Request *ConsentRequest // nil when nobody has asked
	Answers []*ConsentAnswer
	Status  string // unasked, pending, granted, refused, timed_out
	Path    string // wait, normal, members_only, halt
}

// Draft is a statement draft and its versions, oldest first.
type Draft struct {
	ID       string
	By       string
	Versions []*StatementDraft
}

// Latest returns the newest version.
func (d *Draft) Latest() *StatementDraft { return d.Versions[len(d.Versions)-1] }

// Version returns the version with the version string.
func (d *Draft) Version(v string) *StatementDraft {
	for _, s := range d.Versions {
		if s.Version == v {
			return s
		}
	}
	return nil
}

// Silence statuses.
const (
	SilenceOpen       = "open"        // running
	SilenceBroken     = "broken"      // broken before expiry; awaiting the chair's declaration
	SilenceExpired    = "expired"     // expired unbroken; awaiting the chair's declaration
	SilenceAdopted    = "adopted"     // declared adopted (authoritative)
	SilenceNotAdopted = "not_adopted" // declared not adopted (authoritative)
)

// SilenceState is one silence procedure.
type SilenceState struct {
	*Silence
	Draft      *StatementDraft // the version under silence; nil if unknown
	Expires    time.Time       // the expiry in effect, after extensions
	Extensions []*SilenceExtension
	// Breaks are the objections and amendments made before expiry: they
	// count. Late ones, made after expiry, are shown but do not count.
	Breaks      []*SilenceBreak
	Late        []*SilenceBreak
	Declaration *Declaration
	Status      string
	// Conflict explains a declaration that contradicts the breaks (the
	// declaration still stands: the chair's is authoritative).
	Conflict string
}

// BrokenBy returns the participants whose breaks count, in order.
func (s *SilenceState) BrokenBy() []string {
	var out []string
	for _, b := range s.Breaks {
		out = append(out, b.By)
	}
	return out
}

// MeetingState is a meeting with its attendance.
type MeetingState struct {
	*Meeting
	Outcome *MeetingOutcome
	// Held reports a recorded outcome that says the meeting took place.
	Held bool
	// Quorum reports that every member was invited (if the charter
	// requires it) and enough members were present.
	Quorum         bool
	MembersPresent int
	Members        int
}

// AssistanceState is an assistance request or offer and what answered it.
type AssistanceState struct {
	*AssistanceRequest
	Status    string // see charter.AssistanceStatuses
	Totals    []ItemTotal
	Pledges   []*PledgeState
	Responses []*AssistanceResponse
	// FirstAnswer is when a member first pledged, declined or asked for
	// information (zero if nobody has).
	FirstAnswer time.Time
	// For offers: the recipient's answer and the delivery.
	Accepted, Declined, Delivered bool

	deliveredAt time.Time // the last delivery
	complete    bool      // everything pledged was delivered (even if closed since)
}

// PledgeState is one pledge and what became of it.
type PledgeState struct {
	*AssistanceResponse
	Accepted, Declined, Cancelled, Delivered bool
}

// Counts reports whether the pledge counts toward the totals.
func (p *PledgeState) Counts() bool { return !p.Declined && !p.Cancelled }

// ItemTotal sums one requested item.
type ItemTotal struct {
	Item      string
	Unit      string
	Requested int64
	Pledged   int64
	Delivered int64
}

// Event is a dated event of the situation.
type Event struct {
	Name string // the base name, e.g. "meeting.held", "mode"
	Arg  string // the mode or meeting level, if any
	At   time.Time
	// Key identifies the thing the event is about (an assistance request,
	// a silence procedure) within Space (its record kind), so that a
	// deadline per occurrence is met by the event about the same thing.
	Key    string
	Space  charter.RecordKind
	Record string // the record that produced it
}

// Deadline statuses.
const (
	DuePending = "pending" // not met, not yet due
	DueMet     = "met"     // met in time
	DueMissed  = "missed"  // due and not met in time (MetAt set if met late)
	DueVoid    = "void"    // the situation closed or stood down before it fell due
)

// DeadlineStatus is one instance of a charter deadline.
type DeadlineStatus struct {
	// ID is stable: the charter deadline's id, then ":<record id>" for a
	// deadline per occurrence or "#<n>" for the n-th period of a
	// repeating one.
	ID       string
	Deadline string // the charter deadline's id
	Title    string
	Owner    charter.Role
	Start    time.Time // when it started counting
	Due      time.Time
	Status   string
	MetAt    time.Time // zero if not met
	Key      string    // the occurrence (record id) for per-occurrence deadlines
}

// Score counts deadline instances.
type Score struct {
	Met, Missed, Pending, Void int
	// Share is Met / (Met + Missed); -1 when nothing has fallen due.
	Share float64
}

// KPIValue is one measured interval.
type KPIValue struct {
	ID, Title string
	From, To  time.Time // zero when the event has not happened
	// Elapsed is To - From, or 0 while not reached.
	Elapsed time.Duration
	Reached bool
}

// Ignored is a record that does not count, with the reason.
type Ignored struct {
	ID, Version string
	Kind        charter.RecordKind
	By          string
	Reason      string
}

// Record returns the record with the id (the version in effect), if the
// situation has it.
func (s *State) Record(id string) (Record, bool) {
	r, ok := s.records[id]
	return r, ok
}

// Draft returns the draft with the id.
func (s *State) Draft(id string) *Draft {
	for _, d := range s.Drafts {
		if d.ID == id {
			return d
		}
	}
	return nil
}

// SilenceByID returns the silence procedure with the id.
func (s *State) SilenceByID(id string) *SilenceState {
	for _, p := range s.Silences {
		if p.ID == id {
			return p
		}
	}
	return nil
}

// MeetingByID returns the meeting with the id.
func (s *State) MeetingByID(id string) *MeetingState {
	for _, p := range s.Meetings {
		if p.ID == id {
			return p
		}
	}
	return nil
}

// AssistanceByID returns the assistance request or offer with the id.
func (s *State) AssistanceByID(id string) *AssistanceState {
	for _, p := range s.Assistance {
		if p.ID == id {
			return p
		}
	}
	return nil
}

// Affected returns the affected members.
func (s *State) Affected() []string { return s.Situation.Affected }
