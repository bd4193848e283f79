package trust

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/stix"
)

// The STIX objects that publish the trust formats. Like the other system
// objects they are built from structs, so the same arguments give the same
// bytes.

const signatureSchema = "Property-extension carrying an Ed25519 signature of the object by a Kurultai node. " +
	"Properties: extension_type (\"property-extension\"); alg (\"ed25519\"); key_id, the first 16 " +
	"hex digits of the SHA-256 of the signing node's 32-byte public key; signer, the code of the " +
	"participant the node serves; signature, the 64-byte signature in base64url without padding " +
	"(RFC 4648 section 5). The signed message is the ASCII text \"kurultai-signature-v1\" and a line " +
	"feed, followed by the RFC 8785 canonical JSON of the whole object in which this extension " +
	"is present without its signature property. Nodes publish their keys at " + WellKnownPath +
	" and on their identity objects (extension " + KeysExtensionName + ")."

const keysSchema = "Property-extension of identity objects describing a Kurultai node. Properties: " +
	"extension_type (\"property-extension\"); participant, the code of the participant the node " +
	"serves; keys, a list of the node's public keys, each with key_id (the first 16 hex digits " +
	"of the SHA-256 of the key), alg (\"ed25519\"), public_key (the 32-byte key in base64url " +
	"without padding), created and, for keys no longer used to sign, retired (timestamps). " +
	"Signatures by retired keys remain valid."

type extensionDefinitionJSON struct {
	Type              string   `json:"type"`
	SpecVersion       string   `json:"spec_version"`
	ID                string   `json:"id"`
	CreatedByRef      string   `json:"created_by_ref"`
	Created           string   `json:"created"`
	Modified          string   `json:"modified"`
	Name              string   `json:"name"`
	Description       string   `json:"description"`
	Schema            string   `json:"schema"`
	Version           string   `json:"version"`
	ExtensionTypes    []string `json:"extension_types"`
	ObjectMarkingRefs []string `json:"object_marking_refs"`
}

func extensionDefinition(id, name, description, schema, createdBy string, created time.Time) []byte {
	ts := stix.FormatTime(created)
	return marshal(extensionDefinitionJSON{
		Type:              "extension-definition",
		SpecVersion:       "2.1",
		ID:                id,
		CreatedByRef:      createdBy,
		Created:           ts,
		Modified:          ts,
		Name:              name,
		Description:       description,
		Schema:            schema,
		Version:           "1.0",
		ExtensionTypes:    []string{"property-extension"},
		ObjectMarkingRefs: []string{kurultai.TLP2ClearID},
	})
}

// ExtensionDefinition returns the extension-definition of the signature
// extension (ExtensionID), created by the identity createdBy and marked
// TLP:CLEAR. Every participant should see it.
func ExtensionDefinition(createdBy string, created time.Time) []byte {
	return extensionDefinition(ExtensionID, ExtensionName,
		"Signature of a STIX object by the Kurultai node that created it or accepted it from its participant.",
		signatureSchema, createdBy, created)
}

// KeysExtensionDefinition returns the extension-definition of the node
// keys extension (KeysExtensionID), created by createdBy and marked
// TLP:CLEAR. Every participant should see it.
func KeysExtensionDefinition(createdBy string, created time.Time) []byte {
	return extensionDefinition(KeysExtensionID, KeysExtensionName,
		"The public keys with which a Kurultai node signs STIX objects.",
		keysSchema, createdBy, created)
}

// nodeNamespace derives node identity ids.
var nodeNamespace = uuid.MustParse("2a73a386-20a2-4cf9-b91e-860d2b0391a1")

// NodeIdentityID returns the id of the identity object of the node that
// serves participant: the same on every node and across key rotations.
func NodeIdentityID(participant string) string {
	return "identity--" + uuid.NewSHA1(nodeNamespace, []byte("node:"+participant)).String()
}

type nodeIdentityJSON struct {
	Type              string         `json:"type"`
	SpecVersion       string         `json:"spec_version"`
	ID                string         `json:"id"`
	CreatedByRef      string         `json:"created_by_ref,omitempty"`
	Created           string         `json:"created"`
	Modified          string         `json:"modified"`
	Name              string         `json:"name"`
	IdentityClass     string         `json:"identity_class"`
	ObjectMarkingRefs []string       `json:"object_marking_refs,omitempty"`
	Extensions        map[string]any `json:"extensions"`
}

type nodeKeysJSON struct {
	ExtensionType string    `json:"extension_type"`
	Participant   string    `json:"participant"`
	Keys          []keyJSON `json:"keys"`
}

// NodeIdentity returns the STIX identity object (identity_class "system")
// of the node that d describes, carrying its keys in the KeysExtensionID
// extension; createdBy (the participant's identity; may be empty) and
// markings (may be nil) are set as given. created is the first key's
// creation, modified the latest creation or retirement, so a rotation
// makes a new version and nothing else does.
func NodeIdentity(d KeysDocument, name, createdBy string, markings []string) []byte {
	var first, last time.Time
	keys := make([]keyJSON, 0, len(d.Keys))
	for i, p := range d.Keys {
		keys = append(keys, p.json())
		if i == 0 || p.Created.Before(first) {
			first = p.Created
		}
		for _, t := range []time.Time{p.Created, p.Retired} {
			if t.After(last) {
				last = t
			}
		}
	}
	return marshal(nodeIdentityJSON{
		Type:              "identity",
		SpecVersion:       "2.1",
		ID:                d.Node,
		CreatedByRef:      createdBy,
		Created:           stix.FormatTime(first),
		Modified:          stix.FormatTime(last),
		Name:              name,
		IdentityClass:     "system",
		ObjectMarkingRefs: markings,
		Extensions: map[string]any{
			KeysExtensionID: nodeKeysJSON{ExtensionType: "property-extension", Participant: d.Participant, Keys: keys},
		},
	})
}

// marshal encodes v, which holds only strings, string slices and maps with
// string keys, so encoding cannot fail.
func marshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("trust: marshal system object: " + err.Error())
	}
	return b
}
