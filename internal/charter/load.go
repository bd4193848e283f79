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
