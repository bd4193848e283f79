package sqlite

import (
	"slices"

	"github.com/kurultai/kurultai/internal/markingrefs"
)

// refCache decodes refs columns once per distinct text: a listing sees the
// same few marking combinations over and over. The slices it returns are
// shared between versions and clipped, so an append copies.
type refCache map[string][]string

func (c refCache) get(text string) []string {
	if text == "" {
		return nil
	}
	if refs, ok := c[text]; ok {
		return refs
	}
	refs := slices.Clip(markingrefs.Decode(text))
	if len(c) < 4096 {
		c[text] = refs
	}
	return refs
}
