package stix

import (
	"strings"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// parseMarking checks a marking-definition's own properties (STIX 2.1
// §7.2.1) and returns the marking the node understands, or nil.
//
// Understood: the standard TLP ids; TLP 2.0 through its extension (any
// id); TLP 1.0 style definition_type "tlp"; definition_type "statement"
// (a known marking that restricts nothing); and the Kurultai releasability
// extension. A marking-definition that also uses anything else (another
// definition_type, another extension) may restrict access in ways the node
// cannot evaluate, so it is not understood (nil): objects that reference it
// stay visible only to their originator. A standard TLP id always means its
// level; content contradicting it is an error.
func (p *props) parseMarking(v *kurultai.ObjectVersion, exts *extensionsInfo) (*kurultai.Marking, error) {
	m := &kurultai.Marking{ID: v.ID}
	var err error
	if p.name != nil {
		if m.Name, err = stringValue("name", p.name); err != nil {
			return nil, err
		}
	}
	understood := !exts.other
	tlpField := ""
	switch {
	case p.definitionType == nil && p.definition == nil:
		if p.extensions == nil {
			return nil, fieldErr("definition_type", "required when the marking-definition has no extensions")
		}
	case p.definitionType == nil:
		return nil, fieldErr("definition_type", "required with definition")
	case p.definition == nil:
		return nil, fieldErr("definition", "required with definition_type")
	default:
		dt, err := stringValue("definition_type", p.definitionType)
		if err != nil {
			return nil, err
		}
		if err := objectValue("definition", p.definition); err != nil {
			return nil, err
		}
		switch dt {
		case "tlp":
			if m.TLP, err = tlp1Level(p.definition); err != nil {
				return nil, err
			}
			tlpField = "definition.tlp"
		case "statement":
			var d [1][]byte
			if err := readMembers("definition", -1, p.definition, []string{"statement"}, d[:]); err != nil {
				return nil, err
			}
			if d[0] == nil {
				return nil, fieldErr("definition.statement", "required for definition_type \"statement\"")
			}
			if _, err := stringValue("definition.statement", d[0]); err != nil {
				return nil, err
			}
		default:
			understood = false
		}
	}
	if exts.tlp != nil {
		f := "extensions." + kurultai.TLP2ExtensionID + ".tlp_2_0"
		level, err := tlp2Level(f, exts.tlp)
		if err != nil {
			return nil, err
		}
		if m.TLP != "" && m.TLP != level {
			return nil, fieldErr(f, "TLP level %q contradicts %s %q", level, tlpField, m.TLP)
		}
		m.TLP, tlpField = level, f
	}
	if exts.releasability != nil {
		if m.Audience, err = parseAudience(exts.releasability); err != nil {
			return nil, err
		}
		m.Releasability = true
	}
	if std, ok := kurultai.StandardTLP[v.ID]; ok {
		if m.TLP != "" && m.TLP != std {
			return nil, fieldErr(tlpField, "TLP level %q contradicts the id, which is the standard TLP %q marking-definition", m.TLP, std)
		}
		if m.Releasability {
			return nil, fieldErr("extensions."+kurultai.ReleasabilityExtensionID, "a standard TLP marking-definition cannot carry a releasability audience")
		}
		m.TLP = std
		return m, nil
	}
	if !understood {
		return nil, nil
	}
	return m, nil
}

// tlp1Level reads definition.tlp of a TLP 1.0 style marking-definition.
func tlp1Level(def []byte) (kurultai.TLP, error) {
	var d [1][]byte
	if err := readMembers("definition", -1, def, []string{"tlp"}, d[:]); err != nil {
		return "", err
	}
	if d[0] == nil {
		return "", fieldErr("definition.tlp", "required for definition_type \"tlp\"")
	}
	s, err := stringValue("definition.tlp", d[0])
	if err != nil {
		return "", err
	}
	switch s {
	case "white":
		return kurultai.TLPClear, nil
	case "green", "amber", "red":
		return kurultai.TLP(s), nil
	}
	return "", fieldErr("definition.tlp", "%q is not a TLP 1.0 level (white, green, amber or red)", clip(s))
}

// tlp2Level reads tlp_2_0 from the TLP 2.0 extension's value ext.
func tlp2Level(field string, ext []byte) (kurultai.TLP, error) {
	var d [1][]byte
	if err := readMembers(strings.TrimSuffix(field, ".tlp_2_0"), -1, ext, []string{"tlp_2_0"}, d[:]); err != nil {
		return "", err
	}
	if d[0] == nil {
		return "", fieldErr(field, "required")
	}
	s, err := stringValue(field, d[0])
	if err != nil {
		return "", err
	}
	switch l := kurultai.TLP(s); l {
	case kurultai.TLPClear, kurultai.TLPGreen, kurultai.TLPAmber, kurultai.TLPAmberStrict, kurultai.TLPRed:
		return l, nil
	}
	return "", fieldErr(field, "%q is not a TLP 2.0 level (clear, green, amber, amber+strict or red)", clip(s))
}

// parseAudience reads the releasability extension's value: extension_type
// (already checked) and audience, a list of strings that is either
// participant codes (^[A-Z]{2,10}$, no repeats) or exactly one audience
// keyword. An empty list is allowed and releases to nobody. Any other
// property is refused: a later version of the extension could use it to
// narrow the audience, and ignoring it would then widen access.
func parseAudience(ext []byte) ([]string, error) {
	prefix := "extensions." + kurultai.ReleasabilityExtensionID
	field := prefix + ".audience"
	var aud []byte
	err := eachMember(ext, func(keyTok, val []byte) error {
		switch key := decodeString(keyTok); key {
		case "extension_type":
		case "audience":
			if aud != nil {
				return fieldErr(field, "duplicate property")
			}
			aud = val
		default:
			return fieldErr(prefix+"."+clip(key), "unknown property of the %s extension", kurultai.ReleasabilityExtensionName)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if aud == nil {
		return nil, fieldErr(field, "required")
	}
	if aud[0] != '[' {
		return nil, fieldErr(field, "must be a list of strings, not %s", jsonKind(aud))
	}
	out := []string{}
	err = eachElement(aud, func(n int, e []byte) error {
		if e[0] != '"' {
			return fieldErr(field, "element %d must be a string, not %s", n, jsonKind(e))
		}
		out = append(out, decodeString(e))
		return nil
	})
	if err != nil {
		return nil, err
	}
	for n, s := range out {
		switch s {
		case kurultai.AudienceMembers, kurultai.AudienceMembersObservers, kurultai.AudiencePublic:
			if len(out) != 1 {
				return nil, fieldErr(field, "the keyword %q must be the only element", s)
			}
			continue
		}
		if !validParticipantCode(s) {
			return nil, fieldErr(field, "element %d (%q) is neither a participant code (2 to 10 letters A-Z) nor one of %q, %q, %q",
				n, clip(s), kurultai.AudienceMembers, kurultai.AudienceMembersObservers, kurultai.AudiencePublic)
		}
	}
	if n := repeated(out); n >= 0 {
		return nil, fieldErr(field, "element %d repeats the participant code %q", n, out[n])
	}
	return out, nil
}

// checkExtensionDefinition checks an extension-definition's own properties
// (STIX 2.1 §7.3): created_by_ref, name, schema, version and
// extension_types are required; extension_properties is allowed only with
// toplevel-property-extension.
func (p *props) checkExtensionDefinition() error {
	if p.createdByRef == nil {
		return fieldErr("created_by_ref", "required for extension-definition objects")
	}
	for _, r := range []struct {
		name     string
		b        []byte
		required bool
	}{
		{"name", p.name, true},
		{"description", p.description, false},
		{"schema", p.schema, true},
		{"version", p.version, true},
	} {
		if r.b == nil {
			if r.required {
				return fieldErr(r.name, "required for extension-definition objects")
			}
			continue
		}
		if _, err := stringValue(r.name, r.b); err != nil {
			return err
		}
	}
	if p.extensionTypes == nil {
		return fieldErr("extension_types", "required for extension-definition objects")
	}
	types, err := stringList("extension_types", p.extensionTypes)
	if err != nil {
		return err
	}
	toplevel := false
	for n, t := range types {
		if !extensionTypeValid(t) {
			return fieldErr(indexField("extension_types", n), "%q is not one of new-sdo, new-sco, new-sro, property-extension, toplevel-property-extension", clip(t))
		}
		toplevel = toplevel || t == "toplevel-property-extension"
	}
	if p.extensionProps != nil {
		if !toplevel {
			return fieldErr("extension_properties", "allowed only when extension_types includes toplevel-property-extension")
		}
		if _, err := stringList("extension_properties", p.extensionProps); err != nil {
			return err
		}
	}
	return nil
}
