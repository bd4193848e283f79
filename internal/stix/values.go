package stix

import (
	"bytes"
	"strings"
)

// The helpers below decode checked JSON spans into the Go values the
// validation needs, reporting a wrong JSON type as an error on the field.

func stringValue(field string, b []byte) (string, error) {
	if b[0] != '"' {
		return "", fieldErr(field, "must be a string, not %s", jsonKind(b))
	}
	return decodeString(b), nil
}

func boolValue(field string, b []byte) (bool, error) {
	switch b[0] {
	case 't':
		return true, nil
	case 'f':
		return false, nil
	}
	return false, fieldErr(field, "must be a boolean, not %s", jsonKind(b))
}

func objectValue(field string, b []byte) error {
	if b[0] != '{' {
		return fieldErr(field, "must be an object, not %s", jsonKind(b))
	}
	return nil
}

// listValue checks that b is a non-empty JSON array (STIX 2.1 §2.12:
// empty lists are prohibited).
func listValue(field string, b []byte) error {
	if b[0] != '[' {
		return fieldErr(field, "must be a list, not %s", jsonKind(b))
	}
	if b[skipSpace(b, 1)] == ']' {
		return fieldErr(field, "must not be an empty list (omit the property instead)")
	}
	return nil
}

// stringList decodes a non-empty JSON array of strings.
func stringList(field string, b []byte) ([]string, error) {
	if err := listValue(field, b); err != nil {
		return nil, err
	}
	return stringElems(field, b)
}

// checkStringList checks that b is a non-empty JSON array of strings
// without decoding them.
func checkStringList(field string, b []byte) error {
	if err := listValue(field, b); err != nil {
		return err
	}
	return eachElement(b, func(n int, e []byte) error {
		if e[0] != '"' {
			return fieldErr(indexField(field, n), "must be a string, not %s", jsonKind(e))
		}
		return nil
	})
}

// stringElems decodes the strings of the JSON array b, naming a bad
// element field[n].
func stringElems(field string, b []byte) ([]string, error) {
	var out []string
	err := eachElement(b, func(n int, e []byte) error {
		if e[0] != '"' {
			return fieldErr(indexField(field, n), "must be a string, not %s", jsonKind(e))
		}
		out = append(out, decodeString(e))
		return nil
	})
	return out, err
}

// readMembers records the spans of the named members of the checked object
// obj into out (out[k] for names[k]; nil when absent), rejecting a
// duplicate of any of them. Other members are ignored. The object is
// parent[n], or parent itself when n < 0 (for error messages).
func readMembers(parent string, n int, obj []byte, names []string, out [][]byte) error {
	return eachMember(obj, func(keyTok, val []byte) error {
		key := keyTok[1 : len(keyTok)-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			key = []byte(decodeString(keyTok))
		}
		for k, name := range names {
			if string(key) == name {
				if out[k] != nil {
					field := parent
					if n >= 0 {
						field = indexField(parent, n)
					}
					return fieldErr(field+"."+name, "duplicate property")
				}
				out[k] = val
			}
		}
		return nil
	})
}

// checkExternalRefs checks external_references (STIX 2.1 §2.6): a
// non-empty list of objects, each with a string source_name and at least
// one of description, url and external_id. Field names are built only for
// errors: this runs for most objects.
func checkExternalRefs(b []byte) error {
	const field = "external_references"
	if err := listValue(field, b); err != nil {
		return err
	}
	names := [...]string{"source_name", "description", "url", "external_id", "hashes"}
	return eachElement(b, func(n int, e []byte) error {
		if e[0] != '{' {
			return fieldErr(indexField(field, n), "must be an object, not %s", jsonKind(e))
		}
		var m [len(names)][]byte
		if err := readMembers(field, n, e, names[:], m[:]); err != nil {
			return err
		}
		if m[0] == nil {
			return fieldErr(indexField(field, n)+".source_name", "required")
		}
		for k := 0; k < 4; k++ {
			if m[k] != nil && m[k][0] != '"' {
				return fieldErr(indexField(field, n)+"."+names[k], "must be a string, not %s", jsonKind(m[k]))
			}
		}
		if m[1] == nil && m[2] == nil && m[3] == nil {
			return fieldErr(indexField(field, n), "must have at least one of description, url and external_id besides source_name")
		}
		if m[4] != nil {
			return checkHashes(field, n, m[4])
		}
		return nil
	})
}

