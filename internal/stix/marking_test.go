package stix

import (
	"reflect"
	"testing"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// relExt returns an extensions value with the releasability extension
// holding the raw audience value.
func relExt(audience string) string {
	return `{"` + kurultai.ReleasabilityExtensionID + `":{"extension_type":"property-extension","audience":` + audience + `}}`
}

func tlpExt(level string) string {
	return `{"` + kurultai.TLP2ExtensionID + `":{"extension_type":"property-extension","tlp_2_0":"` + level + `"}}`
}

func TestParseMarkingDefinitions(t *testing.T) {
	t.Parallel()
	md := func(over ...string) string { return obj(markingBase, over...) }
	tests := []struct {
		name string
		raw  string
		want *kurultai.Marking
	}{
		{"releasability keyword", md(), &kurultai.Marking{ID: testMarkingID, Name: "release to members", Audience: []string{"members"}, Releasability: true}},
		{"releasability codes", md("extensions", relExt(`["KZ","UZ","SEC"]`)), &kurultai.Marking{ID: testMarkingID, Name: "release to members", Audience: []string{"KZ", "UZ", "SEC"}, Releasability: true}},
		{"releasability empty audience", md("extensions", relExt(`[]`), "name", del), &kurultai.Marking{ID: testMarkingID, Audience: []string{}, Releasability: true}},
		{"releasability public", md("extensions", relExt(`["public"]`)), &kurultai.Marking{ID: testMarkingID, Name: "release to members", Audience: []string{"public"}, Releasability: true}},
		{"releasability members+observers", md("extensions", relExt(`[ "members+observers" ]`)), &kurultai.Marking{ID: testMarkingID, Name: "release to members", Audience: []string{"members+observers"}, Releasability: true}},
		{"tlp 2.0 extension, own id", md("extensions", tlpExt("amber+strict"), "name", q("TLP:AMBER+STRICT")), &kurultai.Marking{ID: testMarkingID, Name: "TLP:AMBER+STRICT", TLP: kurultai.TLPAmberStrict}},
		{"tlp and releasability", md("extensions", `{"`+kurultai.TLP2ExtensionID+`":{"extension_type":"property-extension","tlp_2_0":"red"},"`+kurultai.ReleasabilityExtensionID+`":{"extension_type":"property-extension","audience":["KZ"]}}`, "name", del),
			&kurultai.Marking{ID: testMarkingID, TLP: kurultai.TLPRed, Audience: []string{"KZ"}, Releasability: true}},
		{"tlp 1.0 definition, own id", md("extensions", del, "definition_type", q("tlp"), "definition", `{"tlp":"white"}`), &kurultai.Marking{ID: testMarkingID, Name: "release to members", TLP: kurultai.TLPClear}},
		{"statement", md("extensions", del, "definition_type", q("statement"), "definition", `{"statement":"Copyright 2024 ACME"}`, "name", del), &kurultai.Marking{ID: testMarkingID}},
		{"standard tlp 1.0 red", `{"type":"marking-definition","spec_version":"2.1","id":"` + kurultai.TLP1RedID + `","created":"2017-01-20T00:00:00.000Z","definition_type":"tlp","name":"TLP:RED","definition":{"tlp":"red"}}`, &kurultai.Marking{ID: kurultai.TLP1RedID, Name: "TLP:RED", TLP: kurultai.TLPRed}},
		{"standard tlp 1.0 white", `{"type":"marking-definition","spec_version":"2.1","id":"` + kurultai.TLP1WhiteID + `","created":"2017-01-20T00:00:00.000Z","definition_type":"tlp","name":"TLP:WHITE","definition":{"tlp":"white"}}`, &kurultai.Marking{ID: kurultai.TLP1WhiteID, Name: "TLP:WHITE", TLP: kurultai.TLPClear}},
		{"standard id with unknown mechanism", `{"type":"marking-definition","spec_version":"2.1","id":"` + kurultai.TLP2GreenID + `","created":"2022-10-01T00:00:00.000Z","definition_type":"acme","definition":{"x":1}}`, &kurultai.Marking{ID: kurultai.TLP2GreenID, TLP: kurultai.TLPGreen}},
		{"unknown definition_type", md("extensions", del, "definition_type", q("acs"), "definition", `{"x":1}`), nil},
		{"unknown extension", md("extensions", `{"`+testExtDefID+`":{"extension_type":"property-extension","caveat":"NOFORN"}}`), nil},
		{"releasability plus unknown extension", md("extensions", `{"`+kurultai.ReleasabilityExtensionID+`":{"extension_type":"property-extension","audience":["members"]},"`+testExtDefID+`":{"extension_type":"property-extension"}}`), nil},
		{"statement plus unknown extension", md("extensions", `{"`+testExtDefID+`":{"extension_type":"property-extension"}}`, "definition_type", q("statement"), "definition", `{"statement":"x"}`), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := mustParse(t, tt.raw)
			if !reflect.DeepEqual(v.Marking, tt.want) {
				t.Errorf("Marking = %+v, want %+v", v.Marking, tt.want)
			}
			if v.Version != v.Created.Format("2006-01-02T15:04:05.000Z") || v.VersionKey != v.Created.UnixNano() || !v.Modified.IsZero() {
				t.Errorf("version of a marking-definition: %q %d %v", v.Version, v.VersionKey, v.Modified)
			}
		})
	}
}

