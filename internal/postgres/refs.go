package postgres

import (
	"slices"
	"strings"
)

// The encoding is the SQLite store's, so that rows move between the two
// stores unchanged.

// markingPrefix starts every marking-definition id. The refs columns drop it
// (36 bytes a ref instead of 56).
const markingPrefix = "marking-definition--"

// validRef reports whether ref can be stored in a refs column: it looks
// like a STIX id (type--...) and has no comma.
func validRef(ref string) bool {
	return strings.Contains(ref, "--") && !strings.ContainsRune(ref, ',')
}

// encodeRefs packs valid marking refs into a refs column: comma-separated,
// each without the marking-definition-- prefix unless what remains is empty
// or could be mistaken for a full id (it contains "--").
func encodeRefs(refs []string) string {
	switch len(refs) {
	case 0:
		return ""
	case 1:
		return shortRef(refs[0])
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
		b.WriteString(shortRef(r))
	}
	return b.String()
}

func shortRef(r string) string {
	if rest, ok := strings.CutPrefix(r, markingPrefix); ok && rest != "" && !strings.Contains(rest, "--") {
		return rest
	}
	return r
}

// decodeRefs unpacks a refs column. The empty text is nil.
func decodeRefs(text string) []string {
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

// unionRefs returns base followed by the refs of more it lacks. It returns
// base itself when nothing is added.
func unionRefs(base, more []string) []string {
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

// refCache decodes refs columns once per distinct text: a listing sees the
// same few marking combinations over and over. The slices it returns are
// shared between versions and clipped, so an append copies.
type refCache map[string][]string

func (c refCache) get(text []byte) []string {
	if len(text) == 0 {
		return nil
	}
	if refs, ok := c[string(text)]; ok {
		return refs
	}
	key := string(text)
	refs := slices.Clip(decodeRefs(key))
	if len(c) < 4096 {
		c[key] = refs
	}
	return refs
}
