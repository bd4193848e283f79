package charter

import (
	"slices"
	"strings"

	"github.com/kurultai/kurultai/internal/kurultai"
)

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
