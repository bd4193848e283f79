package sources

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestValidate(t *testing.T) {
	ok := Source{Name: "Steppe Wire", URL: "https://steppe-wire.example/rss", Lang: "en", Interval: Duration(15 * time.Minute)}
	tests := []struct {
		name string
		edit func(*Source)
		want string // "" for valid
	}{
		{"valid", func(*Source) {}, ""},
		{"local path", func(s *Source) { s.URL = "/srv/news" }, ""},
		{"file URL", func(s *Source) { s.URL = "file:///srv/news" }, ""},
		{"no language", func(s *Source) { s.Lang = "" }, ""},
		{"empty name", func(s *Source) { s.Name = "" }, "name: empty"},
		{"spaced name", func(s *Source) { s.Name = " x" }, "name: leading or trailing space"},
		{"ftp", func(s *Source) { s.URL = "ftp://x.example/feed" }, `url: scheme "ftp" is not http, https or file`},
		{"no host", func(s *Source) { s.URL = "http:///feed" }, "has no host"},
		{"empty URL", func(s *Source) { s.URL = "" }, "url: empty"},
		{"language", func(s *Source) { s.Lang = "fr" }, `lang: "fr" is not one of`},
		{"interval", func(s *Source) { s.Interval = Duration(30 * time.Second) }, "interval: 30s is shorter than 1m0s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := ok
			tt.edit(&s)
			err := s.Validate()
			if tt.want == "" {
				if err != nil {
					t.Errorf("got %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want %q", err, tt.want)
			}
		})
	}
}

func TestFileRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	f, err := LoadFile(path)
	if err != nil || len(f.Sources) != 0 {
		t.Fatalf("missing file: %+v, %v", f, err)
	}
	f.Sources = []Source{{Name: "b", URL: "https://b.example/", Interval: Duration(time.Hour)}, {Name: "a", URL: "/srv/a", Lang: "kk", Interval: Duration(time.Minute)}}
	if err := f.Save(path); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if !strings.Contains(string(b), `"interval": "1h0m0s"`) {
		t.Errorf("file:\n%s", b)
	}
	g, err := LoadFile(path)
	if err != nil || len(g.Sources) != 2 || g.Sources[0].Name != "a" || g.Sources[1].Interval != Duration(time.Hour) {
		t.Errorf("loaded %+v, %v", g, err)
	}
	os.WriteFile(path, []byte(`{"sources":[{"name":"x","url":"gopher://x","interval":"1h"}]}`), 0o644)
	if _, err := LoadFile(path); err == nil || !strings.Contains(err.Error(), `source 1 ("x"): url: scheme "gopher"`) {
		t.Errorf("bad file: %v", err)
	}
	var d Duration
	if err := json.Unmarshal([]byte(`"soon"`), &d); err == nil {
		t.Error("bad duration accepted")
	}
	if err := json.Unmarshal([]byte(`90`), &d); err != nil || time.Duration(d) != 90*time.Second {
		t.Errorf("seconds: %v %v", d, err)
	}
}
