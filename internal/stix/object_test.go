package stix

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
)

func TestParseObjectValid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		raw  string
		want func(t *testing.T, v *kurultai.ObjectVersion)
	}{
		{"indicator", obj(indicatorBase), func(t *testing.T, v *kurultai.ObjectVersion) {
			if v.ID != testIndicatorID || v.Type != "indicator" || v.SpecVersion != "2.1" {
				t.Errorf("id/type/spec = %q %q %q", v.ID, v.Type, v.SpecVersion)
			}
			if v.Version != "2022-01-02T03:04:05.678Z" {
				t.Errorf("Version = %q", v.Version)
			}
			want := time.Date(2022, 1, 2, 3, 4, 5, 678e6, time.UTC)
			if !v.Modified.Equal(want) || v.VersionKey != want.UnixNano() {
				t.Errorf("Modified = %v, VersionKey = %d", v.Modified, v.VersionKey)
			}
			if !v.Created.Equal(time.Date(2021, 3, 4, 5, 6, 7, 123e6, time.UTC)) {
				t.Errorf("Created = %v", v.Created)
			}
			if v.Revoked || v.CreatedBy != "" || v.MarkingRefs != nil || v.Granular || v.Marking != nil {
				t.Errorf("unexpected fields: %+v", v)
			}
		}},
		{"modified equal to created", obj(indicatorBase, "modified", q("2021-03-04T05:06:07.123Z")), nil},
		{"more precise than milliseconds", obj(indicatorBase, "created", q("2021-03-04T05:06:07.123456Z"), "modified", q("2021-03-04T05:06:07.1234567891234Z")), func(t *testing.T, v *kurultai.ObjectVersion) {
			if v.Version != "2021-03-04T05:06:07.1234567891234Z" {
				t.Errorf("Version = %q, want the text as written", v.Version)
			}
			if v.VersionKey != time.Date(2021, 3, 4, 5, 6, 7, 123456789, time.UTC).UnixNano() {
				t.Errorf("VersionKey = %d", v.VersionKey)
			}
		}},
		{"common optional properties", obj(indicatorBase,
			"created_by_ref", q(testIdentityID),
			"revoked", "true",
			"labels", `["a","b"]`,
			"confidence", "100",
			"lang", q("en"),
			"external_references", `[{"source_name":"capec","external_id":"CAPEC-163"},{"source_name":"x","url":"https://example.com","hashes":{"SHA-256":"00"}}]`,
		), func(t *testing.T, v *kurultai.ObjectVersion) {
			if !v.Revoked || v.CreatedBy != testIdentityID {
				t.Errorf("Revoked = %v, CreatedBy = %q", v.Revoked, v.CreatedBy)
			}
		}},
		{"markings", obj(indicatorBase,
			"object_marking_refs", `["`+kurultai.TLP2AmberID+`","`+testMarkingID+`","`+kurultai.TLP2AmberID+`"]`,
			"granular_markings", `[{"selectors":["description","external_references.[0].source_name"],"marking_ref":"`+testMarking2ID+`"},{"selectors":["name"],"lang":"fr"},{"selectors":["name"],"marking_ref":"`+testMarkingID+`"}]`,
		), func(t *testing.T, v *kurultai.ObjectVersion) {
			want := []string{kurultai.TLP2AmberID, testMarkingID, testMarking2ID}
			if !slices.Equal(v.MarkingRefs, want) {
				t.Errorf("MarkingRefs = %q, want %q", v.MarkingRefs, want)
			}
			if !v.Granular {
				t.Error("Granular = false")
			}
		}},
		{"granular lang only", obj(indicatorBase, "granular_markings", `[{"selectors":["name"],"lang":"fr"}]`), func(t *testing.T, v *kurultai.ObjectVersion) {
			if v.Granular || v.MarkingRefs != nil {
				t.Errorf("Granular = %v, MarkingRefs = %q", v.Granular, v.MarkingRefs)
			}
		}},
		{"extensions", obj(indicatorBase, "extensions", `{"`+testExtDefID+`":{"extension_type":"toplevel-property-extension"},"x-acme-ext":{"a":1}}`, "x_acme_score", "5"), nil},
		{"sco without spec_version", obj(scoBase), func(t *testing.T, v *kurultai.ObjectVersion) {
			if v.SpecVersion != "2.1" || v.Version != "" || v.VersionKey != 0 || !v.Created.IsZero() {
				t.Errorf("SCO version fields: %+v", v)
			}
		}},
		{"sco with spec_version and markings", obj(scoBase, "spec_version", q("2.1"), "object_marking_refs", `["`+kurultai.TLP2RedID+`"]`, "defanged", "false"), nil},
		{"custom sdo", `{"type":"x-acme-widget","spec_version":"2.1","id":"x-acme-widget--6ba7b810-9dad-41d1-80b4-00c04fd430c8","created":"2020-01-01T00:00:00.000Z","modified":"2020-01-01T00:00:00.000Z","x_acme":{"nested":[1,2,{"Deep":"ok"}]}}`, func(t *testing.T, v *kurultai.ObjectVersion) {
			if v.Version != "2020-01-01T00:00:00.000Z" {
				t.Errorf("Version = %q", v.Version)
			}
		}},
		{"custom sco", `{"type":"x-acme-thing","id":"x-acme-thing--6ba7b810-9dad-51d1-80b4-00c04fd430c8","value":"v"}`, func(t *testing.T, v *kurultai.ObjectVersion) {
			if v.Version != "" || v.SpecVersion != "2.1" {
				t.Errorf("custom SCO: %+v", v)
			}
		}},
		{"custom sco by extension", `{"type":"x-acme-thing","id":"x-acme-thing--6ba7b810-9dad-51d1-80b4-00c04fd430c8","extensions":{"` + testExtDefID + `":{"extension_type":"new-sco"}}}`, nil},
		{"language-content", `{"type":"language-content","spec_version":"2.1","id":"language-content--b86bd89f-98bb-4fa9-8cb2-9ad421da981d","created":"2017-02-08T21:31:22.007Z","modified":"2017-02-08T21:31:22.007Z","object_ref":"` + testIndicatorID + `","object_modified":"2017-02-08T21:31:22.007Z","contents":{"de":{"name":"Bedrohung"}}}`, nil},
		{"extension-definition", obj(extDefBase), nil},
		{"toplevel extension-definition", obj(extDefBase, "extension_types", `["toplevel-property-extension"]`, "extension_properties", `["x_score"]`), nil},
		{"white space and escapes", " \n{ \"type\" : \"indic\\u0061tor\", \"spec_version\":\"2.1\",\"id\":\"" + testIndicatorID + "\",\"created\":\"2021-03-04T05:06:07.123Z\",\"modified\":\"2021-03-04T05:06:07.123Z\",\"name\":\"\\u00e9\\n\"}\t\r\n", func(t *testing.T, v *kurultai.ObjectVersion) {
			if v.Type != "indicator" {
				t.Errorf("Type = %q", v.Type)
			}
		}},
		{"escaped key is the real key", `{"type":"indicator","spec_version":"2.1","id":"` + testIndicatorID + `","created":"2021-03-04T05:06:07.123Z","modified":"2021-03-04T05:06:07.123Z","\u006fbject_marking_refs":["` + kurultai.TLP2RedID + `"]}`, func(t *testing.T, v *kurultai.ObjectVersion) {
			if !slices.Equal(v.MarkingRefs, []string{kurultai.TLP2RedID}) {
				t.Errorf("MarkingRefs = %q", v.MarkingRefs)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := mustParse(t, tt.raw)
			if !bytes.Equal(v.Raw, []byte(tt.raw)) {
				t.Errorf("Raw differs from the input")
			}
			if tt.want != nil {
				tt.want(t, v)
			}
		})
	}
}

