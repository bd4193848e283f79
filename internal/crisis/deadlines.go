package crisis

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/kurultai/kurultai/internal/charter"
)

// Bounds on repeating deadlines: how many periods are evaluated (a
// situation left open for years must not cost unbounded time) and how
// many of the latest are listed in the state (all are counted in Score).
const (
	maxPeriods    = 100_000
	listedPeriods = 24
)

// events lists the dated events of the situation.
func (d *deriver) events() {
	st := d.st
	sit := st.Situation
	add := func(name, arg string, at time.Time, key string, space charter.RecordKind, rec string) {
		st.Events = append(st.Events, Event{Name: name, Arg: arg, At: at, Key: key, Space: space, Record: rec})
	}
	add(charter.EvOnset, "", sit.Onset.Time, "", "", sit.ID)
	add(charter.EvAlert, "", sit.Created, "", "", sit.ID)
	add("mode", st.initialMode(), sit.Created, "", "", sit.ID)
	for _, h := range st.History {
		add("mode", h.To, h.At, "", "", h.Record)
	}
	for _, r := range st.ConsultationRequests {
		add(charter.EvConsultationRequest, "", r.Created, "", "", r.ID)
	}
	if r := st.Consent.Request; r != nil {
		add(charter.EvConsentAsked, "", r.Created, "", "", r.ID)
		for _, a := range st.Consent.Answers {
			add(charter.EvConsentAnswered, "", a.Created, r.ID, charter.KindConsentRequest, a.ID)
		}
	}
	for _, r := range st.Reports {
		add(charter.EvReport, "", r.Created, "", "", r.ID)
		if slices.Contains(st.Affected(), r.By) {
			add(charter.EvReportAffected, "", r.Created, "", "", r.ID)
		}
	}
	for _, s := range st.Silences {
		add(charter.EvSilenceOpened, "", s.Created, s.ID, charter.KindSilence, s.ID)
		if len(s.Breaks) > 0 {
			add(charter.EvSilenceBroken, "", s.Breaks[0].Created, s.ID, charter.KindSilence, s.Breaks[0].ID)
		}
		if dec := s.Declaration; dec != nil {
			name := charter.EvStatementAdopted
			if dec.Outcome == NotAdopted {
				name = charter.EvStatementNotAdopted
			}
			add(name, "", dec.Created, s.ID, charter.KindSilence, dec.ID)
		}
	}
	for _, ms := range st.Meetings {
		add(charter.EvMeetingConvened, ms.Level, ms.Created, ms.ID, charter.KindMeeting, ms.ID)
		if ms.Quorum {
			add(charter.EvMeetingHeld, ms.Level, ms.Start.Time, ms.ID, charter.KindMeeting, ms.Outcome.ID)
		}
	}
	for _, as := range st.Assistance {
		if as.Message == charter.MsgRequest {
			add(charter.EvAssistanceRequested, "", as.Created, as.ID, charter.KindAssistanceRequest, as.ID)
		}
		if !as.FirstAnswer.IsZero() {
			add(charter.EvAssistanceAnswered, "", as.FirstAnswer, as.ID, charter.KindAssistanceRequest, as.ID)
		}
		if as.complete {
			add(charter.EvAssistanceDelivered, "", as.deliveredAt, as.ID, charter.KindAssistanceRequest, as.ID)
		}
	}
	slices.SortFunc(st.Events, func(a, b Event) int {
		return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.Name, b.Name), cmp.Compare(a.Arg, b.Arg), cmp.Compare(a.Key, b.Key), cmp.Compare(a.Record, b.Record))
	})
}

// initialMode returns the mode the situation started in.
func (s *State) initialMode() string {
	if len(s.History) > 0 {
		return s.History[0].From
	}
	return s.Mode
}

// matches reports whether event e is an occurrence of the charter event
// name. A meeting event with a level is met by that level or a higher one.
func (m *Mechanism) matches(name string, e Event) bool {
	base, arg := charter.SplitEvent(name)
	if e.Name != base {
		return false
	}
	switch {
	case arg == "":
		return true
	case base == "mode":
		return e.Arg == arg
	default:
		return m.Charter.LevelRank(e.Arg) >= m.Charter.LevelRank(arg)
	}
}

// occurrences returns the events that are occurrences of name, in order.
func (d *deriver) occurrences(name string) []Event {
	var out []Event
	for _, e := range d.st.Events {
		if d.m.matches(name, e) {
			out = append(out, e)
		}
	}
	return out
}

// firstAfter returns the first occurrence among evs at or after from,
// about the same thing as from when both are about the same kind of thing.
func firstAfter(evs []Event, from Event) (Event, bool) {
	for _, e := range evs {
		if e.At.Before(from.At) {
			continue
		}
		if from.Space != "" && from.Space == e.Space && from.Key != e.Key {
			continue
		}
		return e, true
	}
	return Event{}, false
}

