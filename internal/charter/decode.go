package charter

import (
	"go.yaml.in/yaml/v3"
)

func (l *loader) decodeChair(n *yaml.Node, path string, ch *Chair) {
	l.fields(n, path, func(key string, v *yaml.Node, p string) bool {
		switch key {
		case "participant":
			l.str(v, p, &ch.Participant)
		case "term":
			l.fields(v, p, func(key string, v *yaml.Node, p string) bool {
				switch key {
				case "from":
					l.str(v, p, &ch.Term.From)
				case "to":
					l.str(v, p, &ch.Term.To)
				default:
					return false
				}
				return true
			})
		default:
			return false
		}
		return true
	})
}

func (l *loader) decodeRoles(n *yaml.Node, path string, c *Charter) {
	roles := map[Role][]Action{}
	for r, as := range c.Roles {
		roles[r] = as
	}
	l.fields(n, path, func(key string, v *yaml.Node, p string) bool {
		if !Role(key).Valid() {
			l.addf(l.lines[p], p, "unknown role (one of chair, secretariat, member, affected, observer)")
			return true
		}
		var acts []string
		l.strs(v, p, &acts)
		roles[Role(key)] = toActions(acts)
		return true
	})
	c.Roles = roles
}

func toActions(ss []string) []Action {
	out := make([]Action, len(ss))
	for i, s := range ss {
		out[i] = Action(s)
	}
	return out
}

func (l *loader) decodeModes(n *yaml.Node, path string, m *Modes) {
	l.fields(n, path, func(key string, v *yaml.Node, p string) bool {
		switch key {
		case "initial":
			l.str(v, p, &m.Initial)
		case "states":
			m.States = nil
			l.list(v, p, func(_ int, v *yaml.Node, p string) {
				var md Mode
				l.fields(v, p, func(key string, v *yaml.Node, p string) bool {
					switch key {
					case "name":
						l.str(v, p, &md.Name)
					case "description":
						l.str(v, p, &md.Description)
					case "to":
						l.strs(v, p, &md.To)
					case "actions":
						var acts []string
						l.strs(v, p, &acts)
						md.Actions = toActions(acts)
					case "final":
						l.boolean(v, p, &md.Final)
					default:
						return false
					}
					return true
				})
				m.States = append(m.States, md)
			})
		default:
			return false
		}
		return true
	})
}

func (l *loader) decodeDeadline(n *yaml.Node, path string) Deadline {
	var d Deadline
	l.fields(n, path, func(key string, v *yaml.Node, p string) bool {
		switch key {
		case "id":
			l.str(v, p, &d.ID)
		case "title":
			l.str(v, p, &d.Title)
		case "from":
			l.str(v, p, &d.From)
		case "within":
			l.dur(v, p, &d.Within)
		case "every":
			l.dur(v, p, &d.Every)
		case "each":
			l.boolean(v, p, &d.Each)
		case "met_by":
			l.str(v, p, &d.MetBy)
		case "until":
			l.str(v, p, &d.Until)
		case "owner":
			var s string
			l.str(v, p, &s)
			d.Owner = Role(s)
		case "reminders":
			var r Reminders
			l.decodeReminders(v, p, &r)
			d.Reminders = &r
		default:
			return false
		}
		return true
	})
	return d
}

func (l *loader) decodeReminders(n *yaml.Node, path string, r *Reminders) {
	l.fields(n, path, func(key string, v *yaml.Node, p string) bool {
		switch key {
		case "percent":
			r.Percent = nil
			l.list(v, p, func(_ int, v *yaml.Node, p string) {
				var x int
				l.integer(v, p, &x)
				r.Percent = append(r.Percent, x)
			})
		case "before":
			r.Before = nil
			l.list(v, p, func(_ int, v *yaml.Node, p string) {
				var d Duration
				l.dur(v, p, &d)
				r.Before = append(r.Before, d)
			})
		default:
			return false
		}
		return true
	})
}