func TestParseObjectInvalid(t *testing.T) {
	t.Parallel()
	ind := func(over ...string) string { return obj(indicatorBase, over...) }
	tests := []struct {
		name, raw, field, msg string
	}{
		// JSON shape.
		{"not an object", `["indicator"]`, "", "must be a JSON object, not an array"},
		{"string", `"x"`, "", "not a string"},
		{"empty input", ``, "", "unexpected end of input"},
		{"syntax error", `{"type":"indicator",}`, "", "invalid JSON at offset 20"},
		{"syntax error in value", `{"type":"indicator","labels":[1,]}`, "labels", "invalid JSON"},
		{"trailing garbage", ind() + `x`, "", "after the object"},
		{"two objects", ind() + ind(), "", "after the object"},
		{"invalid utf-8", `{"type":"indicator","name":"` + "\xff" + `"}`, "", "not valid UTF-8"},
		{"duplicate common property", ind()[:len(ind())-1] + `,"modified":"2023-01-01T00:00:00.000Z"}`, "modified", "duplicate property"},
		{"duplicate custom property", ind("x_a", "1")[:len(ind("x_a", "1"))-1] + `,"x_a":2}`, "x_a", "duplicate property"},
		{"duplicate via escape", ind()[:len(ind())-1] + `,"modifie\u0064":"2023-01-01T00:00:00.000Z"}`, "modified", "duplicate property"},
		{"upper-case property name", ind("Object_marking_refs", `["x"]`), "Object_marking_refs", "invalid property name"},
		{"short property name", ind("ab", "1"), "ab", "invalid property name"},
		{"hyphen in property name", ind("x-acme", "1"), "x-acme", "invalid property name"},

		// type and id.
		{"type missing", ind("type", del), "type", "required"},
		{"type not a string", ind("type", "1"), "type", "must be a string, not a number"},
		{"type upper case", ind("type", q("Indicator")), "type", "must start with a lower-case letter"},
		{"type too short", ind("type", q("ab")), "type", "3 to 250"},
		{"type too long", ind("type", q(strings.Repeat("a", 251))), "type", "3 to 250"},
		{"type starts with digit", ind("type", q("1abc")), "type", "must start with a lower-case letter"},
		{"type double hyphen", ind("type", q("x--abc")), "type", "two hyphens"},
		{"type trailing hyphen", ind("type", q("abc-")), "type", "end with a hyphen"},
		{"type leading hyphen", ind("type", q("-abc")), "type", "must start with a lower-case letter"},
		{"type underscore", ind("type", q("x_abc")), "type", "only a-z, 0-9 and hyphens"},
		{"bundle", ind("type", q("bundle")), "type", "a bundle is not a STIX object"},
		{"reserved action", ind("type", q("action")), "type", "reserved"},
		{"id missing", ind("id", del), "id", "required"},
		{"id not a string", ind("id", "null"), "id", "must be a string, not null"},
		{"id without separator", ind("id", q("indicator-8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f")), "id", `"type--UUID"`},
		{"id type mismatch", ind("id", q("malware--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f")), "id", `does not match the object's type "indicator"`},
		{"id upper-case uuid", ind("id", q("indicator--8E2E2D2B-17D4-4CBF-938F-98EE46B3CD3F")), "id", "lower-case"},
		{"id short uuid", ind("id", q("indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3")), "id", "36 characters"},
		{"id bad uuid char", ind("id", q("indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3g")), "id", "hex digits"},
		{"id misplaced hyphen", ind("id", q("indicator--8e2e2d2b17d4-4cbf-938f--98ee46b3cd3f")), "id", "separated by hyphens"},
		{"id uuid version 0", ind("id", q("indicator--00000000-0000-0000-0000-000000000000")), "id", "version 0"},
		{"id uuid version 7", ind("id", q("indicator--8e2e2d2b-17d4-7cbf-938f-98ee46b3cd3f")), "id", "version 7"},
		{"id uuid variant", ind("id", q("indicator--8e2e2d2b-17d4-4cbf-c38f-98ee46b3cd3f")), "id", "variant"},

		// spec_version.
		{"spec_version missing", ind("spec_version", del), "spec_version", "required"},
		{"spec_version 2.0", ind("spec_version", q("2.0")), "spec_version", `must be "2.1"`},
		{"spec_version number", ind("spec_version", "2.1"), "spec_version", "must be a string"},
		{"sco spec_version 2.0", obj(scoBase, "spec_version", q("2.0")), "spec_version", `must be "2.1"`},

		// created and modified.
		{"created missing", ind("created", del), "created", "required"},
		{"modified missing", ind("modified", del), "modified", "required"},
		{"created not a string", ind("created", "1"), "created", "must be a string"},
		{"created seconds only", ind("created", q("2021-03-04T05:06:07Z")), "created", "at least the millisecond"},
		{"modified two digits", ind("modified", q("2022-01-02T03:04:05.67Z")), "modified", `e.g. "2022-01-02T03:04:05.670Z"`},
		{"created offset", ind("created", q("2021-03-04T05:06:07.123+00:00")), "created", "offset"},
		{"created lower-case z", ind("created", q("2021-03-04T05:06:07.123z")), "created", `upper-case "Z"`},
		{"created no zone", ind("created", q("2021-03-04T05:06:07.123")), "created", "not a timestamp"},
		{"created bad day", ind("created", q("2021-02-29T05:06:07.123Z")), "created", "day 29 is out of range"},
		{"created year 1", ind("created", q("0001-01-01T00:00:00.000Z"), "modified", q("0001-01-01T00:00:00.000Z")), "created", "1678-2261"},
		{"modified year 3000", ind("modified", q("3000-01-01T00:00:00.000Z")), "modified", "1678-2261"},
		{"modified before created", ind("modified", q("2020-01-01T00:00:00.000Z")), "modified", "modified (2020-01-01T00:00:00.000Z) is before created (2021-03-04T05:06:07.123Z)"},
		{"sco with created", obj(scoBase, "created", q("2021-03-04T05:06:07.123Z")), "created", "have no created"},
		{"sco with modified", obj(scoBase, "modified", q("2021-03-04T05:06:07.123Z")), "modified", "have no modified"},
		{"custom type with created only", `{"type":"x-acme","spec_version":"2.1","id":"x-acme--6ba7b810-9dad-41d1-80b4-00c04fd430c8","created":"2020-01-01T00:00:00.000Z"}`, "modified", "required"},
		{"custom new-sdo without times", `{"type":"x-acme","spec_version":"2.1","id":"x-acme--6ba7b810-9dad-41d1-80b4-00c04fd430c8","extensions":{"` + testExtDefID + `":{"extension_type":"new-sdo"}}}`, "modified", "required"},
		{"custom sdo without spec_version", `{"type":"x-acme","id":"x-acme--6ba7b810-9dad-41d1-80b4-00c04fd430c8","created":"2020-01-01T00:00:00.000Z","modified":"2020-01-01T00:00:00.000Z"}`, "spec_version", "required"},

		// Other common properties.
		{"created_by_ref not identity", ind("created_by_ref", q(testIndicatorID)), "created_by_ref", `identifier of an object of type "identity"`},
		{"created_by_ref invalid", ind("created_by_ref", q("identity--x")), "created_by_ref", "not a valid STIX identifier"},
		{"created_by_ref list", ind("created_by_ref", `["`+testIdentityID+`"]`), "created_by_ref", "must be a string, not an array"},
		{"revoked string", ind("revoked", q("true")), "revoked", "must be a boolean, not a string"},
		{"defanged number", obj(scoBase, "defanged", "1"), "defanged", "must be a boolean"},
		{"labels string", ind("labels", q("a")), "labels", "must be a list, not a string"},
		{"labels empty", ind("labels", `[]`), "labels", "must not be an empty list"},
		{"labels element", ind("labels", `["a",2]`), "labels[1]", "must be a string, not a number"},
		{"lang number", ind("lang", "1"), "lang", "must be a string"},
		{"confidence too big", ind("confidence", "101"), "confidence", "0 to 100"},
		{"confidence fraction", ind("confidence", "5.5"), "confidence", "0 to 100"},
		{"confidence negative", ind("confidence", "-1"), "confidence", "0 to 100"},
		{"confidence string", ind("confidence", q("5")), "confidence", "not a string"},
		{"external_references object", ind("external_references", `{}`), "external_references", "must be a list"},
		{"external_references empty", ind("external_references", `[]`), "external_references", "empty list"},
		{"external_reference not object", ind("external_references", `["x"]`), "external_references[0]", "must be an object"},
		{"external_reference no source", ind("external_references", `[{"source_name":"a","url":"u"},{"url":"u"}]`), "external_references[1].source_name", "required"},
		{"external_reference source number", ind("external_references", `[{"source_name":1,"url":"u"}]`), "external_references[0].source_name", "must be a string"},
		{"external_reference only source", ind("external_references", `[{"source_name":"a"}]`), "external_references[0]", "at least one of description, url and external_id"},
		{"external_reference url number", ind("external_references", `[{"source_name":"a","url":1}]`), "external_references[0].url", "must be a string"},
		{"external_reference duplicate", ind("external_references", `[{"source_name":"a","source_name":"b","url":"u"}]`), "external_references[0].source_name", "duplicate"},
		{"external_reference hashes", ind("external_references", `[{"source_name":"a","url":"u","hashes":{"MD5":1}}]`), "external_references[0].hashes.MD5", "must be a string"},
		{"external_reference empty hashes", ind("external_references", `[{"source_name":"a","url":"u","hashes":{}}]`), "external_references[0].hashes", "must not be empty"},

		// Marking references.
		{"object_marking_refs string", ind("object_marking_refs", q(kurultai.TLP2RedID)), "object_marking_refs", "must be a list"},
		{"object_marking_refs empty", ind("object_marking_refs", `[]`), "object_marking_refs", "empty list"},
		{"object_marking_refs wrong type", ind("object_marking_refs", `["`+kurultai.TLP2RedID+`","`+kurultai.TLP2AmberID+`","`+testIdentityID+`"]`), "object_marking_refs[2]", `identifier of an object of type "marking-definition"`},
		{"object_marking_refs invalid", ind("object_marking_refs", `["marking-definition--1"]`), "object_marking_refs[0]", "not a valid STIX identifier"},
		{"object_marking_refs number", ind("object_marking_refs", `[1]`), "object_marking_refs[0]", "must be a string"},
		{"granular not list", ind("granular_markings", `{}`), "granular_markings", "must be a list"},
		{"granular empty", ind("granular_markings", `[]`), "granular_markings", "empty list"},
		{"granular not object", ind("granular_markings", `[[]]`), "granular_markings[0]", "must be an object"},
		{"granular no selectors", ind("granular_markings", `[{"marking_ref":"`+kurultai.TLP2RedID+`"}]`), "granular_markings[0].selectors", "required"},
		{"granular empty selectors", ind("granular_markings", `[{"selectors":[],"marking_ref":"`+kurultai.TLP2RedID+`"}]`), "granular_markings[0].selectors", "empty list"},
		{"granular selector number", ind("granular_markings", `[{"selectors":[1],"marking_ref":"`+kurultai.TLP2RedID+`"}]`), "granular_markings[0].selectors[0]", "must be a string"},
		{"granular bad selector", ind("granular_markings", `[{"selectors":["name","a..b"],"marking_ref":"`+kurultai.TLP2RedID+`"}]`), "granular_markings[0].selectors[1]", "not a valid selector"},
		{"granular selector index", ind("granular_markings", `[{"selectors":["labels.[x]"],"marking_ref":"`+kurultai.TLP2RedID+`"}]`), "granular_markings[0].selectors[0]", "not a valid selector"},
		{"granular both", ind("granular_markings", `[{"selectors":["name"],"marking_ref":"`+kurultai.TLP2RedID+`","lang":"en"}]`), "granular_markings[0]", "not both"},
		{"granular neither", ind("granular_markings", `[{"selectors":["name"]}]`), "granular_markings[0]", "exactly one of marking_ref and lang"},
		{"granular bad ref", ind("granular_markings", `[{"selectors":["name"],"marking_ref":"`+testIdentityID+`"}]`), "granular_markings[0].marking_ref", `identifier of an object of type "marking-definition"`},
		{"granular lang number", ind("granular_markings", `[{"selectors":["name"],"lang":1}]`), "granular_markings[0].lang", "must be a string"},
		{"granular duplicate ref", ind("granular_markings", `[{"selectors":["name"],"marking_ref":"`+kurultai.TLP2RedID+`","marking_ref":"`+kurultai.TLP2ClearID+`"}]`), "granular_markings[0].marking_ref", "duplicate"},

		// Extensions.
		{"extensions list", ind("extensions", `[]`), "extensions", "must be an object"},
		{"extensions empty", ind("extensions", `{}`), "extensions", "must not be empty"},
		{"extension bad key", ind("extensions", `{"acme":{"a":1}}`), "extensions.acme", "is neither"},
		{"extension wrong id type", ind("extensions", `{"`+testIdentityID+`":{"extension_type":"property-extension"}}`), "extensions." + testIdentityID, "type identity"},
		{"extension value not object", ind("extensions", `{"`+testExtDefID+`":"x"}`), "extensions." + testExtDefID, "must be an object"},
		{"extension no extension_type", ind("extensions", `{"`+testExtDefID+`":{"a":1}}`), "extensions." + testExtDefID + ".extension_type", "required"},
		{"extension bad extension_type", ind("extensions", `{"`+testExtDefID+`":{"extension_type":"other"}}`), "extensions." + testExtDefID + ".extension_type", "not one of"},
		{"extension predefined empty", ind("extensions", `{"x-acme-ext":{}}`), "extensions.x-acme-ext", "must not be empty"},
		{"extension duplicate", ind("extensions", `{"x-acme-ext":{"a":1},"x-acme-ext":{"a":2}}`), "extensions.x-acme-ext", "duplicate"},
		{"tlp extension on indicator", ind("extensions", `{"`+kurultai.TLP2ExtensionID+`":{"extension_type":"property-extension","tlp_2_0":"red"}}`), "extensions." + kurultai.TLP2ExtensionID, "applies only to marking-definitions"},
		{"releasability on indicator", ind("extensions", `{"`+kurultai.ReleasabilityExtensionID+`":{"extension_type":"property-extension","audience":["KZ"]}}`), "extensions." + kurultai.ReleasabilityExtensionID, "applies only to marking-definitions"},

		// extension-definition.
		{"extdef no created_by_ref", obj(extDefBase, "created_by_ref", del), "created_by_ref", "required"},
		{"extdef no name", obj(extDefBase, "name", del), "name", "required"},
		{"extdef no schema", obj(extDefBase, "schema", del), "schema", "required"},
		{"extdef no version", obj(extDefBase, "version", del), "version", "required"},
		{"extdef version number", obj(extDefBase, "version", "1"), "version", "must be a string"},
		{"extdef description number", obj(extDefBase, "description", "1"), "description", "must be a string"},
		{"extdef no extension_types", obj(extDefBase, "extension_types", del), "extension_types", "required"},
		{"extdef empty extension_types", obj(extDefBase, "extension_types", `[]`), "extension_types", "empty list"},
		{"extdef bad extension_types", obj(extDefBase, "extension_types", `["new-sdo","bad"]`), "extension_types[1]", "not one of"},
		{"extdef extension_properties without toplevel", obj(extDefBase, "extension_properties", `["x_a"]`), "extension_properties", "toplevel-property-extension"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v, err := ParseObject([]byte(tt.raw))
			if err == nil {
				t.Fatalf("ParseObject(%s) = %+v, want an error", tt.raw, v)
			}
			if v != nil {
				t.Errorf("got a version with the error")
			}
			wantInvalid(t, err, tt.field, tt.msg)
		})
	}
}

