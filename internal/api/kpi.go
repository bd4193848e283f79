package api

import (
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/kurultai/kurultai/internal/crisis"
	"github.com/kurultai/kurultai/internal/kurultai"
)

// kpiReportView is the KPIs of one situation.
type kpiReportView struct {
	Situation      string         `json:"situation"`
	Title          string         `json:"title"`
	Onset          time.Time      `json:"onset"`
	Mode           string         `json:"mode"`
	CharterVersion string         `json:"charter_version"`
	KPIs           []kpiView      `json:"kpis"`
	Score          scoreView      `json:"score"`
	Deadlines      []deadlineView `json:"deadlines"`
}

func kpiReportOf(st *crisis.State) kpiReportView {
	v := kpiReportView{Situation: st.ID, Title: st.Situation.Title, Onset: st.Situation.Onset.UTC(), Mode: st.Mode,
		CharterVersion: st.CharterVersion, KPIs: kpisOf(st), Score: scoreOf(st.Score), Deadlines: []deadlineView{}}
	for _, d := range st.Deadlines {
		v.Deadlines = append(v.Deadlines, deadlineOf(d))
	}
	return v
}

// getSituationKPI reports one situation's KPIs and deadlines.
func (s *Server) getSituationKPI(w http.ResponseWriter, r *http.Request, p kurultai.Principal) error {
	ctx := r.Context()
	id := r.PathValue("id")
	if err := s.refresh(ctx); err != nil {
		return err
	}
	st, v, err := s.situationState(p, id, s.clock())
	if err := s.auditRead(ctx, p, AuditKPIRead, id, v, err); err != nil {
		return err
	}
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, kpiReportOf(st))
}

// listKPI reports the KPIs of every situation p may see, newest first
// (?limit=, default 100).
func (s *Server) listKPI(w http.ResponseWriter, r *http.Request, p kurultai.Principal) error {
	ctx := r.Context()
	limit, err := limitParam(r.URL.Query())
	if err != nil {
		return err
	}
	if err := s.refresh(ctx); err != nil {
		return err
	}
	now := s.clock()
	ids := s.idx.Situations()
	slices.Reverse(ids)
	out := struct {
		Now        time.Time       `json:"now"`
		Situations []kpiReportView `json:"situations"`
		More       bool            `json:"more"`
	}{Now: now.UTC(), Situations: []kpiReportView{}}
	var refs []kurultai.ObjectRef
	read, withheld := 0, 0
	for _, id := range ids {
		st, v, err := s.situationState(p, id, now)
		read, withheld = read+len(v.refs), withheld+v.withheld
		if kurultai.ErrorCode(err) == kurultai.CodeNotFound {
			continue
		}
		if err != nil {
			return err
		}
		if len(out.Situations) == limit {
			out.More = true
			break
		}
		out.Situations = append(out.Situations, kpiReportOf(st))
		refs = append(refs, kurultai.ObjectRef{ID: id})
	}
	err = s.audit(ctx, p, kurultai.AuditEntry{Action: AuditKPIRead, Objects: refs, Query: r.URL.RawQuery,
		Detail: fmt.Sprintf("%d situations: %d versions read, %d withheld", len(out.Situations), read, withheld)})
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, out)
}

// clockView sets a situation's deadlines beside the January 2022 clock,
// as offsets from onset, for a chart.
type clockView struct {
	Situation string         `json:"situation"`
	Title     string         `json:"title"`
	Onset     time.Time      `json:"onset"`
	Now       time.Time      `json:"now"`
	Deadlines []clockDue     `json:"deadlines"`
	Events    []clockEvent   `json:"events"`
	Baseline  []baselineView `json:"baseline_2022"`
}

// clockDue is one deadline instance with offsets in seconds from onset.
type clockDue struct {
	deadlineView
	StartAfter int64  `json:"start_after_onset"`
	DueAfter   int64  `json:"due_after_onset"`
	MetAfter   *int64 `json:"met_after_onset,omitempty"`
}

type clockEvent struct {
	Event  string    `json:"event"`
	At     time.Time `json:"at"`
	After  int64     `json:"after_onset"`
	Record string    `json:"record"`
}

