package text

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"ascii unchanged", "Protests began in Zhanaozen.", "Protests began in Zhanaozen."},
		{"nfc composes", "Qaza\u0301q", "Qazáq"},
		{"alef forms", "أعلن إعلان آخر ٱلاتحاد", "اعلن اعلان اخر الاتحاد"},
		{"alef maksura", "على مستوى", "علي مستوي"},
		{"teh marbuta kept", "الحكومة", "الحكومة"},
		{"harakat and tatweel", "الحُكُومَةُ المـــركزية", "الحكومة المركزية"},
		{"shadda", "مُدَّة", "مدة"},
		{"eastern arabic digits", "في ٥ يناير ٢٠٢٢", "في 5 يناير 2022"},
		{"persian digits", "۱۳ ژانویه", "13 ژانويه"},
		{"arabic decimal", "٣٫٥٪", "3.5%"},
		{"persian letters", "کی", "كي"},
		{"quotes", "«Бұл» “x” „y”", `"Бұл" "x" "y"`},
		{"apostrophes", "5 Ocak’ta Oʻzbekiston g`", "5 Ocak'ta O'zbekiston g'"},
		{"dashes", "2–5 — x−1", "2-5 - x-1"},
		{"nbsp and tabs", "a\u00a0b\tc\u202fd", "a b c d"},
		{"collapse spaces", "a   b", "a b"},
		{"trim lines", "  a  \n  b  ", "a\nb"},
		{"crlf", "a\r\nb\rc", "a\nb\nc"},
		{"paragraphs", "a\n\n\n\nb", "a\n\nb"},
		{"zero width and bidi", "a\u200bb\u200fc\ufeffd\u00ade", "abcde"},
		{"controls", "a\x00b\x1bc", "abc"},
		{"invalid utf8", "a\xffb", "a\ufffdb"},
		{"empty", "", ""},
		{"only space", " \n\t ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Normalize(tt.in); got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if got := Normalize(tt.want); got != tt.want {
				t.Errorf("Normalize not idempotent on %q: %q", tt.want, got)
			}
		})
	}
}

func TestNormalizeMap(t *testing.T) {
	t.Parallel()
	in := "  الحُكُومَةُ  في ٥ يناير\u200b، Ocak’ta  done"
	out, m := NormalizeMap(in)
	if out != Normalize(in) {
		t.Fatalf("NormalizeMap text %q differs from Normalize %q", out, Normalize(in))
	}
	// every word found in the output maps back to the same word in the input
	for _, w := range []string{"في", "يناير", "Ocak", "done"} {
		o := strings.Index(out, w)
		if o < 0 {
			t.Fatalf("%q not in %q", w, out)
		}
		i := m.Orig(o)
		if !strings.HasPrefix(in[i:], w) {
			t.Errorf("Orig(%d) = %d: input there is %q, want prefix %q", o, i, in[i:], w)
		}
	}
	if got := m.Orig(len(out)); got != len(in) {
		t.Errorf("Orig(end) = %d, want %d", got, len(in))
	}
	digit := strings.Index(out, "5")
	if got, want := m.Orig(digit), strings.Index(in, "٥"); got != want {
		t.Errorf("Orig(digit) = %d, want %d", got, want)
	}
	var nilMap *OffsetMap
	if nilMap.Orig(7) != 7 {
		t.Error("nil map is not the identity")
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"", "a", "الحُكُومَةُ ٥", "Ocak’ta\r\n\n\nİI", "\xff\xfe", "a\u0301\u0327", "  x  "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, m := NormalizeMap(s)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 out of %q", s)
		}
		if plain := Normalize(s); plain != out {
			t.Fatalf("Normalize(%q) = %q, NormalizeMap gives %q", s, plain, out)
		}
		if again := Normalize(out); again != out {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, out, again)
		}
		last := 0
		for o := 0; o <= len(out); o++ {
			i := m.Orig(o)
			if i < 0 || i > len(s) {
				t.Fatalf("Orig(%d) = %d outside input of %d bytes", o, i, len(s))
			}
			if i < last {
				t.Fatalf("Orig not monotonic at %d: %d < %d", o, i, last)
			}
			last = i
		}
	})
}

func BenchmarkNormalize(b *testing.B) {
	for _, bc := range []struct{ name, text string }{
		{"latin", strings.Repeat("Protests over fuel prices began in Zhanaozen on 2 January. ", 40)},
		{"cyrillic", strings.Repeat("Наразылық акциялары 2 қаңтарда Жаңаөзенде басталды. ", 40)},
		{"arabic", strings.Repeat("بدأت الاحتجاجات في ٢ يناير في مدينة جاناوزين، وأعلنت الحكومةُ استقالتها. ", 30)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.text)))
			for b.Loop() {
				Normalize(bc.text)
			}
		})
	}
}

// TestNFCStable checks the fast NFC table against the norm package: every
// rune it calls stable must be NFC alone and must not combine with a
// preceding character.
func TestNFCStable(t *testing.T) {
	t.Parallel()
	n := 0
	for r := rune(0x80); r < 0x3000; r++ {
		if !nfcStable(r) {
			continue
		}
		n++
		s := string(r)
		if !norm.NFC.IsNormalString(s) {
			t.Errorf("U+%04X is called stable but is not NFC", r)
		}
		if p := norm.NFC.PropertiesString(s); p.CCC() != 0 || !p.BoundaryBefore() {
			t.Errorf("U+%04X is called stable but combines (ccc %d)", r, p.CCC())
		}
		for _, prev := range []string{"a", "A", "и", "ا", "و", "ي", "e", "o", "u"} {
			if !norm.NFC.IsNormalString(prev + s) {
				t.Errorf("%q + U+%04X is not NFC", prev, r)
			}
		}
	}
	if n < 500 {
		t.Errorf("only %d stable runes", n)
	}
}
