package web

import (
	"cmp"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/kurultai/kurultai/internal/charter"
	"github.com/kurultai/kurultai/internal/crisis"
	"github.com/kurultai/kurultai/internal/kurultai"
)

// maxTimeline bounds the timeline of the situation room.
const maxTimeline = 200

// roomData is the situation room.
type roomData struct {
	St        *crisis.State
	Since     time.Duration
	Roles     []charter.Role
	Timeline  []event
	Earlier   int // timeline entries not shown
	Deadlines []crisis.DeadlineStatus
	Clock     template.HTML
	Actions   map[string]*avail
	Form      *formState
	Members   []charter.Participant
	Levels    []charter.Level
	Drafts    []draftRef
	Sparkline template.HTML
}

type draftRef struct {
	ID, Title string
}

// event is one line of the situation's timeline.
type event struct {
	At   time.Time
	Kind string // the catalog key under "tl."
	By   string
	Text string
	Link string
}

// formState is a form that came back refused: which action, the field
// the error is about, the message, and what the user typed.
type formState struct {
	Action  string
	Field   string
	Message string
	Values  url.Values
}

// Value returns what the user typed into a field (or the draft stashed
// across a sign-in).
func (f *formState) Value(action, field string) string {
	if f == nil || (f.Action != "" && f.Action != action) {
		return ""
	}
	return f.Values.Get(field)
}

// ErrorFor returns the error message of a form, if it is that form's.
func (f *formState) ErrorFor(action string) string {
	if f == nil || f.Action != action {
		return ""
	}
	return f.Message
}

// situationRoom renders one situation as the user sees it.
func (s *Server) situationRoom(w http.ResponseWriter, r *http.Request, rq *request) error {
	return s.renderRoom(w, r, rq, http.StatusOK, s.draftForm(rq, r))
}

// draftForm returns the text stashed across a sign-in for this page.
func (s *Server) draftForm(rq *request, r *http.Request) *formState {
	f := rq.sess.takeDraft(r.URL.Path)
	if f == nil {
		return nil
	}
	v := url.Values{}
	for k, x := range f {
		v.Set(k, x)
	}
	return &formState{Values: v}
}

// loadSituation derives the situation in the path as the user sees it and
// records the read.
func (s *Server) loadSituation(r *http.Request, rq *request) (*crisis.State, error) {
	id := r.PathValue("id")
	st, err := s.crisis.Situation(r.Context(), rq.p, id, rq.now)
	e := kurultai.AuditEntry{Action: "web.situation.read", Query: "situation=" + clip(id)}
	if err != nil {
		e.Decision, e.Detail = kurultai.DecisionDeny, "not visible"
		if kurultai.ErrorCode(err) != kurultai.CodeNotFound {
			return nil, err
		}
	} else {
		e.Objects = []kurultai.ObjectRef{{ID: id}}
		e.Detail = r.URL.Path
	}
	if aerr := s.auditRead(r, rq.p, e); aerr != nil {
		return nil, aerr
	}
	return st, err
}

func (s *Server) renderRoom(w http.ResponseWriter, r *http.Request, rq *request, status int, form *formState) error {
	st, err := s.loadSituation(r, rq)
	if err != nil {
		return err
	}
	d := roomData{St: st, Roles: s.m.RolesOf(rq.p, st.Affected()), Actions: available(s.m, st, rq.p, rq.now), Form: form,
		Levels: s.m.Charter.Meetings.Levels}
	d.Since = rq.now.Sub(st.Situation.Onset.Time)
	if st.Final && len(st.History) > 0 {
		d.Since = st.History[len(st.History)-1].At.Sub(st.Situation.Onset.Time)
	}
	for _, p := range s.m.Charter.Participants {
		if p.Kind == kurultai.KindMember {
			d.Members = append(d.Members, p)
		}
	}
	for _, dr := range st.Drafts {
		d.Drafts = append(d.Drafts, draftRef{ID: dr.ID, Title: dr.Latest().Title})
	}
	d.Timeline = timeline(st)
	if len(d.Timeline) > maxTimeline {
		d.Earlier = len(d.Timeline) - maxTimeline
		d.Timeline = d.Timeline[:maxTimeline]
	}
	d.Deadlines = slices.Clone(st.Deadlines)
	slices.SortStableFunc(d.Deadlines, func(a, b crisis.DeadlineStatus) int { return cmp.Or(a.Due.Compare(b.Due), cmp.Compare(a.ID, b.ID)) })
	d.Clock = clockSVG(s.m, st, rq.now, rq.l)
	d.Sparkline = sparkline(eventsPerDay(st, rq.now, 14), rq.l.T("room.activity"))
	return s.render(w, r, rq, status, "situation", st.Situation.Title, "desk", d)
}

