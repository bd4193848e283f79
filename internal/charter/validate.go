package charter

import (
	"fmt"
	"slices"
	"strings"
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

func (l *loader) checkEventField(c *Charter, path, ev string) {
	if ev == "" {
		l.errf(path, "required")
	} else if why := c.checkEvent(ev); why != "" {
		l.errf(path, "%s", why)
	}
}

func (l *loader) checkOwner(path string, r Role) {
	if r == "" {
		l.errf(path, "required")
	} else if !r.Valid() && r != RoleAll {
		l.errf(path, "%q is not a role (chair, secretariat, member, affected, observer or all)", clip(string(r)))
	}
}

func (l *loader) checkDeadlines(c *Charter) {
	seen := map[string]int{}
	for i, d := range c.Deadlines {
		path := index("deadlines", i)
		if !identifier(d.ID) {
			l.errf(path+".id", "%q is not an id (a-z, 0-9, _, starting with a letter)", clip(d.ID))
		} else if j, dup := seen[d.ID]; dup {
			l.errf(path+".id", "duplicate deadline id %q (also deadlines[%d])", d.ID, j)
		} else {
			seen[d.ID] = i
		}
		l.checkEventField(c, path+".from", d.From)
		l.checkEventField(c, path+".met_by", d.MetBy)
		if d.From != "" && d.From == d.MetBy {
			l.errf(path+".met_by", "is the same event as from")
		}
		span := d.Within
		switch {
		case d.Within > 0 && d.Every > 0:
			l.errf(path, "within and every are exclusive: a deadline is either once or repeating")
		case d.Within == 0 && d.Every == 0:
			l.errf(path, "give within (a one-time deadline) or every (a repeating one), longer than 0")
		case d.Every > 0:
			span = d.Every
			if d.Each {
				l.errf(path+".each", "a repeating deadline cannot also be per occurrence")
			}
		}
		if d.Until != "" {
			if d.Every == 0 {
				l.errf(path+".until", "only a repeating deadline (every) has an until")
			}
			l.checkEventField(c, path+".until", d.Until)
		}
		l.checkOwner(path+".owner", d.Owner)
		if d.Reminders != nil {
			l.checkReminders(*d.Reminders, path+".reminders", span)
		} else if span > 0 {
			for _, b := range c.Reminders.Before {
				if b >= span {
					l.errf(path, "the charter's reminder %s before due is not shorter than this deadline's %s", b, span)
				}
			}
		}
		if d.ID == MeetingAfterBreakID {
			if w := c.Decisions.Silence.OnBreak.MeetingWithin; w > 0 && w != d.Within {
				l.errf(path+".within", "%s contradicts decisions.silence.on_break.meeting_within %s", d.Within, w)
			}
		}
	}
}

// checkReminders checks reminders; span (if not 0) is the deadline's span.
func (l *loader) checkReminders(r Reminders, path string, span Duration) {
	for i, p := range r.Percent {
		f := index(path+".percent", i)
		switch {
		case p < 1 || p > 99:
			l.errf(f, "%d is not a point of the span between 1 and 99 (percent)", p)
		case slices.Index(r.Percent, p) < i:
			l.errf(f, "duplicate reminder at %d%%", p)
		}
	}
	for i, b := range r.Before {
		f := index(path+".before", i)
		switch {
		case b <= 0:
			l.errf(f, "must be longer than 0")
		case span > 0 && b >= span:
			l.errf(f, "%s before due is not shorter than the deadline's %s", b, span)
		case slices.Index(r.Before, b) < i:
			l.errf(f, "duplicate reminder %s before due", b)
		}
	}
}

func (l *loader) checkConsent(c *Charter) {
	l.checkActions("consent.gated", c.Consent.Gated, false)
	if c.Consent.Timeout <= 0 {
		l.errf("consent.timeout", "must be longer than 0")
	}
	for _, f := range []struct{ path, v string }{{"consent.on_timeout", c.Consent.OnTimeout}, {"consent.on_refusal", c.Consent.OnRefusal}} {
		if f.v != PathMembersOnly && f.v != PathHalt {
			l.errf(f.path, "%q is not one of members_only, halt", clip(f.v))
		}
	}
}

func (l *loader) checkDecisions(c *Charter) {
	d := c.Decisions
	if d.Rule != "consensus" {
		l.errf("decisions.rule", "%q is not a decision rule this mechanism runs (consensus)", clip(d.Rule))
	}
	s := d.Silence
	const p = "decisions.silence"
	for _, f := range []struct {
		name string
		v    Duration
	}{{"urgent", s.Urgent}, {"normal", s.Normal}, {"minimum", s.Minimum}} {
		if f.v <= 0 {
			l.errf(p+"."+f.name, "must be longer than 0")
		}
	}
	if s.Minimum > s.Urgent && s.Urgent > 0 {
		l.errf(p+".minimum", "%s is longer than the urgent period %s", s.Minimum, s.Urgent)
	}
	if s.Urgent > s.Normal && s.Normal > 0 {
		l.errf(p+".urgent", "%s is longer than the normal period %s", s.Urgent, s.Normal)
	}
	if s.MaxExtensions < 0 {
		l.errf(p+".max_extensions", "must not be negative")
	}
	for i, r := range s.BrokenBy {
		f := index(p+".broken_by", i)
		switch {
		case !r.Valid():
			l.errf(f, "%q is not a role", clip(string(r)))
		case r == RoleObserver || r == RoleSecretariat:
			l.errf(f, "the %s has no vote and cannot break silence", r)
		case r == RoleChair:
			l.errf(f, "the chair opens and declares; a member breaks silence")
		}
	}
	if len(s.BrokenBy) == 0 {
		l.errf(p+".broken_by", "at least one role must be able to break silence, or consensus means nothing")
	}
	if s.OnBreak.Outcome != "not_adopted" {
		l.errf(p+".on_break.outcome", "%q: a broken silence can only mean not_adopted", clip(s.OnBreak.Outcome))
	}
	if s.OnBreak.Notify != "all" && s.OnBreak.Notify != "members" {
		l.errf(p+".on_break.notify", "%q is not one of all, members", clip(s.OnBreak.Notify))
	}
	if s.OnExpiry != "chair_declares" {
		l.errf(p+".on_expiry", "%q is not chair_declares (the chair's declaration is authoritative)", clip(s.OnExpiry))
	}
}

func (l *loader) checkMeetings(c *Charter) {
	m := c.Meetings
	if len(m.Levels) == 0 {
		l.errf("meetings.levels", "at least one meeting level is required")
	}
	seen := map[string]int{}
	for i, lv := range m.Levels {
		path := index("meetings.levels", i)
		if !identifier(lv.ID) {
			l.errf(path+".id", "%q is not an id (a-z, 0-9, _, starting with a letter)", clip(lv.ID))
		} else if j, dup := seen[lv.ID]; dup {
			l.errf(path+".id", "duplicate level %q (also meetings.levels[%d])", lv.ID, j)
		} else {
			seen[lv.ID] = i
		}
		if lv.Title == "" {
			l.errf(path+".title", "required")
		}
	}
	if m.Quorum.Invite != "all_members" && m.Quorum.Invite != "any" {
		l.errf("meetings.quorum.invite", "%q is not one of all_members, any", clip(m.Quorum.Invite))
	}
	if m.Quorum.Present != "majority" && m.Quorum.Present != "all" {
		l.errf("meetings.quorum.present", "%q is not one of majority, all", clip(m.Quorum.Present))
	}
	if m.Decisions != "consensus" {
		l.errf("meetings.decisions", "%q is not a decision rule this mechanism runs (consensus)", clip(m.Decisions))
	}
}

// messageOf maps the assistance actions to the message each sends.
var messageOf = map[Action]string{
	ActRequestAssistance: MsgRequest,
	ActOfferAssistance:   MsgOffer,
	ActMarkDelivered:     MsgDelivered,
	ActCancelAssistance:  MsgCancel,
	ActCloseAssistance:   MsgClose,
}

func (l *loader) checkAssistance(c *Charter) {
	a := c.Assistance
	for i, m := range a.Messages {
		p := index("assistance.messages", i)
		switch {
		case !slices.Contains(AssistanceMessages, m):
			l.errf(p, "unknown message %q (one of %s)", clip(m), strings.Join(AssistanceMessages, ", "))
		case slices.Index(a.Messages, m) < i:
			l.errf(p, "duplicate message %q", m)
		}
	}
	for i, s := range a.Statuses {
		p := index("assistance.statuses", i)
		switch {
		case !slices.Contains(AssistanceStatuses, s):
			l.errf(p, "unknown status %q (one of %s)", clip(s), strings.Join(AssistanceStatuses, ", "))
		case slices.Index(a.Statuses, s) < i:
			l.errf(p, "duplicate status %q", s)
		}
	}
	for _, s := range AssistanceStatuses {
		if !slices.Contains(a.Statuses, s) {
			l.errf("assistance.statuses", "missing status %q: every request goes through the statuses %s", s, strings.Join(AssistanceStatuses, ", "))
		}
	}
	for _, act := range []Action{ActRequestAssistance, ActOfferAssistance, ActMarkDelivered, ActCancelAssistance, ActCloseAssistance} {
		if rs := c.RolesFor(act); len(rs) > 0 && !slices.Contains(a.Messages, messageOf[act]) {
			l.errf("assistance.messages", "roles.%s may %s, but the message %q is not listed", rs[0], act, messageOf[act])
		}
	}
}

func (l *loader) checkAudience(c *Charter, path, a string) bool {
	switch a {
	case kurultai.AudienceMembers, kurultai.AudienceMembersObservers, kurultai.AudiencePublic:
		return true
	case "":
		l.errf(path, "required")
		return false
	}
	if _, ok := c.Participant(a); !ok {
		l.errf(path, "%q is neither an audience keyword (members, members+observers, public) nor a participant code", clip(a))
		return false
	}
	return true
}

func (l *loader) checkReleasability(c *Charter) {
	for _, k := range RecordKinds {
		r, ok := c.Releasability[k]
		if !ok {
			continue
		}
		path := "releasability." + string(k)
		if l.present(path + ".audience") {
			path += ".audience"
		}
		if !l.checkAudience(c, path, r.Audience) {
			continue
		}
		if k == KindStatementDraft && (r.Audience == kurultai.AudienceMembersObservers || r.Audience == kurultai.AudiencePublic) {
			l.errf(path, "drafts are members-only; %s would show them before they are adopted", r.Audience)
		}
	}
}

func (l *loader) checkKPIs(c *Charter) {
	seen := map[string]int{}
	for i, k := range c.KPIs {
		path := index("kpis", i)
		if !identifier(k.ID) {
			l.errf(path+".id", "%q is not an id (a-z, 0-9, _, starting with a letter)", clip(k.ID))
		} else if j, dup := seen[k.ID]; dup {
			l.errf(path+".id", "duplicate KPI id %q (also kpis[%d])", k.ID, j)
		} else {
			seen[k.ID] = i
		}
		l.checkEventField(c, path+".from", k.From)
		l.checkEventField(c, path+".to", k.To)
		if k.From != "" && k.From == k.To {
			l.errf(path+".to", "is the same event as from")
		}
	}
}

// String summarises the charter for logs.
func (c *Charter) String() string {
	return fmt.Sprintf("%s charter %s (%d participants, chair %s)", c.Organization.ShortName, c.Version, len(c.Participants), c.Chair.Participant)
}
