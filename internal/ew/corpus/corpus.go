// Package corpus reads the labelled evaluation corpus of early warning:
// short news articles, one file each under a directory per language, and
// the gold events a careful human coder extracts from them, one JSON
// object per line in gold.jsonl. data/corpus/README.md describes the
// format and the coding rules; `kurultai eval` and the tests of the early
// warning packages read the corpus through Load.
package corpus

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kurultai/kurultai/internal/ew"
	"github.com/kurultai/kurultai/internal/ew/text"
)

// GoldFile is the name of the gold events file at the corpus root.
const GoldFile = "gold.jsonl"

// MaxFileSize bounds one article or the gold file; a corpus file is a
// short article, so anything larger is a mistake.
const MaxFileSize = 1 << 20

// Doc is one corpus article.
type Doc struct {
	// Path is the file's slash-separated path relative to the corpus
	// root, e.g. "kk/03-almaty.txt"; gold events name their article by it.
	Path string
	// Article carries the header fields and the body; its Text is the
	// body after text.Normalize.
	ew.Article
	// Body is the body exactly as written in the file.
	Body string
}

// Gold is one event that a human coder extracted from an article.
type Gold struct {
	Article     string       // the Doc.Path of the article
	Type        ew.EventType // what happened
	Date        ew.Date      // zero when the article gives no date for it
	Country     string       // ISO 3166 alpha-2 of where it happened or whom it concerns
	Place       string       // the most specific place named, in English; "" when none
	Attribution []string     // publisher first, then who it cites, nearest first
	Line        int          // its line in gold.jsonl
}

// Load reads the corpus rooted at dir: every <lang>/*.txt file and
// gold.jsonl. Errors name the file and line at fault. Docs come sorted by
// path; gold events in file order.
func Load(dir string) ([]Doc, []Gold, error) {
	return LoadFS(os.DirFS(dir))
}

// LoadFS is Load over a file system rooted at the corpus directory.
func LoadFS(fsys fs.FS) ([]Doc, []Gold, error) {
	docs, err := loadDocs(fsys)
	if err != nil {
		return nil, nil, err
	}
	data, err := readFile(fsys, GoldFile)
	if err != nil {
		return nil, nil, err
	}
	gold, err := ParseGold(GoldFile, data)
	if err != nil {
		return nil, nil, fmt.Errorf("corpus: %w", err)
	}
	byPath := make(map[string]*Doc, len(docs))
	for i := range docs {
		byPath[docs[i].Path] = &docs[i]
	}
	for _, g := range gold {
		d := byPath[g.Article]
		if d == nil {
			return nil, nil, fmt.Errorf("corpus: %s:%d: article %q: no such file", GoldFile, g.Line, g.Article)
		}
		if g.Attribution[0] != d.Source {
			return nil, nil, fmt.Errorf("corpus: %s:%d: attribution must start with the publisher %q of %s, not %q",
				GoldFile, g.Line, d.Source, g.Article, g.Attribution[0])
		}
	}
	return docs, gold, nil
}

func loadDocs(fsys fs.FS) ([]Doc, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("corpus: %w", err)
	}
	var docs []Doc
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if !ew.Lang(e.Name()).Valid() {
			return nil, fmt.Errorf("corpus: directory %s/: not a language code", e.Name())
		}
		files, err := fs.ReadDir(fsys, e.Name())
		if err != nil {
			return nil, fmt.Errorf("corpus: %w", err)
		}
		for _, f := range files {
			p := path.Join(e.Name(), f.Name())
			if f.IsDir() || !strings.HasSuffix(f.Name(), ".txt") {
				return nil, fmt.Errorf("corpus: %s: not an article (want <lang>/<nn>-<slug>.txt)", p)
			}
			data, err := readFile(fsys, p)
			if err != nil {
				return nil, err
			}
			d, err := ParseDoc(p, data)
			if err != nil {
				return nil, fmt.Errorf("corpus: %w", err)
			}
			if string(d.Lang) != e.Name() {
				return nil, fmt.Errorf("corpus: %s: lang %q does not match its directory", p, d.Lang)
			}
			docs = append(docs, d)
		}
	}
	if len(docs) == 0 {
		return nil, errors.New("corpus: no articles (want <lang>/<nn>-<slug>.txt files)")
	}
	sort.Slice(docs, func(i, j int) bool { return docs[i].Path < docs[j].Path })
	return docs, nil
}

func readFile(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("corpus: %w", err)
	}
	defer f.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(io.LimitReader(f, MaxFileSize+1)); err != nil {
		return nil, fmt.Errorf("corpus: read %s: %w", name, err)
	}
	if buf.Len() > MaxFileSize {
		return nil, fmt.Errorf("corpus: %s: larger than %d bytes", name, MaxFileSize)
	}
	return buf.Bytes(), nil
}

// headerKeys are the header fields of an article, all required.
var headerKeys = []string{"url", "source", "published", "lang", "title"}

