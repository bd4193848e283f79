package stix

import (
	"encoding/json"
)

// ParseEnvelope parses a TAXII 2.1 envelope {"objects":[...], "more":..., "next":...}
// (also accept a STIX bundle {"type":"bundle","id":...,"objects":[...]}) and returns each
// object's raw JSON without decoding it further. A malformed body is a *kurultai.Error
// (CodeInvalid) naming the field.
//
// The returned messages alias data. The whole body is syntax-checked
// (trailing data after the top-level object is an error); "objects" is
// required and must be an array whose elements are JSON objects (an empty
// array gives an empty, non-nil slice). "more" must be a boolean and
// "next" a string when present; "type", when present, must be "bundle",
// and then "id" must be a bundle identifier. Other members are ignored.
// A member that occurs twice among these is an error.
func ParseEnvelope(data []byte) ([]json.RawMessage, error) {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		if err := validJSON(data); err != nil {
			return nil, syntaxErr("", err)
		}
		return nil, fieldErr("", "the body must be a JSON object (a TAXII envelope or a STIX bundle), not %s", jsonKind(data[i:]))
	}
	var (
		objects     []json.RawMessage
		found       [5]bool // objects, more, next, type, id
		typ, id     []byte
		haveObjs    bool
		memberNames = [5]string{"objects", "more", "next", "type", "id"}
	)
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		i++
	} else {
		for {
			if i >= len(data) || data[i] != '"' {
				return nil, syntaxErr("", errAt(data, i, "looking for beginning of object key string"))
			}
			kend, _, err := skipString(data, i)
			if err != nil {
				return nil, syntaxErr("", err)
			}
			key := decodeString(data[i:kend])
			i = skipSpace(data, kend)
			if i >= len(data) || data[i] != ':' {
				return nil, syntaxErr("", errAt(data, i, "after object key"))
			}
			i = skipSpace(data, i+1)
			member := -1
			for n, name := range memberNames {
				if key == name {
					member = n
				}
			}
			if member >= 0 {
				if found[member] {
					return nil, fieldErr(key, "duplicate member")
				}
				found[member] = true
			}
			start := i
			if member == 0 {
				haveObjs = true
				if objects, i, err = scanObjects(data, i); err != nil {
					return nil, err
				}
			} else if i, err = skipValue(data, i, 1); err != nil {
				return nil, syntaxErr(clip(key), err)
			}
			val := data[start:i]
			switch member {
			case 1:
				if _, err := boolValue("more", val); err != nil {
					return nil, err
				}
			case 2:
				if _, err := stringValue("next", val); err != nil {
					return nil, err
				}
			case 3:
				typ = val
			case 4:
				id = val
			}
			i = skipSpace(data, i)
			if i >= len(data) {
				return nil, syntaxErr("", errAt(data, i, ""))
			}
			if data[i] == '}' {
				i++
				break
			}
			if data[i] != ',' {
				return nil, syntaxErr("", errAt(data, i, "after object key:value pair"))
			}
			i = skipSpace(data, i+1)
		}
	}
	if i = skipSpace(data, i); i != len(data) {
		return nil, syntaxErr("", errAt(data, i, "after the top-level object"))
	}
	if typ != nil {
		if err := checkBundle(typ, id); err != nil {
			return nil, err
		}
	}
	if !haveObjs {
		return nil, fieldErr("objects", "required")
	}
	return objects, nil
}

// scanObjects scans the array of objects starting at data[i].
func scanObjects(data []byte, i int) ([]json.RawMessage, int, error) {
	if i >= len(data) || data[i] != '[' {
		end, err := skipValue(data, i, 1)
		if err != nil {
			return nil, end, syntaxErr("objects", err)
		}
		return nil, end, fieldErr("objects", "must be an array of STIX objects, not %s", jsonKind(data[i:end]))
	}
	objects := []json.RawMessage{}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == ']' {
		return objects, i + 1, nil
	}
	for n := 0; ; n++ {
		start := i
		end, err := skipValue(data, i, 2)
		if err != nil {
			return nil, end, syntaxErr(indexField("objects", n), err)
		}
		if data[start] != '{' {
			return nil, end, fieldErr(indexField("objects", n), "must be a JSON object, not %s", jsonKind(data[start:end]))
		}
		objects = append(objects, json.RawMessage(data[start:end:end]))
		i = skipSpace(data, end)
		if i >= len(data) {
			return nil, i, syntaxErr("objects", errAt(data, i, ""))
		}
		if data[i] == ']' {
			return objects, i + 1, nil
		}
		if data[i] != ',' {
			return nil, i, syntaxErr("objects", errAt(data, i, "after array element"))
		}
		i = skipSpace(data, i+1)
	}
}

// checkBundle checks the type and id of a STIX bundle.
func checkBundle(typ, id []byte) error {
	t, err := stringValue("type", typ)
	if err != nil {
		return err
	}
	if t != "bundle" {
		return fieldErr("type", "must be \"bundle\" when present, not %q (send a TAXII envelope or a STIX bundle)", clip(t))
	}
	if id == nil {
		return fieldErr("id", "required for a bundle")
	}
	s, err := stringValue("id", id)
	if err != nil {
		return err
	}
	return checkRef("id", s, "bundle")
}
