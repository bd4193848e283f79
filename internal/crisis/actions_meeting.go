package crisis

import (
	"fmt"
	"slices"
	"time"

	"github.com/kurultai/kurultai/internal/charter"
	"github.com/kurultai/kurultai/internal/kurultai"
)

// ConveneMeeting convenes a meeting at a level.
type ConveneMeeting struct {
	Level    string    `json:"level"`
	Start    time.Time `json:"start"`
	Invitees []string  `json:"invitees"`
	Agenda   string    `json:"agenda"`
	Format   string    `json:"format,omitempty"` // e.g. "videoconference"
}

// Name implements Action.
func (*ConveneMeeting) Name() charter.Action { return charter.ActConveneMeeting }

func (a *ConveneMeeting) apply(c *actx) ([]Record, error) {
	ch := c.m.Charter
	if a.Start.IsZero() {
		return nil, kurultai.FieldError("start", "required")
	}
	if a.Start.Before(c.now) {
		return nil, kurultai.FieldError("start", "%s is in the past", timeStr(a.Start))
	}
	if err := c.m.checkCodes("invitees", a.Invitees, true); err != nil {
		return nil, err
	}
	if ch.Meetings.Quorum.Invite == "all_members" {
		var missing []string
		for _, code := range ch.Codes(kurultai.KindMember) {
			if !slices.Contains(a.Invitees, code) {
				missing = append(missing, code)
			}
		}
		if len(missing) > 0 {
			return nil, &kurultai.Error{Code: kurultai.CodeInvalid, Field: "invitees",
				Message: "charter meetings.quorum.invite: every member must be invited; missing " + joinCodes(missing)}
		}
	}
	observers := false
	for i, code := range a.Invitees {
		if p, _ := ch.Participant(code); p.Kind == kurultai.KindObserver {
			observers = true
			if c.membersOnly() {
				return nil, forbidden("consent", "%s has not consented (%s), so the meeting goes ahead among members only; observer %s cannot be invited (invitees[%d])",
					joinCodes(c.st.Affected()), c.m.consentAt(c.st, c.now).Status, code, i)
			}
		}
	}
	aud := c.release(charter.KindMeeting)
	if !observers {
		aud = narrower(aud, kurultai.AudienceMembers)
	}
	r := &Meeting{Meta: c.meta(charter.KindMeeting, aud), Level: a.Level, Start: At(a.Start), Invitees: a.Invitees, Agenda: a.Agenda, Format: a.Format}
	return []Record{r}, c.m.check(r)
}

// RecordMeeting records whether a meeting took place, who was present and
// its outcome.
type RecordMeeting struct {
	Meeting string   `json:"meeting"`
	Held    bool     `json:"held"`
	Present []string `json:"present,omitempty"`
	Outcome string   `json:"outcome,omitempty"`
}

// Name implements Action.
func (*RecordMeeting) Name() charter.Action { return charter.ActRecordMeeting }

func (a *RecordMeeting) apply(c *actx) ([]Record, error) {
	ms := c.st.MeetingByID(a.Meeting)
	if ms == nil {
		return nil, notInSituation("meeting", a.Meeting)
	}
	if ms.Outcome != nil {
		return nil, conflict("the outcome of meeting %s is already recorded", ms.ID)
	}
	if c.now.Before(ms.Start.Time) {
		return nil, conflict("meeting %s starts at %s; record its outcome afterwards", ms.ID, timeStr(ms.Start.Time))
	}
	if !a.Held && len(a.Present) > 0 {
		return nil, kurultai.FieldError("present", "a meeting that was not held has nobody present")
	}
	for i, code := range a.Present {
		if !slices.Contains(ms.Invitees, code) {
			return nil, kurultai.FieldError(fmt.Sprintf("present[%d]", i), "%s was not invited", clip(code))
		}
	}
	r := &MeetingOutcome{Meta: c.meta(charter.KindMeetingOutcome, narrower(c.release(charter.KindMeetingOutcome), ms.Audience)),
		MeetingRef: ms.ID, Held: a.Held, Present: a.Present, Outcome: a.Outcome}
	return []Record{r}, c.m.check(r)
}
