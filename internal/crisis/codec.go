package crisis

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/kurultai/kurultai/internal/charter"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/seed"
	"github.com/kurultai/kurultai/internal/stix"
)

type extType struct {
	ExtensionType string `json:"extension_type"`
}

// header is the common part of every record's JSON, written first.
type header struct {
	Type              string             `json:"type"`
	SpecVersion       string             `json:"spec_version"`
	ID                string             `json:"id"`
	Created           string             `json:"created"`
	Modified          string             `json:"modified"`
	CreatedByRef      string             `json:"created_by_ref"`
	ObjectMarkingRefs []string           `json:"object_marking_refs"`
	Extensions        map[string]extType `json:"extensions"`
	SituationRef      string             `json:"situation_ref,omitempty"`
	ActorRole         string             `json:"actor_role"`
}

// tlpFor returns the TLP marking that goes with an audience: CLEAR for
// public, GREEN for members+observers, AMBER otherwise.
func tlpFor(audience string) string {
	switch audience {
	case kurultai.AudiencePublic:
		return kurultai.TLP2ClearID
	case kurultai.AudienceMembersObservers:
		return kurultai.TLP2GreenID
	}
	return kurultai.TLP2AmberID
}

// encode writes a record's STIX JSON from its Meta and fields. The output
// is deterministic: the header's properties in a fixed order, then the
// kind's.
func encode(rec Record) []byte {
	m := rec.Base()
	h := header{
		Type:              TypeName(m.Kind),
		SpecVersion:       "2.1",
		ID:                m.ID,
		Created:           stix.FormatTime(m.Created),
		Modified:          stix.FormatTime(m.Modified),
		CreatedByRef:      seed.IdentityID(m.By),
		ObjectMarkingRefs: []string{tlpFor(m.Audience), seed.AudienceMarkingID(m.Audience)},
		Extensions:        map[string]extType{ExtensionID(m.Kind): {ExtensionType: "new-sdo"}},
		ActorRole:         string(m.Role),
	}
	if m.Kind != charter.KindSituation {
		h.SituationRef = m.Situation
	}
	head, body := mustMarshal(h), mustMarshal(rec)
	if len(body) <= 2 {
		return head
	}
	out := make([]byte, 0, len(head)+len(body))
	out = append(out, head[:len(head)-1]...)
	out = append(out, ',')
	return append(out, body[1:]...)
}

// mustMarshal encodes values built from our own structs, which cannot fail.
func mustMarshal(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic("crisis: marshal: " + err.Error()) // a bug in our own types
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// Parse reads a crisis record from a stored object version (which
// stix.ParseObject has already validated). Errors are *kurultai.Error with
// CodeInvalid naming the property.
func (m *Mechanism) Parse(v *kurultai.ObjectVersion) (Record, error) {
	k, ok := KindOf(v.Type)
	if !ok {
		return nil, kurultai.FieldError("type", "%q is not a crisis record type", v.Type)
	}
	var h header
	if err := json.Unmarshal(v.Raw, &h); err != nil {
		return nil, jsonError(err)
	}
	if e, ok := h.Extensions[ExtensionID(k)]; !ok || e.ExtensionType != "new-sdo" {
		return nil, kurultai.FieldError("extensions", "a %s must carry its extension %s with extension_type new-sdo", v.Type, ExtensionID(k))
	}
	by, ok := m.identities()[h.CreatedByRef]
	if !ok {
		return nil, kurultai.FieldError("created_by_ref", "%q is not the identity of a participant of charter %s", clip(h.CreatedByRef), m.Charter.Version)
	}
	role := charter.Role(h.ActorRole)
	if !role.Valid() {
		return nil, kurultai.FieldError("actor_role", "%q is not a role of the mechanism", clip(h.ActorRole))
	}
	rec := newRecord(k)
	if err := json.Unmarshal(v.Raw, rec); err != nil {
		return nil, jsonError(err)
	}
	meta := rec.Base()
	*meta = Meta{
		Kind: k, ID: v.ID, Created: v.Created, Modified: v.Modified, Version: v.Version, VersionKey: v.VersionKey,
		By: by, Role: role, Situation: h.SituationRef, Audience: m.audienceOf(v.MarkingRefs), Revoked: v.Revoked,
	}
	sum := sha256.Sum256(v.Raw)
	meta.digest = hex.EncodeToString(sum[:8])
	if k == charter.KindSituation {
		if h.SituationRef != "" {
			return nil, kurultai.FieldError("situation_ref", "a situation does not reference another situation")
		}
		meta.Situation = v.ID
	} else if err := checkRef("situation_ref", h.SituationRef, charter.KindSituation); err != nil {
		return nil, err
	}
	if err := m.check(rec); err != nil {
		return nil, err
	}
	return rec, nil
}

// jsonError turns a decoding error into an invalid-input error naming the
// property where encoding/json knows it.
func jsonError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return kurultai.FieldError(te.Field, "must be %s, not a JSON %s", te.Type, te.Value)
	}
	return kurultai.FieldError("", "%v", err)
}

// audienceOf names the audience of the releasability markings among refs
// that the node publishes (a keyword or a participant code), or "".
func (m *Mechanism) audienceOf(refs []string) string {
	auds := []string{kurultai.AudienceMembers, kurultai.AudienceMembersObservers, kurultai.AudiencePublic}
	for _, p := range m.Charter.Participants {
		auds = append(auds, p.Code)
	}
	for _, a := range auds {
		if slices.Contains(refs, seed.AudienceMarkingID(a)) {
			return a
		}
	}
	return ""
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}

// checkRef checks that s is the identifier of a record of kind k.
func checkRef(field, s string, k charter.RecordKind) error {
	typ, uuid, ok := strings.Cut(s, "--")
	if !ok || typ != TypeName(k) || len(uuid) != 36 {
		return kurultai.FieldError(field, "%q is not the identifier of a %s", clip(s), TypeName(k))
	}
	return nil
}
