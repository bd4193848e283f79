package postgres

import (
	"slices"

	"github.com/kurultai/kurultai/internal/markingrefs"
)

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
	refs := slices.Clip(markingrefs.Decode(key))
	if len(c) < 4096 {
		c[key] = refs
	}
	return refs
}
