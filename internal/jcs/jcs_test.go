package jcs

import (
	"errors"
	"strings"
	"testing"
)

func TestCanonicalize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"empty object", ` { } `, `{}`},
		{"empty array", "[\n]", `[]`},
		{"scalars", `[ true , false , null ]`, `[true,false,null]`},
		{"top-level string", ` "a" `, `"a"`},
		{"top-level number", ` 1.50 `, `1.5`},
		{"white space removed", "{\n\t\"b\" : 1 ,\r\n \"a\" : [ 1 , 2 ] }", `{"a":[1,2],"b":1}`},
		{"members sorted", `{"b":2,"a":1,"c":3,"aa":4,"":0}`, `{"":0,"a":1,"aa":4,"b":2,"c":3}`},
		{"nested objects sorted", `{"z":{"y":1,"x":[{"b":1,"a":2}]},"a":null}`, `{"a":null,"z":{"x":[{"a":2,"b":1}],"y":1}}`},
		{"array order kept", `[3,1,2,"b","a"]`, `[3,1,2,"b","a"]`},
		{"upper case before lower case", `{"a":1,"B":2,"_":3}`, `{"B":2,"_":3,"a":1}`},
		// U+00E9 (é) < U+20AC (€) < U+FB01 (ﬁ); U+1F600 (😀) is D83D DE00 in
		// UTF-16, so it sorts before U+FB01 although its code point is larger.
		{"names by UTF-16 code units", `{"ﬁ":1,"😀":2,"€":3,"é":4,"z":5}`, `{"z":5,"é":4,"€":3,"😀":2,"ﬁ":1}`},
		{"escaped names sorted unescaped", `{"\u0062":1,"a":2}`, `{"a":2,"b":1}`},
		{"escaped name written canonically", `{"\u0041\n":1}`, `{"A\n":1}`},
		{"short escapes", `"\b\f\n\r\t\"\\"`, `"\b\f\n\r\t\"\\"`},
		{"solidus unescaped", `"a\/b"`, `"a/b"`},
		{"control characters as lower-case hex", `"\u0001\u001F\u000b"`, `"\u0001\u001f\u000b"`},
		{"escaped letters unescaped", `"\u0041\u00e9\u20AC"`, `"Aé€"`},
		{"surrogate pair unescaped", `"\ud83d\ude00"`, `"😀"`},
		{"DEL and U+2028 as themselves", `"\u007f\u2028"`, "\"\x7f\u2028\""},
		{"non-ASCII kept", `"Қазақстан"`, `"Қазақстан"`},
		{"literal U+FFFD kept", "\"\uFFFD\"", "\"\uFFFD\""},
		{"integers", `[0,-0,1,-1,123456789012345,-123456789012345]`, `[0,0,1,-1,123456789012345,-123456789012345]`},
		{"long integers", `[1234567890123456,9007199254740992,9007199254740993,12345678901234567890]`,
			`[1234567890123456,9007199254740992,9007199254740992,12345678901234567000]`},
		{"fractions and exponents", `[1.0,1.50,1e2,1E2,1e+2,10e-1,0.1,-0.0,0e10,1.5e300]`, `[1,1.5,100,100,100,1,0.1,0,0,1.5e+300]`},
		{"exponent thresholds", `[1e20,1e21,1e-6,1e-7,0.000001,0.0000001,123e18,1.5e-7]`,
			`[100000000000000000000,1e+21,0.000001,1e-7,0.000001,1e-7,123000000000000000000,1.5e-7]`},
		{"underflow is zero", `[1e-400,-1e-400]`, `[0,0]`},
		{"smallest subnormal", `4.9e-324`, `5e-324`},
		{"largest double", `1.7976931348623157e308`, `1.7976931348623157e+308`},
		{"deep nesting", strings.Repeat("[", 100) + strings.Repeat("]", 100), strings.Repeat("[", 100) + strings.Repeat("]", 100)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := Canonicalize([]byte(tc.in))
			if err != nil {
				t.Fatalf("Canonicalize(%q): %v", tc.in, err)
			}
			if string(got) != tc.want {
				t.Errorf("Canonicalize(%q)\n got %s\nwant %s", tc.in, got, tc.want)
			}
			again, err := Canonicalize(got)
			if err != nil || string(again) != string(got) {
				t.Errorf("not idempotent: %s -> %s (%v)", got, again, err)
			}
		})
	}
}

func TestCanonicalizeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		kind     error
	}{
		{"empty", ``, ErrSyntax},
		{"white space only", "  \n", ErrSyntax},
		{"trailing data", `{} {}`, ErrSyntax},
		{"trailing comma in object", `{"a":1,}`, ErrSyntax},
		{"trailing comma in array", `[1,]`, ErrSyntax},
		{"missing colon", `{"a" 1}`, ErrSyntax},
		{"unquoted name", `{a:1}`, ErrSyntax},
		{"single quotes", `['a']`, ErrSyntax},
		{"unterminated string", `"abc`, ErrSyntax},
		{"unterminated object", `{"a":1`, ErrSyntax},
		{"raw control character", "\"a\x01b\"", ErrSyntax},
		{"raw newline", "\"a\nb\"", ErrSyntax},
		{"bad escape", `"\x41"`, ErrSyntax},
		{"short unicode escape", `"\u12"`, ErrSyntax},
		{"non-hex unicode escape", `"\u12g4"`, ErrSyntax},
		{"leading zero", `01`, ErrSyntax},
		{"leading plus", `+1`, ErrSyntax},
		{"bare minus", `-`, ErrSyntax},
		{"dot without digits", `1.`, ErrSyntax},
		{"leading dot", `.5`, ErrSyntax},
		{"exponent without digits", `1e`, ErrSyntax},
		{"hex number", `0x10`, ErrSyntax},
		{"NaN", `NaN`, ErrSyntax},
		{"Infinity", `[Infinity]`, ErrSyntax},
		{"bad literal", `tru`, ErrSyntax},
		{"capitalised literal", `True`, ErrSyntax},
		{"overflow", `1e400`, ErrNumberRange},
		{"negative overflow", `[-1.8e308]`, ErrNumberRange},
		{"invalid UTF-8", "\"\xff\"", ErrUTF8},
		{"truncated UTF-8", "\"\xe2\x82\"", ErrUTF8},
		{"UTF-8 encoded surrogate", "\"\xed\xa0\x80\"", ErrUTF8},
		{"overlong UTF-8", "\"\xc0\xaf\"", ErrUTF8},
		{"invalid UTF-8 in a name", "{\"\xff\":1}", ErrUTF8},
		{"lone high surrogate", `"\ud800"`, ErrLoneSurrogate},
		{"lone high surrogate then text", `"\ud800abcdef"`, ErrLoneSurrogate},
		{"high surrogate then non-surrogate escape", `"\ud800\u0041"`, ErrLoneSurrogate},
		{"two high surrogates", `"\ud800\ud800"`, ErrLoneSurrogate},
		{"lone low surrogate", `"\udc00"`, ErrLoneSurrogate},
		{"reversed pair", `"\ude00\ud83d"`, ErrLoneSurrogate},
		{"duplicate name", `{"a":1,"b":2,"a":3}`, ErrDuplicateKey},
		{"duplicate after unescaping", `{"a":1,"\u0061":2}`, ErrDuplicateKey},
		{"duplicate nested", `{"x":[{"k":1,"k":1}]}`, ErrDuplicateKey},
		{"too deep", strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1), ErrDepth},
		{"too deep objects", strings.Repeat(`{"a":`, maxDepth+1) + "1" + strings.Repeat("}", maxDepth+1), ErrDepth},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := Canonicalize([]byte(tc.in))
			if !errors.Is(err, tc.kind) {
				t.Fatalf("Canonicalize(%.40q) = %s, %v; want %v", tc.in, got, err, tc.kind)
			}
			var je *Error
			if !errors.As(err, &je) || je.Offset < 0 || je.Offset > len(tc.in) {
				t.Errorf("error %v: want *Error with an offset in the input", err)
			}
		})
	}
}

func TestMaxDepthAccepted(t *testing.T) {
	t.Parallel()
	in := strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth)
	got, err := Canonicalize([]byte(in))
	if err != nil || string(got) != in {
		t.Fatalf("depth %d: %v", maxDepth, err)
	}
}

func TestDuplicateErrorNamesKey(t *testing.T) {
	t.Parallel()
	_, err := Canonicalize([]byte(`{"type":"x","labels":[],"type":"y"}`))
	if err == nil || !strings.Contains(err.Error(), `"type"`) {
		t.Fatalf("error %v does not name the key", err)
	}
	var je *Error
	if !errors.As(err, &je) || je.Offset != 24 {
		t.Errorf("offset: got %v, want 24 (the second \"type\")", err)
	}
}

func TestEncoderReuse(t *testing.T) {
	t.Parallel()
	var e Encoder
	inputs := []string{`{"b":[1,{"d":1,"c":2}],"a":"x"}`, `[1]`, `{"z":1,"\u0079":2}`, `{"a":1,"a":2}`, `{"q":{}}`}
	for round := range 2 {
		for _, in := range inputs {
			want, wantErr := Canonicalize([]byte(in))
			got, err := e.Append([]byte("prefix:"), []byte(in))
			if (err == nil) != (wantErr == nil) {
				t.Fatalf("round %d %s: err %v, want %v", round, in, err, wantErr)
			}
			if err != nil {
				if string(got) != "prefix:" {
					t.Errorf("on error dst changed to %q", got)
				}
				continue
			}
			if string(got) != "prefix:"+string(want) {
				t.Errorf("round %d %s: got %s, want prefix:%s", round, in, got, want)
			}
		}
	}
}

func TestCompareNames(t *testing.T) {
	t.Parallel()
	// Each name sorts before the next.
	ordered := []string{"", "\x00", "A", "Z", "_", "a", "aa", "ab", "b", "\u00e9", "\u0800", "\ud7ff", "\U00010000", "\U0001F600", "\U0010FFFF", "\ue000", "\ufb01", "\uffff"}
	for i := range ordered {
		for j := range ordered {
			got := compareNames([]byte(ordered[i]), []byte(ordered[j]))
			switch {
			case i < j && got >= 0, i > j && got <= 0, i == j && got != 0:
				t.Errorf("compareNames(%q, %q) = %d", ordered[i], ordered[j], got)
			}
		}
	}
}
