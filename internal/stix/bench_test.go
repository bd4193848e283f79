package stix

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// typicalObject returns a realistic indicator of about 1.5 KB: markings,
// external references, kill chain phases, labels, a long description and
// custom properties. n varies the id.
func typicalObject(n int) []byte {
	id := fmt.Sprintf("indicator--%08x-17d4-4cbf-938f-98ee46b3cd3f", n)
	return []byte(`{
  "type": "indicator",
  "spec_version": "2.1",
  "id": "` + id + `",
  "created_by_ref": "` + testIdentityID + `",
  "created": "2024-05-08T09:00:00.000Z",
  "modified": "2024-05-09T10:11:12.345678Z",
  "name": "C2 infrastructure used by a financially motivated group",
  "description": "` + strings.Repeat("Traffic to this address was observed during the intrusion; block and investigate. ", 6) + `",
  "indicator_types": ["malicious-activity", "attribution"],
  "pattern": "[ipv4-addr:value = '198.51.100.7'] OR [domain-name:value = 'update-check.example.net']",
  "pattern_type": "stix",
  "pattern_version": "2.1",
  "valid_from": "2024-05-08T09:00:00Z",
  "valid_until": "2025-05-08T09:00:00Z",
  "kill_chain_phases": [{"kill_chain_name": "mitre-attack", "phase_name": "command-and-control"}],
  "labels": ["c2", "finance", "campaign-2024-17"],
  "confidence": 85,
  "lang": "en",
  "external_references": [
    {"source_name": "acme-cert", "url": "https://cert.example.org/advisories/2024-117", "external_id": "ADV-2024-117"},
    {"source_name": "mitre-attack", "url": "https://attack.mitre.org/techniques/T1071/", "external_id": "T1071"}
  ],
  "object_marking_refs": ["` + kurultai.TLP2AmberID + `", "` + testMarkingID + `"],
  "granular_markings": [{"selectors": ["description"], "marking_ref": "` + testMarking2ID + `"}],
  "x_acme_sightings": 17,
  "x_acme_tags": {"team": "blue", "priority": "high"}
}`)
}

func BenchmarkParseObject(b *testing.B) {
	raw := typicalObject(1)
	if _, err := ParseObject(raw); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseObject(raw); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "objects/s")
}

// BenchmarkParseEnvelope parses a 1000-object envelope and validates every
// object: the whole per-request parsing cost of an ingest.
func BenchmarkParseEnvelope(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"more":false,"objects":[`)
	for n := range 1000 {
		if n > 0 {
			sb.WriteByte(',')
		}
		sb.Write(typicalObject(n))
	}
	sb.WriteString(`]}`)
	body := []byte(sb.String())
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		objs, err := ParseEnvelope(body)
		if err != nil {
			b.Fatal(err)
		}
		for _, o := range objs {
			if _, err := ParseObject(o); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N)*1000/b.Elapsed().Seconds(), "objects/s")
}

// BenchmarkEncodingJSONBaseline decodes the same object's common
// properties with encoding/json into a struct, for comparison only.
func BenchmarkEncodingJSONBaseline(b *testing.B) {
	raw := typicalObject(1)
	type common struct {
		Type              string            `json:"type"`
		ID                string            `json:"id"`
		SpecVersion       string            `json:"spec_version"`
		Created           string            `json:"created"`
		Modified          string            `json:"modified"`
		CreatedByRef      string            `json:"created_by_ref"`
		Revoked           bool              `json:"revoked"`
		Labels            []string          `json:"labels"`
		ObjectMarkingRefs []string          `json:"object_marking_refs"`
		ExternalRefs      []json.RawMessage `json:"external_references"`
		GranularMarkings  []json.RawMessage `json:"granular_markings"`
		Extensions        json.RawMessage   `json:"extensions"`
	}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		var c common
		if err := json.Unmarshal(raw, &c); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "objects/s")
}
