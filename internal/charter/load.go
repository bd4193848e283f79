package charter

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/kurultai/kurultai/internal/kurultai"
)

//go:embed charter/ots.yaml
var defaultYAML []byte

// DefaultName is the file name under which the default charter is loaded
// and reported.
const DefaultName = "ots.yaml"

// MaxSize bounds a charter file.
const MaxSize = 1 << 20

// DefaultYAML returns the text of the default charter (the Organization of
// Turkic States as in January 2022).
func DefaultYAML() []byte { return bytes.Clone(defaultYAML) }

// Default returns the default charter.
func Default() *Charter {
	c, err := Load(DefaultName, defaultYAML)
	if err != nil {
		panic("charter: the embedded default charter is invalid:\n" + err.Error()) // a bug; the tests load it
	}
	return c
}

// Load parses and checks a charter. name is the file name used in errors.
//
// A charter must give version, organization, participants and chair. Every
// other section is optional: a scalar setting it omits keeps the default
// charter's value, a list it writes replaces the default list, and the
// roles and releasability maps override the default per key.
//
// The error, if any, is Errors: every problem found, each as
// "file:line: field: problem", in file order. Nothing is returned with it.
func Load(name string, data []byte) (*Charter, error) {
	c, base := &Charter{}, newLoader(DefaultName)
	if root := defaultRoot(); root != nil {
		base.decode(root, c)
	} else {
		base.addf(1, "", "cannot parse")
	}
	if len(base.errs) > 0 {
		return nil, fmt.Errorf("charter: default charter: %w", base.errs)
	}
	c.Version, c.Organization, c.Participants, c.Chair = "", Organization{}, nil, Chair{}

	l := newLoader(name)
	if len(data) > MaxSize {
		l.addf(1, "", "the file is %d bytes, over the %d-byte limit", len(data), MaxSize)
		return nil, l.errs
	}
	root, ok := parseYAML(l, data)
	if !ok {
		return nil, l.errs
	}
	l.decode(root, c)
	l.synthesize(c)
	l.check(c)
	if len(l.errs) > 0 {
		return nil, l.errs.sort()
	}
	return c, nil
}

// defaultRoot is the parsed default charter, parsed once: every Load
// starts from it and only reads it.
var defaultRoot = sync.OnceValue(func() *yaml.Node {
	root, _ := parseYAML(newLoader(DefaultName), defaultYAML)
	return root
})

// parseYAML parses data into its document's root node.
func parseYAML(l *loader, data []byte) (root *yaml.Node, ok bool) {
	var doc yaml.Node
	err := func() (err error) {
		defer func() {
			// The YAML library has panicked on hostile input before;
			// a charter is untrusted input, so a panic is a parse error.
			if r := recover(); r != nil {
				err = fmt.Errorf("cannot parse: %v", r)
			}
		}()
		dec := yaml.NewDecoder(bytes.NewReader(data))
		if err := dec.Decode(&doc); err != nil {
			return err
		}
		var next yaml.Node
		if dec.Decode(&next) == nil {
			return fmt.Errorf("the file holds more than one YAML document (line %d)", next.Line)
		}
		return nil
	}()
	if errors.Is(err, io.EOF) {
		l.addf(1, "", "the file is empty")
		return nil, false
	}
	if err != nil {
		line := 1
		if doc.Line > 0 {
			line = doc.Line
		}
		l.addf(line, "", "not valid YAML: %v", err)
		return nil, false
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		l.addf(1, "", "the file is empty")
		return nil, false
	}
	return doc.Content[0], true
}

// decode overlays the fields of the YAML node onto c.
func (l *loader) decode(root *yaml.Node, c *Charter) {
	required := map[string]bool{"version": false, "organization": false, "participants": false, "chair": false}
	ok := l.fields(root, "", func(key string, v *yaml.Node, p string) bool {
		if _, req := required[key]; req {
			required[key] = true
		}
		switch key {
		case "version":
			l.str(v, p, &c.Version)
		case "organization":
			l.fields(v, p, func(key string, v *yaml.Node, p string) bool {
				switch key {
				case "name":
					l.str(v, p, &c.Organization.Name)
				case "short_name":
					l.str(v, p, &c.Organization.ShortName)
				default:
					return false
				}
				return true
			})
		case "participants":
			c.Participants = nil
			l.list(v, p, func(_ int, v *yaml.Node, p string) {
				var pt Participant
				l.fields(v, p, func(key string, v *yaml.Node, p string) bool {
					switch key {
					case "code":
						l.str(v, p, &pt.Code)
					case "name":
						l.str(v, p, &pt.Name)
					case "kind":
						var s string
						l.str(v, p, &s)
						pt.Kind = kurultai.ParticipantKind(s)
					default:
						return false
					}
					return true
				})
				c.Participants = append(c.Participants, pt)
			})
		case "chair":
			l.decodeChair(v, p, &c.Chair)
		case "roles":
			l.decodeRoles(v, p, c)
		case "modes":
			l.decodeModes(v, p, &c.Modes)
		case "deadlines":
			c.Deadlines = nil
			l.list(v, p, func(_ int, v *yaml.Node, p string) {
				c.Deadlines = append(c.Deadlines, l.decodeDeadline(v, p))
			})
		case "reminders":
			l.decodeReminders(v, p, &c.Reminders)
		case "consent":
			l.decodeConsent(v, p, &c.Consent)
		case "decisions":
			l.decodeDecisions(v, p, &c.Decisions)
		case "meetings":
			l.decodeMeetings(v, p, &c.Meetings)
		case "assistance":
			l.fields(v, p, func(key string, v *yaml.Node, p string) bool {
				switch key {
				case "messages":
					l.strs(v, p, &c.Assistance.Messages)
				case "statuses":
					l.strs(v, p, &c.Assistance.Statuses)
				default:
					return false
				}
				return true
			})
		case "releasability":
			l.decodeReleasability(v, p, c)
		case "kpis":
			c.KPIs = nil
			l.list(v, p, func(_ int, v *yaml.Node, p string) {
				var k KPI
				l.fields(v, p, func(key string, v *yaml.Node, p string) bool {
					switch key {
					case "id":
						l.str(v, p, &k.ID)
					case "title":
						l.str(v, p, &k.Title)
					case "from":
						l.str(v, p, &k.From)
					case "to":
						l.str(v, p, &k.To)
					default:
						return false
					}
					return true
				})
				c.KPIs = append(c.KPIs, k)
			})
		default:
			return false
		}
		return true
	})
	if !ok {
		return
	}
	for _, key := range []string{"version", "organization", "participants", "chair"} {
		if !required[key] {
			l.addf(root.Line, key, "required")
		}
	}
}

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
