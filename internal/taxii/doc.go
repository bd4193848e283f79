// Package taxii serves the node's shared STIX 2.1 objects over TAXII 2.1
// (OASIS, sections 4 and 5): discovery, one API root, collections, objects,
// manifests, versions, deletion by the originator and status resources.
//
// Every endpoint authenticates the caller, and every object leaving the
// server has passed the one access decision (access.Decide). A hidden object
// is answered exactly like a missing one, and listings, manifests and counts
// never include hidden objects. Each read is appended to the audit log
// before the response is written; when the log cannot be written the read
// fails with 503 (fail closed).
//
// Objects are served as the bytes that were received: an envelope is written
// by concatenating the stored JSON of each version, without decoding it.
//
// Choices where TAXII 2.1 leaves room:
//
//   - Accept: application/taxii+json with version 2.1 or no version, */*,
//     application/* or no Accept header at all; anything else is 406.
//   - POST bodies: application/taxii+json or application/stix+json, each with
//     version 2.1 or no version (a STIX bundle is accepted as well as an
//     envelope); anything else is 415.
//   - The discovery resource lists the API root by relative URL
//     ("/taxii2/root/"), which TAXII 2.1 allows, so the answer does not
//     depend on the Host header or on a proxy in front of the node.
//   - limit defaults to 1000; larger values are lowered to 10000; zero,
//     negative or non-numeric values are 400.
//   - next is an opaque keyset cursor; one from another query can only move
//     the starting point, never widen what the caller sees.
//   - Query parameters the server does not know are ignored, but a match[]
//     field that the endpoint does not support is 400: silently ignoring a
//     filter would return more than the client asked for.
//   - Manifests and version lists carry "next" like envelopes do.
//   - An object-by-id request with a next cursor that finds nothing answers
//     an empty envelope rather than 404; without next it is 404.
//   - DELETE without match[version] deletes every version of the object.
//     It needs the write permission and removes only versions the
//     caller's participant wrote; a visible object written by someone else
//     is 403, an invisible or missing one 404.
package taxii
