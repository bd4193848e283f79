package stix

import (
	"strconv"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// category is the kind of STIX object, which decides the required
// properties and how the object is versioned.
type category int

const (
	// catSDO covers SDOs, SROs, language-content, extension-definition and
	// custom objects that look like them: spec_version, created and
	// modified are required.
	catSDO category = iota
	// catSCO covers cyber-observable objects: spec_version is optional
	// (default "2.1") and there is no created or modified.
	catSCO
	// catMarking is marking-definition: created but no modified.
	catMarking
)

// isSCOType reports whether typ is a cyber-observable type of STIX 2.1 §6.
func isSCOType(typ string) bool {
	switch typ {
	case "artifact", "autonomous-system", "directory", "domain-name",
		"email-addr", "email-message", "file", "ipv4-addr",
		"ipv6-addr", "mac-addr", "mutex", "network-traffic",
		"process", "software", "url", "user-account",
		"windows-registry-key", "x509-certificate":
		return true
	}
	return false
}

// isSDOType reports whether typ is an SDO, SRO or meta object of STIX 2.1
// (§4, §5, §7) other than marking-definition.
func isSDOType(typ string) bool {
	switch typ {
	case "attack-pattern", "campaign", "course-of-action", "grouping",
		"identity", "incident", "indicator", "infrastructure",
		"intrusion-set", "location", "malware", "malware-analysis",
		"note", "observed-data", "opinion", "report",
		"threat-actor", "tool", "vulnerability",
		"relationship", "sighting",
		"language-content", "extension-definition":
		return true
	}
	return false
}

// classify returns the category of an object of type typ. A type STIX does
// not define is classified by the extension that defines it (extension_type
// "new-sco" or "new-sdo"/"new-sro"); failing that, an object with created or
// modified is treated as an SDO and one with neither as an SCO.
func classify(typ string, p *props, exts *extensionsInfo) category {
	switch {
	case typ == "marking-definition":
		return catMarking
	case isSCOType(typ):
		return catSCO
	case isSDOType(typ):
		return catSDO
	case exts.newSCO:
		return catSCO
	case exts.newSDO:
		return catSDO
	case p.created != nil || p.modified != nil:
		return catSDO
	}
	return catSCO
}

// validate checks the recorded properties and fills v.
func (p *props) validate(v *kurultai.ObjectVersion) error {
	var err error
	if p.typ == nil {
		return fieldErr("type", "required")
	}
	if v.Type, err = stringValue("type", p.typ); err != nil {
		return err
	}
	if why := checkTypeName(v.Type); why != "" {
		return fieldErr("type", "%q is not a valid STIX type name: %s", clip(v.Type), why)
	}
	switch v.Type {
	case "bundle":
		return fieldErr("type", "a bundle is not a STIX object; send its objects instead")
	case "action":
		return fieldErr("type", `"action" is a reserved type name in STIX 2.1`)
	}
	if p.id == nil {
		return fieldErr("id", "required")
	}
	if v.ID, err = stringValue("id", p.id); err != nil {
		return err
	}
	idType, why := splitID(v.ID)
	if why != "" {
		return fieldErr("id", "%q is not a valid STIX identifier: %s", clip(v.ID), why)
	}
	if idType != v.Type {
		return fieldErr("id", "the identifier's type %q does not match the object's type %q", idType, v.Type)
	}

	exts, err := parseExtensions(p.extensions, v.Type)
	if err != nil {
		return err
	}
	cat := classify(v.Type, p, &exts)

	if err := p.checkSpecVersion(v, cat); err != nil {
		return err
	}
	if err := p.checkTimes(v, cat); err != nil {
		return err
	}
	if p.createdByRef != nil {
		if v.CreatedBy, err = stringValue("created_by_ref", p.createdByRef); err != nil {
			return err
		}
		if err := checkRef("created_by_ref", v.CreatedBy, "identity"); err != nil {
			return err
		}
	}
	if p.revoked != nil {
		if v.Revoked, err = boolValue("revoked", p.revoked); err != nil {
			return err
		}
	}
	if p.defanged != nil {
		if _, err := boolValue("defanged", p.defanged); err != nil {
			return err
		}
	}
	if p.labels != nil {
		if err := checkStringList("labels", p.labels); err != nil {
			return err
		}
	}
	if p.lang != nil && p.lang[0] != '"' {
		return fieldErr("lang", "must be a string, not %s", jsonKind(p.lang))
	}
	if p.confidence != nil {
		if err := checkConfidence(p.confidence); err != nil {
			return err
		}
	}
	if p.externalRefs != nil {
		if err := checkExternalRefs(p.externalRefs); err != nil {
			return err
		}
	}
	if err := p.collectMarkings(v); err != nil {
		return err
	}
	switch v.Type {
	case "marking-definition":
		if v.Marking, err = p.parseMarking(v, &exts); err != nil {
			return err
		}
	case "extension-definition":
		if err := p.checkExtensionDefinition(); err != nil {
			return err
		}
	}
	return nil
}

// checkSpecVersion requires spec_version "2.1" (optional for SCOs).
func (p *props) checkSpecVersion(v *kurultai.ObjectVersion, cat category) error {
	if p.specVersion == nil {
		if cat != catSCO {
			return fieldErr("spec_version", `required for %s objects (it must be "2.1")`, v.Type)
		}
		v.SpecVersion = "2.1"
		return nil
	}
	sv, err := stringValue("spec_version", p.specVersion)
	if err != nil {
		return err
	}
	if sv != "2.1" {
		return fieldErr("spec_version", `must be "2.1", not %q`, clip(sv))
	}
	v.SpecVersion = sv
	return nil
}

// checkTimes checks created and modified and sets the version fields.
func (p *props) checkTimes(v *kurultai.ObjectVersion, cat category) error {
	switch cat {
	case catSCO:
		if p.created != nil {
			return fieldErr("created", "cyber-observable objects (%s) have no created property", v.Type)
		}
		if p.modified != nil {
			return fieldErr("modified", "cyber-observable objects (%s) have no modified property", v.Type)
		}
		return nil
	case catMarking:
		if p.modified != nil {
			return fieldErr("modified", "marking-definitions have no modified property: they cannot be versioned")
		}
	default:
		if p.modified == nil {
			return fieldErr("modified", "required for %s objects", v.Type)
		}
	}
	if p.created == nil {
		return fieldErr("created", "required for %s objects", v.Type)
	}
	created, err := stringValue("created", p.created)
	if err != nil {
		return err
	}
	if v.Created, err = parseVersionTime("created", created); err != nil {
		return err
	}
	v.Version, v.VersionKey = created, v.Created.UnixNano()
	if p.modified == nil {
		return nil
	}
	modified, err := stringValue("modified", p.modified)
	if err != nil {
		return err
	}
	if v.Modified, err = parseVersionTime("modified", modified); err != nil {
		return err
	}
	if v.Modified.Before(v.Created) {
		return fieldErr("modified", "modified (%s) is before created (%s)", modified, created)
	}
	v.Version, v.VersionKey = modified, v.Modified.UnixNano()
	return nil
}

// collectMarkings checks object_marking_refs and granular_markings and sets
// MarkingRefs and Granular.
func (p *props) collectMarkings(v *kurultai.ObjectVersion) error {
	var refs []string
	if p.markingRefs != nil {
		var err error
		if refs, err = stringList("object_marking_refs", p.markingRefs); err != nil {
			return err
		}
		for n, ref := range refs {
			if err := checkRef(indexField("object_marking_refs", n), ref, "marking-definition"); err != nil {
				return err
			}
		}
	}
	if p.granular != nil {
		granular, err := checkGranular(p.granular)
		if err != nil {
			return err
		}
		v.Granular = len(granular) > 0
		refs = append(refs, granular...)
	}
	v.MarkingRefs = dedupe(refs)
	return nil
}

// repeated returns the index of the first element of list that equals an
// earlier one, or -1. It stays linear for long lists.
func repeated(list []string) int {
	if len(list) <= 16 {
		for i := 1; i < len(list); i++ {
			for j := 0; j < i; j++ {
				if list[i] == list[j] {
					return i
				}
			}
		}
		return -1
	}
	seen := make(map[string]struct{}, len(list))
	for i, s := range list {
		if _, ok := seen[s]; ok {
			return i
		}
		seen[s] = struct{}{}
	}
	return -1
}

// dedupe removes repeats from list, keeping the first of each in order. It
// reuses list's array.
func dedupe(list []string) []string {
	if repeated(list) < 0 {
		return list
	}
	seen := make(map[string]struct{}, len(list))
	out := list[:0]
	for _, s := range list {
		if _, ok := seen[s]; !ok {
			seen[s] = struct{}{}
			out = append(out, s)
		}
	}
	return out
}

func indexField(field string, n int) string {
	return field + "[" + strconv.Itoa(n) + "]"
}

// checkConfidence requires an integer from 0 to 100 (STIX 2.1 §3.2).
func checkConfidence(b []byte) error {
	if b[0] != '-' && (b[0] < '0' || b[0] > '9') {
		return fieldErr("confidence", "must be an integer from 0 to 100, not %s", jsonKind(b))
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || f != float64(int64(f)) || f < 0 || f > 100 {
		return fieldErr("confidence", "must be an integer from 0 to 100, not %s", clip(string(b)))
	}
	return nil
}