// baselineView is one step of crisis.Compare2022, and when this situation
// took (or must take) the same step.
type baselineView struct {
	Step            string     `json:"step"`
	Deadline        string     `json:"deadline"`
	Historical      *time.Time `json:"historical,omitempty"`
	HistoricalAfter *int64     `json:"historical_after_onset,omitempty"`
	HistoricalNote  string     `json:"historical_note"`
	Required2022    *time.Time `json:"required_2022,omitempty"`
	RequiredAfter   *int64     `json:"required_after_onset,omitempty"`
	RequiredNote    string     `json:"required_note"`
	// This situation's first instance of the deadline.
	Due      *time.Time `json:"due,omitempty"`
	DueAfter *int64     `json:"due_after_onset,omitempty"`
	MetAt    *time.Time `json:"met_at,omitempty"`
	MetAfter *int64     `json:"met_after_onset,omitempty"`
	Status   string     `json:"status,omitempty"`
}

func secs(from, t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	n := int64(t.Sub(from) / time.Second)
	return &n
}

// getClock reports a situation's clock.
func (s *Server) getClock(w http.ResponseWriter, r *http.Request, p kurultai.Principal) error {
	ctx := r.Context()
	id := r.PathValue("id")
	if err := s.refresh(ctx); err != nil {
		return err
	}
	st, v, err := s.situationState(p, id, s.clock())
	if err := s.auditRead(ctx, p, AuditClockRead, id, v, err); err != nil {
		return err
	}
	if err != nil {
		return err
	}
	onset := st.Situation.Onset.Time
	out := clockView{Situation: st.ID, Title: st.Situation.Title, Onset: onset.UTC(), Now: st.Now.UTC(),
		Deadlines: []clockDue{}, Events: []clockEvent{}, Baseline: []baselineView{}}
	first := map[string]crisis.DeadlineStatus{}
	for _, d := range st.Deadlines {
		out.Deadlines = append(out.Deadlines, clockDue{deadlineView: deadlineOf(d), StartAfter: *secs(onset, d.Start), DueAfter: *secs(onset, d.Due), MetAfter: secs(onset, d.MetAt)})
		if _, ok := first[d.Deadline]; !ok {
			first[d.Deadline] = d
		}
	}
	for _, e := range st.Events {
		name := e.Name
		if e.Arg != "" {
			name += "." + e.Arg
		}
		out.Events = append(out.Events, clockEvent{Event: name, At: e.At.UTC(), After: *secs(onset, e.At), Record: e.Record})
	}
	for _, row := range s.m.Compare2022() {
		b := baselineView{Step: row.Step, Deadline: row.Deadline,
			Historical: tp(row.Historical), HistoricalAfter: secs(crisis.Onset2022, row.Historical), HistoricalNote: row.HistoricalNote,
			Required2022: tp(row.Required), RequiredAfter: secs(crisis.Onset2022, row.Required), RequiredNote: row.RequiredNote}
		if d, ok := first[row.Deadline]; ok {
			b.Due, b.DueAfter, b.MetAt, b.MetAfter, b.Status = tp(d.Due), secs(onset, d.Due), tp(d.MetAt), secs(onset, d.MetAt), d.Status
		}
		out.Baseline = append(out.Baseline, b)
	}
	return s.render(w, http.StatusOK, out)
}

// getReplay reports the January 2022 timeline and the charter's clock
// from the same onset.
func (s *Server) getReplay(w http.ResponseWriter, r *http.Request, p kurultai.Principal) error {
	type event struct {
		From           time.Time `json:"from"`
		To             time.Time `json:"to"`
		Text           string    `json:"text"`
		ByOrganization bool      `json:"by_organization"`
	}
	out := struct {
		Title      string         `json:"title"`
		Onset      time.Time      `json:"onset"`
		Charter    string         `json:"charter_version"`
		Timeline   []event        `json:"timeline"`
		Comparison []baselineView `json:"comparison"`
	}{Title: crisis.DemoTitle, Onset: crisis.Onset2022, Charter: s.m.Charter.Version, Timeline: []event{}, Comparison: []baselineView{}}
	for _, e := range crisis.Timeline2022() {
		out.Timeline = append(out.Timeline, event{From: e.From, To: e.To, Text: e.Text, ByOrganization: e.ByOrganization})
	}
	for _, row := range s.m.Compare2022() {
		out.Comparison = append(out.Comparison, baselineView{Step: row.Step, Deadline: row.Deadline,
			Historical: tp(row.Historical), HistoricalAfter: secs(crisis.Onset2022, row.Historical), HistoricalNote: row.HistoricalNote,
			Required2022: tp(row.Required), RequiredAfter: secs(crisis.Onset2022, row.Required), RequiredNote: row.RequiredNote})
	}
	if err := s.audit(r.Context(), p, kurultai.AuditEntry{Action: AuditReplayRead, Detail: "January 2022 replay"}); err != nil {
		return err
	}
	return s.render(w, http.StatusOK, out)
}
