package charter

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// minimal is the smallest valid charter: lines 1-8.
const minimal = `version: t1
organization: {name: Test Organization}
participants:
  - {code: AA, name: Aland, kind: member}
  - {code: BB, name: Bland, kind: member}
  - {code: OO, name: Oland, kind: observer}
  - {code: SEC, name: Secretariat, kind: secretariat}
chair: {participant: AA}
`

func TestDefaultLoads(t *testing.T) {
	c := Default()
	if c.Version != "ots-2022.1" || c.Chair.Participant != "TR" || c.Organization.ShortName != "OTS" {
		t.Errorf("default charter: version %q chair %q org %q", c.Version, c.Chair.Participant, c.Organization.ShortName)
	}
	if got, want := c.Codes("member"), []string{"AZ", "KZ", "KG", "TR", "UZ"}; !slices.Equal(got, want) {
		t.Errorf("members = %v, want %v", got, want)
	}
	if got, want := c.Codes("observer"), []string{"HU", "TM"}; !slices.Equal(got, want) {
		t.Errorf("observers = %v, want %v", got, want)
	}
	s := c.Decisions.Silence
	if s.Urgent.D() != 6*time.Hour || s.Normal.D() != 48*time.Hour || s.Minimum.D() != 4*time.Hour || s.MaxExtensions != 1 {
		t.Errorf("silence = %+v", s)
	}
	want := map[string]time.Duration{"consultation": 12 * time.Hour, "first_statement": 24 * time.Hour,
		"senior_officials": 24 * time.Hour, "foreign_ministers": 72 * time.Hour, "assistance_answer": 24 * time.Hour}
	for _, d := range c.Deadlines {
		if w, ok := want[d.ID]; ok && d.Within.D() != w {
			t.Errorf("deadline %s within %s, want %s", d.ID, d.Within, w)
		}
		delete(want, d.ID)
	}
	if len(want) > 0 {
		t.Errorf("missing deadlines %v", want)
	}
	if !c.CanTransition("monitoring", "consultation") || c.CanTransition("monitoring", "activation") {
		t.Error("transitions from monitoring are wrong")
	}
}

