package api

import (
	"cmp"
	"slices"
	"time"

	"github.com/kurultai/kurultai/internal/crisis"
)

// The JSON views of a derived situation. Times are RFC 3339 in UTC; a
// time that has not come is absent.

// summaryView is a situation in a listing.
type summaryView struct {
	ID             string    `json:"id"`
	Title          string    `json:"title"`
	Onset          time.Time `json:"onset"`
	Affected       []string  `json:"affected"`
	Mode           string    `json:"mode"`
	Final          bool      `json:"final"`
	RaisedBy       string    `json:"raised_by"`
	RaisedAt       time.Time `json:"raised_at"`
	CharterVersion string    `json:"charter_version"`
	// SinceOnset is the time from onset to now (or to closing).
	SinceOnset elapsedView `json:"since_onset"`
	// NextDeadlines are the pending deadlines, soonest first (at most 3).
	NextDeadlines []deadlineView `json:"next_deadlines"`
	// Overdue counts deadlines missed and still not met.
	Overdue int       `json:"overdue"`
	Score   scoreView `json:"score"`
}

type elapsedView struct {
	Seconds int64  `json:"seconds"`
	Text    string `json:"text"` // "4d 3h"
}

func elapsed(d time.Duration) elapsedView {
	return elapsedView{Seconds: int64(d / time.Second), Text: crisis.FormatElapsed(d)}
}

type deadlineView struct {
	ID       string     `json:"id"`
	Deadline string     `json:"deadline"`
	Title    string     `json:"title"`
	Owner    string     `json:"owner"`
	Start    time.Time  `json:"start"`
	Due      time.Time  `json:"due"`
	Status   string     `json:"status"`
	MetAt    *time.Time `json:"met_at,omitempty"`
}

type scoreView struct {
	Met     int      `json:"met"`
	Missed  int      `json:"missed"`
	Pending int      `json:"pending"`
	Void    int      `json:"void"`
	Share   *float64 `json:"share_met,omitempty"` // absent while nothing has fallen due
}

type kpiView struct {
	ID      string       `json:"id"`
	Title   string       `json:"title"`
	From    *time.Time   `json:"from,omitempty"`
	To      *time.Time   `json:"to,omitempty"`
	Elapsed *elapsedView `json:"elapsed,omitempty"` // absent until reached
}

