package access

import (
	"strings"

	"github.com/kurultai/kurultai/internal/kurultai"
)

const markingDefinitionPrefix = "marking-definition--"

// Decide reports whether principal p may see object version v, given the
// markings the node knows. It is a pure function: the same inputs always
// give the same answer. See the package documentation for the rules.
func Decide(p kurultai.Principal, v *kurultai.ObjectVersion, ms kurultai.MarkingSet) bool {
	if v == nil || ms == nil || p.Participant == "" || !p.Role.Valid() || !p.Kind.Valid() {
		return false
	}
	// Read the map of a *Markings once, so that every lookup below sees the
	// same snapshot and skips the interface call and the atomic load.
	var tab map[string]*kurultai.Marking
	if m, ok := ms.(*Markings); ok {
		if m == nil {
			return false
		}
		tab = m.load()
	}
	if p.Participant == v.Originator {
		return true
	}
	if kurultai.Predefined(v.ID) {
		return true
	}
	d := decision{p: p, tab: tab, ms: ms, explicit: true}
	selfReleased := false

	if strings.HasPrefix(v.ID, markingDefinitionPrefix) {
		// A releasability marking releases itself to its own audience.
		if m, ok := d.lookup(v.ID); ok && m.Releasability {
			selfReleased = true
			if !d.add(m) {
				return false
			}
		}
	}

	refs := v.EffectiveMarkingRefs
	if refs == nil {
		refs = v.MarkingRefs
	}
	for _, ref := range refs {
		m, ok := d.lookup(ref)
		if !ok {
			return false
		}
		if !d.add(m) {
			return false
		}
	}

	if !d.released {
		return false
	}
	// A version released by nobody stays so: a newer version's audience,
	// carried in the effective refs, narrows an older version but never
	// releases one that its originator kept to itself.
	if v.EffectiveMarkingRefs != nil && !selfReleased && !d.releasedBy(v.MarkingRefs) {
		return false
	}
	if d.strict && p.Kind == kurultai.KindObserver && !d.explicit {
		return false
	}
	return true
}

// decision accumulates what the refs of one version say about one
// principal. It lives on Decide's stack.
type decision struct {
	p   kurultai.Principal
	tab map[string]*kurultai.Marking // snapshot of a *Markings, or nil
	ms  kurultai.MarkingSet          // used when tab is nil

	released bool // a releasability marking was among the refs
	strict   bool // a TLP:RED, TLP:AMBER+STRICT or unrecognised TLP ref was seen
	explicit bool // every releasability marking so far names p's code
}

// releasedBy reports whether refs include a releasability marking.
func (d *decision) releasedBy(refs []string) bool {
	for _, ref := range refs {
		if m, ok := d.lookup(ref); ok && m.Releasability {
			return true
		}
	}
	return false
}

func (d *decision) lookup(id string) (*kurultai.Marking, bool) {
	if d.tab != nil {
		m, ok := d.tab[id]
		return m, ok && m != nil
	}
	m, ok := d.ms.Marking(id)
	return m, ok && m != nil
}

// add takes marking m into account and reports whether p can still be
// allowed.
func (d *decision) add(m *kurultai.Marking) bool {
	switch m.TLP {
	case "", kurultai.TLPClear, kurultai.TLPGreen, kurultai.TLPAmber:
	default:
		// Red, amber+strict, and any level we do not recognise: failing
		// closed costs observers an object, never leaks one.
		d.strict = true
	}
	if !m.Releasability {
		return true
	}
	d.released = true
	named := names(m.Audience, d.p.Participant)
	if !named {
		d.explicit = false
		if !keywordAdmits(m.Audience, d.p.Kind) {
			return false
		}
	}
	return true
}

// names reports whether audience lists code as a participant code.
func names(audience []string, code string) bool {
	for _, c := range audience {
		if c == code && !isKeyword(c) {
			return true
		}
	}
	return false
}

// keywordAdmits reports whether audience is exactly one keyword that admits
// principals of kind k.
func keywordAdmits(audience []string, k kurultai.ParticipantKind) bool {
	if len(audience) != 1 {
		return false
	}
	switch audience[0] {
	case kurultai.AudiencePublic:
		return k.Valid()
	case kurultai.AudienceMembersObservers:
		return k == kurultai.KindMember || k == kurultai.KindObserver || k == kurultai.KindSecretariat
	case kurultai.AudienceMembers:
		return k == kurultai.KindMember || k == kurultai.KindSecretariat
	}
	return false
}

func isKeyword(s string) bool {
	switch s {
	case kurultai.AudiencePublic, kurultai.AudienceMembersObservers, kurultai.AudienceMembers:
		return true
	}
	return false
}