// TestMinimalTakesDefaults checks that a charter giving only the required
// sections runs the default mechanism.
func TestMinimalTakesDefaults(t *testing.T) {
	c, err := Load("t.yaml", []byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	d := Default()
	if !reflect.DeepEqual(c.Modes, d.Modes) || !reflect.DeepEqual(c.Deadlines, d.Deadlines) || !reflect.DeepEqual(c.Roles, d.Roles) {
		t.Error("the mechanism sections did not default to the default charter's")
	}
	if len(c.Participants) != 4 || c.Chair.Participant != "AA" {
		t.Errorf("participants/chair not taken from the file: %+v %+v", c.Participants, c.Chair)
	}
}

// TestRoundTrip checks that show's output loads back to the same charter.
func TestRoundTrip(t *testing.T) {
	for _, c := range []*Charter{Default(), mustLoad(t, minimal+"decisions: {silence: {urgent: 5h, minimum: 90m}}\nreminders: {before: [1h], percent: [75]}\n")} {
		b, err := c.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		back, err := Load("show.yaml", b)
		if err != nil {
			t.Fatalf("reloading show output: %v\n%s", err, b)
		}
		if !reflect.DeepEqual(back, c) {
			t.Errorf("round trip changed the charter:\n got %+v\nwant %+v", back, c)
		}
	}
}

func mustLoad(t *testing.T, y string) *Charter {
	t.Helper()
	c, err := Load("t.yaml", []byte(y))
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return c
}

func TestOverrides(t *testing.T) {
	c := mustLoad(t, minimal+`roles:
  observer: []
  secretariat: [post_report]
releasability:
  situation: members+observers
decisions:
  silence:
    urgent: 8h
`)
	if got := c.Roles[RoleSecretariat]; !slices.Equal(got, []Action{ActPostReport}) {
		t.Errorf("secretariat actions = %v", got)
	}
	if !c.RoleAllows(RoleChair, ActOpenSilence) {
		t.Error("the chair's default actions were lost by overriding another role")
	}
	if c.ReleaseOf(KindSituation).Audience != "members+observers" || c.ReleaseOf(KindStatementDraft).Audience != "members" {
		t.Error("releasability did not override per kind")
	}
	if c.Decisions.Silence.Urgent.D() != 8*time.Hour || c.Decisions.Silence.Normal.D() != 48*time.Hour {
		t.Errorf("silence = %+v", c.Decisions.Silence)
	}
}

// TestErrors checks each class of error, with its line and field.
func TestErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string // each must be one of the reported errors
	}{
		{"empty", "", []string{"t.yaml:1: the file is empty"}},
		{"syntax", "version: [unclosed\n", []string{"t.yaml:1: not valid YAML"}},
		{"two documents", minimal + "---\nversion: x\n", []string{"more than one YAML document"}},
		{"not a mapping", "- a\n- b\n", []string{"t.yaml:1: must be a mapping of fields, not a list"}},
		{"missing required", "version: x\n", []string{
			"t.yaml:1: organization: required", "t.yaml:1: participants: required", "t.yaml:1: chair: required"}},
		{"unknown field", minimal + "colour: blue\n", []string{"t.yaml:9: colour: unknown field"}},
		{"unknown nested field", minimal + "decisions:\n  silence:\n    urgnet: 6h\n", []string{
			"t.yaml:11: decisions.silence.urgnet: unknown field"}},
		{"duplicate field", minimal + "version: t2\n", []string{"t.yaml:9: version: duplicate field (first at line 1)"}},
		{"alias", minimal + "reminders: &r {percent: [50]}\nconsent: *r\n", []string{
			"t.yaml:10: consent: anchors and aliases are not supported"}},
		{"wrong type list", minimal + "modes:\n  states: monitoring\n", []string{
			`t.yaml:10: modes.states: must be a list, not "monitoring"`}},
		{"wrong type scalar", minimal + "consent:\n  timeout: [12h]\n", []string{
			"t.yaml:10: consent.timeout: must be a duration, not a list"}},
		{"wrong type bool", minimal + "deadlines:\n  - {id: x, from: onset, within: 1h, met_by: alert, owner: chair, each: yes}\n", []string{
			`t.yaml:10: deadlines[0].each: must be true or false, not "yes"`}},
		{"wrong type int", minimal + "decisions: {silence: {max_extensions: one}}\n", []string{
			`t.yaml:9: decisions.silence.max_extensions: must be an integer, not "one"`}},
		{"duration without unit", minimal + "consent: {timeout: 12}\n", []string{
			`t.yaml:9: consent.timeout: 12 has no unit`}},
		{"bad duration", minimal + "consent: {timeout: soon}\n", []string{
			`t.yaml:9: consent.timeout: "soon" is not a duration`}},
		{"negative duration", minimal + "decisions:\n  silence:\n    urgent: -6h\n", []string{
			`t.yaml:11: decisions.silence.urgent: "-6h" is negative`}},
		{"negative days", minimal + "consent: {timeout: -2d}\n", []string{`"-2d" is negative`}},
		{"zero duration", minimal + "consent: {timeout: 0s}\n", []string{"t.yaml:9: consent.timeout: must be longer than 0"}},
		{"bad participant code", strings.Replace(minimal, "code: BB", "code: b1", 1), []string{
			`t.yaml:5: participants[1].code: "b1" is not a participant code`}},
		{"duplicate participant code", strings.Replace(minimal, "code: BB", "code: AA", 1), []string{
			`t.yaml:5: participants[1].code: duplicate code "AA" (also participants[0])`}},
		{"bad kind", strings.Replace(minimal, "kind: observer", "kind: guest", 1), []string{
			`t.yaml:6: participants[2].kind: "guest" is not one of member, observer, secretariat`}},
		{"no members", "version: x\norganization: {name: X}\nparticipants:\n  - {code: OO, name: O, kind: observer}\nchair: {participant: OO}\n", []string{
			"participants: the organization needs at least one member", "chair.participant: OO is observer; the chair must be a member"}},
		{"unknown chair", strings.Replace(minimal, "participant: AA", "participant: ZZ", 1), []string{
			`t.yaml:8: chair.participant: "ZZ" is not a participant`}},
		{"observer chair", strings.Replace(minimal, "participant: AA", "participant: OO", 1), []string{
			"t.yaml:8: chair.participant: OO is observer; the chair must be a member"}},
		{"bad term", strings.Replace(minimal, "chair: {participant: AA}", "chair: {participant: AA, term: {from: 2022-12-01, to: 2022-01-01}}", 1), []string{
			"t.yaml:8: chair.term.to: 2022-01-01 is before the start of the term 2022-12-01"}},
		{"unknown role", minimal + "roles:\n  president: [close]\n", []string{
			"t.yaml:10: roles.president: unknown role"}},
		{"unknown action", minimal + "roles:\n  chair: [close, dissolve]\n", []string{
			`t.yaml:10: roles.chair[1]: unknown action "dissolve"`}},
		{"duplicate action", minimal + "roles:\n  chair: [close, close]\n", []string{
			`t.yaml:10: roles.chair[1]: duplicate action "close"`}},
		{"observer breaks silence", minimal + "roles:\n  observer: [break_silence]\n", []string{
			"t.yaml:10: roles.observer: the observer has no vote and cannot break silence"}},
		{"observer in broken_by", minimal + "decisions:\n  silence:\n    broken_by: [member, observer]\n", []string{
			"t.yaml:11: decisions.silence.broken_by[1]: the observer has no vote and cannot break silence"}},
		{"broken_by without permission", minimal + "roles:\n  member: [raise_alert]\n", []string{
			"decisions.silence.broken_by: names member, but roles.member does not allow break_silence"}},
		{"transition to undefined mode", minimal + `modes:
  initial: a
  states:
    - {name: a, to: [b, zz], actions: ["*"]}
    - {name: b, to: [], actions: [], final: true}
`, []string{`t.yaml:12: modes.states[0].to[1]: transition to undefined mode "zz"`}},
		{"undefined initial", minimal + "modes:\n  initial: calm\n", []string{`t.yaml:10: modes.initial: undefined mode "calm"`}},
		{"duplicate mode", minimal + `modes:
  initial: a
  states:
    - {name: a, to: [b], actions: ["*"]}
    - {name: a, to: [b], actions: []}
    - {name: b, to: [], actions: [], final: true}
`, []string{`t.yaml:13: modes.states[1].name: duplicate mode "a" (also modes.states[0])`}},
		{"final with transitions", minimal + `modes:
  initial: a
  states:
    - {name: a, to: [b], actions: ["*"]}
    - {name: b, to: [a], actions: [], final: true}
`, []string{`t.yaml:13: modes.states[1].to: the final mode "b" cannot have transitions`}},
		{"no final mode", minimal + `modes:
  initial: a
  states:
    - {name: a, to: [b], actions: ["*"]}
    - {name: b, to: [a], actions: []}
`, []string{"modes.states: one mode must be final"}},
		{"unreachable mode", minimal + `modes:
  initial: a
  states:
    - {name: a, to: [c], actions: ["*"]}
    - {name: b, to: [c], actions: []}
    - {name: c, to: [], actions: [], final: true}
`, []string{`t.yaml:13: modes.states[1].name: mode "b" cannot be reached from the initial mode "a"`}},
		{"self transition", minimal + `modes:
  initial: a
  states:
    - {name: a, to: [a, b], actions: ["*"]}
    - {name: b, to: [], actions: [], final: true}
`, []string{"t.yaml:12: modes.states[0].to[0]: a mode cannot move to itself"}},
		{"star with others", minimal + `modes:
  initial: a
  states:
    - {name: a, to: [b], actions: ["*", close]}
    - {name: b, to: [], actions: [], final: true}
`, []string{`modes.states[0].actions[0]: "*" allows every action; list nothing else with it`}},
		{"deadline unknown event", minimal + "deadlines:\n  - {id: x, from: sunrise, within: 1h, met_by: alert, owner: chair}\n", []string{
			`t.yaml:10: deadlines[0].from: unknown event "sunrise"`}},
		{"deadline unknown mode event", minimal + "deadlines:\n  - {id: x, from: onset, within: 1h, met_by: mode.panic, owner: chair}\n", []string{
			`t.yaml:10: deadlines[0].met_by: event "mode.panic" names mode "panic", which the charter does not define`}},
		{"deadline unknown level", minimal + "deadlines:\n  - {id: x, from: onset, within: 1h, met_by: meeting.held.kings, owner: chair}\n", []string{
			`meeting level "kings", which the charter does not define`}},
		{"deadline within and every", minimal + "deadlines:\n  - {id: x, from: onset, within: 1h, every: 2h, met_by: report, owner: chair}\n", []string{
			"t.yaml:10: deadlines[0]: within and every are exclusive"}},
		{"deadline neither", minimal + "deadlines:\n  - {id: x, from: onset, met_by: report, owner: chair}\n", []string{
			"t.yaml:10: deadlines[0]: give within (a one-time deadline) or every"}},
		{"deadline owner", minimal + "deadlines:\n  - {id: x, from: onset, within: 1h, met_by: report, owner: king}\n", []string{
			`t.yaml:10: deadlines[0].owner: "king" is not a role`}},
		{"duplicate deadline", minimal + "deadlines:\n  - {id: x, from: onset, within: 1h, met_by: report, owner: chair}\n  - {id: x, from: onset, within: 2h, met_by: report, owner: chair}\n", []string{
			`t.yaml:11: deadlines[1].id: duplicate deadline id "x" (also deadlines[0])`}},
		{"reminder too early", minimal + "deadlines:\n  - id: x\n    from: onset\n    within: 1h\n    met_by: report\n    owner: chair\n    reminders: {before: [2h]}\n", []string{
			"t.yaml:15: deadlines[0].reminders.before[0]: 2h before due is not shorter than the deadline's 1h"}},
		{"reminder percent", minimal + "reminders: {percent: [50, 100]}\n", []string{
			"t.yaml:9: reminders.percent[1]: 100 is not a point of the span between 1 and 99"}},
		{"contradicting meeting after break", minimal + "decisions:\n  silence:\n    on_break: {meeting_within: 12h}\n", []string{
			"deadlines[6].within: 24h contradicts decisions.silence.on_break.meeting_within 12h"}},
		{"silence minimum over urgent", minimal + "decisions:\n  silence:\n    minimum: 8h\n", []string{
			"t.yaml:11: decisions.silence.minimum: 8h is longer than the urgent period 6h"}},
		{"silence urgent over normal", minimal + "decisions:\n  silence:\n    urgent: 72h\n", []string{
			"t.yaml:11: decisions.silence.urgent: 72h is longer than the normal period 48h"}},
		{"negative extensions", minimal + "decisions:\n  silence:\n    max_extensions: -1\n", []string{
			"t.yaml:11: decisions.silence.max_extensions: must not be negative"}},
		{"rule", minimal + "decisions: {rule: majority}\n", []string{
			`t.yaml:9: decisions.rule: "majority" is not a decision rule this mechanism runs`}},
		{"consent path", minimal + "consent: {on_timeout: proceed}\n", []string{
			`t.yaml:9: consent.on_timeout: "proceed" is not one of members_only, halt`}},
		{"consent gated action", minimal + "consent: {gated: [publish]}\n", []string{
			`t.yaml:9: consent.gated[0]: unknown action "publish"`}},
		{"meeting level duplicate", minimal + "meetings:\n  levels:\n    - {id: a, title: A}\n    - {id: a, title: B}\n", []string{
			`t.yaml:12: meetings.levels[1].id: duplicate level "a" (also meetings.levels[0])`}},
		{"meeting level removed but referenced", minimal + "meetings:\n  levels:\n    - {id: experts, title: Experts}\n", []string{
			`deadlines[2].met_by: event "meeting.held.senior_officials" names meeting level "senior_officials"`}},
		{"quorum", minimal + "meetings: {quorum: {present: some}}\n", []string{
			`t.yaml:9: meetings.quorum.present: "some" is not one of majority, all`}},
		{"assistance message", minimal + "assistance: {messages: [request, bribe]}\n", []string{
			`t.yaml:9: assistance.messages[1]: unknown message "bribe"`}},
		{"assistance message needed", minimal + "assistance: {messages: [request]}\n", []string{
			`assistance.messages: roles.member may offer_assistance, but the message "offer" is not listed`}},
		{"assistance status missing", minimal + "assistance: {statuses: [open, closed]}\n", []string{
			`t.yaml:9: assistance.statuses: missing status "delivered"`}},
		{"releasability kind", minimal + "releasability: {rumour: public}\n", []string{
			"t.yaml:9: releasability.rumour: unknown record kind"}},
		{"releasability audience", minimal + "releasability: {situation: everyone}\n", []string{
			`t.yaml:9: releasability.situation: "everyone" is neither an audience keyword`}},
		{"releasability participant", minimal + "releasability: {situation: OO}\n", nil},
		{"public drafts", minimal + "releasability:\n  statement-draft: {audience: public}\n", []string{
			"t.yaml:10: releasability.statement-draft.audience: drafts are members-only"}},
		{"kpi event", minimal + "kpis:\n  - {id: k, title: K, from: onset, to: teatime}\n", []string{
			`t.yaml:10: kpis[0].to: unknown event "teatime"`}},
		{"too large", minimal + "# " + strings.Repeat("x", MaxSize) + "\n", []string{"over the 1048576-byte limit"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load("t.yaml", []byte(tt.yaml))
			if tt.want == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error; want %q", tt.want)
			}
			if c != nil {
				t.Error("a charter was returned with the error")
			}
			var es Errors
			if !errors.As(err, &es) {
				t.Fatalf("error %T is not Errors", err)
			}
			for _, w := range tt.want {
				found := false
				for _, e := range es {
					if strings.Contains(e.Error(), w) {
						found = true
					}
				}
				if !found {
					t.Errorf("missing error %q; got:\n%v", w, err)
				}
			}
		})
	}
}