// timeline merges the records of a situation, newest first.
func timeline(st *crisis.State) []event {
	base := "/situations/" + url.PathEscape(st.ID)
	var ev []event
	add := func(at time.Time, kind, by, text, link string) {
		ev = append(ev, event{At: at, Kind: kind, By: by, Text: text, Link: link})
	}
	sit := st.Situation
	add(sit.Created, "raised", sit.By, sit.Title, "")
	for _, h := range st.History {
		add(h.At, "mode", h.By, fmt.Sprintf("%s → %s %s", h.From, h.To, h.Reason), "")
	}
	for _, c := range st.ConsultationRequests {
		add(c.Created, "consultation", c.By, c.Reason, "")
	}
	if c := st.Consent.Request; c != nil {
		add(c.Created, "consent_asked", c.By, c.Note, "")
		for _, a := range st.Consent.Answers {
			add(a.Created, "consent_answer", a.By, a.Answer+" "+a.Note, "")
		}
	}
	for _, b := range st.Briefers {
		add(b.Created, "briefer", b.By, b.Briefer, "")
	}
	for _, rep := range st.Reports {
		add(rep.Created, "report", rep.By, firstNonEmpty(rep.Title, excerpt(rep.Text, 160)), "")
	}
	for _, d := range st.Drafts {
		link := base + "/statements/" + url.PathEscape(d.ID)
		for i, v := range d.Versions {
			add(v.Modified, "draft", v.By, fmt.Sprintf("v%d: %s", i+1, v.Title), link)
		}
	}
	for _, sp := range st.Silences {
		link := base + "/statements/" + url.PathEscape(sp.DraftRef)
		add(sp.Created, "silence", sp.By, sp.Urgency, link)
		for _, x := range sp.Extensions {
			add(x.Created, "extension", x.By, x.Reason, link)
		}
		for _, b := range sp.Breaks {
			add(b.Created, "break_"+b.BreakKind, b.By, excerpt(b.Text, 160), link)
		}
		for _, b := range sp.Late {
			add(b.Created, "late_break", b.By, excerpt(b.Text, 160), link)
		}
		if dc := sp.Declaration; dc != nil {
			add(dc.Created, "declared_"+dc.Outcome, dc.By, dc.Reason, link)
		}
	}
	for _, m := range st.Meetings {
		add(m.Created, "meeting", m.By, m.Level+": "+m.Agenda, base+"/meetings")
		if o := m.Outcome; o != nil {
			add(o.Created, "meeting_outcome", o.By, o.Outcome, base+"/meetings")
		}
	}
	for _, a := range st.Assistance {
		add(a.Created, "assistance_"+a.Message, a.By, excerpt(a.Text, 160), base+"/assistance")
		for _, x := range a.Responses {
			add(x.Created, "assistance_"+x.Message, x.By, excerpt(x.Text, 160), base+"/assistance")
		}
	}
	slices.SortStableFunc(ev, func(a, b event) int { return b.At.Compare(a.At) })
	return ev
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// excerpt cuts a text to about n bytes at a rune boundary.
func excerpt(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8Start(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// eventsPerDay counts the situation's events in each of the last days.
func eventsPerDay(st *crisis.State, now time.Time, days int) []int {
	out := make([]int, days)
	start := now.Add(-time.Duration(days) * 24 * time.Hour)
	for _, e := range st.Events {
		if e.At.Before(start) || e.At.After(now) {
			continue
		}
		i := int(e.At.Sub(start) / (24 * time.Hour))
		out[min(i, days-1)]++
	}
	return out
}
