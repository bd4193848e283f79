package jcs

import (
	"encoding/json"
	"testing"
)

// BenchmarkCanonicalize canonicalizes a 1.7 KB STIX object with a reused
// Encoder, as a signer does.
func BenchmarkCanonicalize(b *testing.B) {
	raw := typicalObject()
	var e Encoder
	dst := make([]byte, 0, 4096)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if dst, err = e.Append(dst[:0], raw); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "objects/s")
}

// BenchmarkCanonicalizeCanonical canonicalizes an object already in
// canonical form (the verifier's common case).
func BenchmarkCanonicalizeCanonical(b *testing.B) {
	raw, err := Canonicalize(typicalObject())
	if err != nil {
		b.Fatal(err)
	}
	var e Encoder
	dst := make([]byte, 0, 4096)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if dst, err = e.Append(dst[:0], raw); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCanonicalizeFresh uses Canonicalize, which allocates its
// scratch space on every call.
func BenchmarkCanonicalizeFresh(b *testing.B) {
	raw := typicalObject()
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Canonicalize(raw); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodingJSONBaseline decodes into map[string]any and encodes
// again (sorted keys, but not RFC 8785 numbers or escapes): what the
// scanner is measured against.
func BenchmarkEncodingJSONBaseline(b *testing.B) {
	raw := typicalObject()
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			b.Fatal(err)
		}
		if _, err := json.Marshal(v); err != nil {
			b.Fatal(err)
		}
	}
}