func TestParseObjectRawKeptVerbatim(t *testing.T) {
	t.Parallel()
	// Custom properties, odd spacing, escapes, number forms and key order
	// must all survive: Raw is the input itself.
	raw := []byte("{\"type\":\"indicator\",  \"x_acme_float\": 1.50e+3,\n\"spec_version\":\"2.1\",\"id\":\"" + testIndicatorID +
		"\",\"created\":\"2021-03-04T05:06:07.123Z\",\"modified\":\"2021-03-04T05:06:07.123Z\",\"x_acme_text\":\"caf\\u00e9 \\/ \\\"q\\\"\"," +
		"\"x_acme_obj\":{\"Z\":[true,false,null,-0.0],\"A\":{}},\"extensions\":{\"x-acme-ext\":{\"k\":\"v\"}}}")
	in := bytes.Clone(raw)
	v := mustParse(t, string(raw))
	v2, err := ParseObject(raw)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(v.Raw, in) || !bytes.Equal(v2.Raw, in) {
		t.Fatalf("Raw = %s, want %s", v.Raw, in)
	}
	if &v2.Raw[0] != &raw[0] {
		t.Error("Raw was copied; want it to alias the input")
	}
	if !bytes.Equal(raw, in) {
		t.Error("ParseObject modified its input")
	}
}

