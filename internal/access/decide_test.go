package access

import (
	"fmt"
	"slices"
	"testing"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// TestDecideProduct checks every principal kind × originator or not × zero,
// one or two releasability markings × every TLP form, in each of the ways
// refs reach Decide (own refs, granular, effective refs, an added unknown
// ref), against expectations built from the hand-written meaning of each
// audience and TLP form.
func TestDecideProduct(t *testing.T) {
	ms := NewMarkings(fixtureMarkings()...)
	generic := newMapSet(ms)

	// Audience combinations: none, each form, each pair of forms.
	var combos [][]audienceForm
	combos = append(combos, nil)
	for _, a := range audienceForms {
		combos = append(combos, []audienceForm{a})
	}
	for _, a := range audienceForms {
		for _, b := range audienceForms {
			combos = append(combos, []audienceForm{a, b})
		}
	}

	n := 0
	for _, p := range principals {
		for _, own := range []bool{false, true} {
			originator := originatorTR
			if own {
				originator = p.Participant
			}
			for _, combo := range combos {
				for _, tlp := range tlpForms {
					var refs []string
					if tlp.id != "" {
						refs = append(refs, tlp.id)
					}
					admitted, named := len(combo) > 0, true
					var names []string
					for _, a := range combo {
						refs = append(refs, a.id)
						names = append(names, a.name)
						admitted = admitted && a.admits[p.Participant]
						named = named && a.names[p.Participant]
					}
					want := own || admitted && !(tlp.strict && p.Kind == kurultai.KindObserver && !named)
					desc := fmt.Sprintf("%s own=%v audiences=%v tlp=%s", p.Kind, own, names, tlp.name)

					check := func(how string, v *kurultai.ObjectVersion, want bool) {
						t.Helper()
						n++
						if got := Decide(p, v, ms); got != want {
							t.Errorf("%s (%s): Decide = %v, want %v", desc, how, got, want)
						}
						if got := Decide(p, v, generic); got != want {
							t.Errorf("%s (%s, generic set): Decide = %v, want %v", desc, how, got, want)
						}
					}

					check("own refs", object(originator, refs...), want)
					check("reversed refs", object(originator, reversed(refs)...), want)

					g := object(originator, refs...)
					g.Granular = true
					check("granular", g, want)

					// The store put every ref in the effective list; the
					// version's own list is wide open.
					e := object(originator, relPublic)
					e.EffectiveMarkingRefs = refs
					if e.EffectiveMarkingRefs == nil {
						e.EffectiveMarkingRefs = []string{}
					}
					check("effective refs", e, want)

					check("unknown ref added", object(originator, append(slices.Clone(refs), unknownRef)...), own)
				}
			}
		}
	}
	t.Logf("%d decisions checked", n)
}

func reversed(s []string) []string {
	r := slices.Clone(s)
	slices.Reverse(r)
	return r
}

func TestDecideCases(t *testing.T) {
	ms := NewMarkings(fixtureMarkings()...)
	tests := []struct {
		name string
		p    kurultai.Principal
		v    *kurultai.ObjectVersion
		want bool
	}{
		{"no refs: only the originator", member, object(originatorTR), false},
		{"no refs: originator", member, object("KZ"), true},
		{"tlp only is not a release", member, object(originatorTR, kurultai.TLP2ClearID), false},
		{"public", observer, object(originatorTR, relPublic), true},
		{"public and red: observer not named", observer, object(originatorTR, relPublic, kurultai.TLP2RedID), false},
		{"public and red: member", member, object(originatorTR, relPublic, kurultai.TLP2RedID), true},
		{"named observer and red", observer, object(originatorTR, relHU, kurultai.TLP2RedID), true},
		{"named observer and amber+strict", observer, object(originatorTR, relAllCodes, kurultai.TLP2AmberStrictID), true},
		{"named in one, keyword in other, red", observer, object(originatorTR, relAllCodes, relMemObs, kurultai.TLP2RedID), false},
		{"named in one, keyword in other, amber", observer, object(originatorTR, relAllCodes, relMemObs, kurultai.TLP2AmberID), true},
		{"intersection KZ,HU,SEC and members", observer, object(originatorTR, relAllCodes, relMembers), false},
		{"intersection KZ,HU,SEC and members: member", member, object(originatorTR, relAllCodes, relMembers), true},
		{"intersection of disjoint code lists", member, object(originatorTR, relKZ, relHU), false},
		{"intersection of three", secretariat, object(originatorTR, relAllCodes, relKZSEC, relMembers), true},
		{"empty audience", secretariat, object(originatorTR, relEmpty), false},
		{"empty audience with public", member, object(originatorTR, relEmpty, relPublic), false},
		{"members excludes observers", observer, object(originatorTR, relMembers), false},
		{"members includes secretariat", secretariat, object(originatorTR, relMembers), true},
		{"keyword inside a list matches nobody", member, object(originatorTR, relMixed), false},
		{"code inside a mixed list still matches", observer, object(originatorTR, relMixed), true},
		{"unknown ref", member, object(originatorTR, relPublic, unknownRef), false},
		{"unknown ref, originator", member, object("KZ", unknownRef), true},
		{"duplicate refs", member, object(originatorTR, relPublic, relPublic), true},
		{"granular restricts the whole object", member, &kurultai.ObjectVersion{
			ID: indicatorID, Originator: originatorTR, Granular: true,
			MarkingRefs: []string{relPublic, relOthers}}, false},
		{"newer version narrows", member, &kurultai.ObjectVersion{
			ID: indicatorID, Originator: originatorTR,
			MarkingRefs:          []string{relPublic},
			EffectiveMarkingRefs: []string{relPublic, relOthers}}, false},
		{"newer version cannot widen", member, &kurultai.ObjectVersion{
			ID: indicatorID, Originator: originatorTR,
			MarkingRefs:          []string{relOthers},
			EffectiveMarkingRefs: []string{relOthers, relPublic}}, false},
		{"newer version's audience does not release an unreleased older one", member, &kurultai.ObjectVersion{
			ID: indicatorID, Originator: originatorTR,
			MarkingRefs:          []string{kurultai.TLP2GreenID},
			EffectiveMarkingRefs: []string{kurultai.TLP2GreenID, relPublic}}, false},
		{"newer version adds red", observer, &kurultai.ObjectVersion{
			ID: indicatorID, Originator: originatorTR,
			MarkingRefs:          []string{relPublic, kurultai.TLP2GreenID},
			EffectiveMarkingRefs: []string{relPublic, kurultai.TLP2GreenID, kurultai.TLP2RedID}}, false},
		{"empty effective list is used, not own refs", member, &kurultai.ObjectVersion{
			ID: indicatorID, Originator: originatorTR,
			MarkingRefs:          []string{relPublic},
			EffectiveMarkingRefs: []string{}}, false},
		{"nil version", member, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Decide(tt.p, tt.v, ms); got != tt.want {
				t.Errorf("Decide = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDecideMarkingDefinitions(t *testing.T) {
	ms := NewMarkings(fixtureMarkings()...)
	md := func(id string, refs ...string) *kurultai.ObjectVersion {
		return &kurultai.ObjectVersion{ID: id, Type: "marking-definition", Originator: originatorTR, MarkingRefs: refs}
	}
	all := set("KZ", "HU", "SEC")
	tests := []struct {
		name string
		v    *kurultai.ObjectVersion
		want map[string]bool // by principal code
	}{
		{"releasability extension-definition", &kurultai.ObjectVersion{
			ID: kurultai.ReleasabilityExtensionID, Type: "extension-definition", Originator: originatorTR}, all},
		{"releasability extension-definition marked red", &kurultai.ObjectVersion{
			ID: kurultai.ReleasabilityExtensionID, Type: "extension-definition", Originator: originatorTR,
			MarkingRefs: []string{kurultai.TLP2RedID, unknownRef}}, all},
		{"TLP 2.0 extension-definition is predefined", &kurultai.ObjectVersion{
			ID: kurultai.TLP2ExtensionID, Type: "extension-definition", Originator: originatorTR}, all},
		{"signature extension-definition is predefined", &kurultai.ObjectVersion{
			ID: kurultai.SignatureExtensionID, Type: "extension-definition", Originator: originatorTR}, all},
		{"node keys extension-definition is predefined", &kurultai.ObjectVersion{
			ID: kurultai.NodeKeysExtensionID, Type: "extension-definition", Originator: originatorTR}, all},
		{"releasability marking, codes", md(relAllCodes), all},
		{"releasability marking, others", md(relOthers), set()},
		{"releasability marking, members", md(relMembers), set("KZ", "SEC")},
		{"releasability marking, public", md(relPublic), all},
		{"releasability marking, empty", md(relEmpty), set()},
		{"releasability marking, HU, marked red", md(relHU, kurultai.TLP2RedID), set("HU")},
		{"releasability marking, members+observers, marked red", md(relMemObs, kurultai.TLP2RedID), set("KZ", "SEC")},
		{"releasability marking, public, marked by a narrower one", md(relPublic, relKZ), set("KZ")},
		{"releasability marking, public, unknown ref", md(relPublic, unknownRef), set()},
		{"custom TLP marking without release", md(customRed), set()},
		{"custom TLP marking released: its own level does not mark it", md(customRed, relPublic), all},
		{"marking-definition unknown to the set", md(unknownRef), set()},
		{"marking-definition unknown to the set, released", md(unknownRef, relPublic), all},
	}
	for id := range kurultai.StandardTLP {
		tests = append(tests, struct {
			name string
			v    *kurultai.ObjectVersion
			want map[string]bool
		}{"standard TLP " + id, md(id), all})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, p := range principals {
				if got, want := Decide(p, tt.v, ms), tt.want[p.Participant]; got != want {
					t.Errorf("Decide(%s) = %v, want %v", p.Participant, got, want)
				}
			}
			// The originator always sees it.
			p := member
			p.Participant = originatorTR
			if !Decide(p, tt.v, ms) {
				t.Errorf("Decide(originator) = false")
			}
		})
	}
}

func TestDecideInvalid(t *testing.T) {
	ms := NewMarkings(fixtureMarkings()...)
	tests := []struct {
		name string
		p    kurultai.Principal
	}{
		{"zero principal", kurultai.Principal{}},
		{"no participant", kurultai.Principal{Kind: kurultai.KindMember, Role: kurultai.RoleLiaison}},
		{"no role", kurultai.Principal{Participant: "KZ", Kind: kurultai.KindMember}},
		{"unknown role", kurultai.Principal{Participant: "KZ", Kind: kurultai.KindMember, Role: "root"}},
		{"no kind", kurultai.Principal{Participant: "KZ", Role: kurultai.RoleLiaison}},
		{"unknown kind", kurultai.Principal{Participant: "KZ", Kind: "guest", Role: kurultai.RoleLiaison}},
	}
	objects := []*kurultai.ObjectVersion{
		object("", relPublic),
		object("KZ", relPublic),
		object("KZ"),
		{ID: kurultai.TLP2ClearID, Originator: "KZ"},
		{ID: kurultai.ReleasabilityExtensionID},
		{ID: relPublic},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i, v := range objects {
				if Decide(tt.p, v, ms) {
					t.Errorf("object %d (%s, originator %q): allowed", i, v.ID, v.Originator)
				}
			}
		})
	}
	t.Run("nil marking set", func(t *testing.T) {
		if Decide(member, object("KZ"), nil) {
			t.Error("allowed with a nil MarkingSet")
		}
		var nilSet *Markings
		if Decide(member, object("KZ"), nilSet) {
			t.Error("allowed with a nil *Markings")
		}
	})
	t.Run("zero Markings knows nothing", func(t *testing.T) {
		var empty Markings
		if Decide(member, object(originatorTR, kurultai.TLP2ClearID), &empty) {
			t.Error("allowed with an empty set")
		}
		if !Decide(member, object("KZ", unknownRef), &empty) {
			t.Error("originator refused with an empty set")
		}
	})
}

func BenchmarkDecide(b *testing.B) {
	ms := NewMarkings(fixtureMarkings()...)
	generic := newMapSet(ms)
	benches := []struct {
		name string
		p    kurultai.Principal
		v    *kurultai.ObjectVersion
		ms   kurultai.MarkingSet
		want bool
	}{
		{"1 marking", member, object(originatorTR, relPublic), ms, true},
		{"2 markings", member, object(originatorTR, kurultai.TLP2AmberID, relMembers), ms, true},
		{"4 markings", observer, object(originatorTR, kurultai.TLP2RedID, relAllCodes, relMemObs, relHU), ms, false},
		{"4 markings allow", secretariat, object(originatorTR, kurultai.TLP2GreenID, relAllCodes, relKZSEC, relMembers), ms, true},
		{"originator", member, object("KZ", relPublic), ms, true},
		{"unknown ref", member, object(originatorTR, unknownRef), ms, false},
		{"standard TLP object", member, &kurultai.ObjectVersion{ID: kurultai.TLP2RedID, Originator: originatorTR}, ms, true},
		{"2 markings generic set", member, object(originatorTR, kurultai.TLP2AmberID, relMembers), generic, true},
	}
	for _, bb := range benches {
		b.Run(bb.name, func(b *testing.B) {
			if got := Decide(bb.p, bb.v, bb.ms); got != bb.want {
				b.Fatalf("Decide = %v, want %v", got, bb.want)
			}
			b.ReportAllocs()
			for b.Loop() {
				Decide(bb.p, bb.v, bb.ms)
			}
		})
	}
}
