package stix

import (
	"github.com/kurultai/kurultai/internal/kurultai"
)

// extensionsInfo is what parseExtensions learned from an object's
// extensions property.
type extensionsInfo struct {
	newSDO, newSCO bool   // an extension defines the object's type
	tlp            []byte // the TLP 2.0 extension's value, if present
	releasability  []byte // the Kurultai releasability extension's value, if present
	other          bool   // an extension other than those two is present
}

// extensionTypeValid reports whether s is in extension-type-enum (STIX 2.1
// §7.3).
func extensionTypeValid(s string) bool {
	switch s {
	case "new-sdo", "new-sco", "new-sro", "property-extension", "toplevel-property-extension":
		return true
	}
	return false
}

// parseExtensions checks the extensions property (STIX 2.1 §3.2, §7.3): a
// non-empty dictionary whose keys are extension-definition identifiers or
// predefined extension names ending in "-ext", and whose values are
// objects. A value under an extension-definition key must have an
// extension_type from extension-type-enum (as the OASIS schemas require).
// The TLP 2.0 and releasability extensions are property-extensions of
// marking-definitions and are refused on other objects: putting them
// elsewhere would look like a restriction that nothing enforces.
func parseExtensions(b []byte, typ string) (extensionsInfo, error) {
	var info extensionsInfo
	if b == nil {
		return info, nil
	}
	const field = "extensions"
	if err := objectValue(field, b); err != nil {
		return info, err
	}
	var seen []string
	err := eachMember(b, func(keyTok, val []byte) error {
		key := decodeString(keyTok)
		f := field + "." + clip(key)
		seen = append(seen, key)
		if err := objectValue(f, val); err != nil {
			return err
		}
		if validExtensionName(key) {
			if skipSpace(val, 1) < len(val) && val[skipSpace(val, 1)] == '}' {
				return fieldErr(f, "must not be empty")
			}
			info.other = true
			return nil
		}
		if kt, why := splitID(key); why != "" || kt != "extension-definition" {
			if why == "" {
				why = "type " + kt
			}
			return fieldErr(f, "an extension key must be an extension-definition identifier or a name ending in \"-ext\"; %q is neither (%s)", clip(key), why)
		}
		var m [1][]byte
		if err := readMembers(f, -1, val, []string{"extension_type"}, m[:]); err != nil {
			return err
		}
		if m[0] == nil {
			return fieldErr(f+".extension_type", "required")
		}
		et, err := stringValue(f+".extension_type", m[0])
		if err != nil {
			return err
		}
		if !extensionTypeValid(et) {
			return fieldErr(f+".extension_type", "%q is not one of new-sdo, new-sco, new-sro, property-extension, toplevel-property-extension", clip(et))
		}
		switch et {
		case "new-sdo", "new-sro":
			info.newSDO = true
		case "new-sco":
			info.newSCO = true
		}
		switch key {
		case kurultai.TLP2ExtensionID, kurultai.ReleasabilityExtensionID:
			if typ != "marking-definition" {
				return fieldErr(f, "this extension applies only to marking-definitions; reference a marking-definition in object_marking_refs instead")
			}
			if et != "property-extension" {
				return fieldErr(f+".extension_type", "must be \"property-extension\", not %q", clip(et))
			}
			if key == kurultai.TLP2ExtensionID {
				info.tlp = val
			} else {
				info.releasability = val
			}
		case kurultai.SignatureExtensionID:
			// A node's signature says who vouches for the object, not what
			// it means: a signed marking-definition is still understood.
		default:
			info.other = true
		}
		return nil
	})
	if err != nil {
		return info, err
	}
	if len(seen) == 0 {
		return info, fieldErr(field, "must not be empty (omit the property instead)")
	}
	if n := repeated(seen); n >= 0 {
		return info, fieldErr(field+"."+clip(seen[n]), "duplicate extension")
	}
	return info, nil
}
