package crisis

import (
	"time"

	"github.com/kurultai/kurultai/internal/charter"
	"github.com/kurultai/kurultai/internal/kurultai"
)

// Onset2022 is the onset of the January 2022 unrest in Kazakhstan: the
// day protests over LPG prices began in Zhanaozen (T0). Only the day is
// known; the replay counts from its start in UTC.
var Onset2022 = time.Date(2022, 1, 2, 0, 0, 0, 0, time.UTC)

func day(d int) time.Time { return time.Date(2022, 1, d, 0, 0, 0, 0, time.UTC) }

// TimelineEvent is one dated fact of the replay.
type TimelineEvent struct {
	From, To time.Time // the first and last day; equal for one day
	Text     string
	// ByOrganization marks acts of the organization itself.
	ByOrganization bool
}

// Timeline2022 returns the dated facts of January 2022 that the demo
// replays (from the product brief, nothing else).
func Timeline2022() []TimelineEvent {
	return []TimelineEvent{
		{day(2), day(2), "Protests over LPG prices begin in Zhanaozen (onset, T0)", false},
		{day(4), day(5), "Riots and looting in Almaty; casualties", false},
		{day(5), day(5), "The government resigns; nationwide state of emergency; President Tokayev appeals to the CSTO", false},
		{day(5), day(6), "Night of 5-6 January: the CSTO council decides under Article 4 of its treaty to deploy peacekeepers", false},
		{day(6), day(6), "First OTS statement (solidarity, readiness to support): T0 + 4 days", true},
		{day(9), day(9), "Türkiye's foreign minister: a meeting without Kazakhstan's briefing \"would not be right\"; Kazakhstan asked for time", false},
		{day(11), day(11), "Extraordinary OTS foreign-ministers' meeting by videoconference, observers present: T0 + 9 days", true},
		{day(13), day(19), "The CSTO mission withdraws", false},
	}
}

// ClockRow compares one step of the mechanism: when it happened in 2022
// and when the charter would have required it from the same onset.
type ClockRow struct {
	Step     string
	Deadline string // the charter deadline's id
	// Historical is when the step happened (zero if it has no date).
	Historical     time.Time
	HistoricalNote string
	// Required is the due time under the charter (zero when it counts
	// from an event that has no date, such as a request).
	Required     time.Time
	RequiredNote string
}

// Compare2022 sets the historical clock of January 2022 beside the due
// times the charter's deadlines give from the same onset. Deadlines that
// count from a mode change assume the change at the latest moment the
// charter allows: consultation (and, with it, activation) when the
// consultation deadline falls due.
func (m *Mechanism) Compare2022() []ClockRow {
	ch := m.Charter
	within := func(id string) (time.Duration, bool) {
		for _, d := range ch.Deadlines {
			if d.ID == id && d.Within > 0 {
				return d.Within.D(), true
			}
		}
		return 0, false
	}
	consult, hasConsult := within("consultation")
	opened := Onset2022.Add(consult)
	var rows []ClockRow
	if hasConsult {
		rows = append(rows, ClockRow{Step: "Consultation opened", Deadline: "consultation",
			HistoricalNote: "no consultation of the members is on record before the statement of 6 January",
			Required:       opened, RequiredNote: "onset + " + charter.Duration(consult).String()})
	}
	if w, ok := within("first_statement"); ok {
		rows = append(rows, ClockRow{Step: "First statement", Deadline: "first_statement",
			Historical: day(6), HistoricalNote: "T0 + 4 days",
			Required: Onset2022.Add(w), RequiredNote: "onset + " + charter.Duration(w).String()})
	}
	if w, ok := within("senior_officials"); ok && hasConsult {
		rows = append(rows, ClockRow{Step: "Senior officials meet", Deadline: "senior_officials",
			HistoricalNote: "no senior officials' meeting is on record",
			Required:       opened.Add(w), RequiredNote: charter.Duration(w).String() + " after consultation opens (at the latest, onset + " + charter.Duration(consult).String() + ")"})
	}
	if w, ok := within("foreign_ministers"); ok && hasConsult {
		rows = append(rows, ClockRow{Step: "Foreign ministers meet", Deadline: "foreign_ministers",
			Historical: day(11), HistoricalNote: "T0 + 9 days, by videoconference, observers present",
			Required: opened.Add(w), RequiredNote: charter.Duration(w).String() + " after activation (activation assumed when consultation opens, onset + " + charter.Duration(consult).String() + ")"})
	}
	if w, ok := within("assistance_answer"); ok {
		rows = append(rows, ClockRow{Step: "Assistance request answered", Deadline: "assistance_answer",
			HistoricalNote: "Kazakhstan's appeal of 5 January went to the CSTO, which decided in the night of 5-6 January",
			RequiredNote:   charter.Duration(w).String() + " after each request"})
	}
	return rows
}

// DemoTitle is the title of the demo situation.
const DemoTitle = "Kazakhstan unrest"

// Demo2022 returns the records that seed the demo situation "Kazakhstan
// unrest": onset 2 January 2022, Kazakhstan affected, raised by the
// secretariat at 18:00 UTC that day and in the charter's initial mode, so
// that users can play the mechanism forward. Ids are fixed: seeding twice
// stores the same objects.
func (m *Mechanism) Demo2022() (*Result, error) {
	return m.DemoSituation(Onset2022, Onset2022.Add(18*time.Hour))
}

// DemoSituation is Demo2022 with another onset and alert time (a demo
// that plays the crisis in the present shifts both).
func (m *Mechanism) DemoSituation(onset, raised time.Time) (*Result, error) {
	fixed := New(m.Charter, SequentialIDs("demo/kazakhstan-unrest/"+onset.UTC().Format(time.RFC3339)))
	secretariat := m.Charter.Codes(kurultai.KindSecretariat)
	if len(secretariat) == 0 {
		return nil, kurultai.Errorf(kurultai.CodeInvalid, "charter %s has no secretariat to raise the demo situation", m.Charter.Version)
	}
	p := kurultai.Principal{Username: "demo", Participant: secretariat[0], Kind: kurultai.KindSecretariat, Role: kurultai.RoleSecretariat}
	return fixed.Act(nil, p, &RaiseAlert{
		Title:    DemoTitle,
		Onset:    onset,
		Affected: []string{"KZ"},
		Summary:  "Protests over LPG prices began in Zhanaozen and spread; riots in Almaty followed.",
	}, raised)
}