// TestAllErrorsReported checks that one file with several problems gets
// each of them, in line order.
func TestAllErrorsReported(t *testing.T) {
	y := minimal + `colour: blue
consent: {timeout: -1h}
decisions:
  silence:
    minimum: 10h
releasability: {situation: nobody}
`
	_, err := Load("t.yaml", []byte(y))
	var es Errors
	if !errors.As(err, &es) {
		t.Fatalf("err = %v", err)
	}
	var lines []int
	for _, e := range es {
		lines = append(lines, e.Line)
	}
	if !slices.IsSorted(lines) {
		t.Errorf("errors not in line order: %v", lines)
	}
	for _, w := range []string{"t.yaml:9: colour:", "t.yaml:10: consent.timeout:", "t.yaml:13: decisions.silence.minimum:", "t.yaml:14: releasability.situation:"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("missing %q in\n%v", w, err)
		}
	}
}

func TestDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		err  bool
		out  string
	}{
		{"12h", 12 * time.Hour, false, "12h"},
		{"90m", 90 * time.Minute, false, "1h30m"},
		{"3d", 72 * time.Hour, false, "72h"},
		{"14d", 14 * 24 * time.Hour, false, "14d"},
		{"0d", 0, false, "0s"},
		{"45s", 45 * time.Second, false, "45s"},
		{"d", 0, true, ""},
		{"+3d", 0, true, ""},
		{"3.5d", 0, true, ""},
		{"-1h", 0, true, ""},
		{"-3d", 0, true, ""},
		{"99999d", 0, true, ""},
		{"100000h", 0, true, ""},
		{"", 0, true, ""},
	}
	for _, tt := range tests {
		d, err := ParseDuration(tt.in)
		if (err != nil) != tt.err {
			t.Errorf("ParseDuration(%q) err = %v, want error %v", tt.in, err, tt.err)
			continue
		}
		if err == nil && (d.D() != tt.want || d.String() != tt.out) {
			t.Errorf("ParseDuration(%q) = %v (%s), want %v (%s)", tt.in, d.D(), d, tt.want, tt.out)
		}
	}
}
