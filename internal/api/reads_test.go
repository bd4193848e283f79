package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/crisis"
	"github.com/kurultai/kurultai/internal/crisis/clock"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/stix"
)

func ids(ms []clock.Message) []string {
	out := []string{}
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

func notifications(e *env, token, query string) notificationsView {
	e.t.Helper()
	var v notificationsView
	e.get("/api/v1/notifications"+query, token, &v)
	return v
}

// TestNotifications: each user lists what is addressed to its
// participant and role, the same notifications the clock worker publishes.
func TestNotifications(t *testing.T) {
	e := newEnv(t)
	sit := e.raise()
	e.clock.Set(t0.Add(2 * time.Hour))
	e.act("kz", sit, "request_consultation", map[string]string{})
	e.act("chair", sit, "ask_consent", map[string]string{})

	// The worker, over the same store, ticks whenever the clock says.
	bus := &memBus{}
	w, err := clock.NewWorker(clock.Config{Index: clock.NewIndex(e.store, e.m, crisis.CollectionID, clock.IndexOptions{Clock: e.clock.Now}), Bus: bus, Clock: e.clock.Now, CatchUp: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	end := t0.Add(13 * time.Hour)
	for now := t0.Add(2 * time.Hour); !now.After(end); {
		next, _, err := w.Tick(context.Background(), now)
		if err != nil {
			t.Fatal(err)
		}
		if next.IsZero() || next.After(end) {
			break
		}
		now = next
	}
	e.clock.Set(end)

	chair := notifications(e, "chair", "")
	tr := notifications(e, "tr", "")
	kz := notifications(e, "kz", "")
	hu := notifications(e, "hu", "")
	has := func(v notificationsView, id string) bool { return slices.Contains(ids(v.Notifications), id) }
	for _, c := range []struct {
		v    notificationsView
		who  string
		id   string
		want bool
	}{
		{chair, "chair", "remind/" + sit + "/consultation/50%/TR", true},
		{tr, "TR liaison", "remind/" + sit + "/consultation/50%/TR", false},
		{kz, "KZ", "remind/" + sit + "/situation_report#1/50%/KZ", true},
		{kz, "KZ", "remind/" + sit + "/situation_report#1/90%/KZ", true},
		{tr, "TR liaison", sit + "/alert.raised/TR", true},
		{chair, "chair", sit + "/alert.raised/TR", true},
	} {
		if has(c.v, c.id) != c.want {
			t.Errorf("%s lists %s: %v, want %v (has %q)", c.who, c.id, !c.want, c.want, ids(c.v.Notifications))
		}
	}
	if !slices.ContainsFunc(chair.Notifications, func(m clock.Message) bool { return m.Kind == crisis.NoteConsultationRequested }) {
		t.Errorf("the chair does not list KZ's consultation request: %q", ids(chair.Notifications))
	}
	if !slices.ContainsFunc(kz.Notifications, func(m clock.Message) bool { return m.Kind == crisis.NoteConsentAsked }) {
		t.Errorf("KZ does not list the consent request: %q", ids(kz.Notifications))
	}
	if !slices.ContainsFunc(chair.Notifications, func(m clock.Message) bool { return m.Kind == crisis.NoteOverdue && m.Text != "" }) {
		t.Errorf("the chair lists no overdue digest: %q", ids(chair.Notifications))
	}
	if len(hu.Notifications) != 0 {
		t.Errorf("the observer lists %q about a members-only situation", ids(hu.Notifications))
	}
	// Everything the worker published to TR's chair and to KZ is listed.
	for _, m := range bus.messages() {
		var list notificationsView
		switch {
		case m.To == "TR":
			list = chair
		case m.To == "KZ":
			list = kz
		default:
			continue
		}
		if !has(list, m.ID) {
			t.Errorf("the worker published %s, which the API does not list", m.ID)
		}
	}
	if len(bus.messages()) == 0 {
		t.Fatal("the worker published nothing")
	}

	// Pages follow each other without gaps or repeats.
	var paged []string
	q := "?limit=2"
	for i := 0; i < 50; i++ {
		v := notifications(e, "chair", q)
		paged = append(paged, ids(v.Notifications)...)
		if v.Next == "" {
			break
		}
		q = "?limit=2&after=" + url.QueryEscape(v.Next)
	}
	if !slices.Equal(paged, ids(chair.Notifications)) {
		t.Errorf("pages %q, want %q", paged, ids(chair.Notifications))
	}
	since := t0.Add(6 * time.Hour)
	for _, m := range notifications(e, "chair", "?since="+stix.FormatTime(since)).Notifications {
		if m.At.Before(since) {
			t.Errorf("since %s lists %s at %s", since, m.ID, m.At)
		}
	}
}

// TestReads: listings, KPIs, the clock, the replay and the charter.
func TestReads(t *testing.T) {
	e := newEnv(t)
	first := e.raise()
	e.clock.Set(t0.Add(2 * time.Hour))
	second := e.act("uz", "", "raise_alert", map[string]any{"title": "Border incident", "onset": t0.Add(time.Hour), "affected": []string{"UZ", "KG"}}).Situation
	e.act("chair", second, "close", map[string]string{"reason": "resolved"})

	var list listView
	e.get("/api/v1/situations", "az", &list)
	if len(list.Situations) != 2 || list.Situations[0].ID != second || list.Situations[1].ID != first {
		t.Fatalf("listing %+v, want both, newest first", list.Situations)
	}
	s := list.Situations[1]
	if s.Mode != "monitoring" || s.SinceOnset.Seconds != 2*3600 || len(s.NextDeadlines) == 0 || s.NextDeadlines[0].Deadline != "consultation" {
		t.Errorf("summary %+v", s)
	}
	e.get("/api/v1/situations?open=true", "az", &list)
	if len(list.Situations) != 1 || list.Situations[0].ID != first {
		t.Errorf("open situations %+v, want the first only", list.Situations)
	}
	e.get("/api/v1/situations?limit=1", "az", &list)
	if len(list.Situations) != 1 || list.Next != second {
		t.Fatalf("first page %+v next %q", list.Situations, list.Next)
	}
	next := list.Next
	list = listView{}
	e.get("/api/v1/situations?limit=1&after="+next, "az", &list)
	if len(list.Situations) != 1 || list.Situations[0].ID != first || list.Next != "" {
		t.Errorf("second page %+v next %q", list.Situations, list.Next)
	}
	if code, _, _ := e.do(http.MethodGet, "/api/v1/situations?after="+first, "hu", nil); code != http.StatusBadRequest {
		t.Errorf("the observer pages after a situation it may not see: %d, want 400 as for one that does not exist", code)
	}
	e.get("/api/v1/situations", "hu", &list)
	if len(list.Situations) != 0 {
		t.Errorf("the observer lists %d members-only situations", len(list.Situations))
	}

	var kpis struct {
		Situations []kpiReportView `json:"situations"`
	}
	e.get("/api/v1/kpi", "kz", &kpis)
	if len(kpis.Situations) != 2 || len(kpis.Situations[0].KPIs) != 4 {
		t.Errorf("KPIs %+v", kpis.Situations)
	}

	var cv clockView
	e.get("/api/v1/situations/"+first+"/clock", "kz", &cv)
	var fs *baselineView
	for i, b := range cv.Baseline {
		if b.Deadline == "first_statement" {
			fs = &cv.Baseline[i]
		}
	}
	if fs == nil || fs.HistoricalAfter == nil || *fs.HistoricalAfter != 4*24*3600 || fs.DueAfter == nil || *fs.DueAfter != 24*3600 || fs.Status != crisis.DuePending {
		t.Errorf("first statement row %+v: want 2022 at +4d, due here at +24h, pending", fs)
	}
	if len(cv.Events) == 0 || cv.Events[0].Event != "onset" {
		t.Errorf("events %+v", cv.Events)
	}

	var replay struct {
		Timeline   []json.RawMessage `json:"timeline"`
		Comparison []baselineView    `json:"comparison"`
	}
	e.get("/api/v1/replay/2022", "hu", &replay)
	if len(replay.Timeline) != len(crisis.Timeline2022()) || len(replay.Comparison) == 0 {
		t.Errorf("replay: %d events, %d rows", len(replay.Timeline), len(replay.Comparison))
	}

	var ch map[string]any
	e.get("/api/v1/charter", "hu", &ch)
	if ch["version"] != "ots-2022.1" || ch["consent"].(map[string]any)["timeout"] != "12h" {
		t.Errorf("charter %v", ch)
	}
	code, h, body := e.do(http.MethodGet, "/api/v1/charter?format=yaml", "hu", nil)
	if code != 200 || !strings.HasPrefix(h.Get("Content-Type"), "application/yaml") || !strings.Contains(string(body), "version: ots-2022.1") {
		t.Errorf("charter as YAML = %d %q", code, body)
	}
	if n := len(e.audits(AuditCharterRead)); n != 2 {
		t.Errorf("%d charter reads audited, want 2", n)
	}
	if n := len(e.audits(AuditSituationsRead)); n != 5 {
		t.Errorf("%d listings audited, want 5", n)
	}
}

// TestDeniedReadIsAudited: reading a situation one may not see is a 404
// recorded as a denial.
func TestDeniedReadIsAudited(t *testing.T) {
	e := newEnv(t)
	sit := e.raise()
	code, _, _ := e.do(http.MethodGet, "/api/v1/situations/"+sit+"/kpi", "hu", nil)
	if code != http.StatusNotFound {
		t.Fatalf("observer KPI read = %d, want 404", code)
	}
	as := e.audits(AuditKPIRead)
	if len(as) != 1 || as[0].Decision != "deny" || as[0].Participant != "HU" || len(as[0].Objects) != 0 {
		t.Errorf("audit %+v, want one denial for HU naming no object", as)
	}
}

// TestNotificationInstants: deriving the clock only at the instants that
// can concern the caller lists the same notifications as walking every
// record and every point of the clock.
func TestNotificationInstants(t *testing.T) {
	e := newEnv(t)
	sit := e.raise()
	e.clock.Set(t0.Add(2 * time.Hour))
	e.act("kz", sit, "request_consultation", map[string]string{})
	e.act("chair", sit, "ask_consent", map[string]string{}) // never answered: times out
	e.clock.Set(t0.Add(15 * time.Hour))
	e.act("chair", sit, "change_mode", map[string]string{"to": "consultation"})
	draft := e.act("sec", sit, "draft_statement", map[string]string{"title": "T", "text": "Text."}).Records[0].ID
	e.act("chair", sit, "open_silence", map[string]string{"draft": draft, "urgency": "urgent"}) // expires unbroken
	e.clock.Set(t0.Add(30 * time.Hour))
	e.act("kz", sit, "request_assistance", map[string]any{"items": []map[string]any{{"item": "tents", "quantity": 10}}})
	e.act("kz", sit, "post_report", map[string]string{"text": "Late report."})
	now := t0.Add(80 * time.Hour)
	e.clock.Set(now)
	if err := e.srv.refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{"chair", "tr", "kz", "uz", "sec", "hu"} {
		p := principals[who]
		v := e.srv.visible(p, sit)
		got, _, err := e.srv.notesFor(p, sit, v.records, t0, now)
		if err != nil {
			t.Fatal(err)
		}
		want := walkAll(t, e, p, sit, v.records, now)
		gotIDs, wantIDs := noteIDs(got), noteIDs(want)
		if !slices.Equal(gotIDs, wantIDs) {
			t.Errorf("%s: listed %q, a full walk gives %q", who, gotIDs, wantIDs)
		}
		kinds := map[string]int{}
		for _, n := range got {
			kinds[n.Kind]++
		}
		switch who {
		case "chair":
			if kinds[crisis.NoteSilenceExpired] != 1 || kinds[crisis.NoteConsentTimedOut] != 1 || kinds[crisis.NoteOverdue] < 2 || kinds[crisis.NoteReminder] < 4 {
				t.Errorf("the chair's notifications by kind: %v", kinds)
			}
		case "kz":
			if kinds[crisis.NoteReminder] < 4 || kinds[crisis.NoteOverdue] != 0 {
				t.Errorf("KZ's notifications by kind: %v", kinds)
			}
		case "uz":
			if kinds[crisis.NoteReminder] == 0 { // the assistance request's answer
				t.Errorf("UZ's notifications by kind: %v", kinds)
			}
		}
	}
}

// walkAll is the reference: Due at every record time and every point
// Next names, from the alert to now.
func walkAll(t *testing.T, e *env, p kurultai.Principal, sit string, recs []crisis.Record, now time.Time) []crisis.Notification {
	t.Helper()
	st, err := e.m.Derive(sit, recs, now)
	if err != nil {
		return nil
	}
	roles := e.m.RolesOf(p, st.Affected())
	sorted := slices.Clone(recs)
	slices.SortStableFunc(sorted, func(a, b crisis.Record) int { return a.Base().Modified.Compare(b.Base().Modified) })
	seen := map[string]bool{}
	var out []crisis.Notification
	for i, r := range sorted {
		before := st
		if _, ok := r.(*crisis.AssistanceResponse); ok {
			before, _ = e.m.Derive(sit, sorted[:i], r.Base().Modified)
		}
		if r.Base().By == p.Participant {
			continue
		}
		for _, n := range e.m.Announce(before, []crisis.Record{r}) {
			if n.To == p.Participant && (n.Role == "" || slices.Contains(roles, n.Role)) && !seen[n.ID] {
				seen[n.ID] = true
				out = append(out, n)
			}
		}
	}
	tm, n := st.Situation.Created, 0
	for {
		for n < len(sorted) && !sorted[n].Base().Modified.After(tm) {
			n++
		}
		at, err := e.m.Derive(sit, sorted[:n], tm)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range e.m.Due(at, tm) {
			if x.To == p.Participant && (x.Role == "" || slices.Contains(roles, x.Role)) && !seen[x.ID] {
				seen[x.ID] = true
				out = append(out, x)
			}
		}
		if !tm.Before(now) {
			return out
		}
		next := e.m.Next(at, tm)
		if n < len(sorted) && (next.IsZero() || sorted[n].Base().Modified.Before(next)) {
			next = sorted[n].Base().Modified
		}
		if next.IsZero() || next.After(now) {
			next = now
		}
		tm = next
	}
}

func noteIDs(ns []crisis.Notification) []string {
	out := []string{}
	for _, n := range ns {
		out = append(out, n.ID)
	}
	slices.Sort(out)
	return out
}
