package tok

import (
	"testing"

	"github.com/kurultai/kurultai/internal/ew"
)

func TestTokens(t *testing.T) {
	tests := []struct {
		text string
		l    ew.Lang
		want []string
	}{
		{"İSTANBUL'da IŞIK", ew.Turkish, []string{"istanbul'da", "ışık"}},
		{"İstanbul, Iowa", ew.English, []string{"istanbul", "iowa"}},
		{"Qozog‘istonda — o'zbek", ew.Uzbek, []string{"qozog'istonda", "o'zbek"}},
		{"В Алматы ЁЛКА", ew.Russian, []string{"в", "алматы", "елка"}},
		{"إِلى الكازاخستانيّة أحمد ٢٠٢٢", ew.Arabic, []string{"الي", "الكازاخستانيه", "احمد", "2022"}},
		{"'quoted' Kazakhstan's", ew.English, []string{"quoted", "kazakhstan's"}},
		{"Kazahsztánban", ew.Hungarian, []string{"kazahsztánban"}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			d := Tokenize(tt.text, tt.l, nil)
			toks := d.Tokens
			if len(toks) != len(tt.want) {
				t.Fatalf("got %d tokens %+v, want %q", len(toks), toks, tt.want)
			}
			for i, tk := range toks {
				if d.Key(i) != tt.want[i] {
					t.Errorf("token %d = %q, want %q", i, d.Key(i), tt.want[i])
				}
				if tk.Start < 0 || tk.End > len(tt.text) || tk.Start >= tk.End {
					t.Errorf("token %d span %d..%d", i, tk.Start, tk.End)
				}
			}
		})
	}
}

func TestTokensMatchFold(t *testing.T) {
	words := []string{"İSTANBUL", "IĞDIR", "Işıq", "ÖZBEKİSTAN", "Алматы", "ҚАЗАҚСТАН", "Ölüm", "BÉKE", "Ёлка", "ٱلقاهرة", "O‘zbekiston"}
	for _, l := range ew.Languages {
		for _, w := range words {
			d := Tokenize(w, l, nil)
			if len(d.Tokens) != 1 {
				t.Fatalf("%s: %d tokens", w, len(d.Tokens))
			}
			if got, want := d.Key(0), Fold(w, l); got != want {
				t.Errorf("%s/%s: Tokens key %q, Fold %q", l, w, got, want)
			}
		}
	}
}

func TestTokenFlags(t *testing.T) {
	toks := Tokenize("ОДКБ Almaty un", ew.Russian, nil).Tokens
	if !toks[0].Caps || !toks[0].Title || toks[1].Caps || !toks[1].Title || toks[2].Title {
		t.Errorf("flags %+v", toks)
	}
}

func TestTrimSuffixes(t *testing.T) {
	set := map[string]bool{"da": true, "de": true, "lar": true, "ın": true}
	tests := []struct {
		rest string
		want bool
	}{
		{"", true}, {"'da", true}, {"larda", true}, {"lardaın", true}, {"lardaındа", false}, {"x", false}, {"'", false},
	}
	for _, tt := range tests {
		if got := TrimSuffixes(tt.rest, set, 3); got != tt.want {
			t.Errorf("TrimSuffixes(%q) = %v, want %v", tt.rest, got, tt.want)
		}
	}
}

func BenchmarkTokens(b *testing.B) {
	text := ""
	for len(text) < 2048 {
		text += "Протесты из-за цен на газ начались в Жанаозене 2 января и перекинулись на Алматы. "
	}
	b.SetBytes(int64(len(text)))
	var d *Doc
	for b.Loop() {
		d = Tokenize(text, ew.Russian, d)
	}
}