// deadlines evaluates every charter deadline.
func (d *deriver) deadlines() {
	for _, dl := range d.m.Charter.Deadlines {
		if dl.Every > 0 {
			d.repeating(dl)
			continue
		}
		anchors := d.occurrences(dl.From)
		if !dl.Each && len(anchors) > 1 {
			anchors = anchors[:1]
		}
		mets := d.occurrences(dl.MetBy)
		for _, a := range anchors {
			ds := DeadlineStatus{ID: dl.ID, Deadline: dl.ID, Title: dl.Title, Owner: dl.Owner, Start: a.At, Due: a.At.Add(dl.Within.D())}
			if dl.Each {
				ds.Key = cmp.Or(a.Key, a.Record)
				ds.ID += ":" + ds.Key
			}
			if e, ok := firstAfter(mets, a); ok {
				ds.MetAt = e.At
			}
			ds.Status = d.status(ds.Due, ds.MetAt)
			d.score(ds.Status)
			d.st.Deadlines = append(d.st.Deadlines, ds)
		}
	}
	sc := &d.st.Score
	sc.Share = -1
	if n := sc.Met + sc.Missed; n > 0 {
		sc.Share = float64(sc.Met) / float64(n)
	}
}

// status decides one deadline instance.
func (d *deriver) status(due, metAt time.Time) string {
	switch {
	case !metAt.IsZero() && !metAt.After(due):
		return DueMet
	case !metAt.IsZero():
		return DueMissed
	case !d.finalAt.IsZero() && d.finalAt.Before(due):
		return DueVoid
	case d.now.After(due):
		return DueMissed
	}
	return DuePending
}

func (d *deriver) score(status string) {
	switch status {
	case DueMet:
		d.st.Score.Met++
	case DueMissed:
		d.st.Score.Missed++
	case DuePending:
		d.st.Score.Pending++
	case DueVoid:
		d.st.Score.Void++
	}
}

// repeating evaluates a repeating deadline: the met-by event is due in
// every period after the first from-event, until the until-event (or the
// final mode). A period is met by an occurrence inside it.
func (d *deriver) repeating(dl charter.Deadline) {
	anchors := d.occurrences(dl.From)
	if len(anchors) == 0 {
		return
	}
	a := anchors[0]
	stop := d.finalAt
	if dl.Until != "" {
		if e, ok := firstAfter(d.occurrences(dl.Until), Event{At: a.At}); ok && (stop.IsZero() || e.At.Before(stop)) {
			stop = e.At
		}
	}
	mets := d.occurrences(dl.MetBy)
	every := dl.Every.D()
	// Only the last listedPeriods periods are kept: a window of twice
	// that, slid when full, without ids until the end.
	listed := make([]DeadlineStatus, 0, 2*listedPeriods+1)
	first := 1 // the period of listed[0]
	j := 0
	for k := 1; k <= maxPeriods; k++ {
		start := a.At.Add(time.Duration(k-1) * every)
		due := start.Add(every)
		if start.After(d.now) || !stop.IsZero() && !start.Before(stop) {
			break
		}
		for j < len(mets) && !mets[j].At.After(start) && !(k == 1 && mets[j].At.Equal(start)) {
			j++
		}
		ds := DeadlineStatus{Deadline: dl.ID, Title: dl.Title, Owner: dl.Owner, Start: start, Due: due}
		if j < len(mets) && !mets[j].At.After(due) {
			ds.MetAt = mets[j].At
			ds.Status = DueMet
		} else {
			ds.Status = d.status(due, time.Time{})
			if ds.Status == DuePending && !stop.IsZero() && stop.Before(due) {
				ds.Status = DueVoid
			}
		}
		d.score(ds.Status)
		listed = append(listed, ds)
		if len(listed) > 2*listedPeriods {
			first += len(listed) - listedPeriods
			listed = append(listed[:0], listed[len(listed)-listedPeriods:]...)
		}
	}
	if len(listed) > listedPeriods {
		first += len(listed) - listedPeriods
		listed = listed[len(listed)-listedPeriods:]
	}
	for i := range listed {
		listed[i].ID = dl.ID + "#" + strconv.Itoa(first+i)
	}
	d.st.Deadlines = append(d.st.Deadlines, listed...)
}

// kpis measures each charter KPI.
func (d *deriver) kpis() {
	for _, k := range d.m.Charter.KPIs {
		v := KPIValue{ID: k.ID, Title: k.Title}
		if from := d.occurrences(k.From); len(from) > 0 {
			v.From = from[0].At
			if to, ok := firstAfter(d.occurrences(k.To), from[0]); ok {
				v.To, v.Elapsed, v.Reached = to.At, to.At.Sub(from[0].At), true
			}
		}
		d.st.KPIs = append(d.st.KPIs, v)
	}
}

// String formats a KPI value: "4d 0h" or "not reached".
func (v KPIValue) String() string {
	if !v.Reached {
		return "not reached"
	}
	return FormatElapsed(v.Elapsed)
}

// FormatElapsed formats a duration as days and hours ("4d 3h", "11h 20m").
func FormatElapsed(t time.Duration) string {
	t = t.Round(time.Minute)
	days := t / (24 * time.Hour)
	h := (t % (24 * time.Hour)) / time.Hour
	m := (t % time.Hour) / time.Minute
	switch {
	case days > 0:
		return fmt.Sprintf("%dd %dh", days, h)
	case h > 0:
		return fmt.Sprintf("%dh %dm", h, m)
	}
	return fmt.Sprintf("%dm", m)
}