func TestParseMarkingDefinitionsInvalid(t *testing.T) {
	t.Parallel()
	md := func(over ...string) string { return obj(markingBase, over...) }
	audField := "extensions." + kurultai.ReleasabilityExtensionID + ".audience"
	tlpField := "extensions." + kurultai.TLP2ExtensionID + ".tlp_2_0"
	tests := []struct {
		name, raw, field, msg string
	}{
		{"modified", md("modified", q("2023-01-01T00:00:00.000Z")), "modified", "cannot be versioned"},
		{"no created", md("created", del), "created", "required"},
		{"no spec_version", md("spec_version", del), "spec_version", "required"},
		{"created seconds", md("created", q("2023-01-01T00:00:00Z")), "created", "millisecond"},
		{"name number", md("name", "1"), "name", "must be a string"},
		{"nothing", md("extensions", del), "definition_type", "required when the marking-definition has no extensions"},
		{"definition without type", md("extensions", del, "definition", `{"tlp":"red"}`), "definition_type", "required with definition"},
		{"type without definition", md("definition_type", q("statement")), "definition", "required with definition_type"},
		{"definition_type number", md("definition_type", "1", "definition", `{}`), "definition_type", "must be a string"},
		{"definition string", md("definition_type", q("statement"), "definition", q("x")), "definition", "must be an object"},
		{"statement missing", md("definition_type", q("statement"), "definition", `{"x":"y"}`), "definition.statement", "required"},
		{"statement number", md("definition_type", q("statement"), "definition", `{"statement":1}`), "definition.statement", "must be a string"},
		{"tlp missing", md("definition_type", q("tlp"), "definition", `{}`), "definition.tlp", "required"},
		{"tlp bad level", md("definition_type", q("tlp"), "definition", `{"tlp":"clear"}`), "definition.tlp", "not a TLP 1.0 level"},
		{"tlp duplicate", md("definition_type", q("tlp"), "definition", `{"tlp":"red","tlp":"white"}`), "definition.tlp", "duplicate"},
		{"tlp2 bad level", md("extensions", tlpExt("white")), tlpField, "not a TLP 2.0 level"},
		{"tlp2 missing level", md("extensions", `{"`+kurultai.TLP2ExtensionID+`":{"extension_type":"property-extension"}}`), tlpField, "required"},
		{"tlp2 level number", md("extensions", `{"`+kurultai.TLP2ExtensionID+`":{"extension_type":"property-extension","tlp_2_0":1}}`), tlpField, "must be a string"},
		{"tlp2 wrong extension_type", md("extensions", `{"`+kurultai.TLP2ExtensionID+`":{"extension_type":"new-sdo","tlp_2_0":"red"}}`), "extensions." + kurultai.TLP2ExtensionID + ".extension_type", `must be "property-extension"`},
		{"tlp1 and tlp2 disagree", md("extensions", tlpExt("red"), "definition_type", q("tlp"), "definition", `{"tlp":"green"}`), tlpField, "contradicts definition.tlp"},
		{"standard id, other level", `{"type":"marking-definition","spec_version":"2.1","id":"` + kurultai.TLP2RedID + `","created":"2022-10-01T00:00:00.000Z","extensions":` + tlpExt("clear") + `}`, tlpField, "contradicts the id"},
		{"standard id with releasability", `{"type":"marking-definition","spec_version":"2.1","id":"` + kurultai.TLP2RedID + `","created":"2022-10-01T00:00:00.000Z","extensions":` + relExt(`["public"]`) + `}`, "extensions." + kurultai.ReleasabilityExtensionID, "cannot carry a releasability audience"},
		{"audience missing", md("extensions", `{"`+kurultai.ReleasabilityExtensionID+`":{"extension_type":"property-extension"}}`), audField, "required"},
		{"audience string", md("extensions", relExt(`"members"`)), audField, "must be a list of strings, not a string"},
		{"audience null", md("extensions", relExt(`null`)), audField, "not null"},
		{"audience number element", md("extensions", relExt(`["KZ",1]`)), audField, "element 1 must be a string"},
		{"audience lower-case code", md("extensions", relExt(`["kz"]`)), audField, `element 0 ("kz") is neither`},
		{"audience long code", md("extensions", relExt(`["ABCDEFGHIJK"]`)), audField, "is neither"},
		{"audience short code", md("extensions", relExt(`["K"]`)), audField, "is neither"},
		{"audience keyword and code", md("extensions", relExt(`["members","KZ"]`)), audField, `"members" must be the only element`},
		{"audience two keywords", md("extensions", relExt(`["public","members"]`)), audField, "must be the only element"},
		{"audience repeated code", md("extensions", relExt(`["KZ","UZ","KZ"]`)), audField, "element 2 repeats"},
		{"audience duplicate", md("extensions", `{"`+kurultai.ReleasabilityExtensionID+`":{"extension_type":"property-extension","audience":["KZ"],"audience":["public"]}}`), audField, "duplicate"},
		{"releasability unknown property", md("extensions", `{"`+kurultai.ReleasabilityExtensionID+`":{"extension_type":"property-extension","audience":["KZ"],"except":["UZ"]}}`), "extensions." + kurultai.ReleasabilityExtensionID + ".except", "unknown property"},
		{"releasability wrong extension_type", md("extensions", `{"`+kurultai.ReleasabilityExtensionID+`":{"extension_type":"toplevel-property-extension","audience":["KZ"]}}`), "extensions." + kurultai.ReleasabilityExtensionID + ".extension_type", `must be "property-extension"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseObject([]byte(tt.raw))
			wantInvalid(t, err, tt.field, tt.msg)
		})
	}
}
