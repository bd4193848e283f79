package access

import (
	"github.com/kurultai/kurultai/internal/kurultai"
)

// Participants of the fixture: KZ and TR are members, HU is an observer,
// SEC is the secretariat.
var (
	member      = kurultai.Principal{UserID: 1, Username: "kz", Participant: "KZ", Kind: kurultai.KindMember, Role: kurultai.RoleLiaison}
	observer    = kurultai.Principal{UserID: 2, Username: "hu", Participant: "HU", Kind: kurultai.KindObserver, Role: kurultai.RoleLiaison}
	secretariat = kurultai.Principal{UserID: 3, Username: "sec", Participant: "SEC", Kind: kurultai.KindSecretariat, Role: kurultai.RoleSecretariat}
	principals  = []kurultai.Principal{member, observer, secretariat}
)

// Releasability marking ids of the fixture.
const (
	relAllCodes = "marking-definition--00000000-0000-4000-8000-000000000001" // KZ, HU, SEC
	relOthers   = "marking-definition--00000000-0000-4000-8000-000000000002" // TR, UZ
	relMembers  = "marking-definition--00000000-0000-4000-8000-000000000003" // members
	relMemObs   = "marking-definition--00000000-0000-4000-8000-000000000004" // members+observers
	relPublic   = "marking-definition--00000000-0000-4000-8000-000000000005" // public
	relEmpty    = "marking-definition--00000000-0000-4000-8000-000000000006" // []
	relNil      = "marking-definition--00000000-0000-4000-8000-000000000007" // nil audience
	relMixed    = "marking-definition--00000000-0000-4000-8000-000000000008" // members, HU (malformed)
	relKZ       = "marking-definition--00000000-0000-4000-8000-000000000009" // KZ
	relHU       = "marking-definition--00000000-0000-4000-8000-00000000000a" // HU
	relKZSEC    = "marking-definition--00000000-0000-4000-8000-00000000000b" // KZ, SEC

	customRed    = "marking-definition--00000000-0000-4000-8000-0000000000a1" // non-standard id, TLP red
	customOdd    = "marking-definition--00000000-0000-4000-8000-0000000000a2" // unrecognised TLP level
	statement    = "marking-definition--00000000-0000-4000-8000-0000000000a3" // known, neither TLP nor releasability
	unknownRef   = "marking-definition--00000000-0000-4000-8000-0000000000ff" // never in the set
	indicatorID  = "indicator--11111111-1111-4111-8111-111111111111"
	originatorTR = "TR"
)

func fixtureMarkings() []kurultai.Marking {
	rel := func(id string, audience []string) kurultai.Marking {
		return kurultai.Marking{ID: id, Name: id[len(id)-2:], Releasability: true, Audience: audience}
	}
	return []kurultai.Marking{
		rel(relAllCodes, []string{"KZ", "HU", "SEC"}),
		rel(relOthers, []string{"TR", "UZ"}),
		rel(relMembers, []string{kurultai.AudienceMembers}),
		rel(relMemObs, []string{kurultai.AudienceMembersObservers}),
		rel(relPublic, []string{kurultai.AudiencePublic}),
		rel(relEmpty, []string{}),
		rel(relNil, nil),
		rel(relMixed, []string{kurultai.AudienceMembers, "HU"}),
		rel(relKZ, []string{"KZ"}),
		rel(relHU, []string{"HU"}),
		rel(relKZSEC, []string{"KZ", "SEC"}),
		{ID: customRed, Name: "custom red", TLP: kurultai.TLPRed},
		{ID: customOdd, Name: "odd", TLP: "purple"},
		{ID: statement, Name: "statement"},
	}
}

// audienceForm is one releasability marking with what it means for each
// fixture principal, written by hand from the rules.
type audienceForm struct {
	name   string
	id     string
	admits map[string]bool // by participant code
	names  map[string]bool // code listed explicitly
}

var audienceForms = []audienceForm{
	{"codes incl", relAllCodes, set("KZ", "HU", "SEC"), set("KZ", "HU", "SEC")},
	{"codes excl", relOthers, set(), set()},
	{"members", relMembers, set("KZ", "SEC"), set()},
	{"members+observers", relMemObs, set("KZ", "HU", "SEC"), set()},
	{"public", relPublic, set("KZ", "HU", "SEC"), set()},
	{"empty", relEmpty, set(), set()},
	{"nil audience", relNil, set(), set()},
	{"keyword in list", relMixed, set("HU"), set("HU")},
	{"KZ only", relKZ, set("KZ"), set("KZ")},
	{"HU only", relHU, set("HU"), set("HU")},
	{"KZ and SEC", relKZSEC, set("KZ", "SEC"), set("KZ", "SEC")},
}

// tlpForm is one TLP ref (or none) and whether it is strict.
type tlpForm struct {
	name   string
	id     string // "" for no TLP ref
	strict bool
}

var tlpForms = []tlpForm{
	{"no tlp", "", false},
	{"clear", kurultai.TLP2ClearID, false},
	{"green", kurultai.TLP2GreenID, false},
	{"amber", kurultai.TLP2AmberID, false},
	{"amber+strict", kurultai.TLP2AmberStrictID, true},
	{"red", kurultai.TLP2RedID, true},
	{"tlp1 white", kurultai.TLP1WhiteID, false},
	{"tlp1 green", kurultai.TLP1GreenID, false},
	{"tlp1 amber", kurultai.TLP1AmberID, false},
	{"tlp1 red", kurultai.TLP1RedID, true},
	{"custom red", customRed, true},
	{"unrecognised level", customOdd, true},
	{"statement", statement, false},
}

func set(codes ...string) map[string]bool {
	m := make(map[string]bool, len(codes))
	for _, c := range codes {
		m[c] = true
	}
	return m
}

// mapSet is a plain kurultai.MarkingSet, to exercise Decide's generic path.
type mapSet map[string]*kurultai.Marking

func (s mapSet) Marking(id string) (*kurultai.Marking, bool) {
	m, ok := s[id]
	return m, ok
}

func newMapSet(ms *Markings) mapSet {
	s := mapSet{}
	for id, m := range ms.load() {
		s[id] = m
	}
	return s
}

func object(originator string, refs ...string) *kurultai.ObjectVersion {
	return &kurultai.ObjectVersion{
		ID:          indicatorID,
		Type:        "indicator",
		SpecVersion: "2.1",
		Originator:  originator,
		MarkingRefs: refs,
	}
}
