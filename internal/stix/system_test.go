package stix

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
)

var systemCreated = time.Date(2025, 6, 1, 12, 30, 45, 123456789, time.UTC)

const nodeIdentityID = "identity--2f1d4c3b-5a6e-4f70-8b9c-0d1e2f3a4b5c"

func TestReleasabilityExtensionDefinition(t *testing.T) {
	t.Parallel()
	raw := ReleasabilityExtensionDefinition(nodeIdentityID, systemCreated)
	if !bytes.Equal(raw, ReleasabilityExtensionDefinition(nodeIdentityID, systemCreated)) {
		t.Error("output is not deterministic")
	}
	v := mustParse(t, string(raw))
	if v.ID != kurultai.ReleasabilityExtensionID || v.Type != "extension-definition" || v.CreatedBy != nodeIdentityID {
		t.Errorf("got %+v", v)
	}
	if v.Version != "2025-06-01T12:30:45.123456Z" {
		t.Errorf("Version = %q", v.Version)
	}
	if !slices.Equal(v.MarkingRefs, []string{kurultai.TLP2ClearID}) {
		t.Errorf("MarkingRefs = %q", v.MarkingRefs)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if m["name"] != kurultai.ReleasabilityExtensionName || m["version"] != "1.0" || m["schema"] == "" {
		t.Errorf("name/version/schema = %v %v %v", m["name"], m["version"], m["schema"])
	}
	if !reflect.DeepEqual(m["extension_types"], []any{"property-extension"}) {
		t.Errorf("extension_types = %v", m["extension_types"])
	}
}

func TestReleasabilityMarking(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		mdName    string
		createdBy string
		audience  []string
		want      []string
	}{
		{"codes", "KZ and UZ", nodeIdentityID, []string{"KZ", "UZ"}, []string{"KZ", "UZ"}},
		{"keyword", "members", "", []string{kurultai.AudienceMembers}, []string{"members"}},
		{"nobody", "", "", nil, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			raw := ReleasabilityMarking(testMarkingID, tt.mdName, tt.createdBy, tt.audience, systemCreated)
			v := mustParse(t, string(raw))
			want := &kurultai.Marking{ID: testMarkingID, Name: tt.mdName, Audience: tt.want, Releasability: true}
			if !reflect.DeepEqual(v.Marking, want) {
				t.Errorf("Marking = %+v, want %+v", v.Marking, want)
			}
			if v.CreatedBy != tt.createdBy {
				t.Errorf("CreatedBy = %q", v.CreatedBy)
			}
		})
	}
}

func TestTLPMarkingDefinitions(t *testing.T) {
	t.Parallel()
	defs := TLPMarkingDefinitions()
	want := []struct {
		id, name string
		tlp      kurultai.TLP
	}{
		{kurultai.TLP2ClearID, "TLP:CLEAR", kurultai.TLPClear},
		{kurultai.TLP2GreenID, "TLP:GREEN", kurultai.TLPGreen},
		{kurultai.TLP2AmberID, "TLP:AMBER", kurultai.TLPAmber},
		{kurultai.TLP2AmberStrictID, "TLP:AMBER+STRICT", kurultai.TLPAmberStrict},
		{kurultai.TLP2RedID, "TLP:RED", kurultai.TLPRed},
	}
	if len(defs) != len(want) {
		t.Fatalf("got %d definitions", len(defs))
	}
	for n, raw := range defs {
		v := mustParse(t, string(raw))
		w := &kurultai.Marking{ID: want[n].id, Name: want[n].name, TLP: want[n].tlp}
		if !reflect.DeepEqual(v.Marking, w) {
			t.Errorf("definition %d: Marking = %+v, want %+v", n, v.Marking, w)
		}
	}
	// The published form of TLP:AMBER+STRICT, property for property.
	const published = `{"type":"marking-definition","spec_version":"2.1","id":"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003","created":"2022-10-01T00:00:00.000Z","name":"TLP:AMBER+STRICT","extensions":{"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d":{"extension_type":"property-extension","tlp_2_0":"amber+strict"}}}`
	if string(defs[3]) != published {
		t.Errorf("TLP:AMBER+STRICT =\n%s\nwant\n%s", defs[3], published)
	}
}

func TestIdentityObject(t *testing.T) {
	t.Parallel()
	raw := IdentityObject(nodeIdentityID, "Kurultai node", "organization", systemCreated)
	v := mustParse(t, string(raw))
	if v.ID != nodeIdentityID || v.Type != "identity" || v.Version != "2025-06-01T12:30:45.123456Z" {
		t.Errorf("got %+v", v)
	}
	want := `{"type":"identity","spec_version":"2.1","id":"` + nodeIdentityID + `","created":"2025-06-01T12:30:45.123456Z","modified":"2025-06-01T12:30:45.123456Z","name":"Kurultai node","identity_class":"organization"}`
	if string(raw) != want {
		t.Errorf("IdentityObject =\n%s\nwant\n%s", raw, want)
	}
}
