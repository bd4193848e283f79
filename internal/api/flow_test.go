package api

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/crisis"
	"github.com/kurultai/kurultai/internal/kurultai"
)

// TestMechanismThroughTheAPI plays the January 2022 mechanism forward
// through the handlers with a fake clock: consultation, consent, a
// silence broken by an objection, a redraft adopted at expiry, a
// ministers' meeting, an assistance request answered and pledged.
func TestMechanismThroughTheAPI(t *testing.T) {
	e := newEnv(t)
	sit := e.raise()

	kzView := e.state("kz", sit)
	if !slices.Equal(kzView.Roles, []string{"affected", "member"}) || !hasAction(kzView, "request_consultation") || hasAction(kzView, "open_silence") {
		t.Fatalf("KZ sees roles %v and actions %v", kzView.Roles, kzView.Actions)
	}
	if code, _, body := e.do(http.MethodGet, "/api/v1/situations/"+sit, "hu", nil); code != http.StatusNotFound {
		t.Fatalf("observer GET = %d %s, want 404: the situation is members-only", code, body)
	}

	e.clock.Set(t0.Add(2 * time.Hour))
	e.act("kz", sit, "request_consultation", map[string]string{"reason": "Unrest spreading from Zhanaozen"})
	e.act("chair", sit, "ask_consent", map[string]string{})
	e.act("kz", sit, "answer_consent", map[string]string{"answer": "granted"})
	r := e.act("chair", sit, "change_mode", map[string]string{"to": "consultation", "reason": "KZ asked"})
	if r.State.Mode != "consultation" || r.State.Consent.Status != crisis.ConsentGranted {
		t.Fatalf("after consultation: mode %s, consent %s", r.State.Mode, r.State.Consent.Status)
	}

	// A draft under silence with an exact expiry, broken by UZ.
	e.clock.Set(t0.Add(3 * time.Hour))
	draft := e.act("sec", sit, "draft_statement", map[string]string{"title": "Statement on Kazakhstan", "text": "The members follow events with concern."}).Records[0].ID
	expires := t0.Add(9 * time.Hour)
	r = e.act("chair", sit, "open_silence", map[string]any{"draft": draft, "urgency": "urgent", "expires": expires})
	silence := r.Records[0].ID
	if got := r.State.Silences[0]; !got.Expires.Equal(expires) || got.Status != crisis.SilenceOpen {
		t.Fatalf("silence %+v, want open until %s", got, expires)
	}
	if !hasAction(e.state("uz", sit), "break_silence") {
		t.Fatal("UZ may not break silence")
	}
	e.clock.Set(t0.Add(4 * time.Hour))
	r = e.act("uz", sit, "break_silence", map[string]string{"silence": silence, "kind": "objection", "text": "Paragraph 2 prejudges the investigation."})
	if got := r.State.Silences[0]; got.Status != crisis.SilenceBroken || len(got.Breaks) != 1 || got.Breaks[0].By != "UZ" {
		t.Fatalf("after UZ's objection: %+v", got)
	}
	// A second objection by UZ, and any objection by an observer, are refused.
	code, body := e.try("uz", sit, "break_silence", map[string]string{"silence": silence, "kind": "amendment", "text": "Again."})
	if code != http.StatusConflict || !strings.Contains(apiError(t, body).Message, "already broke silence") {
		t.Errorf("second objection = %d %s, want 409", code, body)
	}
	code, body = e.try("hu", sit, "break_silence", map[string]string{"silence": silence, "kind": "objection", "text": "No."})
	if code != http.StatusForbidden || !strings.Contains(apiError(t, body).Message, "charter roles") {
		t.Errorf("observer objection = %d %s, want 403 naming the charter rule", code, body)
	}
	code, body = e.try("chair", sit, "declare", map[string]string{"silence": silence, "outcome": "adopted"})
	if code != http.StatusConflict || !strings.Contains(apiError(t, body).Message, "broken by UZ") {
		t.Errorf("declare adopted after a break = %d %s, want 409 naming UZ", code, body)
	}
	e.act("chair", sit, "declare", map[string]string{"silence": silence, "outcome": "not_adopted", "reason": "UZ objected"})

	// The redraft, under silence until an exact expiry nobody breaks.
	e.clock.Set(t0.Add(5 * time.Hour))
	e.act("sec", sit, "draft_statement", map[string]string{"draft": draft, "title": "Statement on Kazakhstan", "text": "The members express solidarity."})
	second := e.act("chair", sit, "open_silence", map[string]any{"draft": draft, "urgency": "urgent", "expires": t0.Add(11 * time.Hour)}).Records[0].ID
	code, body = e.try("chair", sit, "declare", map[string]string{"silence": second, "outcome": "adopted"})
	if code != http.StatusConflict || !strings.Contains(apiError(t, body).Message, "only after expiry") {
		t.Errorf("declare before expiry = %d %s, want 409", code, body)
	}
	e.clock.Set(t0.Add(11*time.Hour + time.Minute))
	code, body = e.try("az", sit, "break_silence", map[string]string{"silence": second, "kind": "objection", "text": "Too late."})
	if code != http.StatusConflict || !strings.Contains(apiError(t, body).Message, "before expiry") {
		t.Errorf("objection after expiry = %d %s, want 409", code, body)
	}
	chairView := e.state("chair", sit)
	var declare *actionView
	for i, a := range chairView.Actions {
		if a.Action == "declare" {
			declare = &chairView.Actions[i]
		}
	}
	if declare == nil || !slices.ContainsFunc(declare.Targets, func(tv targetView) bool { return tv.ID == second && slices.Contains(tv.Options, "adopted") }) {
		t.Errorf("the chair's actions do not offer to declare %s adopted: %+v", second, chairView.Actions)
	}
	r = e.act("chair", sit, "declare", map[string]string{"silence": second, "outcome": "adopted"})
	if got := r.State.Silences[1]; got.Status != crisis.SilenceAdopted || got.Declaration == nil || got.Declaration.Text != "The members express solidarity." {
		t.Fatalf("second silence: %+v", got)
	}

	// Activation and the foreign ministers' meeting, convened and held.
	r = e.act("chair", sit, "change_mode", map[string]string{"to": "activation"})
	start := t0.Add(30 * time.Hour)
	meeting := e.act("chair", sit, "convene_meeting", map[string]any{
		"level": "foreign_ministers", "start": start, "invitees": []string{"AZ", "KZ", "KG", "TR", "UZ", "HU", "TM"},
		"agenda": "The situation in Kazakhstan", "format": "videoconference",
	}).Records[0].ID
	code, body = e.try("chair", sit, "record_meeting", map[string]any{"meeting": meeting, "held": true, "present": []string{"AZ", "KZ"}})
	if code != http.StatusConflict {
		t.Errorf("recording a meeting before it starts = %d %s, want 409", code, body)
	}
	e.clock.Set(start.Add(2 * time.Hour))
	r = e.act("chair", sit, "record_meeting", map[string]any{"meeting": meeting, "held": true, "present": []string{"AZ", "KZ", "KG", "TR", "UZ", "HU"}, "outcome": "Solidarity; assistance offered"})
	if got := r.State.Meetings[0]; !got.Held || !got.Quorum || got.MembersPresent != 5 {
		t.Errorf("meeting %+v, want held with quorum", got)
	}

	// Assistance: KZ asks, UZ pledges part, KZ accepts.
	request := e.act("kz", sit, "request_assistance", map[string]any{"items": []map[string]any{{"item": "field hospital", "quantity": 2}, {"item": "flour", "quantity": 100, "unit": "t"}}}).Records[0].ID
	e.clock.Add(3 * time.Hour)
	pledge := e.act("uz", sit, "answer_assistance", map[string]any{"request": request, "message": "pledge", "items": []map[string]any{{"item": "flour", "quantity": 40, "unit": "t"}}}).Records[0].ID
	e.act("tr", sit, "answer_assistance", map[string]any{"request": request, "message": "need_info", "text": "Which region?"})
	r = e.act("kz", sit, "accept_assistance", map[string]any{"request": request, "pledge": pledge, "message": "accept"})
	as := r.State.Assistance[0]
	if as.Status != "partly_pledged" || as.FirstAnswer == nil || !as.Pledges[0].Accepted {
		t.Errorf("assistance %+v, want partly pledged, answered, accepted", as)
	}

	// What each participant sees now.
	for _, who := range []string{"kz", "uz", "tr", "sec", "chair"} {
		v := e.state(who, sit)
		if v.Mode != "activation" || len(v.Silences) != 2 || v.Silences[1].Status != crisis.SilenceAdopted || len(v.Drafts[0].Versions) != 2 {
			t.Errorf("%s sees mode %s, %d silences, drafts %+v", who, v.Mode, len(v.Silences), v.Drafts)
		}
	}
	var kpi kpiReportView
	e.get("/api/v1/situations/"+sit+"/kpi", "kz", &kpi)
	want := map[string]time.Duration{"consultation": 2 * time.Hour, "statement": 11*time.Hour + time.Minute, "ministerial": 30 * time.Hour, "assistance_answer": 3 * time.Hour}
	for _, k := range kpi.KPIs {
		// Records are a microsecond apart when made at one instant.
		if w, ok := want[k.ID]; !ok || k.Elapsed == nil || (w-time.Duration(k.Elapsed.Seconds)*time.Second).Abs() > time.Second {
			t.Errorf("KPI %s = %+v, want %s", k.ID, k.Elapsed, w)
		}
	}
	if kpi.Score.Met == 0 {
		t.Errorf("score %+v: no deadline met", kpi.Score)
	}
	if n := len(e.bus.messages()); n == 0 {
		t.Error("no notification published")
	}

	// The observer sees no situation, but is told of the adopted statement
	// and of the meeting it was invited to.
	var hu notificationsView
	e.get("/api/v1/notifications?since=2022-01-01T00:00:00Z", "hu", &hu)
	kinds := map[string]bool{}
	for _, m := range hu.Notifications {
		kinds[m.Kind] = true
	}
	if len(kinds) != 2 || !kinds[crisis.NoteStatementAdopted] || !kinds[crisis.NoteMeetingConvened] {
		t.Errorf("the observer's notifications: %+v", hu.Notifications)
	}

	// Every action was audited as a decision, and every write by the store.
	if n := len(e.audits(AuditAct)); n < 20 {
		t.Errorf("%d crisis.act audit entries, want one per action tried", n)
	}
	if n := len(e.audits(kurultai.ActionObjectsAdd)); n < 15 {
		t.Errorf("%d objects.add audit entries", n)
	}
}

