package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/kurultai/kurultai/internal/crisis"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/seed"
)

// intelObject returns a report released to an audience.
func intelObject(id, name, tlp, audience string) string {
	return fmt.Sprintf(`{"type":"report","spec_version":"2.1","id":"report--%s","created":"2026-03-01T08:00:00.000Z","modified":"2026-03-01T08:00:00.000Z",`+
		`"name":%q,"description":"Assessment text.","published":"2026-03-01T08:00:00.000Z","report_types":["threat-report"],"object_refs":["location--%s"],`+
		`"object_marking_refs":[%q,%q]}`, id, name, id, tlp, seed.AudienceMarkingID(audience))
}

// TestNoPageShowsWhatTheUserMayNotSee visits every page as users of
// different participants and checks that each title, id and text is shown
// exactly to those the access decision lets see it.
func TestNoPageShowsWhatTheUserMayNotSee(t *testing.T) {
	s := newScenario(t)
	w := s.w
	const (
		kzOnly  = "11111111-1111-4111-8111-111111111111"
		members = "22222222-2222-4222-8222-222222222222"
		uzHU    = "33333333-3333-4333-8333-333333333333"
	)
	w.add("kz-liaison", intelObject(kzOnly, "Zhanaozen field assessment", kurultai.TLP2AmberID, "KZ"))
	w.add("kz-liaison", intelObject(members, "Fuel price chronology", kurultai.TLP2GreenID, kurultai.AudienceMembers))
	w.add("uz-liaison", intelObject(uzHU, "Border crossing note", kurultai.TLP2AmberID, "HU"))
	// A situation report KZ releases to itself only (the charter lets the
	// author choose), and a request for assistance to the members.
	w.act("kz-liaison", s.sit, &crisis.PostReport{Title: "Casualty figures (KZ only)", Text: "Preliminary figures.", Audience: "KZ"})
	w.act("kz-liaison", s.sit, &crisis.RequestAssistance{Items: []crisis.Item{{Item: "field hospital", Quantity: 2}}, Text: "Medical support"})

	type want struct {
		path   string
		status int
		shows  []string
		hides  []string
	}
	room := "/situations/" + s.sit
	cases := map[string][]want{
		"kz-liaison": {
			{"/", 200, []string{"Unrest in Zhanaozen"}, nil},
			{"/intel", 200, []string{"Zhanaozen field assessment", "Fuel price chronology", "REL TO KZ", "TLP:AMBER"}, []string{"Border crossing note"}},
			{"/intel/report--" + kzOnly, 200, []string{"Zhanaozen field assessment"}, nil},
			{"/intel/report--" + uzHU, 404, nil, []string{"Border crossing note"}},
			{room, 200, []string{"Casualty figures (KZ only)", "Solidarity with Kazakhstan"}, nil},
			{room + "/assistance", 200, []string{"field hospital"}, nil},
			{room + "/meetings", 200, nil, nil},
			{room + "/statements/" + s.draft, 200, []string{"full solidarity"}, nil},
		},
		"uz-liaison": {
			{"/", 200, []string{"Unrest in Zhanaozen"}, nil},
			{"/intel", 200, []string{"Fuel price chronology", "Border crossing note"}, []string{"Zhanaozen field assessment", `rel">REL TO KZ`}},
			{"/intel?marking=KZ", 200, nil, []string{"Zhanaozen field assessment"}},
			{"/intel/report--" + kzOnly, 404, nil, []string{"Zhanaozen field assessment"}},
			{room, 200, []string{"Solidarity with Kazakhstan"}, []string{"Casualty figures", "Preliminary figures"}},
			{room + "/assistance", 200, []string{"field hospital"}, nil},
			{room + "/statements/" + s.draft, 200, []string{"full solidarity"}, nil},
		},
		"hu-liaison": {
			{"/", 200, nil, []string{"Unrest in Zhanaozen", s.sit}},
			{"/intel", 200, []string{"Border crossing note"}, []string{"Zhanaozen field assessment", "Fuel price chronology"}},
			{"/intel/report--" + members, 404, nil, []string{"Fuel price chronology"}},
			{room, 404, nil, []string{"Unrest in Zhanaozen"}},
			{room + "/assistance", 404, nil, []string{"field hospital"}},
			{room + "/meetings", 404, nil, nil},
			{room + "/statements/" + s.draft, 404, nil, []string{"solidarity"}},
		},
		"tr-chair": {
			{"/", 200, []string{"Unrest in Zhanaozen"}, nil},
			{"/intel", 200, []string{"Fuel price chronology"}, []string{"Zhanaozen field assessment", "Border crossing note"}},
			{room, 200, []string{"Solidarity with Kazakhstan"}, []string{"Casualty figures"}},
		},
	}
	for user, ws := range cases {
		t.Run(user, func(t *testing.T) {
			c := w.login(user)
			for _, x := range ws {
				status, text, raw := c.getText(x.path)
				if status != x.status {
					t.Errorf("GET %s: %d, want %d", x.path, status, x.status)
				}
				for _, s := range x.shows {
					if !strings.Contains(text, s) {
						t.Errorf("GET %s lacks %q", x.path, s)
					}
				}
				for _, s := range x.hides {
					if strings.Contains(raw, s) {
						t.Errorf("GET %s shows %q", x.path, s)
					}
				}
			}
		})
	}
	// A hidden object and a missing one answer alike.
	c := w.login("uz-liaison")
	_, hidden, _ := c.getText("/intel/report--" + kzOnly)
	_, missing, _ := c.getText("/intel/report--44444444-4444-4444-8444-444444444444")
	if hidden != missing {
		t.Errorf("hidden and missing objects differ:\n%s\n%s", hidden, missing)
	}
	if status, _, _ := c.getText("/situations/situation--nope"); status != http.StatusNotFound {
		t.Errorf("missing situation: %d", status)
	}
}

// TestActionsFollowTheRole checks that the situation room offers each
// user exactly the actions its role may take now.
func TestActionsFollowTheRole(t *testing.T) {
	s := newScenario(t)
	room := "/situations/" + s.sit
	statement := room + "/statements/" + s.draft
	for _, tc := range []struct {
		user, page string
		has, lacks []string
	}{
		{"kz-liaison", room, []string{"form-post_report", "form-designate_briefer"}, []string{"form-change_mode", "form-close", "form-draft_statement"}},
		{"tr-chair", room, []string{"form-change_mode"}, []string{"form-designate_briefer", "form-request_consultation"}},
		{"uz-liaison", statement, []string{"form-break_silence"}, []string{"form-open_silence", "form-declare"}},
		{"tr-chair", statement, []string{"form-declare", "form-extend_silence"}, []string{"form-break_silence"}},
		{"sec-officer", statement, []string{"form-draft_statement"}, []string{"form-break_silence", "form-declare"}},
		{"admin", room, nil, []string{"form-post_report", "form-change_mode"}},
	} {
		_, _, doc := s.w.login(tc.user).get(tc.page)
		for _, id := range tc.has {
			if find(doc, byAttr("id", id)) == nil {
				t.Errorf("%s on %s: no %s", tc.user, tc.page, id)
			}
		}
		for _, id := range tc.lacks {
			if find(doc, byAttr("id", id)) != nil {
				t.Errorf("%s on %s: offered %s", tc.user, tc.page, id)
			}
		}
	}
}
