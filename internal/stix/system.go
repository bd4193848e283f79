package stix

import (
	"encoding/json"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// The objects a node publishes about itself. They are built from structs,
// so their JSON has a fixed property order and is the same for the same
// arguments; ParseObject accepts each of them and they validate against
// the OASIS STIX 2.1 JSON schemas (the tests check both).

// releasabilitySchema is the extension-definition's schema property. STIX
// allows "a URL or plain text explaining the definition"; plain text keeps
// the object self-contained.
const releasabilitySchema = "Property-extension of marking-definition objects. " +
	"Properties: extension_type (\"property-extension\") and audience, a list of strings " +
	"that is either participant codes (2 to 10 letters A-Z, no repeats) or exactly one of " +
	"the keywords \"members\" (members and the secretariat), \"members+observers\" (members, " +
	"observers and the secretariat) or \"public\" (every participant). No other property is " +
	"allowed. An object that references such a marking-definition is released only to the " +
	"intersection of the audiences of all its releasability markings, and always to its " +
	"originator; an empty audience releases it to nobody else."

type extensionDefinitionJSON struct {
	Type              string   `json:"type"`
	SpecVersion       string   `json:"spec_version"`
	ID                string   `json:"id"`
	CreatedByRef      string   `json:"created_by_ref,omitempty"`
	Created           string   `json:"created"`
	Modified          string   `json:"modified"`
	Name              string   `json:"name"`
	Description       string   `json:"description"`
	Schema            string   `json:"schema"`
	Version           string   `json:"version"`
	ExtensionTypes    []string `json:"extension_types"`
	ObjectMarkingRefs []string `json:"object_marking_refs"`
}

// ReleasabilityExtensionDefinition returns the extension-definition of the
// Kurultai releasability extension (id kurultai.ReleasabilityExtensionID),
// created by the identity createdBy (required by STIX for
// extension-definitions) and marked TLP:CLEAR.
func ReleasabilityExtensionDefinition(createdBy string, created time.Time) []byte {
	ts := FormatTime(created)
	return marshal(extensionDefinitionJSON{
		Type:         "extension-definition",
		SpecVersion:  "2.1",
		ID:           kurultai.ReleasabilityExtensionID,
		CreatedByRef: createdBy,
		Created:      ts,
		Modified:     ts,
		Name:         kurultai.ReleasabilityExtensionName,
		Description: "Releasability of STIX objects shared through a Kurultai node: the participants " +
			"(or the class of participants) an object may be released to.",
		Schema:            releasabilitySchema,
		Version:           "1.0",
		ExtensionTypes:    []string{"property-extension"},
		ObjectMarkingRefs: []string{kurultai.TLP2ClearID},
	})
}

type markingDefinitionJSON struct {
	Type         string         `json:"type"`
	SpecVersion  string         `json:"spec_version"`
	ID           string         `json:"id"`
	CreatedByRef string         `json:"created_by_ref,omitempty"`
	Created      string         `json:"created"`
	Name         string         `json:"name,omitempty"`
	Extensions   map[string]any `json:"extensions"`
}

type releasabilityJSON struct {
	ExtensionType string   `json:"extension_type"`
	Audience      []string `json:"audience"`
}

type tlp2JSON struct {
	ExtensionType string `json:"extension_type"`
	TLP           string `json:"tlp_2_0"`
}

// ReleasabilityMarking returns a releasability marking-definition: id (a
// marking-definition identifier), name (omitted if empty), createdBy
// (omitted if empty) and the audience (participant codes or one keyword; nil
// is written as an empty list, which releases to nobody; note that the
// OASIS schemas reject empty lists in extensions).
func ReleasabilityMarking(id, name, createdBy string, audience []string, created time.Time) []byte {
	if audience == nil {
		audience = []string{}
	}
	return marshal(markingDefinitionJSON{
		Type:         "marking-definition",
		SpecVersion:  "2.1",
		ID:           id,
		CreatedByRef: createdBy,
		Created:      FormatTime(created),
		Name:         name,
		Extensions: map[string]any{
			kurultai.ReleasabilityExtensionID: releasabilityJSON{ExtensionType: "property-extension", Audience: audience},
		},
	})
}

// TLPMarkingDefinitions returns the five TLP 2.0 marking-definitions
// (clear, green, amber, amber+strict, red) with their standard ids, as the
// OASIS TLP 2.0 extension publishes them.
func TLPMarkingDefinitions() [][]byte {
	defs := []struct {
		id, name string
		level    kurultai.TLP
	}{
		{kurultai.TLP2ClearID, "TLP:CLEAR", kurultai.TLPClear},
		{kurultai.TLP2GreenID, "TLP:GREEN", kurultai.TLPGreen},
		{kurultai.TLP2AmberID, "TLP:AMBER", kurultai.TLPAmber},
		{kurultai.TLP2AmberStrictID, "TLP:AMBER+STRICT", kurultai.TLPAmberStrict},
		{kurultai.TLP2RedID, "TLP:RED", kurultai.TLPRed},
	}
	out := make([][]byte, 0, len(defs))
	for _, d := range defs {
		out = append(out, marshal(markingDefinitionJSON{
			Type:        "marking-definition",
			SpecVersion: "2.1",
			ID:          d.id,
			Created:     "2022-10-01T00:00:00.000Z",
			Name:        d.name,
			Extensions: map[string]any{
				kurultai.TLP2ExtensionID: tlp2JSON{ExtensionType: "property-extension", TLP: string(d.level)},
			},
		}))
	}
	return out
}

type identityJSON struct {
	Type          string `json:"type"`
	SpecVersion   string `json:"spec_version"`
	ID            string `json:"id"`
	Created       string `json:"created"`
	Modified      string `json:"modified"`
	Name          string `json:"name"`
	IdentityClass string `json:"identity_class,omitempty"`
}

// IdentityObject returns a STIX identity (identity_class omitted if empty;
// STIX suggests a value of identity-class-ov such as "organization").
func IdentityObject(id, name, identityClass string, created time.Time) []byte {
	ts := FormatTime(created)
	return marshal(identityJSON{
		Type:          "identity",
		SpecVersion:   "2.1",
		ID:            id,
		Created:       ts,
		Modified:      ts,
		Name:          name,
		IdentityClass: identityClass,
	})
}

// marshal encodes v, which holds only strings, string slices and maps with
// string keys, so encoding cannot fail.
func marshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("stix: marshal system object: " + err.Error())
	}
	return b
}
