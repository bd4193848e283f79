package corpus

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/kurultai/kurultai/internal/ew"
)

const goodDoc = "url: https://x.example/a\nsource: Steppe Wire\npublished: 2022-01-05T10:00:00Z\nlang: en\ntitle: Almaty\n\nRiots in Almaty on 5 January.\n"

func TestParseDoc(t *testing.T) {
	t.Parallel()
	d, err := ParseDoc("en/01-a.txt", []byte(goodDoc))
	if err != nil {
		t.Fatal(err)
	}
	want := ew.Article{URL: "https://x.example/a", Source: "Steppe Wire", Title: "Almaty",
		Text: "Riots in Almaty on 5 January.", Lang: ew.English,
		Published: time.Date(2022, 1, 5, 10, 0, 0, 0, time.UTC)}
	if d.Article != want || d.Path != "en/01-a.txt" || d.Body != "Riots in Almaty on 5 January." {
		t.Errorf("ParseDoc = %+v, want %+v", d, want)
	}
	crlf, err := ParseDoc("x", []byte("\ufeff"+strings.ReplaceAll(goodDoc, "\n", "\r\n")))
	if err != nil || crlf.Article != want {
		t.Errorf("CRLF and BOM: %+v, %v", crlf, err)
	}
	norm, err := ParseDoc("x", []byte(strings.Replace(goodDoc, "on 5 January", "في ٥ يناير", 1)))
	if err != nil || !strings.Contains(norm.Text, "في 5 يناير") || !strings.Contains(norm.Body, "٥") {
		t.Errorf("body not normalised into Text: %+v, %v", norm, err)
	}
}

func TestParseDocErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"no blank line", "url: x\nsource: y", "f.txt:2: no blank line"},
		{"not key value", "url x\n\nbody", `f.txt:1: header line "url x"`},
		{"unknown key", strings.Replace(goodDoc, "title:", "titel:", 1), `f.txt:5: unknown header "titel"`},
		{"duplicate", "url: a\nurl: b\n\nbody", "f.txt:2: url given twice (first on line 1)"},
		{"empty value", strings.Replace(goodDoc, "source: Steppe Wire", "source:", 1), "f.txt:2: source is empty"},
		{"bad lang", strings.Replace(goodDoc, "lang: en", "lang: fr", 1), `f.txt:4: lang "fr"`},
		{"bad time", strings.Replace(goodDoc, "2022-01-05T10:00:00Z", "5 Jan 2022", 1), `f.txt:3: published "5 Jan 2022" is not RFC 3339`},
		{"missing field", strings.Replace(goodDoc, "title: Almaty\n", "", 1), "f.txt: header title missing"},
		{"empty body", strings.Replace(goodDoc, "Riots in Almaty on 5 January.\n", "  \n", 1), "f.txt:7: body is empty"},
		{"invalid utf8", "url: \xff\n\nx", "f.txt: not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseDoc("f.txt", []byte(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseDoc error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestParseGold(t *testing.T) {
	t.Parallel()
	in := "# comment\n\n" +
		`{"article":"en/01-a.txt","type":"riot","date":"2022-01-05","country":"KZ","place":"Almaty","attribution":["Steppe Wire","Kazinform"]}` + "\n" +
		`{"article":"en/01-a.txt","type":"statement","date":null,"country":"KZ","place":null,"attribution":["Steppe Wire"]}` + "\n"
	gold, err := ParseGold("gold.jsonl", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(gold) != 2 {
		t.Fatalf("got %d events, want 2", len(gold))
	}
	g := gold[0]
	if g.Type != ew.Riot || g.Date != (ew.Date{Year: 2022, Month: 1, Day: 5}) || g.Country != "KZ" ||
		g.Place != "Almaty" || len(g.Attribution) != 2 || g.Line != 3 {
		t.Errorf("first event = %+v", g)
	}
	if !gold[1].Date.IsZero() || gold[1].Place != "" || gold[1].Line != 4 {
		t.Errorf("second event = %+v", gold[1])
	}
}

func TestParseGoldErrors(t *testing.T) {
	t.Parallel()
	base := `{"article":"en/01-a.txt","type":"riot","date":"2022-01-05","country":"KZ","place":"Almaty","attribution":["Steppe Wire"]}`
	tests := []struct {
		name, line, want string
	}{
		{"not json", "{article", "g:2: not a gold event object"},
		{"unknown field", strings.Replace(base, `"place"`, `"plaec"`, 1), `g:2: not a gold event object: json: unknown field "plaec"`},
		{"bad type", strings.Replace(base, "riot", "riots", 1), `g:2: type "riots" is not an event type`},
		{"bad date", strings.Replace(base, "2022-01-05", "5.1.2022", 1), `g:2: date: date "5.1.2022" is not YYYY-MM-DD`},
		{"bad country", strings.Replace(base, `"KZ"`, `"Kazakhstan"`, 1), `g:2: country "Kazakhstan"`},
		{"no attribution", strings.Replace(base, `["Steppe Wire"]`, `[]`, 1), "g:2: attribution is empty"},
		{"blank attribution", strings.Replace(base, `["Steppe Wire"]`, `["Steppe Wire"," "]`, 1), "g:2: attribution[1] is empty"},
		{"no article", strings.Replace(base, "en/01-a.txt", "", 1), "g:2: article is missing"},
		{"two values", base + " {}", "g:2: more than one JSON value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseGold("g", []byte(base+"\n"+tt.line+"\n"))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseGold error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestLoadFS(t *testing.T) {
	t.Parallel()
	gold := `{"article":"en/01-a.txt","type":"riot","date":"2022-01-05","country":"KZ","place":"Almaty","attribution":["Steppe Wire"]}` + "\n"
	good := fstest.MapFS{
		"README.md":   {Data: []byte("about")},
		"gold.jsonl":  {Data: []byte(gold)},
		"en/01-a.txt": {Data: []byte(goodDoc)},
		"en/02-b.txt": {Data: []byte(strings.Replace(goodDoc, "Riots", "Calm", 1))},
	}
	docs, g, err := LoadFS(good)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 2 || docs[0].Path != "en/01-a.txt" || docs[1].Path != "en/02-b.txt" || len(g) != 1 {
		t.Errorf("LoadFS = %d docs (%v), %d gold", len(docs), docs, len(g))
	}

	tests := []struct {
		name   string
		change func(fstest.MapFS)
		want   string
	}{
		{"gold names missing article", func(m fstest.MapFS) {
			m["gold.jsonl"] = &fstest.MapFile{Data: []byte(strings.Replace(gold, "01-a", "09-z", 1))}
		}, `corpus: gold.jsonl:1: article "en/09-z.txt": no such file`},
		{"publisher mismatch", func(m fstest.MapFS) {
			m["gold.jsonl"] = &fstest.MapFile{Data: []byte(strings.Replace(gold, `["Steppe Wire"]`, `["Kazinform"]`, 1))}
		}, `corpus: gold.jsonl:1: attribution must start with the publisher "Steppe Wire"`},
		{"lang mismatch", func(m fstest.MapFS) {
			m["kk/01-a.txt"] = &fstest.MapFile{Data: []byte(goodDoc)}
		}, `corpus: kk/01-a.txt: lang "en" does not match its directory`},
		{"bad directory", func(m fstest.MapFS) {
			m["english/01-a.txt"] = &fstest.MapFile{Data: []byte(goodDoc)}
		}, "corpus: directory english/: not a language code"},
		{"stray file", func(m fstest.MapFS) {
			m["en/notes.md"] = &fstest.MapFile{Data: []byte("x")}
		}, "corpus: en/notes.md: not an article"},
		{"bad doc", func(m fstest.MapFS) {
			m["en/03-c.txt"] = &fstest.MapFile{Data: []byte("title: x\n\n")}
		}, "corpus: en/03-c.txt: header url missing"},
		{"no gold", func(m fstest.MapFS) { delete(m, "gold.jsonl") }, "corpus: open gold.jsonl"},
		{"too big", func(m fstest.MapFS) {
			m["en/04-d.txt"] = &fstest.MapFile{Data: make([]byte, MaxFileSize+1)}
		}, "corpus: en/04-d.txt: larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := fstest.MapFS{}
			for k, v := range good {
				m[k] = v
			}
			tt.change(m)
			_, _, err := LoadFS(m)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("LoadFS error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
	if _, _, err := LoadFS(fstest.MapFS{"gold.jsonl": {Data: nil}}); err == nil || !strings.Contains(err.Error(), "no articles") {
		t.Errorf("empty corpus: %v", err)
	}
}

func TestLoadDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "en"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "en", "01-a.txt"), []byte(goodDoc), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, GoldFile), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	docs, gold, err := Load(dir)
	if err != nil || len(docs) != 1 || len(gold) != 0 {
		t.Errorf("Load = %d docs, %d gold, %v", len(docs), len(gold), err)
	}
	if _, _, err := Load(filepath.Join(dir, "missing")); err == nil {
		t.Error("Load of a missing directory succeeded")
	}
}

func FuzzParseDoc(f *testing.F) {
	f.Add([]byte(goodDoc))
	f.Add([]byte("url: a\nurl: b\n\nbody"))
	f.Add([]byte("\ufefflang: kk\r\n\r\nx"))
	f.Add([]byte(":\n\n"))
	f.Add([]byte("published: 2022-13-45T99:00:00Z\n\nx"))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := ParseDoc("f.txt", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.txt") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		if !d.Lang.Valid() || d.Source == "" || d.URL == "" || d.Title == "" || d.Body == "" || d.Published.IsZero() {
			t.Fatalf("accepted an incomplete doc: %+v", d)
		}
	})
}

func FuzzParseGold(f *testing.F) {
	f.Add([]byte(`{"article":"en/01-a.txt","type":"riot","date":"2022-01-05","country":"KZ","place":"Almaty","attribution":["S"]}`))
	f.Add([]byte("# x\n\n{}\n"))
	f.Add([]byte(`{"date":null,"place":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		gold, err := ParseGold("g", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "g:") {
				t.Fatalf("error %q does not name the file and line", err)
			}
			return
		}
		for _, g := range gold {
			if !g.Type.Valid() || len(g.Country) != 2 || len(g.Attribution) == 0 || g.Article == "" || g.Line < 1 {
				t.Fatalf("accepted an invalid event: %+v", g)
			}
		}
	})
}
