package web

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/kurultai/kurultai/internal/charter"
	"github.com/kurultai/kurultai/internal/crisis"
	"github.com/kurultai/kurultai/internal/kurultai"
)

// deskPageSize is how many open situations the desk shows per page.
const deskPageSize = 50

// deskData is the crisis desk: the open situations the user may see, most
// urgent first, and the KPIs against the January 2022 baseline.
type deskData struct {
	Rows       []deskRow
	Open       int // open situations the user may see
	Closed     int
	Overdue    int // deadlines missed and still unmet, over the open situations
	Page       int
	Pages      int
	KPIs       []kpiRow
	CanRaise   bool
	Compare    []compareRow
	DemoOnset  time.Time
	PrevPage   int
	NextPage   int
	ShowPaging bool
}

type deskRow struct {
	ID, Title string
	Affected  []string
	Mode      string
	Onset     time.Time
	Deadlines []crisis.DeadlineStatus // pending and overdue, soonest first
	More      int                     // deadlines not shown
	Overdue   int
	Score     crisis.Score
	urgency   time.Time
}

// kpiRow is one charter KPI over the user's situations, beside its target
// and the 2022 baseline.
type kpiRow struct {
	Title    string
	Target   time.Duration // 0: the charter sets none
	Baseline time.Duration // 0: nothing on record in 2022
	Median   time.Duration
	Reached  int
	Of       int
	Met      bool // the median is within the target
}

// compareRow is one step of the 2022 clock against the charter's.
type compareRow struct {
	Step       string
	Historical time.Duration // 0: no date on record
	Note       string
	Required   time.Duration // 0: counts from an event without a date
	Late       bool
}

// desk renders the crisis desk.
func (s *Server) desk(w http.ResponseWriter, r *http.Request, rq *request) error {
	states, err := s.crisis.Situations(r.Context(), rq.p, rq.now)
	if err != nil {
		return err
	}
	d := deskData{CanRaise: rq.p.CanWrite() && s.canRaise(rq.p), Compare: compare2022(s.m)}
	var rows []deskRow
	var refs []kurultai.ObjectRef
	for _, st := range states {
		refs = append(refs, kurultai.ObjectRef{ID: st.ID})
		if st.Final {
			d.Closed++
			continue
		}
		row := deskRowOf(st, rq.now)
		d.Overdue += row.Overdue
		rows = append(rows, row)
	}
	d.Open = len(rows)
	d.KPIs = kpiRows(s.m.Charter, s.m.Compare2022(), states)
	slices.SortStableFunc(rows, func(a, b deskRow) int {
		return cmp.Or(a.urgency.Compare(b.urgency), b.Onset.Compare(a.Onset), cmp.Compare(a.ID, b.ID))
	})
	d.Pages = max(1, (len(rows)+deskPageSize-1)/deskPageSize)
	d.Page, _ = strconv.Atoi(r.URL.Query().Get("page"))
	d.Page = min(max(d.Page, 1), d.Pages)
	lo := (d.Page - 1) * deskPageSize
	d.Rows = rows[lo:min(len(rows), lo+deskPageSize)]
	d.PrevPage, d.NextPage, d.ShowPaging = d.Page-1, d.Page+1, d.Pages > 1
	if err := s.auditRead(r, rq.p, kurultai.AuditEntry{Action: "web.desk.read", Objects: refs,
		Detail: fmt.Sprintf("%d open, %d closed situations listed", d.Open, d.Closed)}); err != nil {
		return err
	}
	return s.render(w, r, rq, http.StatusOK, "desk", rq.l.T("desk.title"), "desk", d)
}

// canRaise reports whether p holds a role that may raise an alert.
func (s *Server) canRaise(p kurultai.Principal) bool {
	for _, role := range s.m.RolesOf(p, nil) {
		if s.m.Charter.RoleAllows(role, charter.ActRaiseAlert) {
			return true
		}
	}
	return false
}

