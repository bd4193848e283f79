// Package stix parses STIX 2.1 objects as they arrive in TAXII 2.1
// envelopes (or STIX bundles): it checks the common properties every object
// shares, extracts what the store and the access decision need (id,
// version, markings, the markings a marking-definition defines) and keeps
// each object's JSON byte for byte, custom properties and extensions
// included. It also builds the objects a node publishes about itself.
//
// # Why only the common properties
//
// The node stores and forwards objects; it does not interpret indicators or
// malware. What it must get right is identity (id, type), versioning
// (created, modified: TAXII versions and conflicts), and markings (the
// access decision). Those are validated strictly so that no object can be
// stored under an ambiguous id or version, or carry a marking the node reads
// differently from other tools. Type-specific properties (an indicator's
// pattern, a relationship's source_ref, ...) are left to producers and
// consumers; unknown types and custom properties are accepted as they are.
//
// # What is checked
//
//   - The object is one JSON object of valid UTF-8, with no trailing data.
//     Duplicate top-level property names are an error (RFC 8259 leaves their
//     meaning open, and two readers picking different copies of, say,
//     object_marking_refs would disagree on who may read the object).
//     Property names are matched exactly (case-sensitive, escapes decoded)
//     and must follow STIX §3.1: 3-250 characters of a-z, 0-9 and _,
//     starting with a letter ("id" excepted); this also rules out look-alike
//     names such as "Object_Marking_Refs" that case-insensitive decoders
//     would confuse with the real ones. Inside the values it reads
//     (external references, granular markings, extensions, definition) a
//     repeated member it reads is an error too; repeats deeper inside
//     custom content are not looked for.
//   - type: a STIX type name (3-250 characters of a-z, 0-9 and hyphen,
//     starting with a letter, no leading, trailing or double hyphen); not
//     "bundle" (a bundle is not an object) nor the reserved "action".
//   - id: "type--UUID" whose type part equals type and whose UUID is an
//     RFC 4122 UUID (versions 1-5, RFC 4122 variant) written in lower case.
//     Upper-case hex is refused: ids are compared byte for byte throughout
//     the node, and one object must not exist under two spellings.
//   - spec_version: "2.1". Required except for cyber-observable objects
//     (SCOs), where it defaults to "2.1".
//   - created and modified: STIX timestamps (UTC, "Z") with at least
//     millisecond precision (three or more sub-second digits), in the years
//     1678-2261 (so the version fits Unix nanoseconds), modified not before
//     created. Required for SDOs, SROs, language-content and
//     extension-definition; a marking-definition has created and must not
//     have modified (marking-definitions cannot be versioned, and a new
//     version could otherwise change who may read already-marked objects);
//     SCOs have neither.
//   - created_by_ref: an identity identifier. revoked and defanged:
//     booleans. lang: a string. confidence: an integer 0-100. labels: a
//     list of strings.
//   - external_references: each an object with a string source_name and at
//     least one of description, url, external_id (strings); hashes, if
//     present, a non-empty object of strings.
//   - object_marking_refs: marking-definition identifiers.
//   - granular_markings: each an object with a non-empty list of selectors
//     (dot-separated steps starting with a property name; whether the path
//     exists in the object is not checked) and exactly one of marking_ref
//     (a marking-definition identifier) or lang.
//   - extensions: a non-empty object whose keys are extension-definition
//     identifiers or names ending in "-ext", whose values are objects, and
//     where an extension-definition key's value has an extension_type from
//     extension-type-enum.
//   - extension-definition objects also need created_by_ref, name, schema,
//     version and extension_types (extension_properties only with
//     toplevel-property-extension).
//   - Lists (labels, object_marking_refs, ...) must not be empty (STIX
//     §2.12), and a wrong JSON type for any property read is an error that
//     names it, e.g. "granular_markings[0].selectors".
//
// Errors are *kurultai.Error with CodeInvalid and Field set to the property
// path, e.g. "object_marking_refs[2]" or
// "extensions.extension-definition--....audience".
//
// # Object categories
//
// The STIX 2.1 SCO types (§6) are SCOs; the SDO, SRO and meta types are
// SDO-like. A type STIX does not define is classified by the
// extension-definition that defines it (extension_type "new-sco" makes it
// an SCO, "new-sdo" or "new-sro" SDO-like); without one, an object with
// created or modified is SDO-like and one with neither is an SCO.
//
// # Versions
//
// Version is the modified timestamp as written, else created, else "" (SCOs,
// whose TAXII version is their date added); VersionKey is that time in Unix
// nanoseconds. Sub-second digits past nanoseconds are accepted and
// truncated in VersionKey. MarkingRefs lists object_marking_refs then the
// marking_refs of granular_markings, without repeats, in order; Granular
// reports whether any granular marking has a marking_ref. Granular markings
// restrict the whole object.
//
// # Marking-definitions
//
// ParseObject fills Marking for marking-definitions the node understands:
//
//   - the standard TLP ids (kurultai.StandardTLP), whose level is fixed by
//     the id (content contradicting it is an error);
//   - TLP 2.0 through the OASIS TLP 2.0 extension (tlp_2_0), with any id;
//   - TLP 1.0 style definition_type "tlp" with definition.tlp (white is read
//     as clear), with any id;
//   - definition_type "statement": known, with no TLP and no audience, so it
//     restricts nothing;
//   - the Kurultai releasability extension (kurultai.ReleasabilityExtensionID):
//     audience is a list of participant codes (^[A-Z]{2,10}$, no repeats) or
//     exactly one of "members", "members+observers", "public"; an empty
//     list releases to nobody. No other property is allowed in it.
//
// A marking-definition that uses anything else (another definition_type,
// another extension) is valid but not understood: Marking is nil, so the
// access decision treats references to it as unknown and the objects
// stay visible only to their originator. Failing closed is deliberate: such
// a marking (ACS handling caveats, say) may restrict access in ways the node
// cannot evaluate. The TLP 2.0 and releasability extensions are refused on
// objects other than marking-definitions, where they would look like a
// restriction that nothing enforces.
//
// # Speed
//
// Parsing does not build maps or decode whole objects: a small scanner
// (checked against encoding/json by the fuzz tests) finds the spans of the
// properties above and decodes only those. See the benchmarks.
package stix
