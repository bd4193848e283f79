package kurultai

import "time"

// ObjectVersion is one version of one STIX 2.1 object as the node keeps it:
// the common properties the node needs, parsed once on the way in, and the
// object's JSON exactly as received so that every other property (custom
// ones and extensions included) round-trips byte for byte.
type ObjectVersion struct {
	ID          string    // "type--UUID"
	Type        string    // the STIX type name
	SpecVersion string    // always "2.1" for stored objects
	Created     time.Time // zero for objects without created (most SCOs)
	Modified    time.Time // zero for objects without modified
	// Version is the TAXII version string: the modified timestamp, else the
	// created timestamp, exactly as written in the object; empty for objects
	// that have neither (SCOs), whose version is their date added.
	Version string
	// VersionKey orders and identifies versions: Version in Unix nanoseconds,
	// 0 when Version is empty.
	VersionKey  int64
	Revoked     bool
	CreatedBy   string   // created_by_ref, may be empty
	MarkingRefs []string // object_marking_refs then granular marking_refs, de-duplicated
	Granular    bool     // the object has granular_markings with a marking_ref
	// Marking is set for marking-definition objects the node understands
	// (TLP and releasability); nil otherwise.
	Marking *Marking

	// Set by the store.

	Collection string    // collection id
	Originator string    // participant code of the writer
	DateAdded  time.Time // when this node stored the version; unique per node
	// EffectiveMarkingRefs is MarkingRefs plus the marking refs of every
	// newer version of the same object: a newer version that narrows the
	// audience narrows the older ones too, and one that widens it does not
	// widen them. The access decision reads this list.
	EffectiveMarkingRefs []string

	Raw []byte // the object's JSON as received
}

// ObjectRef names one object version.
type ObjectRef struct {
	ID      string `json:"id"`
	Version string `json:"version,omitempty"`
}

// TLP is a Traffic Light Protocol 2.0 level.
type TLP string

// The TLP levels. TLP 1.0 WHITE is read as CLEAR.
const (
	TLPClear       TLP = "clear"
	TLPGreen       TLP = "green"
	TLPAmber       TLP = "amber"
	TLPAmberStrict TLP = "amber+strict"
	TLPRed         TLP = "red"
)

// Audience keywords a releasability marking may use instead of codes.
const (
	AudienceMembers          = "members"           // members and the secretariat
	AudienceMembersObservers = "members+observers" // members, observers and the secretariat
	AudiencePublic           = "public"            // every authenticated principal
)

// Marking is a marking-definition the node understands.
type Marking struct {
	ID   string
	Name string
	// TLP is the level of a TLP marking, empty for other markings.
	TLP TLP
	// Audience is set for Kurultai releasability markings: participant codes,
	// or exactly one audience keyword. Nil for other markings; a
	// releasability marking with an empty audience releases to nobody.
	Audience []string
	// Releasability reports whether this is a Kurultai releasability marking.
	Releasability bool
}

// The standard TLP marking-definition ids: TLP 2.0 (from the OASIS TLP 2.0
// extension) and TLP 1.0 (predefined by STIX 2.1).
const (
	TLP2ClearID       = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
	TLP2GreenID       = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
	TLP2AmberID       = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
	TLP2AmberStrictID = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
	TLP2RedID         = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"

	TLP1WhiteID = "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"
	TLP1GreenID = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"
	TLP1AmberID = "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"
	TLP1RedID   = "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"

	// TLP2ExtensionID is the OASIS extension-definition that TLP 2.0
	// marking-definitions use.
	TLP2ExtensionID = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

	// ReleasabilityExtensionID is Kurultai's extension-definition for
	// releasability marking-definitions (name "kurultai-releasability").
	ReleasabilityExtensionID = "extension-definition--00cbe3e9-27b7-4f2d-925f-1c014a5e95d5"
	// ReleasabilityExtensionName is that extension-definition's name.
	ReleasabilityExtensionName = "kurultai-releasability"

	// SignatureExtensionID is Kurultai's extension-definition for the
	// property extension that carries a node's signature of an object.
	SignatureExtensionID = "extension-definition--f8d68403-9e24-406f-84c7-61a62350aa2d"
	// NodeKeysExtensionID is Kurultai's extension-definition for the
	// property extension that carries a node's public keys on its identity.
	NodeKeysExtensionID = "extension-definition--166e6c66-3978-4e82-a42a-548dc4fc8395"
)

// Predefined reports whether id names an object that every node defines
// identically and shows to every principal: the standard TLP
// marking-definitions and the extension-definitions Kurultai relies on. No
// participant may write under these ids.
func Predefined(id string) bool {
	if _, ok := StandardTLP[id]; ok {
		return true
	}
	switch id {
	case ReleasabilityExtensionID, SignatureExtensionID, NodeKeysExtensionID, TLP2ExtensionID:
		return true
	}
	return false
}

// StandardTLP maps each standard TLP marking-definition id to its level.
var StandardTLP = map[string]TLP{
	TLP2ClearID:       TLPClear,
	TLP2GreenID:       TLPGreen,
	TLP2AmberID:       TLPAmber,
	TLP2AmberStrictID: TLPAmberStrict,
	TLP2RedID:         TLPRed,
	TLP1WhiteID:       TLPClear,
	TLP1GreenID:       TLPGreen,
	TLP1AmberID:       TLPAmber,
	TLP1RedID:         TLPRed,
}

// MarkingSet looks up the marking-definitions a node knows.
type MarkingSet interface {
	// Marking returns the marking with the id and whether it is known.
	Marking(id string) (*Marking, bool)
}
