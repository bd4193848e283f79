package sources

import (
	"os"
	"strings"
	"testing"

	"github.com/kurultai/kurultai/internal/ew"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestExtractPage(t *testing.T) {
	p, err := ExtractPage(readTestdata(t, "page.html"), "https://caspian-ledger.example/news/almaty")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(p.Text, "Protesters stormed and set fire to the mayor's office in Almaty on Wednesday") {
		t.Errorf("text starts %q", p.Text[:min(len(p.Text), 120)])
	}
	for _, junk := range []string{"Related headline", "Section 1", "console.log"} {
		if strings.Contains(p.Text, junk) {
			t.Errorf("text keeps %q", junk)
		}
	}
	if got := strings.Count(p.Text, "\n") + 1; got != 4 {
		t.Errorf("%d paragraphs, want 4", got)
	}
	if p.Title == "" {
		t.Error("no title")
	}
}

func TestExtractPageLang(t *testing.T) {
	page := `<html lang="ru-RU"><head><title>Отставка</title></head><body><article><p>` +
		strings.Repeat("Президент Казахстана принял отставку правительства, сообщила пресс-служба. ", 10) + `</p></article></body></html>`
	p, err := ExtractPage([]byte(page), "https://x.example/1")
	if err != nil {
		t.Fatal(err)
	}
	if p.Lang != ew.Russian {
		t.Errorf("lang %q", p.Lang)
	}
}

func TestExtractPageHostile(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"deep nesting", strings.Repeat("<div>", MaxDepth+1) + "x", "nested deeper than"},
		{"unclosed formatting", "<p>" + strings.Repeat("<b><i>", MaxDepth) + "x", "nested deeper than"},
		{"many elements", strings.Repeat("<span>a</span>", MaxElements+1), "more than"},
		{"empty", "", "no article text"},
		{"only script", "<script>alert(1)</script>", "no article text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ExtractPage([]byte(tt.body), "https://x.example/")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error with %q", err, tt.want)
			}
		})
	}
	// Many unclosed paragraphs and list items are ordinary HTML, not a bomb.
	ok := "<article>" + strings.Repeat("<p>Protesters gathered in the square of the city again today.", 400) + "</article>"
	if _, err := ExtractPage([]byte(ok), "https://x.example/"); err != nil {
		t.Errorf("unclosed paragraphs: %v", err)
	}
}

func FuzzExtractPage(f *testing.F) {
	f.Add(readTestdata(f, "page.html"))
	f.Add([]byte("<html><body><article><p>text</p></article></body></html>"))
	f.Add([]byte("<div><div><table><tr><td><b><i>x</table>"))
	f.Add([]byte("<meta charset=koi8-r><p>\xc1\xc2</p>"))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := ExtractPage(body, "https://x.example/")
		if err == nil && p.Text == "" {
			t.Fatal("no error and no text")
		}
	})
}

func BenchmarkExtractPage(b *testing.B) {
	page := readTestdata(b, "page.html")
	b.SetBytes(int64(len(page)))
	for b.Loop() {
		if _, err := ExtractPage(page, "https://x.example/"); err != nil {
			b.Fatal(err)
		}
	}
}
