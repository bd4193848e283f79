package seed

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/stix"
	"github.com/kurultai/kurultai/internal/trust"
)

// SystemPrincipal is the principal under which a node writes its own
// objects: the node's participant, with the secretariat role.
func SystemPrincipal(p kurultai.Participant) kurultai.Principal {
	return kurultai.Principal{Username: "system", Participant: p.Code, Kind: p.Kind, Role: kurultai.RoleSecretariat}
}

// System writes the participants (from the charter), the intel collection
// and the system objects. It is idempotent and runs at every start, also
// in several processes sharing one store at once: each object is
// byte-identical every time, so every write after the first is an
// identical re-add.
func System(ctx context.Context, st kurultai.Store, parts []kurultai.Participant, node string, clock kurultai.Clock) error {
	var self *kurultai.Participant
	for i, p := range parts {
		if err := st.PutParticipant(ctx, p); err != nil {
			return fmt.Errorf("seed: participant %s: %w", p.Code, err)
		}
		if p.Code == node {
			self = &parts[i]
		}
	}
	if self == nil {
		return fmt.Errorf("seed: node participant %q is not a participant of the organization", node)
	}
	err := st.PutCollection(ctx, kurultai.Collection{
		ID:          IntelCollectionID,
		Title:       "Shared intelligence",
		Description: "Reports, indicators and other STIX objects shared between the participants under originator-set releasability.",
		Alias:       "intel",
	})
	if err != nil {
		return fmt.Errorf("seed: collection: %w", err)
	}
	raws := SystemObjects(parts)
	return AddRaw(ctx, st, SystemPrincipal(*self), IntelCollectionID, raws, clock)
}

// PredefinedCreator is the created_by_ref of the objects every node
// defines: the secretariat's identity, the same on every node, so that the
// objects are byte-identical across a federation.
var PredefinedCreator = IdentityID("SEC")

// SystemObjects returns the JSON of every system object, markings first.
// They are the same on every node.
func SystemObjects(parts []kurultai.Participant) [][]byte {
	by := PredefinedCreator
	raws := stix.TLPMarkingDefinitions()
	audiences := []string{kurultai.AudienceMembers, kurultai.AudienceMembersObservers, kurultai.AudiencePublic}
	for _, p := range parts {
		audiences = append(audiences, p.Code)
	}
	for _, a := range audiences {
		raws = append(raws, stix.ReleasabilityMarking(AudienceMarkingID(a), AudienceMarkingName(a), by, []string{a}, SystemCreated))
	}
	raws = append(raws,
		stix.ReleasabilityExtensionDefinition(by, SystemCreated),
		trust.ExtensionDefinition(by, SystemCreated),
		trust.KeysExtensionDefinition(by, SystemCreated))
	for _, p := range parts {
		id := stix.IdentityObject(IdentityID(p.Code), p.Name, "organization", SystemCreated)
		raws = append(raws, withMarkings(id, PublicMarkings()))
	}
	return raws
}

// PublicMarkings are the markings of objects every principal may see.
func PublicMarkings() []string {
	return []string{kurultai.TLP2ClearID, AudienceMarkingID(kurultai.AudiencePublic)}
}

// withMarkings sets object_marking_refs on a system object. Its output is
// deterministic: encoding/json sorts map keys.
func withMarkings(raw []byte, refs []string) []byte {
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		panic("seed: system object is not JSON: " + err.Error()) // a bug in our own builder
	}
	m["object_marking_refs"] = refs
	out, err := json.Marshal(m)
	if err != nil {
		panic("seed: " + err.Error())
	}
	return out
}

// AddRaw parses raws and stores them as p in one write, failing if any
// object is refused.
func AddRaw(ctx context.Context, st kurultai.Store, p kurultai.Principal, collection string, raws [][]byte, clock kurultai.Clock) error {
	// The status id is random: processes of one node seeding one shared
	// store at the same instant must not collide on it.
	w := kurultai.Write{Principal: p, Collection: collection, StatusID: "seed-" + uuid.NewString(), Time: clock()}
	for i, raw := range raws {
		v, err := stix.ParseObject(raw)
		if err != nil {
			return fmt.Errorf("seed: object %d: %w", i, err)
		}
		w.Objects = append(w.Objects, v)
	}
	status, err := st.AddObjects(ctx, w)
	if err != nil {
		return fmt.Errorf("seed: add objects: %w", err)
	}
	if len(status.Failures) > 0 {
		var msgs []string
		for _, f := range status.Failures {
			msgs = append(msgs, f.ID+": "+f.Message)
		}
		return fmt.Errorf("seed: %d objects refused: %s", len(status.Failures), strings.Join(msgs, "; "))
	}
	return nil
}

// NodeIdentity stores this node's identity object, carrying its public keys
// and signed with its current key. A key rotation makes a new version.
func NodeIdentity(ctx context.Context, st kurultai.Store, node string, doc trust.KeysDocument, signer Signer, clock kurultai.Clock) error {
	p, err := st.Participant(ctx, node)
	if err != nil {
		return fmt.Errorf("seed: node identity: %w", err)
	}
	raw := trust.NodeIdentity(doc, "Kurultai node of "+p.Name, IdentityID(node), PublicMarkings())
	signed, err := signer.Sign(raw)
	if err != nil {
		return fmt.Errorf("seed: node identity: %w", err)
	}
	return AddRaw(ctx, st, SystemPrincipal(p), IntelCollectionID, [][]byte{signed}, clock)
}
