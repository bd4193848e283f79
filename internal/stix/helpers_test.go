package stix

import (
	"errors"
	"strings"
	"testing"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// Identifiers used across the tests.
const (
	testIndicatorID = "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
	testIdentityID  = "identity--f431f809-377b-45e0-aa1c-6a4751cae5ff"
	testMarkingID   = "marking-definition--34c9c2f6-6a38-4b2b-9c5c-2c2c6d8e5a11"
	testMarking2ID  = "marking-definition--0a3f1e2d-4c5b-4a69-8e7f-1a2b3c4d5e6f"
	testExtDefID    = "extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e"
)

// del marks a property to remove in obj.
const del = "\x00delete"

// obj returns a JSON object built from base (key, raw JSON value pairs in
// order) with the overrides applied: a key already in base gets the new
// value in place (or is removed if the value is del); a new key is
// appended.
func obj(base []string, over ...string) string {
	kv := append([]string(nil), base...)
	for n := 0; n+1 < len(over); n += 2 {
		k, v := over[n], over[n+1]
		found := false
		for m := 0; m+1 < len(kv); m += 2 {
			if kv[m] == k {
				kv[m+1] = v
				found = true
			}
		}
		if !found {
			kv = append(kv, k, v)
		}
	}
	var b strings.Builder
	b.WriteByte('{')
	first := true
	for m := 0; m+1 < len(kv); m += 2 {
		if kv[m+1] == del {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		b.WriteString(`"` + kv[m] + `":` + kv[m+1])
	}
	b.WriteByte('}')
	return b.String()
}

// q quotes s as a JSON string (test values need no escaping).
func q(s string) string { return `"` + s + `"` }

var indicatorBase = []string{
	"type", q("indicator"),
	"spec_version", q("2.1"),
	"id", q(testIndicatorID),
	"created", q("2021-03-04T05:06:07.123Z"),
	"modified", q("2022-01-02T03:04:05.678Z"),
	"name", q("C2 address"),
	"pattern", q("[ipv4-addr:value = '198.51.100.7']"),
	"pattern_type", q("stix"),
	"valid_from", q("2021-03-04T05:06:07Z"),
}

var scoBase = []string{
	"type", q("ipv4-addr"),
	"id", q("ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd"),
	"value", q("198.51.100.7"),
}

var markingBase = []string{
	"type", q("marking-definition"),
	"spec_version", q("2.1"),
	"id", q(testMarkingID),
	"created", q("2023-01-01T00:00:00.000Z"),
	"name", q("release to members"),
	"extensions", `{"` + kurultai.ReleasabilityExtensionID + `":{"extension_type":"property-extension","audience":["members"]}}`,
}

var extDefBase = []string{
	"type", q("extension-definition"),
	"spec_version", q("2.1"),
	"id", q(testExtDefID),
	"created_by_ref", q(testIdentityID),
	"created", q("2023-01-01T00:00:00.000Z"),
	"modified", q("2023-01-01T00:00:00.000Z"),
	"name", q("acme"),
	"schema", q("https://example.com/acme.json"),
	"version", q("1.0"),
	"extension_types", `["property-extension"]`,
}

// wantInvalid checks that err is an invalid-input *kurultai.Error on field
// whose message contains msg.
func wantInvalid(t *testing.T, err error, field, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one on field %q", field)
	}
	var ke *kurultai.Error
	if !errors.As(err, &ke) {
		t.Fatalf("got %T %v, want *kurultai.Error", err, err)
	}
	if ke.Code != kurultai.CodeInvalid {
		t.Errorf("code = %q, want %q", ke.Code, kurultai.CodeInvalid)
	}
	if ke.Field != field {
		t.Errorf("field = %q, want %q (error: %v)", ke.Field, field, err)
	}
	if !strings.Contains(ke.Message, msg) {
		t.Errorf("message = %q, want it to contain %q", ke.Message, msg)
	}
}

func mustParse(t *testing.T, raw string) *kurultai.ObjectVersion {
	t.Helper()
	v, err := ParseObject([]byte(raw))
	if err != nil {
		t.Fatalf("ParseObject(%s): %v", raw, err)
	}
	return v
}
