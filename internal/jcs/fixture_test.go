package jcs

import "strings"

// typicalObject is a realistic STIX indicator of about 1.7 KB, formatted
// for people (indented, members in no order), with non-ASCII text, an
// escape and numbers that canonicalization rewrites.
func typicalObject() []byte {
	return []byte(`{
  "type": "indicator",
  "spec_version": "2.1",
  "id": "indicator--4b2a6f34-17d4-4cbf-938f-98ee46b3cd3f",
  "created_by_ref": "identity--0b4f6c2e-1d3a-4f57-9a8e-2c6d5b7e9f10",
  "created": "2024-05-08T09:00:00.000Z",
  "modified": "2024-05-09T10:11:12.345678Z",
  "name": "C2 infrastructure used by a financially motivated group",
  "description": "` + strings.Repeat("Traffic to this address was observed during the intrusion; block and investigate. ", 6) + `Қазақстан \u2014 \"quoted\".",
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
  "object_marking_refs": ["marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", "marking-definition--5a6f3b1c-2d4e-4f60-8a7b-9c0d1e2f3a4b"],
  "granular_markings": [{"selectors": ["description"], "marking_ref": "marking-definition--6b7c8d9e-0f1a-4b2c-8d3e-4f5a6b7c8d9e"}],
  "x_acme_sightings": 17,
  "x_acme_score": 0.750,
  "x_acme_tags": {"team": "blue", "priority": "high", "window": [1.0e3, 2.5e-7]}
}`)
}
