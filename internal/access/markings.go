package access

import (
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// Markings is a concurrency-safe kurultai.MarkingSet kept in memory. Use
// NewMarkings; the zero value is an empty set that does not even know the
// standard TLP markings.
//
// Reads never lock: byID points to a map that is never modified once
// published, nor are the Markings it points to. Add copies the map, changes
// the copy and publishes it.
type Markings struct {
	// mu serialises writers (Add) so that two concurrent Adds do not lose
	// each other's markings. Readers do not take it.
	mu   sync.Mutex
	byID atomic.Pointer[map[string]*kurultai.Marking]
}

// NewMarkings returns a set holding the nine standard TLP marking-definitions
// and ms.
func NewMarkings(ms ...kurultai.Marking) *Markings {
	m := &Markings{}
	std := make([]kurultai.Marking, 0, len(kurultai.StandardTLP)+len(ms))
	for id, level := range kurultai.StandardTLP {
		std = append(std, kurultai.Marking{ID: id, Name: tlpName(id, level), TLP: level})
	}
	m.Add(append(std, ms...)...)
	return m
}

// Marking returns the marking with the id and whether it is known. The
// marking returned is shared and must not be modified.
func (m *Markings) Marking(id string) (*kurultai.Marking, bool) {
	if m == nil {
		return nil, false
	}
	mk, ok := m.load()[id]
	return mk, ok
}

// Add adds markings to the set, replacing any with the same id. Markings
// without an id are ignored. A marking with a standard TLP id always gets
// that id's standard level and is never a releasability marking, whatever
// it says: those ids mean one thing only. Add copies its arguments, so the
// caller may reuse them.
func (m *Markings) Add(ms ...kurultai.Marking) {
	if len(ms) == 0 {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	next := maps.Clone(m.load())
	if next == nil {
		next = make(map[string]*kurultai.Marking, len(ms))
	}
	for _, mk := range ms {
		if mk.ID == "" {
			continue
		}
		c := mk
		c.Audience = slices.Clone(mk.Audience)
		if level, ok := kurultai.StandardTLP[mk.ID]; ok {
			c.TLP = level
			c.Releasability = false
			c.Audience = nil
		}
		next[c.ID] = &c
	}
	m.byID.Store(&next)
}

// Len returns the number of markings in the set.
func (m *Markings) Len() int {
	if m == nil {
		return 0
	}
	return len(m.load())
}

// load returns the current map, nil for an empty zero value.
func (m *Markings) load() map[string]*kurultai.Marking {
	p := m.byID.Load()
	if p == nil {
		return nil
	}
	return *p
}

func tlpName(id string, level kurultai.TLP) string {
	if id == kurultai.TLP1WhiteID {
		return "TLP:WHITE"
	}
	return "TLP:" + strings.ToUpper(string(level))
}