func (l *loader) decodeConsent(n *yaml.Node, path string, c *Consent) {
	l.fields(n, path, func(key string, v *yaml.Node, p string) bool {
		switch key {
		case "gated":
			var acts []string
			l.strs(v, p, &acts)
			c.Gated = toActions(acts)
		case "timeout":
			l.dur(v, p, &c.Timeout)
		case "on_timeout":
			l.str(v, p, &c.OnTimeout)
		case "on_refusal":
			l.str(v, p, &c.OnRefusal)
		default:
			return false
		}
		return true
	})
}

func (l *loader) decodeDecisions(n *yaml.Node, path string, d *Decisions) {
	l.fields(n, path, func(key string, v *yaml.Node, p string) bool {
		switch key {
		case "rule":
			l.str(v, p, &d.Rule)
		case "silence":
			s := &d.Silence
			l.fields(v, p, func(key string, v *yaml.Node, p string) bool {
				switch key {
				case "urgent":
					l.dur(v, p, &s.Urgent)
				case "normal":
					l.dur(v, p, &s.Normal)
				case "minimum":
					l.dur(v, p, &s.Minimum)
				case "max_extensions":
					l.integer(v, p, &s.MaxExtensions)
				case "broken_by":
					var rs []string
					l.strs(v, p, &rs)
					s.BrokenBy = nil
					for _, r := range rs {
						s.BrokenBy = append(s.BrokenBy, Role(r))
					}
				case "on_break":
					l.fields(v, p, func(key string, v *yaml.Node, p string) bool {
						switch key {
						case "outcome":
							l.str(v, p, &s.OnBreak.Outcome)
						case "notify":
							l.str(v, p, &s.OnBreak.Notify)
						case "meeting_within":
							l.dur(v, p, &s.OnBreak.MeetingWithin)
						default:
							return false
						}
						return true
					})
				case "on_expiry":
					l.str(v, p, &s.OnExpiry)
				default:
					return false
				}
				return true
			})
		default:
			return false
		}
		return true
	})
}

func (l *loader) decodeMeetings(n *yaml.Node, path string, m *Meetings) {
	l.fields(n, path, func(key string, v *yaml.Node, p string) bool {
		switch key {
		case "levels":
			m.Levels = nil
			l.list(v, p, func(_ int, v *yaml.Node, p string) {
				var lv Level
				l.fields(v, p, func(key string, v *yaml.Node, p string) bool {
					switch key {
					case "id":
						l.str(v, p, &lv.ID)
					case "title":
						l.str(v, p, &lv.Title)
					default:
						return false
					}
					return true
				})
				m.Levels = append(m.Levels, lv)
			})
		case "quorum":
			l.fields(v, p, func(key string, v *yaml.Node, p string) bool {
				switch key {
				case "invite":
					l.str(v, p, &m.Quorum.Invite)
				case "present":
					l.str(v, p, &m.Quorum.Present)
				default:
					return false
				}
				return true
			})
		case "decisions":
			l.str(v, p, &m.Decisions)
		default:
			return false
		}
		return true
	})
}

func (l *loader) decodeReleasability(n *yaml.Node, path string, c *Charter) {
	rel := map[RecordKind]Release{}
	for k, r := range c.Releasability {
		rel[k] = r
	}
	l.fields(n, path, func(key string, v *yaml.Node, p string) bool {
		if !RecordKind(key).Valid() {
			l.addf(l.lines[p], p, "unknown record kind")
			return true
		}
		var r Release
		if v.Kind == yaml.MappingNode {
			l.fields(v, p, func(key string, v *yaml.Node, p string) bool {
				switch key {
				case "audience":
					l.str(v, p, &r.Audience)
				case "author_may_choose":
					l.boolean(v, p, &r.AuthorMayChoose)
				default:
					return false
				}
				return true
			})
		} else {
			l.str(v, p, &r.Audience)
		}
		rel[RecordKind(key)] = r
		return true
	})
	c.Releasability = rel
}
