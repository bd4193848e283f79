package jcs

import (
	"math"
	"strconv"
	"testing"
)

// TestAppendNumber checks the number serialisation of RFC 8785 §3.2.2.3
// with doubles given by their IEEE 754 bits, among them the values of the
// RFC's own table (Appendix B).
func TestAppendNumber(t *testing.T) {
	t.Parallel()
	tests := []struct {
		bits uint64
		want string
	}{
		{0x0000000000000000, "0"},
		{0x8000000000000000, "0"}, // -0
		{0x0000000000000001, "5e-324"},
		{0x8000000000000001, "-5e-324"},
		{0x7fefffffffffffff, "1.7976931348623157e+308"},
		{0xffefffffffffffff, "-1.7976931348623157e+308"},
		{0x4340000000000000, "9007199254740992"},
		{0xc340000000000000, "-9007199254740992"},
		{0x4430000000000000, "295147905179352830000"},
		{0x44b52d02c7e14af5, "9.999999999999997e+22"},
		{0x44b52d02c7e14af6, "1e+23"},
		{0x44b52d02c7e14af7, "1.0000000000000001e+23"},
		{0x444b1ae4d6e2ef4e, "999999999999999700000"},
		{0x444b1ae4d6e2ef4f, "999999999999999900000"},
		{0x444b1ae4d6e2ef50, "1e+21"},
		{0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"},
		{0x3eb0c6f7a0b5ed8d, "0.000001"},
		{0x41b3de4355555553, "333333333.3333332"},
		{0x41b3de4355555554, "333333333.33333325"},
		{0x41b3de4355555555, "333333333.3333333"},
		{0x41b3de4355555556, "333333333.3333334"},
		{0x41b3de4355555557, "333333333.33333343"},
		{0xbecbf647612f3696, "-0.0000033333333333333333"},
		{0x43143ff3c1cb0959, "1424953923781206.2"},
		{0x7ff8000000000001, "null"}, // NaN
		{0x7ff0000000000000, "null"}, // +Infinity
		{0xfff0000000000000, "null"}, // -Infinity
	}
	for _, tc := range tests {
		f := math.Float64frombits(tc.bits)
		if got := string(AppendNumber(nil, f)); got != tc.want {
			t.Errorf("AppendNumber(%#016x = %g) = %s, want %s", tc.bits, f, got, tc.want)
		}
	}
}

func TestAppendNumberDecimal(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"1", "1"}, {"-1", "-1"}, {"0.5", "0.5"}, {"100", "100"},
		{"1e20", "100000000000000000000"}, {"1e21", "1e+21"}, {"1.5e21", "1.5e+21"}, {"-1e21", "-1e+21"},
		{"1e-6", "0.000001"}, {"1e-7", "1e-7"}, {"1.25e-7", "1.25e-7"}, {"-1e-7", "-1e-7"},
		{"123.456", "123.456"}, {"0.1", "0.1"}, {"0.30000000000000004", "0.30000000000000004"},
		{"1e15", "1000000000000000"}, {"999999999999999", "999999999999999"}, {"1e16", "10000000000000000"},
		{"12345678901234567890", "12345678901234567000"}, {"4.35", "4.35"}, {"1e300", "1e+300"},
	}
	for _, tc := range tests {
		f, err := strconv.ParseFloat(tc.in, 64)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(AppendNumber(nil, f)); got != tc.want {
			t.Errorf("AppendNumber(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

// TestAppendNumberRoundTrip checks on doubles spread over the whole range
// that the output reads back as the same double and is never longer than
// Go's shortest representation needs.
func TestAppendNumberRoundTrip(t *testing.T) {
	t.Parallel()
	x := uint64(0x9e3779b97f4a7c15)
	for range 100000 {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		f := math.Float64frombits(x)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			continue
		}
		s := AppendNumber(nil, f)
		back, err := strconv.ParseFloat(string(s), 64)
		if err != nil || back != f {
			t.Fatalf("AppendNumber(%#016x) = %s reads back as %g, %v", x, s, back, err)
		}
		canon, err := Canonicalize(s)
		if err != nil || string(canon) != string(s) {
			t.Fatalf("AppendNumber(%#016x) = %s is not canonical: %s, %v", x, s, canon, err)
		}
	}
}