func tp(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

func deadlineOf(d crisis.DeadlineStatus) deadlineView {
	return deadlineView{ID: d.ID, Deadline: d.Deadline, Title: d.Title, Owner: string(d.Owner), Start: d.Start.UTC(), Due: d.Due.UTC(), Status: d.Status, MetAt: tp(d.MetAt)}
}

func scoreOf(sc crisis.Score) scoreView {
	v := scoreView{Met: sc.Met, Missed: sc.Missed, Pending: sc.Pending, Void: sc.Void}
	if sc.Share >= 0 {
		share := sc.Share
		v.Share = &share
	}
	return v
}

func kpisOf(st *crisis.State) []kpiView {
	out := make([]kpiView, 0, len(st.KPIs))
	for _, k := range st.KPIs {
		v := kpiView{ID: k.ID, Title: k.Title, From: tp(k.From)}
		if k.Reached {
			e := elapsed(k.Elapsed)
			v.To, v.Elapsed = tp(k.To), &e
		}
		out = append(out, v)
	}
	return out
}

func summaryOf(st *crisis.State) summaryView {
	sit := st.Situation
	v := summaryView{
		ID: st.ID, Title: sit.Title, Onset: sit.Onset.UTC(), Affected: sit.Affected, Mode: st.Mode, Final: st.Final,
		RaisedBy: sit.By, RaisedAt: sit.Created.UTC(), CharterVersion: st.CharterVersion,
		NextDeadlines: []deadlineView{}, Score: scoreOf(st.Score),
	}
	end := st.Now
	if st.Final && len(st.History) > 0 {
		end = st.History[len(st.History)-1].At
	}
	v.SinceOnset = elapsed(end.Sub(sit.Onset.Time))
	var pending []crisis.DeadlineStatus
	for _, d := range st.Deadlines {
		switch {
		case d.Status == crisis.DuePending:
			pending = append(pending, d)
		case d.Status == crisis.DueMissed && d.MetAt.IsZero():
			v.Overdue++
		}
	}
	slices.SortStableFunc(pending, func(a, b crisis.DeadlineStatus) int { return cmp.Or(a.Due.Compare(b.Due), cmp.Compare(a.ID, b.ID)) })
	for _, d := range pending[:min(3, len(pending))] {
		v.NextDeadlines = append(v.NextDeadlines, deadlineOf(d))
	}
	return v
}

// stateView is a situation in full, as one principal sees it.
type stateView struct {
	summaryView
	Summary string    `json:"summary,omitempty"`
	Now     time.Time `json:"now"`
	// Roles are the caller's roles in the situation.
	Roles []string `json:"roles"`
	// Actions are what the caller may do now (see available).
	Actions              []actionView   `json:"actions"`
	History              []historyView  `json:"history"`
	Consent              consentView    `json:"consent"`
	ConsultationRequests []recordView   `json:"consultation_requests"`
	Briefers             []recordView   `json:"briefers"`
	Reports              []recordView   `json:"reports"`
	Drafts               []draftView    `json:"drafts"`
	Silences             []silenceView  `json:"silences"`
	Meetings             []meetingView  `json:"meetings"`
	Assistance           []assistView   `json:"assistance"`
	Deadlines            []deadlineView `json:"deadlines"`
	KPIs                 []kpiView      `json:"kpis"`
	Ignored              []ignoredView  `json:"ignored"`
}

type historyView struct {
	From   string    `json:"from"`
	To     string    `json:"to"`
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	Reason string    `json:"reason,omitempty"`
	Record string    `json:"record"`
}

// recordView is the common part of every record shown.
type recordView struct {
	ID       string    `json:"id"`
	By       string    `json:"by"`
	Role     string    `json:"role"`
	At       time.Time `json:"at"`
	Audience string    `json:"audience"`
	// The kind's own fields, where it has them.
	Title   string `json:"title,omitempty"`
	Text    string `json:"text,omitempty"`
	Reason  string `json:"reason,omitempty"`
	Briefer string `json:"briefer,omitempty"`
	Note    string `json:"note,omitempty"`
}

func recordOf(r crisis.Record) recordView {
	b := r.Base()
	return recordView{ID: b.ID, By: b.By, Role: string(b.Role), At: b.Created.UTC(), Audience: b.Audience}
}

type consentView struct {
	Status  string      `json:"status"`
	Path    string      `json:"path"`
	Request *recordView `json:"request,omitempty"`
	Expires *time.Time  `json:"expires,omitempty"`
	Answers []answerV   `json:"answers"`
}

type answerV struct {
	recordView
	Answer string `json:"answer"`
}

type draftView struct {
	ID       string         `json:"id"`
	By       string         `json:"by"`
	Versions []draftVersion `json:"versions"`
}

type draftVersion struct {
	Version string    `json:"version"`
	At      time.Time `json:"at"`
	Title   string    `json:"title"`
	Text    string    `json:"text"`
	Release string    `json:"release"`
}

type silenceView struct {
	recordView
	Draft        string          `json:"draft"`
	DraftVersion string          `json:"draft_version"`
	DraftTitle   string          `json:"draft_title,omitempty"`
	Urgency      string          `json:"urgency"`
	Release      string          `json:"release"`
	Expires      time.Time       `json:"expires"`
	Status       string          `json:"status"`
	Extensions   []extensionView `json:"extensions"`
	Breaks       []breakView     `json:"breaks"`
	Late         []breakView     `json:"late"`
	Declaration  *declView       `json:"declaration,omitempty"`
	Conflict     string          `json:"conflict,omitempty"`
}

type extensionView struct {
	recordView
	Expires time.Time `json:"expires"`
}

type breakView struct {
	recordView
	Kind string `json:"kind"`
}

type declView struct {
	recordView
	Outcome string `json:"outcome"`
}

type meetingView struct {
	recordView
	Level          string    `json:"level"`
	Start          time.Time `json:"start"`
	Invitees       []string  `json:"invitees"`
	Agenda         string    `json:"agenda"`
	Format         string    `json:"format,omitempty"`
	Recorded       bool      `json:"recorded"`
	Held           bool      `json:"held"`
	Present        []string  `json:"present"`
	Outcome        string    `json:"outcome,omitempty"`
	Quorum         bool      `json:"quorum"`
	MembersPresent int       `json:"members_present"`
	Members        int       `json:"members"`
}

type assistView struct {
	recordView
	Message     string         `json:"message"` // request or offer
	Recipient   string         `json:"recipient,omitempty"`
	Items       []crisis.Item  `json:"items"`
	Status      string         `json:"status"`
	Totals      []totalView    `json:"totals"`
	Pledges     []pledgeView   `json:"pledges"`
	Responses   []responseView `json:"responses"`
	FirstAnswer *time.Time     `json:"first_answer,omitempty"`
	Accepted    bool           `json:"accepted,omitempty"`
	Declined    bool           `json:"declined,omitempty"`
	Delivered   bool           `json:"delivered,omitempty"`
}

type totalView struct {
	Item      string `json:"item"`
	Unit      string `json:"unit,omitempty"`
	Requested int64  `json:"requested"`
	Pledged   int64  `json:"pledged"`
	Delivered int64  `json:"delivered"`
}

type pledgeView struct {
	recordView
	Items     []crisis.Item `json:"items"`
	Accepted  bool          `json:"accepted"`
	Declined  bool          `json:"declined"`
	Cancelled bool          `json:"cancelled"`
	Delivered bool          `json:"delivered"`
}

type responseView struct {
	recordView
	Message string        `json:"message"`
	Pledge  string        `json:"pledge,omitempty"`
	Items   []crisis.Item `json:"items,omitempty"`
}

type ignoredView struct {
	ID      string `json:"id"`
	Version string `json:"version,omitempty"`
	Kind    string `json:"kind,omitempty"`
	By      string `json:"by,omitempty"`
	Reason  string `json:"reason"`
}
