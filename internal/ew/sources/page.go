package sources

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"codeberg.org/readeck/go-readability/v2"

	"github.com/kurultai/kurultai/internal/ew"
)

// Page is the article read from an HTML page.
type Page struct {
	Title     string
	Text      string // paragraphs on lines of their own
	Lang      ew.Lang
	Published time.Time // zero when the page does not say
	SiteName  string
}

// ErrNoArticle means a page had no readable article text.
var ErrNoArticle = errors.New("page: no article text found")

// ExtractPage finds the article in an HTML page (UTF-8, see Decode) with
// go-readability (a port of Firefox's Reader View): the main text without
// navigation, teasers, scripts and comments. Pages nested deeper than
// MaxDepth or with more than MaxElements elements are refused first.
func ExtractPage(body []byte, pageURL string) (Page, error) {
	if err := checkHTML(body); err != nil {
		return Page{}, fmt.Errorf("page: %w", err)
	}
	u, err := url.Parse(pageURL)
	if err != nil || pageURL == "" {
		u = &url.URL{Scheme: "file", Path: "/page.html"}
	}
	a, err := readability.FromReader(bytes.NewReader(body), u)
	if err != nil {
		return Page{}, fmt.Errorf("page: %w", err)
	}
	var text strings.Builder
	if a.Node != nil {
		if err := a.RenderText(&text); err != nil {
			return Page{}, fmt.Errorf("page: %w", err)
		}
	}
	p := Page{Title: strings.TrimSpace(a.Title()), Text: tidy(text.String()), SiteName: strings.TrimSpace(a.SiteName())}
	if p.Text == "" {
		return Page{}, ErrNoArticle
	}
	p.Lang = langCode(a.Language())
	if t, err := a.PublishedTime(); err == nil {
		p.Published = t
	}
	return p, nil
}

// langCode maps a language tag ("ru", "kk-KZ", "uz-Latn") to a language
// early warning reads, or ew.Unknown.
func langCode(tag string) ew.Lang {
	tag = strings.ToLower(strings.TrimSpace(tag))
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	if l := ew.Lang(tag); l.Valid() {
		return l
	}
	return ew.Unknown
}