// TestRecordsAreSigned: the API signs what it writes with the node's key.
func TestRecordsAreSigned(t *testing.T) {
	e := newEnv(t)
	sit := e.raise()
	q := kurultai.Query{Collection: crisis.CollectionID, IDs: []string{sit}, Limit: 1, WithRaw: true}
	page, err := e.store.ListObjects(context.Background(), q, func(*kurultai.ObjectVersion) bool { return true })
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("list: %v, %d items", err, len(page.Items))
	}
	if !strings.Contains(string(page.Items[0].Raw), kurultai.SignatureExtensionID) {
		t.Errorf("stored situation is not signed: %s", page.Items[0].Raw)
	}
}

// TestConcurrentActionsAreSerialised: the same objection sent eight times
// at once is stored once; the others are refused as second objections.
func TestConcurrentActionsAreSerialised(t *testing.T) {
	e := newEnv(t)
	sit := e.raise()
	e.clock.Set(t0.Add(2 * time.Hour))
	e.act("chair", sit, "change_mode", map[string]string{"to": "consultation"})
	e.act("chair", sit, "ask_consent", map[string]string{})
	e.act("kz", sit, "answer_consent", map[string]string{"answer": "granted"})
	draft := e.act("sec", sit, "draft_statement", map[string]string{"title": "T", "text": "Text."}).Records[0].ID
	silence := e.act("chair", sit, "open_silence", map[string]string{"draft": draft, "urgency": "normal"}).Records[0].ID
	codes := make(chan int, 8)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			code, _ := e.try("uz", sit, "break_silence", map[string]string{"silence": silence, "kind": "objection", "text": "No."})
			codes <- code
		})
	}
	wg.Wait()
	close(codes)
	got := map[int]int{}
	for c := range codes {
		got[c]++
	}
	if got[http.StatusCreated] != 1 || got[http.StatusConflict] != 7 {
		t.Errorf("statuses %v, want one 201 and seven 409", got)
	}
	if v := e.state("uz", sit); len(v.Silences[0].Breaks) != 1 {
		t.Errorf("%d breaks stored, want 1", len(v.Silences[0].Breaks))
	}
}
