package charter

import (
	"slices"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// synthesize adds what other settings imply: the deadline of the meeting
// after a broken silence.
func (l *loader) synthesize(c *Charter) {
	within := c.Decisions.Silence.OnBreak.MeetingWithin
	if within <= 0 || slices.ContainsFunc(c.Deadlines, func(d Deadline) bool { return d.ID == MeetingAfterBreakID }) {
		return
	}
	c.Deadlines = append(c.Deadlines, Deadline{
		ID: MeetingAfterBreakID, Title: "Meeting after silence was broken",
		From: EvSilenceBroken, Each: true, Within: within, MetBy: EvMeetingHeld, Owner: RoleChair,
	})
}

// present reports whether the file itself contains the field.
func (l *loader) present(path string) bool { _, ok := l.lines[path]; return ok }

// identifier reports whether s is a lower-case identifier: a-z, 0-9 and
// underscores, starting with a letter.
func identifier(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// participantCode reports whether s matches ^[A-Z]{2,10}$, the codes the
// releasability markings accept.
func participantCode(s string) bool {
	if len(s) < 2 || len(s) > 10 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// check reports every inconsistency of the decoded charter.
func (l *loader) check(c *Charter) {
	if c.Version == "" && l.present("version") {
		l.errf("version", "must not be empty")
	}
	if c.Organization.Name == "" && l.present("organization") {
		l.errf("organization.name", "required")
	}
	l.checkParticipants(c)
	l.checkChair(c)
	l.checkModes(c)
	l.checkRoles(c)
	l.checkDeadlines(c)
	l.checkReminders(c.Reminders, "reminders", 0)
	l.checkConsent(c)
	l.checkDecisions(c)
	l.checkMeetings(c)
	l.checkAssistance(c)
	l.checkReleasability(c)
	l.checkKPIs(c)
}

func (l *loader) checkParticipants(c *Charter) {
	if !l.present("participants") {
		return
	}
	seen := map[string]int{}
	members := 0
	for i, p := range c.Participants {
		path := index("participants", i)
		switch {
		case p.Code == "":
			l.errf(path+".code", "required")
		case !participantCode(p.Code):
			l.errf(path+".code", "%q is not a participant code (2 to 10 upper-case letters A-Z)", clip(p.Code))
		default:
			if j, dup := seen[p.Code]; dup {
				l.errf(path+".code", "duplicate code %q (also participants[%d])", p.Code, j)
			}
			seen[p.Code] = i
		}
		if p.Name == "" {
			l.errf(path+".name", "required")
		}
		if !p.Kind.Valid() {
			l.errf(path+".kind", "%q is not one of member, observer, secretariat", clip(string(p.Kind)))
		}
		if p.Kind == kurultai.KindMember {
			members++
		}
	}
	if members == 0 {
		l.errf("participants", "the organization needs at least one member")
	}
}

func (l *loader) checkChair(c *Charter) {
	if !l.present("chair") {
		return
	}
	code := c.Chair.Participant
	if code == "" {
		l.errf("chair.participant", "required")
	} else if p, ok := c.Participant(code); !ok {
		l.errf("chair.participant", "%q is not a participant", clip(code))
	} else if p.Kind != kurultai.KindMember {
		l.errf("chair.participant", "%s is %s; the chair must be a member", code, p.Kind)
	}
	t := c.Chair.Term
	if t.From == "" && t.To == "" {
		return
	}
	from, err1 := time.Parse(time.DateOnly, t.From)
	if err1 != nil {
		l.errf("chair.term.from", "%q is not a date YYYY-MM-DD", clip(t.From))
	}
	to, err2 := time.Parse(time.DateOnly, t.To)
	if err2 != nil {
		l.errf("chair.term.to", "%q is not a date YYYY-MM-DD", clip(t.To))
	}
	if err1 == nil && err2 == nil && to.Before(from) {
		l.errf("chair.term.to", "%s is before the start of the term %s", t.To, t.From)
	}
}

func (l *loader) checkActions(path string, acts []Action, allowAll bool) {
	for i, a := range acts {
		p := index(path, i)
		switch {
		case a == AllActions && allowAll:
			if len(acts) > 1 {
				l.errf(p, "\"*\" allows every action; list nothing else with it")
			}
		case !a.Valid():
			l.errf(p, "unknown action %q", clip(string(a)))
		case slices.Index(acts, a) < i:
			l.errf(p, "duplicate action %q", a)
		}
	}
}

func (l *loader) checkRoles(c *Charter) {
	for _, r := range Roles {
		path := "roles." + string(r)
		acts := c.Roles[r]
		l.checkActions(path, acts, false)
		if (r == RoleObserver || r == RoleSecretariat) && slices.Contains(acts, ActBreakSilence) {
			l.errf(path, "the %s has no vote and cannot break silence", r)
		}
		breaks := slices.Contains(acts, ActBreakSilence)
		listed := slices.Contains(c.Decisions.Silence.BrokenBy, r)
		memberListed := r == RoleAffected && slices.Contains(c.Decisions.Silence.BrokenBy, RoleMember)
		if breaks && !listed && !memberListed && r != RoleObserver && r != RoleSecretariat {
			l.errf(path, "%s may break_silence but decisions.silence.broken_by does not name it", r)
		}
		if listed && !breaks && r != RoleAffected {
			l.errf("decisions.silence.broken_by", "names %s, but roles.%s does not allow break_silence", r, r)
		}
	}
}

func (l *loader) checkModes(c *Charter) {
	m := c.Modes
	if len(m.States) == 0 {
		l.errf("modes.states", "at least one mode is required")
		return
	}
	seen := map[string]int{}
	finals := 0
	for i, s := range m.States {
		path := index("modes.states", i)
		if !identifier(s.Name) {
			l.errf(path+".name", "%q is not a mode name (a-z, 0-9, _, starting with a letter)", clip(s.Name))
		} else if j, dup := seen[s.Name]; dup {
			l.errf(path+".name", "duplicate mode %q (also modes.states[%d])", s.Name, j)
		} else {
			seen[s.Name] = i
		}
		for k, to := range s.To {
			p := index(path+".to", k)
			switch {
			case to == s.Name:
				l.errf(p, "a mode cannot move to itself")
			case slices.Index(s.To, to) < k:
				l.errf(p, "duplicate transition to %q", to)
			}
		}
		l.checkActions(path+".actions", s.Actions, true)
		if s.Final {
			finals++
			if len(s.To) > 0 {
				l.errf(path+".to", "the final mode %q cannot have transitions", s.Name)
			}
		}
	}
	for i, s := range m.States {
		for k, to := range s.To {
			if _, ok := seen[to]; !ok && to != s.Name {
				l.errf(index(index("modes.states", i)+".to", k), "transition to undefined mode %q", clip(to))
			}
		}
	}
	switch {
	case finals == 0:
		l.errf("modes.states", "one mode must be final (final: true) so that situations can close")
	case finals > 1:
		l.errf("modes.states", "%d modes are final; exactly one may be", finals)
	}
	init, ok := c.Mode(m.Initial)
	switch {
	case m.Initial == "":
		l.errf("modes.initial", "required")
	case !ok:
		l.errf("modes.initial", "undefined mode %q", clip(m.Initial))
	case init.Final:
		l.errf("modes.initial", "the initial mode cannot be the final mode")
	default:
		reach := map[string]bool{m.Initial: true}
		for queue := []string{m.Initial}; len(queue) > 0; queue = queue[1:] {
			s, _ := c.Mode(queue[0])
			for _, to := range s.To {
				if _, ok := seen[to]; ok && !reach[to] {
					reach[to] = true
					queue = append(queue, to)
				}
			}
		}
		for i, s := range m.States {
			if _, first := seen[s.Name]; first && seen[s.Name] == i && !reach[s.Name] && identifier(s.Name) {
				l.errf(index("modes.states", i)+".name", "mode %q cannot be reached from the initial mode %q", s.Name, m.Initial)
			}
		}
	}
}
