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

// TestEarlyWarningAndAuditShowOnlyWhatTheUserMaySee: a story, its events
// and articles released to UZ only are invisible to KZ (no title, id or
// count), and an auditor sees only the audit entries the audit log's rule
// gives its participant.
func TestEarlyWarningAndAuditShowOnlyWhatTheUserMaySee(t *testing.T) {
	w := newWorld(t, withAudit)
	members := w.ewStory(kurultai.AudienceMembers, "KZ", "Zhanaozen rally", 3)
	uzOnly := w.ewStory("UZ", "UZ", "Andijan gathering", 2)
	for _, tc := range []struct {
		user         string
		shows, hides []string
		stories      int
	}{
		{"kz-liaison", []string{"Zhanaozen rally", members}, []string{"Andijan gathering", uzOnly, "UZ-protest", "news.example/uz"}, 1},
		{"uz-liaison", []string{"Zhanaozen rally", "UZ-protest", uzOnly}, nil, 2},
		{"hu-liaison", nil, []string{"Zhanaozen rally", members, "Andijan gathering", uzOnly, "KZ-protest", "UZ-protest"}, 0},
	} {
		c := w.login(tc.user)
		status, _, raw := c.getText("/early-warning?story=" + members)
		if tc.user == "hu-liaison" {
			if status != http.StatusNotFound {
				t.Errorf("%s: a hidden story: %d", tc.user, status)
			}
			status, _, raw = c.getText("/early-warning")
		}
		if status != http.StatusOK {
			t.Fatalf("%s GET /early-warning: %d", tc.user, status)
		}
		for _, s := range tc.shows {
			if !strings.Contains(raw, s) {
				t.Errorf("%s: early warning lacks %q", tc.user, s)
			}
		}
		for _, s := range tc.hides {
			if strings.Contains(raw, s) {
				t.Errorf("%s: early warning shows %q", tc.user, s)
			}
		}
		if n := strings.Count(raw, "data-story="); n != tc.stories {
			t.Errorf("%s: %d stories, want %d", tc.user, n, tc.stories)
		}
	}
	// A story the user may not see and one that does not exist answer alike.
	kz := w.login("kz-liaison")
	_, hidden, _ := kz.getText("/early-warning?story=" + uzOnly)
	_, missing, _ := kz.getText("/early-warning?story=grouping--44444444-4444-4444-8444-444444444444")
	if hidden != missing {
		t.Errorf("hidden and missing stories differ:\n%s\n%s", hidden, missing)
	}

	// Reads by each side, then each side's auditor.
	const kzObj, uzObj = "55555555-5555-4555-8555-555555555555", "66666666-6666-4666-8666-666666666666"
	w.add("kz-liaison", intelObject(kzObj, "Kazakh note", kurultai.TLP2AmberID, "KZ"))
	w.add("uz-liaison", intelObject(uzObj, "Uzbek note", kurultai.TLP2AmberID, "UZ"))
	w.login("kz-liaison").getText("/intel/report--" + kzObj)
	w.login("uz-liaison").getText("/intel/report--" + uzObj)
	w.login("uz-liaison").getText("/early-warning?story=" + uzOnly)
	w.addUser("kz-auditor", "KZ", kurultai.RoleAuditor)
	w.addUser("uz-auditor", "UZ", kurultai.RoleAuditor)
	w.checkpoint()
	for _, tc := range []struct {
		user, shows, hides string
	}{
		{"kz-auditor", kzObj, uzObj},
		{"uz-auditor", uzObj, kzObj},
	} {
		_, text, raw := w.login(tc.user).getText("/audit")
		if !strings.Contains(raw, tc.shows) {
			t.Errorf("%s: the audit page lacks its own participant's read of %s\n%s", tc.user, tc.shows, text)
		}
		if strings.Contains(raw, tc.hides) {
			t.Errorf("%s: the audit page names %s", tc.user, tc.hides)
		}
		if tc.user == "kz-auditor" && strings.Contains(raw, uzOnly) {
			t.Errorf("kz-auditor: the audit page names the UZ-only story")
		}
	}
	_, _, raw := w.login("kz-liaison").getText("/audit")
	if strings.Contains(raw, kzObj) || strings.Contains(raw, "data-entry") {
		t.Error("a liaison reads audit entries")
	}
}
