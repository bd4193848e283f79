// Package markingrefs encodes lists of marking-definition references for
// the stores' refs columns: comma-separated, most without their
// marking-definition-- prefix. Both stores share it, so rows move between
// them unchanged.
package markingrefs

import (
	"slices"
	"strings"
)

// markingPrefix starts every marking-definition id. The refs columns drop it
// (36 bytes a ref instead of 56).
const markingPrefix = "marking-definition--"

// Valid reports whether ref can be stored in a refs column: it looks
// like a STIX id (type--...) and has no comma.
func Valid(ref string) bool {
	return strings.Contains(ref, "--") && !strings.ContainsRune(ref, ',')
}

// Encode packs valid marking refs into a refs column: comma-separated,
// each without the marking-definition-- prefix unless what remains is empty
// or could be mistaken for a full id (it contains "--").
func Encode(refs []string) string {
	switch len(refs) {
	case 0:
		return ""
	case 1:
		return short(refs[0])
	}
	n := len(refs) - 1
	for _, r := range refs {
		n += len(r)
	}
	var b strings.Builder
	b.Grow(n)
	for i, r := range refs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(short(r))
	}
	return b.String()
}

// short drops the marking-definition-- prefix where it can be restored.
func short(r string) string {
	if rest, ok := strings.CutPrefix(r, markingPrefix); ok && rest != "" && !strings.Contains(rest, "--") {
		return rest
	}
	return r
}

// Decode unpacks a refs column. The empty text is nil.
func Decode(text string) []string {
	if text == "" {
		return nil
	}
	refs := make([]string, 0, strings.Count(text, ",")+1)
	for e := range strings.SplitSeq(text, ",") {
		if !strings.Contains(e, "--") {
			e = markingPrefix + e
		}
		refs = append(refs, e)
	}
	return refs
}

// Union returns base followed by the refs of more it lacks. It returns
// base itself when nothing is added.
func Union(base, more []string) []string {
	out := base
	copied := false
	for _, r := range more {
		if slices.Contains(out, r) {
			continue
		}
		if !copied {
			out = slices.Clip(slices.Clone(base))
			copied = true
		}
		out = append(out, r)
	}
	return out
}
