// Package seed writes what every node starts with (the charter's participants, the shared
// collection, the standard TLP and releasability markings, the releasability
// extension-definition, an identity per participant) and, for `kurultai
// demo`, the demo accounts and a few shared objects. Everything it writes has
// deterministic ids and content, so that running it twice, or on two nodes,
// yields the same objects.
package seed

import (
	"time"

	"github.com/google/uuid"
)

// IntelCollectionID is the TAXII collection for shared intelligence. It is
// fixed so that every node of a deployment uses the same id.
const IntelCollectionID = "6f3b1f4e-2a1d-4c55-9a0e-2f1a7d1c0b01"

// SystemCreated is the created timestamp of every system object; fixed so
// that the objects are byte-identical on every node and every start.
var SystemCreated = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// namespace derives the deterministic ids of system objects.
var namespace = uuid.MustParse("4c1f6f0e-93a2-4bd5-8a57-0b8f0c7e2d11")

// stableID returns "typ--<UUIDv5 of name>".
func stableID(typ, name string) string {
	return typ + "--" + uuid.NewSHA1(namespace, []byte(typ+":"+name)).String()
}

// IdentityID is the STIX identity id of a participant.
func IdentityID(code string) string { return stableID("identity", code) }

// AudienceMarkingID is the id of the releasability marking-definition for
// an audience: a keyword or a participant code.
func AudienceMarkingID(audience string) string {
	return stableID("marking-definition", "audience:"+audience)
}

// AudienceMarkingName is that marking's name: "REL TO KZ", "REL TO members".
func AudienceMarkingName(audience string) string { return "REL TO " + audience }
