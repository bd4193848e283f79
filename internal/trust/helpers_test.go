package trust

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// testObject is a realistic STIX indicator of about 1.6 KB, indented and
// with members in no particular order. n varies the id.
func testObject(n int) []byte {
	id := "indicator--4b2a6f34-17d4-4cbf-938f-98ee46b3cd3f"
	if n > 0 {
		id = "indicator--" + strings.Repeat(string(rune('0'+n%10)), 8) + "-17d4-4cbf-938f-98ee46b3cd3f"
	}
	return []byte(`{
  "type": "indicator",
  "spec_version": "2.1",
  "id": "` + id + `",
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
  "kill_chain_phases": [{"kill_chain_name": "mitre-attack", "phase_name": "command-and-control"}],
  "labels": ["c2", "finance"],
  "confidence": 85,
  "external_references": [
    {"source_name": "acme-cert", "url": "https://cert.example.org/advisories/2024-117", "external_id": "ADV-2024-117"}
  ],
  "object_marking_refs": ["marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", "marking-definition--5a6f3b1c-2d4e-4f60-8a7b-9c0d1e2f3a4b"],
  "x_acme_score": 0.750,
  "x_acme_tags": {"team": "blue", "priority": "high"}
}`)
}

// testKey returns a deterministic key derived from name.
func testKey(name string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("kurultai test key " + name))
	return ed25519.NewKeyFromSeed(seed[:])
}

func testSigner(t testing.TB, name, participant string) *Signer {
	t.Helper()
	s, err := NewSigner(testKey(name), participant)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// testKeys returns a key set holding the keys named, each for participant.
func testKeys(t testing.TB, participant string, names ...string) *KeySet {
	t.Helper()
	ks := NewKeySet()
	for _, n := range names {
		pub := testKey(n).Public().(ed25519.PublicKey)
		if err := ks.Add(KeyInfo{PublicKey: PublicKey{ID: KeyID(pub), Key: pub, Created: testNow}, Participant: participant}); err != nil {
			t.Fatal(err)
		}
	}
	return ks
}

func mustSign(t testing.TB, s *Signer, raw []byte) []byte {
	t.Helper()
	out, err := s.Sign(raw)
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	return out
}

func mustUnmarshal(t testing.TB, data []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatal(err)
	}
}

func mustMarshal(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type ed25519PublicKey = ed25519.PublicKey
