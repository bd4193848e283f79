package trust

import (
	"crypto/ed25519"
	"testing"
)

// BenchmarkSign signs a 1.6 KB STIX object: locating the entry,
// canonicalizing, one Ed25519 signature and the output copy.
func BenchmarkSign(b *testing.B) {
	s := testSigner(b, "a", "KZ")
	raw := testObject(0)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Sign(raw); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "objects/s")
}

// BenchmarkVerify verifies a signed 1.6 KB STIX object.
func BenchmarkVerify(b *testing.B) {
	s := testSigner(b, "a", "KZ")
	v := NewVerifier(testKeys(b, "KZ", "a"))
	raw := mustSign(b, s, testObject(0))
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := v.Verify(raw); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "objects/s")
}

// BenchmarkSignParallel and BenchmarkVerifyParallel use every core.
func BenchmarkSignParallel(b *testing.B) {
	s := testSigner(b, "a", "KZ")
	raw := testObject(0)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.Sign(raw); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "objects/s")
}

func BenchmarkVerifyParallel(b *testing.B) {
	v := NewVerifier(testKeys(b, "KZ", "a"))
	raw := mustSign(b, testSigner(b, "a", "KZ"), testObject(0))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, _, err := v.Verify(raw); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "objects/s")
}

// BenchmarkContent is the cost of SameContent's slow path per object.
func BenchmarkContent(b *testing.B) {
	raw := mustSign(b, testSigner(b, "a", "KZ"), testObject(0))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Content(raw); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEd25519 is the floor: the bare signature and verification of
// a message of the same size.
func BenchmarkEd25519(b *testing.B) {
	priv := testKey("a")
	msg := testObject(0)
	sig := ed25519.Sign(priv, msg)
	pub := priv.Public().(ed25519.PublicKey)
	b.Run("sign", func(b *testing.B) {
		for b.Loop() {
			ed25519.Sign(priv, msg)
		}
	})
	b.Run("verify", func(b *testing.B) {
		for b.Loop() {
			ed25519.Verify(pub, msg, sig)
		}
	})
}
