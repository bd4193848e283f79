package postgres

import (
	"strings"
	"unicode/utf8"
)

// storable reports whether s can be stored in or compared with a text
// column: PostgreSQL text is valid UTF-8 without NUL. A lookup by a key
// that is not storable finds nothing.
func storable(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// storables returns the storable strings of xs.
func storables(xs []string) []string {
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		if storable(x) {
			out = append(out, x)
		}
	}
	return out
}

// toText returns s made storable: invalid UTF-8 and NUL become U+FFFD. It
// is for text that is recorded, not looked up (audit entries).
func toText(s string) string {
	if storable(s) {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}
