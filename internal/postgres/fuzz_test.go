package postgres

import (
	"github.com/kurultai/kurultai/internal/markingrefs"

	"slices"
	"testing"
)

func FuzzRefsRoundTrip(f *testing.F) {
	f.Add("marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", "x--y")
	f.Add("marking-definition--", "abc")
	f.Fuzz(func(t *testing.T, a, b string) {
		refs := []string{a, b}
		if !markingrefs.Valid(a) || !markingrefs.Valid(b) {
			return
		}
		if got := markingrefs.Decode(markingrefs.Encode(refs)); !slices.Equal(got, refs) {
			t.Errorf("round trip of %q gave %q", refs, got)
		}
	})
}

// FuzzToText: whatever a caller records (queries come from URLs and hold
// any bytes), the text stored is text PostgreSQL can hold, and storable
// text is kept as it is.
func FuzzToText(f *testing.F) {
	for _, s := range []string{"", "plain", "a\x00b", "\xff\xfe", "ş\x00\xc3", "Қазақстан"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := toText(s)
		if !storable(got) {
			t.Errorf("toText(%q) = %q, not storable", s, got)
		}
		if storable(s) && got != s {
			t.Errorf("toText(%q) = %q, changed storable text", s, got)
		}
	})
}
