package text

import (
	"reflect"
	"strings"
	"testing"
)

func tokenTexts(s string) []string {
	var out []string
	for _, t := range Tokens(s) {
		out = append(out, t.Text)
	}
	return out
}

func TestTokens(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"english", "Protests began, police said.", []string{"Protests", "began", "police", "said"}},
		{"turkish suffix", "5 Ocak'ta Almatı’da", []string{"5", "Ocak'ta", "Almatı’da"}},
		{"uzbek latin", "O'zbekiston Oʻzbekiston tog' bog'da", []string{"O'zbekiston", "Oʻzbekiston", "tog'", "bog'da"}},
		{"hyphen splits", "5-yanvarda Алма-Ата 5-én", []string{"5", "yanvarda", "Алма", "Ата", "5", "én"}},
		{"numbers", "5.1 percent, 1,5 млн; 2022.", []string{"5.1", "percent", "1,5", "млн", "2022"}},
		{"quoted", `'go' "Жаңаөзен"`, []string{"go'", "Жаңаөзен"}},
		{"arabic", "في 5 يناير، الحكومة.", []string{"في", "5", "يناير", "الحكومة"}},
		{"kazakh", "қаңтарда Жаңаөзенде", []string{"қаңтарда", "Жаңаөзенде"}},
		{"trailing apostrophe", "Kazakhs' view", []string{"Kazakhs", "view"}},
		{"empty", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := tokenTexts(tt.in)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Tokens(%q) = %q, want %q", tt.in, got, tt.want)
			}
			for _, tok := range Tokens(tt.in) {
				if tt.in[tok.Span.Start:tok.Span.End] != tok.Text {
					t.Errorf("token %q has span %+v = %q", tok.Text, tok.Span, tt.in[tok.Span.Start:tok.Span.End])
				}
			}
		})
	}
	if toks := Tokens("5 Ocak"); !toks[0].IsNumber() || toks[1].IsNumber() {
		t.Error("IsNumber wrong")
	}
}

func BenchmarkTokens(b *testing.B) {
	text := strings.Repeat("Protestolar 2 Ocak'ta Jañaözen'de başladı; Наразылық 2 қаңтарда басталды. ", 30)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		Tokens(text)
	}
}
