package charter

import (
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// loader walks a YAML node tree, collecting every problem instead of
// stopping at the first, and remembers the line of every field it saw so
// that later checks can point at it.
type loader struct {
	file  string
	errs  Errors
	lines map[string]int
}

func newLoader(file string) *loader {
	return &loader{file: file, lines: map[string]int{}}
}

func (l *loader) addf(line int, field, format string, args ...any) {
	l.errs = append(l.errs, Error{File: l.file, Line: line, Field: field, Problem: fmt.Sprintf(format, args...)})
}

// errf reports a problem with a decoded field, at the line of the field
// or of its nearest ancestor the file contains (settings taken from the
// defaults have no line of their own).
func (l *loader) errf(field, format string, args ...any) {
	line, ok := l.line(field)
	if !ok {
		format += " (a setting of the default charter that this file keeps)"
	}
	l.addf(line, field, format, args...)
}

// line returns the line of path or of its nearest ancestor, else 1 and
// false.
func (l *loader) line(path string) (int, bool) {
	for p := path; p != ""; p = parent(p) {
		if n, ok := l.lines[p]; ok {
			return n, true
		}
	}
	return 1, false
}

// parent strips the last step of a field path: "a.b[2]" -> "a.b" -> "a".
func parent(p string) string {
	i := strings.LastIndexAny(p, ".[")
	if i < 0 {
		return ""
	}
	return p[:i]
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// kindName names a node's kind for error messages.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "empty"
		}
		return fmt.Sprintf("%q", clip(n.Value))
	}
	return "a document"
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}

// noAlias reports aliases, which the charter format does not support: an
// alias would let one line of the file stand for a whole section, and
// errors could not point at the line that holds the value.
func (l *loader) noAlias(n *yaml.Node, path string) bool {
	if n.Kind == yaml.AliasNode {
		l.addf(n.Line, path, "anchors and aliases are not supported; write the value out")
		return false
	}
	return true
}

// fields calls f for each field of the mapping n; f returns false for an
// unknown field. Duplicate and unknown fields are reported.
func (l *loader) fields(n *yaml.Node, path string, f func(key string, v *yaml.Node, p string) bool) bool {
	if !l.noAlias(n, path) {
		return false
	}
	if n.Kind != yaml.MappingNode {
		l.addf(n.Line, path, "must be a mapping of fields, not %s", kindName(n))
		return false
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.Tag == "!!merge" {
			l.addf(k.Line, path, "field names must be plain strings (no merge keys or complex keys)")
			continue
		}
		p := join(path, k.Value)
		if first, dup := seen[k.Value]; dup {
			l.addf(k.Line, p, "duplicate field (first at line %d)", first)
			continue
		}
		seen[k.Value] = k.Line
		l.lines[p] = k.Line
		if !l.noAlias(v, p) {
			continue
		}
		if !f(k.Value, v, p) {
			l.addf(k.Line, p, "unknown field")
		}
	}
	return true
}

// list calls f for each item of the sequence n.
func (l *loader) list(n *yaml.Node, path string, f func(i int, v *yaml.Node, p string)) bool {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return true // an empty value is an empty list
	}
	if n.Kind != yaml.SequenceNode {
		l.addf(n.Line, path, "must be a list, not %s", kindName(n))
		return false
	}
	for i, v := range n.Content {
		p := index(path, i)
		l.lines[p] = v.Line
		if l.noAlias(v, p) {
			f(i, v, p)
		}
	}
	return true
}

// scalar returns n's text, reporting lists and mappings.
func (l *loader) scalar(n *yaml.Node, path, want string) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		l.addf(n.Line, path, "must be %s, not %s", want, kindName(n))
		return "", false
	}
	return n.Value, true
}

// str decodes a string; an empty value gives "".
func (l *loader) str(n *yaml.Node, path string, out *string) {
	s, ok := l.scalar(n, path, "a string")
	if !ok {
		return
	}
	if n.Tag == "!!null" {
		s = ""
	}
	*out = s
}

// strs decodes a list of strings.
func (l *loader) strs(n *yaml.Node, path string, out *[]string) {
	var got []string
	if l.list(n, path, func(_ int, v *yaml.Node, p string) {
		var s string
		l.str(v, p, &s)
		got = append(got, s)
	}) {
		*out = got
	}
}

// dur decodes a duration.
func (l *loader) dur(n *yaml.Node, path string, out *Duration) {
	s, ok := l.scalar(n, path, "a duration")
	if !ok {
		return
	}
	if n.Tag == "!!int" || n.Tag == "!!float" {
		l.addf(n.Line, path, "%s has no unit; write a duration such as \"12h\", \"90m\" or \"3d\"", clip(s))
		return
	}
	d, err := ParseDuration(s)
	if err != nil {
		l.addf(n.Line, path, "%v", err)
		return
	}
	*out = d
}

// integer decodes an integer.
func (l *loader) integer(n *yaml.Node, path string, out *int) {
	s, ok := l.scalar(n, path, "an integer")
	if !ok {
		return
	}
	v, err := strconv.ParseInt(s, 10, 32)
	if n.Tag != "!!int" || err != nil {
		l.addf(n.Line, path, "must be an integer, not %s", kindName(n))
		return
	}
	*out = int(v)
}

// boolean decodes true or false.
func (l *loader) boolean(n *yaml.Node, path string, out *bool) {
	s, ok := l.scalar(n, path, "true or false")
	if !ok {
		return
	}
	if n.Tag != "!!bool" {
		l.addf(n.Line, path, "must be true or false, not %s", kindName(n))
		return
	}
	*out = s == "true" || s == "True" || s == "TRUE"
}
