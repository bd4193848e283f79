package text

import (
	"testing"

	"github.com/kurultai/kurultai/internal/ew"
)

func TestFold(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		lang ew.Lang
		want string
	}{
		{"already lower", ew.English, "already lower"},
		{"KAZAKHSTAN", ew.English, "kazakhstan"},
		{"ISTANBUL", ew.Turkish, "ıstanbul"},
		{"İSTANBUL", ew.Turkish, "istanbul"},
		{"İstanbul", ew.English, "istanbul"},
		{"İstanbul", ew.Russian, "istanbul"},
		{"IĞDIR", ew.Azerbaijani, "ığdır"},
		{"QAZAXISTAN", ew.Azerbaijani, "qazaxıstan"},
		{"ƏLİYEV", ew.Azerbaijani, "əliyev"},
		{"QAZAQSTAN", ew.Uzbek, "qazaqstan"},
		{"ҚАЗАҚСТАН", ew.Kazakh, "қазақстан"},
		{"ЁЛКА Ёж", ew.Russian, "елка еж"},
		{"ЁЛКА", ew.Kyrgyz, "ёлка"},
		{"الحكومة", ew.Arabic, "الحكومه"},
		{"ÖSSZEÜLT", ew.Hungarian, "összeült"},
		{"", ew.English, ""},
	}
	for _, tt := range tests {
		t.Run(string(tt.lang)+"/"+tt.in, func(t *testing.T) {
			t.Parallel()
			if got := Fold(tt.in, tt.lang); got != tt.want {
				t.Errorf("Fold(%q, %s) = %q, want %q", tt.in, tt.lang, got, tt.want)
			}
		})
	}
}

func BenchmarkFold(b *testing.B) {
	for _, bc := range []struct {
		name, word string
		lang       ew.Lang
	}{
		{"ascii-lower", "protesters", ew.English},
		{"ascii-upper", "Zhanaozen", ew.English},
		{"turkish", "İstanbul'da", ew.Turkish},
		{"kazakh", "Жаңаөзенде", ew.Kazakh},
		{"kazakh-lower", "жаңаөзенде", ew.Kazakh},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				Fold(bc.word, bc.lang)
			}
		})
	}
}

// TestFoldMatchesCases holds the fast Fold to the x/text/cases answer on
// text in every language.
func TestFoldMatchesCases(t *testing.T) {
	t.Parallel()
	samples := []string{
		"İSTANBUL Istanbul IĞDIR Şanlıurfa ÇAĞLAYAN", "ƏLİYEV Qazaxıstan BAKI",
		"ҚАЗАҚСТАН Жаңаөзен ҰЛТТЫҚ ІІМ", "КЫРГЫЗСТАН Бишкек ӨКМӨТ",
		"O'ZBEKISTON Toshkent ЎЗБЕКИСТОН ҲУКУМАТ", "МОСКВА Ёлка",
		"الحكومة أعلنت", "KAZAKHSTAN Almaty", "ÖSSZEÜLT ŐSZ ŰR Kazahsztán",
	}
	for _, l := range ew.Languages {
		for _, s := range samples {
			if got, want := Fold(s, l), FoldCases(s, l); got != want {
				t.Errorf("Fold(%q, %s) = %q, cases give %q", s, l, got, want)
			}
		}
	}
}
