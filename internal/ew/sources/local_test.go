package sources

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kurultai/kurultai/internal/ew"
)

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadPath(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a/01.txt", []byte("url: https://x.example/1\nsource: Steppe Wire\npublished: 2022-01-03T08:30:00Z\nlang: en\ntitle: T\n\nProtests in Zhanaozen.\n"))
	writeFile(t, dir, "b/page.html", readTestdata(t, "page.html"))
	writeFile(t, dir, "c/feed.rss", []byte(rssFeed))
	writeFile(t, dir, "c/feed.json", []byte(jsonFeed))
	writeFile(t, dir, "d/art.json", []byte(`[{"url":"https://y.example/1","source":"Y","text":"Protests in Aktau.","lang":"en","published":"2022-01-04T10:00:00Z"}]`))
	writeFile(t, dir, "d/plain.txt", encode(t, ruText, Windows1251))
	writeFile(t, dir, "e/ignored.pdf", []byte("%PDF"))
	writeFile(t, dir, ".hidden/x.txt", []byte("url: broken"))
	arts, err := ReadPath(dir, Source{Name: "Local", Lang: ew.Unknown}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range arts {
		got = append(got, a.Source+"|"+string(a.Lang)+"|"+firstWords(a.Text))
	}
	want := []string{
		"Steppe Wire|en|Protests in Zhanaozen.",
		"Local||Protesters stormed and",
		"Local|ru|Правительство ушло в",
		"Local|en|Hundreds of people",
		"Y|en|Protests in Aktau.",
		"Local||В Алматы продолжаются",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func firstWords(s string) string {
	f := strings.Fields(s)
	return strings.Join(f[:min(3, len(f))], " ")
}

func TestReadPathErrors(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "good.txt", []byte("Protests in Zhanaozen."))
	writeFile(t, dir, "bad.txt", []byte("url: https://x.example/1\nsource: S\n\nbody"))
	writeFile(t, dir, "bad.json", []byte(`{"text": 5}`))
	writeFile(t, dir, "big.xml", []byte(strings.Repeat("x", 200)))
	arts, err := ReadPath(dir, Source{Name: "L"}, 100)
	if len(arts) != 1 || arts[0].Text != "Protests in Zhanaozen." {
		t.Errorf("got %d articles, want the one good file", len(arts))
	}
	for _, want := range []string{"bad.txt:", "bad.json: json:", "big.xml: larger than the limit of 100 bytes"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not have %q", err, want)
		}
	}
	for _, tt := range []struct{ path, want string }{
		{filepath.Join(dir, "missing.txt"), "no such file"},
		{good + ".pdf", "no such file"},
	} {
		if _, err := ReadPath(tt.path, Source{}, 0); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want %q", tt.path, err, tt.want)
		}
	}
	pdf := writeFile(t, dir, "x.pdf", []byte("%PDF"))
	if _, err := ReadPath(pdf, Source{}, 0); err == nil || !strings.Contains(err.Error(), "unknown file type") {
		t.Errorf("pdf: %v", err)
	}
}
