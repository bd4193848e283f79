package charter

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Error is one problem in a charter file: where, which field, what.
type Error struct {
	File    string
	Line    int
	Field   string // e.g. "modes.states[2].to[0]"; empty for the whole file
	Problem string
}

// Error formats e as "file:line: field: problem".
func (e Error) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Problem)
	}
	return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Field, e.Problem)
}

// Errors is every problem Load found, in file order.
type Errors []Error

// Error lists the problems, one a line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// sort orders the problems by line, keeping the order found within a line,
// and drops exact repeats.
func (es Errors) sort() Errors {
	slices.SortStableFunc(es, func(a, b Error) int { return cmp.Compare(a.Line, b.Line) })
	return slices.Compact(es)
}
