package sources

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/kurultai/kurultai/internal/ew"
	"github.com/kurultai/kurultai/internal/ew/corpus"
)

// Extensions lists the file types ReadPath reads.
var Extensions = []string{".txt", ".html", ".htm", ".xml", ".rss", ".atom", ".json"}

// ReadPath reads the articles of a local file or of every file with a
// known extension in a folder and its subfolders (hidden ones skipped), in
// path order. Files are read whole up to limit bytes (0: 5 MB) and
// converted to UTF-8 like fetched bodies. A folder's unreadable files do
// not stop the others: their errors are joined, each naming its file.
//
//   - .txt: an article in the corpus format (header lines, a blank line,
//     the body: see data/corpus/README.md), or plain text when the first
//     line is no header;
//   - .html, .htm: an article page;
//   - .xml, .rss, .atom: a feed;
//   - .json: a JSON Feed, or Kurultai's article JSON (one object or a list
//     of objects with url, source, title, text, lang, published).
//
// src supplies the publisher and language hint for formats that do not
// carry their own.
func ReadPath(path string, src Source, limit int64) ([]ew.Article, error) {
	if limit <= 0 {
		limit = DefaultLimits().FeedBytes
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, unwrapPathError(err))
	}
	if !info.IsDir() {
		return readFile(path, src, limit)
	}
	var files []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != path && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.IsDir() && known(p) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, unwrapPathError(err))
	}
	sort.Strings(files)
	var out []ew.Article
	var errs []error
	for _, f := range files {
		arts, err := readFile(f, src, limit)
		if err != nil {
			errs = append(errs, err)
		}
		out = append(out, arts...)
	}
	return out, errors.Join(errs...)
}

func known(p string) bool {
	ext := strings.ToLower(filepath.Ext(p))
	for _, e := range Extensions {
		if ext == e {
			return true
		}
	}
	return false
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// readFile reads one file; errors name it.
func readFile(path string, src Source, limit int64) ([]ew.Article, error) {
	fail := func(err error) ([]ew.Article, error) { return nil, fmt.Errorf("%s: %w", path, err) }
	if !known(path) {
		return fail(fmt.Errorf("unknown file type %q (want one of %s)", filepath.Ext(path), strings.Join(Extensions, " ")))
	}
	f, err := os.Open(path)
	if err != nil {
		return fail(unwrapPathError(err))
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return fail(unwrapPathError(err))
	}
	if int64(len(raw)) > limit {
		return fail(fmt.Errorf("larger than the limit of %d bytes", limit))
	}
	body, _, err := Decode("", raw)
	if err != nil {
		return fail(err)
	}
	fileURL := "file://" + filepath.ToSlash(mustAbs(path))
	var arts []ew.Article
	switch strings.ToLower(filepath.Ext(path)) {
	case ".txt":
		arts, err = readText(path, body, src)
	case ".html", ".htm":
		var a ew.Article
		a, err = pageArticle(body, fileURL, src)
		arts = []ew.Article{a}
	case ".json":
		if bytes.Contains(body[:min(len(body), sniffLimit)], []byte("jsonfeed.org")) {
			arts, err = ParseFeed(body, src.Name)
		} else {
			arts, err = readArticleJSON(body)
		}
	default:
		arts, err = ParseFeed(body, src.Name)
	}
	if err != nil {
		return fail(err)
	}
	for i := range arts {
		if arts[i].Lang == ew.Unknown {
			arts[i].Lang = src.Lang
		}
		if arts[i].Source == "" {
			arts[i].Source = src.Name
		}
		if arts[i].URL == "" {
			arts[i].URL = fileURL
		}
	}
	return arts, nil
}

func mustAbs(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// headerLine matches the first line of a corpus-format file.
var headerLine = regexp.MustCompile(`^[a-z]+: `)

// readText reads a .txt file: the corpus format when it starts with a
// header line, else plain text.
func readText(path string, body []byte, src Source) ([]ew.Article, error) {
	if headerLine.Match(body) {
		d, err := corpus.ParseDoc(filepath.Base(path), body)
		if err != nil {
			return nil, err
		}
		return []ew.Article{d.Article}, nil
	}
	text := strings.TrimSpace(string(body))
	if text == "" {
		return nil, fmt.Errorf("empty")
	}
	return []ew.Article{{Source: src.Name, Text: text, Lang: src.Lang}}, nil
}

// articleJSON is Kurultai's article JSON.
type articleJSON struct {
	URL       string  `json:"url"`
	Source    string  `json:"source"`
	Title     string  `json:"title"`
	Text      string  `json:"text"`
	Lang      ew.Lang `json:"lang"`
	Published string  `json:"published"`
}

// readArticleJSON reads one article object or a list of them.
func readArticleJSON(body []byte) ([]ew.Article, error) {
	var list []articleJSON
	trimmed := bytes.TrimSpace(body)
	if bytes.HasPrefix(trimmed, []byte("[")) {
		if err := json.Unmarshal(trimmed, &list); err != nil {
			return nil, fmt.Errorf("json: %w", err)
		}
	} else {
		var one articleJSON
		if err := json.Unmarshal(trimmed, &one); err != nil {
			return nil, fmt.Errorf("json: %w", err)
		}
		list = []articleJSON{one}
	}
	out := make([]ew.Article, 0, len(list))
	for i, a := range list {
		if strings.TrimSpace(a.Text) == "" {
			return nil, fmt.Errorf("json: article %d: text: empty", i+1)
		}
		if a.Lang != ew.Unknown && !a.Lang.Valid() {
			return nil, fmt.Errorf("json: article %d: lang: %q is not supported", i+1, a.Lang)
		}
		art := ew.Article{URL: a.URL, Source: a.Source, Title: a.Title, Text: a.Text, Lang: a.Lang}
		if a.Published != "" {
			t, err := time.Parse(time.RFC3339, a.Published)
			if err != nil {
				return nil, fmt.Errorf("json: article %d: published: %q is not RFC 3339", i+1, a.Published)
			}
			art.Published = t
		}
		out = append(out, art)
	}
	return out, nil
}
