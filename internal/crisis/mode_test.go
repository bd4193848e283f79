package crisis

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/charter"
	"github.com/kurultai/kurultai/internal/kurultai"
)

// pathTo returns the shortest list of modes leading from the initial mode
// to mode, by the charter's transitions.
func pathTo(ch *charter.Charter, mode string) []string {
	prev := map[string]string{ch.Modes.Initial: ""}
	for queue := []string{ch.Modes.Initial}; len(queue) > 0; queue = queue[1:] {
		m, _ := ch.Mode(queue[0])
		for _, to := range m.To {
			if _, seen := prev[to]; !seen {
				prev[to] = m.Name
				queue = append(queue, to)
			}
		}
	}
	var path []string
	for m := mode; m != ch.Modes.Initial; m = prev[m] {
		path = append([]string{m}, path...)
	}
	return path
}

// TestModeTransitions tries every move between the default charter's
// modes: allowed ones succeed and enter the history, the others are
// refused naming the rule.
func TestModeTransitions(t *testing.T) {
	ch := charter.Default()
	allowed := 0
	for _, from := range ch.Modes.States {
		for _, to := range ch.Modes.States {
			if from.Name == to.Name {
				continue
			}
			t.Run(from.Name+"->"+to.Name, func(t *testing.T) {
				w := newWorld(t)
				for _, m := range pathTo(ch, from.Name) {
					w.advance(time.Minute)
					w.do(chair, &ChangeMode{To: m, Reason: "to " + m})
				}
				if st := w.state(); st.Mode != from.Name {
					t.Fatalf("setup reached %s, want %s", st.Mode, from.Name)
				}
				w.advance(time.Minute)
				a := &ChangeMode{To: to.Name, Reason: "test"}
				if !ch.CanTransition(from.Name, to.Name) {
					code, rule := kurultai.CodeForbidden, fmt.Sprintf("charter modes.%s.to", from.Name)
					if !ch.ModeAllows(from.Name, charter.ActChangeMode) {
						rule = fmt.Sprintf("charter modes.%s.actions", from.Name)
					}
					w.refuse(chair, a, code, rule)
					return
				}
				allowed++
				w.refuse(kz, a, kurultai.CodeForbidden, "charter roles: change_mode is for chair")
				w.refuse(sec, a, kurultai.CodeForbidden, "charter roles")
				w.refuse(admin, a, kurultai.CodeForbidden, "charter roles")
				w.do(chair, a)
				st := w.state()
				last := st.History[len(st.History)-1]
				if st.Mode != to.Name || last.From != from.Name || last.To != to.Name || last.By != "TR" || last.Reason != "test" {
					t.Errorf("after the move: mode %s, last %+v", st.Mode, last)
				}
				if st.Final != to.Final {
					t.Errorf("final = %v", st.Final)
				}
			})
		}
	}
	if want := 9; allowed != want {
		t.Errorf("%d transitions allowed, want %d (the default charter's)", allowed, want)
	}
}

func TestCloseAndClosedRefusesEverything(t *testing.T) {
	w := newWorld(t)
	w.do(chair, &Close{Reason: "false alarm"})
	st := w.state()
	if !st.Final || st.Mode != "closed" {
		t.Fatalf("mode %s final %v", st.Mode, st.Final)
	}
	w.refuse(chair, &Close{}, kurultai.CodeForbidden, "charter modes.closed.actions")
	w.refuse(kz, &PostReport{Text: "x"}, kurultai.CodeForbidden, "charter modes.closed.actions")
	w.refuse(chair, &ChangeMode{To: "monitoring"}, kurultai.CodeForbidden, "charter modes.closed")
	if got := w.m.Due(st, w.now.Add(72*time.Hour)); len(got) != 0 {
		t.Errorf("a closed situation owes %d notifications", len(got))
	}
	for _, d := range st.Deadlines {
		if d.Deadline == "consultation" && d.Status != DueVoid {
			t.Errorf("consultation deadline after closing within 12h: %s, want void", d.Status)
		}
	}
}

// TestModeGatesActions checks that an action the mode does not allow is
// refused even to the role that may take it.
func TestModeGatesActions(t *testing.T) {
	w := newWorld(t)
	d := w.do(sec, &DraftStatement{Title: "T", Text: "x"})
	w.refuse(chair, &OpenSilence{Draft: id(d), Urgency: Urgent}, kurultai.CodeForbidden, "charter modes.monitoring.actions: open_silence is not allowed")
	w.refuse(chair, &ConveneMeeting{Level: "senior_officials", Start: w.now.Add(time.Hour), Invitees: []string{"AZ"}, Agenda: "x"}, kurultai.CodeForbidden, "charter modes.monitoring.actions")
}

func TestRaiseAlert(t *testing.T) {
	w := newWorld(t)
	st := w.state()
	if st.Mode != "monitoring" || st.CharterVersion != "ots-2022.1" || st.Situation.Title != "Test unrest" {
		t.Errorf("new situation: mode %s charter %s title %q", st.Mode, st.CharterVersion, st.Situation.Title)
	}
	m := w.m
	for _, tt := range []struct {
		p    kurultai.Principal
		a    *RaiseAlert
		code kurultai.Code
		want string
	}{
		{hu, &RaiseAlert{Title: "x", Onset: t0, Affected: []string{"KZ"}}, kurultai.CodeForbidden, "charter roles: raise_alert"},
		{admin, &RaiseAlert{Title: "x", Onset: t0, Affected: []string{"KZ"}}, kurultai.CodeForbidden, "charter roles"},
		{kz, &RaiseAlert{Title: "", Onset: t0, Affected: []string{"KZ"}}, kurultai.CodeInvalid, "title: required"},
		{kz, &RaiseAlert{Title: "x", Onset: t0.Add(48 * time.Hour), Affected: []string{"KZ"}}, kurultai.CodeInvalid, "onset: "},
		{kz, &RaiseAlert{Title: "x", Onset: t0, Affected: []string{"HU"}}, kurultai.CodeInvalid, "affected[0]"},
		{kz, &RaiseAlert{Title: "x", Onset: t0}, kurultai.CodeInvalid, "affected"},
	} {
		_, err := m.Act(nil, tt.p, tt.a, t0.Add(time.Hour))
		if kurultai.ErrorCode(err) != tt.code || err == nil || !contains(err.Error(), tt.want) {
			t.Errorf("%s raising %+v: %v; want %s %q", tt.p.Username, tt.a, err, tt.code, tt.want)
		}
	}
	if _, err := m.Derive("kurultai-situation--00000000-0000-4000-8000-000000000000", w.recs, w.now); kurultai.ErrorCode(err) != kurultai.CodeNotFound {
		t.Errorf("unknown situation: %v", err)
	}
	if _, err := m.Act(nil, chair, &ChangeMode{To: "consultation"}, w.now); kurultai.ErrorCode(err) != kurultai.CodeNotFound {
		t.Errorf("action without a situation: %v", err)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