func TestParseObjectManyKeys(t *testing.T) {
	t.Parallel()
	// More keys than the duplicate check keeps on the stack.
	var b strings.Builder
	b.WriteString(obj(indicatorBase))
	s := b.String()[:b.Len()-1]
	var extra strings.Builder
	for n := range 100 {
		extra.WriteString(`,"x_p` + strings.Repeat("a", n%7) + string(rune('a'+n%26)) + string(rune('a'+n/26)) + `":1`)
	}
	mustParse(t, s+extra.String()+"}")
	_, err := ParseObject([]byte(s + extra.String() + `,"x_paaa":2,"x_paaa":3}`))
	wantInvalid(t, err, "x_paaa", "duplicate property")
}

func TestParseObjectLongLists(t *testing.T) {
	t.Parallel()
	// Past the size where repeats are found with a map instead of pairwise.
	var refs, want []string
	for n := range 40 {
		id := fmt.Sprintf("marking-definition--%08x-6a38-4b2b-9c5c-2c2c6d8e5a11", n%30)
		refs = append(refs, `"`+id+`"`)
		if n < 30 {
			want = append(want, id)
		}
	}
	v := mustParse(t, obj(indicatorBase, "object_marking_refs", "["+strings.Join(refs, ",")+"]"))
	if !slices.Equal(v.MarkingRefs, want) {
		t.Errorf("MarkingRefs = %q, want %q", v.MarkingRefs, want)
	}

	var exts []string
	for n := range 20 {
		exts = append(exts, fmt.Sprintf(`"x-e%d-ext":{"a":1}`, n))
	}
	mustParse(t, obj(indicatorBase, "extensions", "{"+strings.Join(exts, ",")+"}"))
	_, err := ParseObject([]byte(obj(indicatorBase, "extensions", "{"+strings.Join(exts, ",")+`,"x-e7-ext":{"b":2}}`)))
	wantInvalid(t, err, "extensions.x-e7-ext", "duplicate extension")

	var codes []string
	for n := range 20 {
		codes = append(codes, fmt.Sprintf(`"C%c"`, 'A'+n))
	}
	v = mustParse(t, obj(markingBase, "extensions", relExt("["+strings.Join(codes, ",")+"]")))
	if len(v.Marking.Audience) != 20 {
		t.Errorf("Audience = %q", v.Marking.Audience)
	}
	_, err = ParseObject([]byte(obj(markingBase, "extensions", relExt("["+strings.Join(codes, ",")+`,"CC"]`))))
	wantInvalid(t, err, "extensions."+kurultai.ReleasabilityExtensionID+".audience", `element 20 repeats the participant code "CC"`)
}
