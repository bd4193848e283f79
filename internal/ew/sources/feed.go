package sources

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/kurultai/kurultai/internal/ew"
)

// MaxItems bounds the items read from one feed; a news feed carries tens.
const MaxItems = 1000

// IsFeed reports whether body (UTF-8) looks like an RSS, Atom or JSON feed.
func IsFeed(body []byte) bool {
	head := body[:min(len(body), sniffLimit)]
	return gofeed.DetectFeedType(bytes.NewReader(head)) != gofeed.FeedTypeUnknown
}

// prolog matches the encoding declaration of an XML prolog.
var prolog = regexp.MustCompile(`^(\s*<\?xml[^>]*?encoding\s*=\s*)(["'])[^"']*(["'])`)

// ParseFeed reads the items of a feed (body already converted to UTF-8 by
// Decode) as articles: link, title and text (the item's content, else its
// description, as plain text), the publication time, and the language of
// the feed when it is one early warning reads. source names the outlet.
// Items without a link and text are skipped; at most MaxItems are read.
func ParseFeed(body []byte, source string) ([]ew.Article, error) {
	if err := checkXML(body); err != nil {
		return nil, fmt.Errorf("feed: %w", err)
	}
	// The body is UTF-8 now whatever the prolog said.
	body = prolog.ReplaceAll(body, []byte("${1}${2}UTF-8${3}"))
	f, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	if err != nil {
		if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
			return nil, fmt.Errorf("feed: not an RSS, Atom or JSON feed")
		}
		return nil, fmt.Errorf("feed: malformed: %w", err)
	}
	lang := langCode(f.Language)
	if source == "" {
		source = strings.TrimSpace(f.Title)
	}
	var out []ew.Article
	for _, it := range f.Items {
		if it == nil {
			continue
		}
		if len(out) == MaxItems {
			break
		}
		text := htmlText(it.Content)
		if text == "" {
			text = htmlText(it.Description)
		}
		link := strings.TrimSpace(it.Link)
		if link == "" {
			link = strings.TrimSpace(it.GUID)
		}
		if link == "" && text == "" {
			continue
		}
		a := ew.Article{URL: link, Source: source, Title: htmlText(it.Title), Text: text, Lang: lang}
		switch {
		case it.PublishedParsed != nil:
			a.Published = *it.PublishedParsed
		case it.UpdatedParsed != nil:
			a.Published = *it.UpdatedParsed
		}
		if a.Published.After(time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)) || a.Published.Before(time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)) {
			a.Published = time.Time{}
		}
		out = append(out, a)
	}
	return out, nil
}
