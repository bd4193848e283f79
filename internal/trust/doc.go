// Package trust gives a node its identity and signs the STIX objects it
// creates or accepts from its own principals, so that anyone holding the
// node's public keys can check offline which node vouched for an object and
// that nothing in it changed since. docs/TRUST.md describes the formats for
// people writing their own verifiers.
//
// # Node keys
//
// A node has one current Ed25519 key pair and keeps the public halves of
// its earlier ones, so that objects it signed before a rotation still
// verify. The keyring lives in DATA/keys/keyring.json (directory 0700, file
// 0600); Load refuses either when group or others may read it. Rotation
// writes a new keyring atomically and forgets the old private key. A key id
// is the first 16 hex digits (8 bytes) of the SHA-256 of the 32-byte public
// key. Private keys never appear in logs or formatted output: Keyring and
// Signer print only key ids.
//
// # Where the signature travels
//
// In the object itself, as a STIX property extension (ExtensionID, name
// "kurultai-signature"):
//
//	"extensions": {
//	  "extension-definition--f8d68403-9e24-406f-84c7-61a62350aa2d": {
//	    "extension_type": "property-extension",
//	    "alg": "ed25519",
//	    "key_id": "3f2a9c0d41b7e8a5",
//	    "signer": "KZ",
//	    "signature": "<64 bytes, base64url without padding>"
//	  }
//	}
//
// A property extension is standard STIX 2.1: TAXII servers and clients
// that do not know it store and forward it untouched, and the object's
// other properties, custom ones included, are not changed. Signing keeps
// the object's bytes as they are and only replaces or inserts that one
// entry (adding "extensions" when the object has none), so signing the same
// bytes twice gives the same bytes (Ed25519 is deterministic) and signing a
// signed object again with the same key changes nothing.
//
// # What is signed
//
// The message is the ASCII line "kurultai-signature-v1\n" followed by the
// RFC 8785 canonical form (package jcs) of the object with the signature
// entry present but without its "signature" member. The algorithm, key id,
// signer and any further members of the entry are thereby signed too, and a
// changed white space or member order in transit does not matter. The
// prefix keeps these signatures apart from anything else the node key signs
// (audit checkpoints are text notes ending in a newline; a canonical JSON
// text holds no newline).
//
// # Verifying
//
// A Verifier holds public keys by key id with the participant each belongs
// to (from the nodes' key documents, see KeysDocument). Verify distinguishes
// a missing signature, an unknown key, a bad signature (the object or the
// signed entry was changed, or the signer named is not the key's owner) and
// a malformed one; each is a *kurultai.Error with CodeInvalid, the field,
// and one of ErrMissing, ErrUnknownKey, ErrBadSignature and ErrMalformed
// for errors.Is. A retired key still verifies: retirement says the node no
// longer signs with it, and objects do not carry a trustworthy signing time
// to compare with.
//
// Verification costs one Ed25519 check (tens of microseconds), so nodes
// verify objects once, when they arrive from a peer, and never on reads:
// what is stored was either signed here or verified on the way in.
//
// # Publishing keys
//
// A node publishes its public keys as a JSON document at WellKnownPath
// (KeysHandler) and as a STIX identity object (NodeIdentity) carrying the
// property extension KeysExtensionID ("kurultai-node-keys").
package trust
