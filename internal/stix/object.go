package stix

import (
	"bytes"
	"slices"
	"unicode/utf8"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// props holds the spans of the top-level properties ParseObject reads; nil
// means absent. Every other property is only syntax-checked.
type props struct {
	typ, id, specVersion, created, modified         []byte
	createdByRef, revoked, labels, confidence       []byte
	lang, externalRefs, markingRefs, granular       []byte
	extensions, defanged                            []byte
	name, description, definitionType, definition   []byte
	schema, version, extensionTypes, extensionProps []byte
}

// slot returns the field of p for a property name, or nil for a property
// ParseObject does not read.
func (p *props) slot(key string) *[]byte {
	switch key {
	case "type":
		return &p.typ
	case "id":
		return &p.id
	case "spec_version":
		return &p.specVersion
	case "created":
		return &p.created
	case "modified":
		return &p.modified
	case "created_by_ref":
		return &p.createdByRef
	case "revoked":
		return &p.revoked
	case "labels":
		return &p.labels
	case "confidence":
		return &p.confidence
	case "lang":
		return &p.lang
	case "external_references":
		return &p.externalRefs
	case "object_marking_refs":
		return &p.markingRefs
	case "granular_markings":
		return &p.granular
	case "extensions":
		return &p.extensions
	case "defanged":
		return &p.defanged
	case "name":
		return &p.name
	case "description":
		return &p.description
	case "definition_type":
		return &p.definitionType
	case "definition":
		return &p.definition
	case "schema":
		return &p.schema
	case "version":
		return &p.version
	case "extension_types":
		return &p.extensionTypes
	case "extension_properties":
		return &p.extensionProps
	}
	return nil
}

// ParseObject validates one object's common properties and returns its version.
// Errors are *kurultai.Error with Code CodeInvalid and Field naming the property
// (e.g. "modified"). Raw is set to raw (not copied unless necessary).
// For marking-definitions it fills v.Marking (TLP by standard id or TLP 2.0 extension,
// or Kurultai releasability extension with its audience).
//
// See the package documentation for the rules.
func ParseObject(raw []byte) (*kurultai.ObjectVersion, error) {
	var p props
	if err := p.scan(raw); err != nil {
		return nil, err
	}
	v := &kurultai.ObjectVersion{Raw: raw}
	if err := p.validate(v); err != nil {
		return nil, err
	}
	return v, nil
}

// keyStack is how many top-level keys scan remembers without allocating.
const keyStack = 48

// scan checks raw's syntax and records the spans of the properties it reads.
func (p *props) scan(raw []byte) error {
	if !utf8.Valid(raw) {
		return fieldErr("", "the object is not valid UTF-8")
	}
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		if err := validJSON(raw); err != nil {
			return &kurultai.Error{Code: kurultai.CodeInvalid, Message: err.Error()}
		}
		return fieldErr("", "a STIX object must be a JSON object, not %s", jsonKind(raw[i:]))
	}
	var stack [keyStack][]byte
	keys := stack[:0]
	i = skipSpace(raw, i+1)
	if i < len(raw) && raw[i] == '}' {
		i++
	} else {
		for {
			if i >= len(raw) || raw[i] != '"' {
				return syntaxErr("", errAt(raw, i, "looking for beginning of object key string"))
			}
			kend, escaped, err := skipString(raw, i)
			if err != nil {
				return syntaxErr("", err)
			}
			keyTok := raw[i:kend]
			var key []byte
			if escaped {
				key = []byte(decodeString(keyTok))
			} else {
				key = keyTok[1 : len(keyTok)-1]
			}
			i = skipSpace(raw, kend)
			if i >= len(raw) || raw[i] != ':' {
				return syntaxErr("", errAt(raw, i, "after object key"))
			}
			i = skipSpace(raw, i+1)
			vstart := i
			if i, err = skipValue(raw, i, 1); err != nil {
				return syntaxErr(string(key), err)
			}
			if !validPropertyName(string(key)) {
				return fieldErr(clip(string(key)), "invalid property name: STIX property names are 3 to 250 characters of a-z, 0-9 and _, starting with a letter")
			}
			keys = append(keys, key)
			if s := p.slot(string(key)); s != nil {
				*s = raw[vstart:i]
			}
			i = skipSpace(raw, i)
			if i >= len(raw) {
				return syntaxErr("", errAt(raw, i, ""))
			}
			if raw[i] == '}' {
				i++
				break
			}
			if raw[i] != ',' {
				return syntaxErr("", errAt(raw, i, "after object key:value pair"))
			}
			i = skipSpace(raw, i+1)
		}
	}
	if i = skipSpace(raw, i); i != len(raw) {
		return syntaxErr("", errAt(raw, i, "after the object"))
	}
	if dup := duplicateKey(keys); dup != "" {
		return fieldErr(clip(dup), "duplicate property")
	}
	return nil
}

// duplicateKey returns a key that occurs twice in keys, or "".
func duplicateKey(keys [][]byte) string {
	if len(keys) <= keyStack {
		for i := 1; i < len(keys); i++ {
			for j := 0; j < i; j++ {
				if bytes.Equal(keys[i], keys[j]) {
					return string(keys[i])
				}
			}
		}
		return ""
	}
	sorted := slices.Clone(keys)
	slices.SortFunc(sorted, bytes.Compare)
	for i := 1; i < len(sorted); i++ {
		if bytes.Equal(sorted[i], sorted[i-1]) {
			return string(sorted[i])
		}
	}
	return ""
}

// syntaxErr wraps a scanner error as an invalid-input error.
func syntaxErr(field string, err error) error {
	return &kurultai.Error{Code: kurultai.CodeInvalid, Field: clip(field), Message: err.Error()}
}