// maxDeskDeadlines is how many deadlines a desk row shows.
const maxDeskDeadlines = 4

func deskRowOf(st *crisis.State, now time.Time) deskRow {
	row := deskRow{ID: st.ID, Title: st.Situation.Title, Affected: st.Affected(), Mode: st.Mode,
		Onset: st.Situation.Onset.Time, Score: st.Score}
	// Keep the soonest few without copying every instance: a situation
	// open for months has hundreds of repeating deadlines.
	var top [maxDeskDeadlines]*crisis.DeadlineStatus
	n, relevant := 0, 0
	less := func(a, b *crisis.DeadlineStatus) bool {
		return a.Due.Before(b.Due) || a.Due.Equal(b.Due) && a.ID < b.ID
	}
	for i := range st.Deadlines {
		d := &st.Deadlines[i]
		switch {
		case d.Status == crisis.DuePending:
		case d.Status == crisis.DueMissed && d.MetAt.IsZero():
			row.Overdue++
		default:
			continue
		}
		relevant++
		if n == len(top) && !less(d, top[n-1]) {
			continue
		}
		j := min(n, len(top)-1)
		for j > 0 && less(d, top[j-1]) {
			top[j] = top[j-1]
			j--
		}
		top[j] = d
		n = min(n+1, len(top))
	}
	row.Deadlines = make([]crisis.DeadlineStatus, n)
	for i := range n {
		row.Deadlines[i] = *top[i]
	}
	row.More = relevant - n
	if n > 0 {
		row.urgency = top[0].Due
	} else {
		row.urgency = now.Add(100 * 365 * 24 * time.Hour)
	}
	return row
}

// kpiRows measures each charter KPI over the situations: the median of
// those that reached it, beside the target of the deadline met by the
// same event and the 2022 value of that deadline.
func kpiRows(ch *charter.Charter, cmp2022 []crisis.ClockRow, states []*crisis.State) []kpiRow {
	baseline, required := map[string]time.Duration{}, map[string]time.Duration{}
	for _, c := range cmp2022 {
		if !c.Historical.IsZero() {
			baseline[c.Deadline] = c.Historical.Sub(crisis.Onset2022)
		}
		if !c.Required.IsZero() {
			required[c.Deadline] = c.Required.Sub(crisis.Onset2022)
		}
	}
	var out []kpiRow
	for _, k := range ch.KPIs {
		row := kpiRow{Title: k.Title}
		for _, d := range ch.Deadlines {
			if d.MetBy == k.To && d.Within > 0 {
				row.Target = d.Within.D()
				if d.From != k.From && k.From == charter.EvOnset {
					// Counted from another event: the latest the charter
					// allows from onset, as the 2022 comparison counts it.
					row.Target = required[d.ID]
				}
				row.Baseline = baseline[d.ID]
				break
			}
		}
		var got []time.Duration
		for _, st := range states {
			for _, v := range st.KPIs {
				if v.ID != k.ID {
					continue
				}
				row.Of++
				if v.Reached {
					got = append(got, v.Elapsed)
				}
			}
		}
		row.Reached = len(got)
		if len(got) > 0 {
			slices.Sort(got)
			row.Median = got[len(got)/2]
			row.Met = row.Target == 0 || row.Median <= row.Target
		}
		out = append(out, row)
	}
	return out
}

func compare2022(m *crisis.Mechanism) []compareRow {
	var out []compareRow
	for _, c := range m.Compare2022() {
		row := compareRow{Step: c.Step, Note: c.HistoricalNote}
		if !c.Historical.IsZero() {
			row.Historical = c.Historical.Sub(crisis.Onset2022)
		}
		if !c.Required.IsZero() {
			row.Required = c.Required.Sub(crisis.Onset2022)
		}
		row.Late = row.Historical > 0 && row.Required > 0 && row.Historical > row.Required
		out = append(out, row)
	}
	return out
}