// checkHashes checks the hashes of external reference n: a non-empty
// object of strings.
func checkHashes(parent string, n int, b []byte) error {
	field := func() string { return indexField(parent, n) + ".hashes" }
	if b[0] != '{' {
		return fieldErr(field(), "must be an object, not %s", jsonKind(b))
	}
	count := 0
	err := eachMember(b, func(key, val []byte) error {
		count++
		if val[0] != '"' {
			return fieldErr(field()+"."+clip(decodeString(key)), "must be a string, not %s", jsonKind(val))
		}
		return nil
	})
	if err == nil && count == 0 {
		return fieldErr(field(), "must not be empty")
	}
	return err
}

// checkGranular checks granular_markings (STIX 2.1 §7.2.3) and returns the
// marking_refs in order.
func checkGranular(b []byte) ([]string, error) {
	const field = "granular_markings"
	if err := listValue(field, b); err != nil {
		return nil, err
	}
	var refs []string
	names := [...]string{"selectors", "marking_ref", "lang"}
	err := eachElement(b, func(n int, e []byte) error {
		f := func() string { return indexField(field, n) }
		if e[0] != '{' {
			return fieldErr(f(), "must be an object, not %s", jsonKind(e))
		}
		var m [len(names)][]byte
		if err := readMembers(field, n, e, names[:], m[:]); err != nil {
			return err
		}
		if m[0] == nil {
			return fieldErr(f()+".selectors", "required")
		}
		if m[0][0] != '[' {
			return fieldErr(f()+".selectors", "must be a list, not %s", jsonKind(m[0]))
		}
		count := 0
		err := eachElement(m[0], func(k int, sel []byte) error {
			count++
			if sel[0] != '"' {
				return fieldErr(indexField(f()+".selectors", k), "must be a string, not %s", jsonKind(sel))
			}
			s := string(sel[1 : len(sel)-1])
			if bytes.IndexByte(sel, '\\') >= 0 {
				s = decodeString(sel)
			}
			if why := checkSelector(s); why != "" {
				return fieldErr(indexField(f()+".selectors", k), "%q is not a valid selector: %s", clip(s), why)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if count == 0 {
			return fieldErr(f()+".selectors", "must not be an empty list")
		}
		switch {
		case m[1] != nil && m[2] != nil:
			return fieldErr(f(), "must have exactly one of marking_ref and lang, not both")
		case m[1] != nil:
			if m[1][0] != '"' {
				return fieldErr(f()+".marking_ref", "must be a string, not %s", jsonKind(m[1]))
			}
			ref := decodeString(m[1])
			if err := checkRef(f()+".marking_ref", ref, "marking-definition"); err != nil {
				return err
			}
			refs = append(refs, ref)
		case m[2] != nil:
			if m[2][0] != '"' {
				return fieldErr(f()+".lang", "must be a string, not %s", jsonKind(m[2]))
			}
		default:
			return fieldErr(f(), "must have exactly one of marking_ref and lang")
		}
		return nil
	})
	return refs, err
}

// checkSelector reports why s is not a granular marking selector (STIX 2.1
// §7.2.3.1), or "" if it is: dot-separated steps, the first a property
// name, each later one a property or dictionary key ([A-Za-z0-9_-]) or a
// list index "[n]". Whether the selector points at content present in the
// object is not checked: granular markings restrict the whole object here.
func checkSelector(s string) string {
	first := true
	for step := range strings.SplitSeq(s, ".") {
		switch {
		case first:
			if !validPropertyName(step) {
				return "it must start with a property name"
			}
			first = false
		case len(step) >= 3 && step[0] == '[' && step[len(step)-1] == ']':
			for _, c := range []byte(step[1 : len(step)-1]) {
				if !isDigit(c) {
					return "a list index must be [n] with decimal digits"
				}
			}
		case len(step) == 0 || len(step) > 250:
			return "every step must be 1 to 250 characters"
		default:
			for _, c := range []byte(step) {
				if !(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') && !isDigit(c) && c != '_' && c != '-' {
					return "a step may contain only letters, digits, _ and -, or be a list index [n]"
				}
			}
		}
	}
	return ""
}