// ParseDoc parses one article file: header lines "key: value" (url,
// source, published as RFC 3339, lang, title), a blank line, then the
// body. name is used in errors and as the Doc's Path.
func ParseDoc(name string, data []byte) (Doc, error) {
	if !utf8.Valid(data) {
		return Doc{}, fmt.Errorf("%s: not valid UTF-8", name)
	}
	s := strings.TrimPrefix(string(data), "\ufeff")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	d := Doc{Path: name}
	seen := map[string]int{}
	line := 0
	for {
		line++
		nl := strings.IndexByte(s, '\n')
		if nl < 0 {
			return Doc{}, fmt.Errorf("%s:%d: no blank line between header and body", name, line)
		}
		l := strings.TrimRight(s[:nl], " \t")
		s = s[nl+1:]
		if l == "" {
			break
		}
		key, value, ok := strings.Cut(l, ":")
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		if !ok || key == "" {
			return Doc{}, fmt.Errorf("%s:%d: header line %q is not \"key: value\"", name, line, l)
		}
		if prev, dup := seen[key]; dup {
			return Doc{}, fmt.Errorf("%s:%d: %s given twice (first on line %d)", name, line, key, prev)
		}
		seen[key] = line
		if value == "" {
			return Doc{}, fmt.Errorf("%s:%d: %s is empty", name, line, key)
		}
		switch key {
		case "url":
			d.URL = value
		case "source":
			d.Source = value
		case "title":
			d.Title = value
		case "lang":
			d.Lang = ew.Lang(value)
			if !d.Lang.Valid() {
				return Doc{}, fmt.Errorf("%s:%d: lang %q is not one of %v", name, line, value, ew.Languages)
			}
		case "published":
			t, err := time.Parse(time.RFC3339, value)
			if err != nil {
				return Doc{}, fmt.Errorf("%s:%d: published %q is not RFC 3339 (2022-01-05T10:00:00Z)", name, line, value)
			}
			d.Published = t
		default:
			return Doc{}, fmt.Errorf("%s:%d: unknown header %q (want %s)", name, line, key, strings.Join(headerKeys, ", "))
		}
	}
	for _, k := range headerKeys {
		if _, ok := seen[k]; !ok {
			return Doc{}, fmt.Errorf("%s: header %s missing", name, k)
		}
	}
	d.Body = strings.TrimSpace(s)
	if d.Body == "" {
		return Doc{}, fmt.Errorf("%s:%d: body is empty", name, line+1)
	}
	d.Text = text.Normalize(d.Body)
	return d, nil
}

var countryCode = regexp.MustCompile(`^[A-Z]{2}$`)

// goldLine is the JSON form of a gold event.
type goldLine struct {
	Article     string   `json:"article"`
	Type        string   `json:"type"`
	Date        *string  `json:"date"`
	Country     string   `json:"country"`
	Place       *string  `json:"place"`
	Attribution []string `json:"attribution"`
}

// ParseGold parses gold.jsonl: one event per line; blank lines and lines
// starting with # are skipped. name is used in errors ("gold.jsonl:12: ...").
func ParseGold(name string, data []byte) ([]Gold, error) {
	var out []Gold
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), MaxFileSize)
	n := 0
	for sc.Scan() {
		n++
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		g, err := parseGoldLine(l)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, n, err)
		}
		g.Line = n
		out = append(out, g)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", name, n+1, err)
	}
	return out, nil
}

func parseGoldLine(l string) (Gold, error) {
	var gl goldLine
	dec := json.NewDecoder(strings.NewReader(l))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&gl); err != nil {
		return Gold{}, fmt.Errorf("not a gold event object: %w", err)
	}
	if dec.More() {
		return Gold{}, errors.New("more than one JSON value on the line")
	}
	g := Gold{Article: gl.Article, Type: ew.EventType(gl.Type), Country: gl.Country, Attribution: gl.Attribution}
	switch {
	case g.Article == "":
		return Gold{}, errors.New("article is missing")
	case !g.Type.Valid():
		return Gold{}, fmt.Errorf("type %q is not an event type (%v)", gl.Type, ew.EventTypes)
	case !countryCode.MatchString(g.Country):
		return Gold{}, fmt.Errorf("country %q is not an ISO 3166 alpha-2 code", g.Country)
	case len(g.Attribution) == 0:
		return Gold{}, errors.New("attribution is empty (the publisher comes first)")
	}
	for i, a := range g.Attribution {
		if strings.TrimSpace(a) == "" {
			return Gold{}, fmt.Errorf("attribution[%d] is empty", i)
		}
	}
	if gl.Date != nil {
		d, err := ew.ParseDate(*gl.Date)
		if err != nil {
			return Gold{}, fmt.Errorf("date: %w", err)
		}
		g.Date = d
	}
	if gl.Place != nil {
		g.Place = *gl.Place
	}
	return g, nil
}
