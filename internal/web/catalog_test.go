package web

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestCatalogsCoverTemplates checks that every message a template asks
// for is in the catalogs (New already checks that the three catalogs have
// the same keys).
func TestCatalogsCoverTemplates(t *testing.T) {
	cat, err := loadCatalogs()
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`\.T "([a-z0-9_.]+)"`)
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		data, err := templateFS.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(data), -1) {
			if _, ok := cat.msgs["en"][m[1]]; !ok {
				t.Errorf("%s: message %q is not in the catalogs", f, m[1])
			}
		}
	}
	for _, lang := range languages {
		for k, v := range cat.msgs[lang] {
			if strings.TrimSpace(v) == "" {
				t.Errorf("%s: %q is empty", lang, k)
			}
		}
	}
}

func TestLocalizerFormats(t *testing.T) {
	for _, tc := range []struct {
		lang string
		d    time.Duration
		want string
	}{
		{"en", 12 * time.Hour, "12h"},
		{"en", 36 * time.Hour, "1d 12h"},
		{"en", 11*time.Hour + 20*time.Minute, "11h 20m"},
		{"tr", 4 * 24 * time.Hour, "4g"},
		{"ru", 5 * time.Minute, "5мин"},
	} {
		cat, err := loadCatalogs()
		if err != nil {
			t.Fatal(err)
		}
		l := &localizer{Lang: tc.lang, msgs: cat.msgs[tc.lang], en: cat.msgs["en"], tz: time.UTC}
		if got := l.Duration(tc.d); got != tc.want {
			t.Errorf("%s Duration(%v) = %q, want %q", tc.lang, tc.d, got, tc.want)
		}
	}
}

func TestDiffWords(t *testing.T) {
	got := diffWords("The members express solidarity.", "The member states express full solidarity.")
	var b strings.Builder
	for _, op := range got {
		b.WriteString(op.Op + "[" + op.Text + "]")
	}
	want := " [The]-[members]+[member states]" + " [express]+[full]" + " [solidarity.]"
	if b.String() != want {
		t.Errorf("diff = %s, want %s", b.String(), want)
	}
}
