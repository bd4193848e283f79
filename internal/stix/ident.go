package stix

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// fieldErr returns the package's error: invalid input naming the field.
func fieldErr(field, format string, args ...any) *kurultai.Error {
	return kurultai.FieldError(field, format, args...)
}

// clip shortens s for an error message, so that a huge value sent by a
// client is not echoed back whole.
func clip(s string) string {
	const max = 80
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

// checkTypeName reports why s is not a valid STIX type name, or "" if it is.
// STIX 2.1 (§3.1 and §11.1): 3 to 250 characters of a-z, 0-9 and hyphen,
// starting with a letter (as the OASIS schemas require), with no empty
// hyphen-separated part (so no leading, trailing or double hyphen).
func checkTypeName(s string) string {
	if len(s) < 3 || len(s) > 250 {
		return "must be 3 to 250 characters long"
	}
	if s[0] < 'a' || s[0] > 'z' {
		return "must start with a lower-case letter a-z"
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-':
			if i == len(s)-1 || s[i+1] == '-' {
				return "must not end with a hyphen or contain two hyphens in a row"
			}
		default:
			return "may contain only a-z, 0-9 and hyphens"
		}
	}
	return ""
}

// checkUUID reports why s is not a UUID as STIX 2.1 §2.9 requires (RFC 4122:
// versions 1 to 5, the RFC 4122 variant), or "" if it is. Hex digits must be
// lower case: identifiers are compared byte for byte everywhere (store keys,
// TAXII match[id], marking references), and accepting upper case would let
// one object exist under two ids.
func checkUUID(s string) string {
	if len(s) != 36 {
		return "the UUID part must be 36 characters (8-4-4-4-12 hex digits)"
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return "the UUID part must be 8-4-4-4-12 hex digits separated by hyphens"
			}
			continue
		}
		if c >= 'A' && c <= 'F' {
			return "the UUID part must use lower-case hex digits"
		}
		if !(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f') {
			return "the UUID part must be 8-4-4-4-12 hex digits separated by hyphens"
		}
	}
	if v := s[14]; v < '1' || v > '5' {
		return fmt.Sprintf("the UUID part has version %c; RFC 4122 defines versions 1 to 5", v)
	}
	switch s[19] {
	case '8', '9', 'a', 'b':
	default:
		return "the UUID part is not an RFC 4122 variant UUID (its 17th hex digit must be 8, 9, a or b)"
	}
	return ""
}

// splitID splits a STIX identifier "type--UUID" and reports why it is
// invalid ("" if it is valid).
func splitID(s string) (typ string, why string) {
	typ, uuid, ok := strings.Cut(s, "--")
	if !ok {
		return "", `must have the form "type--UUID"`
	}
	if why := checkTypeName(typ); why != "" {
		return typ, "type part " + why
	}
	if why := checkUUID(uuid); why != "" {
		return typ, why
	}
	return typ, ""
}

// checkRef checks that s is an identifier of an object of type want (any
// type if want is "").
func checkRef(field, s, want string) error {
	typ, why := splitID(s)
	if why != "" {
		return fieldErr(field, "%q is not a valid STIX identifier: %s", clip(s), why)
	}
	if want != "" && typ != want {
		return fieldErr(field, "%q must be the identifier of an object of type %q", clip(s), want)
	}
	return nil
}

// validPropertyName reports whether s is a valid STIX 2.1 property name
// (§3.1, §11.1): 3 to 250 characters of a-z, 0-9 and underscore, starting
// with a letter; "id" is the one shorter name.
func validPropertyName(s string) bool {
	if s == "id" {
		return true
	}
	if len(s) < 3 || len(s) > 250 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') && c != '_' {
			return false
		}
	}
	return true
}

// validExtensionName reports whether s is a predefined-style extension name
// (e.g. "archive-ext"): a type name ending in "-ext".
func validExtensionName(s string) bool {
	return strings.HasSuffix(s, "-ext") && checkTypeName(s) == ""
}

// validParticipantCode reports whether s matches ^[A-Z]{2,10}$.
func validParticipantCode(s string) bool {
	if len(s) < 2 || len(s) > 10 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}
