package text

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func sentenceTexts(s string) []string {
	var out []string
	for _, sp := range Sentences(s) {
		out = append(out, s[sp.Start:sp.End])
	}
	return out
}

func TestSentences(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"english", "Protests began on Sunday. Police detained dozens! Why?",
			[]string{"Protests began on Sunday.", "Police detained dozens!", "Why?"}},
		{"abbreviations", "Dr. Smith met Prof. Jones. No. 5 was closed.",
			[]string{"Dr. Smith met Prof. Jones.", "No. 5 was closed."}},
		{"decimal", "Prices rose 5.1 percent. Then fell.", []string{"Prices rose 5.1 percent.", "Then fell."}},
		{"initials", "K. Tokayev spoke. Q. Toqayev too.", []string{"K. Tokayev spoke.", "Q. Toqayev too."}},
		{"russian", "Это произошло 5 января 2022 г. в Алматы, т.е. в центре. Власти заявили об этом.",
			[]string{"Это произошло 5 января 2022 г. в Алматы, т.е. в центре.", "Власти заявили об этом."}},
		{"russian im", "Выступил проф. Иванов из ун-та им. Абая. Конец.",
			[]string{"Выступил проф. Иванов из ун-та им. Абая.", "Конец."}},
		{"kazakh", "Наразылық 2 қаңтарда басталды. 2022 ж. 5 қаңтарда үкімет отставкаға кетті.",
			[]string{"Наразылық 2 қаңтарда басталды.", "2022 ж. 5 қаңтарда үкімет отставкаға кетті."}},
		{"turkish", "Protestolar 2 Ocak'ta başladı. Dr. Ahmet açıklama yaptı.",
			[]string{"Protestolar 2 Ocak'ta başladı.", "Dr. Ahmet açıklama yaptı."}},
		{"hungarian date", "2022. január 5-én lemondott a kormány. A rendkívüli állapot kihirdetése után pl. kijárási tilalom jött.",
			[]string{"2022. január 5-én lemondott a kormány.", "A rendkívüli állapot kihirdetése után pl. kijárási tilalom jött."}},
		{"arabic", "أعلنت الحكومة استقالتها. هل انتهت الأزمة؟ لا أحد يعرف.",
			[]string{"أعلنت الحكومة استقالتها.", "هل انتهت الأزمة؟", "لا أحد يعرف."}},
		{"urdu stop", "ایک۔ دو", []string{"ایک۔", "دو"}},
		{"quotes", `He said: "We are ready." The talks went on. «Мы готовы.» Потом`,
			[]string{`He said: "We are ready."`, "The talks went on.", "«Мы готовы.»", "Потом"}},
		{"ellipsis", "Wait... then go. They waited… Nothing happened.",
			[]string{"Wait... then go.", "They waited…", "Nothing happened."}},
		{"question exclamation", "Really?! Yes.", []string{"Really?!", "Yes."}},
		{"headline lines", "Unrest in Almaty\nPolice said it was over.\n\nnew paragraph",
			[]string{"Unrest in Almaty", "Police said it was over.", "new paragraph"}},
		{"wrapped line", "The state of emergency was\nextended to the whole country.",
			[]string{"The state of emergency was\nextended to the whole country."}},
		{"month abbreviation", "It began on Jan. 2 in Zhanaozen. Then Almaty.",
			[]string{"It began on Jan. 2 in Zhanaozen.", "Then Almaty."}},
		{"no terminator", "  just words  ", []string{"just words"}},
		{"empty", "", nil},
		{"url", "See kurultai.example/news. Done.", []string{"See kurultai.example/news.", "Done."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := sentenceTexts(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Sentences(%q)\n got  %q\n want %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzSentences(f *testing.F) {
	for _, s := range []string{"", "a. b", "Dr. X. Y! z?\n\nw", "«Мы.» Да…", "\xff. \xfe", "5.1. 2", "..."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		prev := 0
		for _, sp := range Sentences(s) {
			if sp.Start < prev || sp.End <= sp.Start || sp.End > len(s) {
				t.Fatalf("bad span %+v after %d in %d bytes", sp, prev, len(s))
			}
			if utf8.ValidString(s) && !utf8.ValidString(s[sp.Start:sp.End]) {
				t.Fatalf("span %+v cuts a character", sp)
			}
			prev = sp.End
		}
		prev = 0
		for _, tok := range Tokens(s) {
			if tok.Span.Start < prev || tok.Span.End <= tok.Span.Start || tok.Span.End > len(s) || s[tok.Span.Start:tok.Span.End] != tok.Text {
				t.Fatalf("bad token %+v after %d", tok, prev)
			}
			prev = tok.Span.End
		}
	})
}

func BenchmarkSentences(b *testing.B) {
	text := strings.Repeat("Protests began on 2 January in Zhanaozen, Mangystau region. Dr. Smith said prices rose 5.1 percent! ", 25)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		Sentences(text)
	}
}
