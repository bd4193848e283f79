package sources

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/net/html"
)

// MaxDepth bounds how deeply elements of a page or feed may nest, and
// MaxElements how many a page may have: the HTML and feed parsers build a
// tree, and a "bomb" of a few megabytes of unclosed tags would cost far
// more memory and time than any news page needs.
const (
	MaxDepth    = 256
	MaxElements = 100_000
)

// noDepth are HTML elements that never hold others (void elements) or
// whose end tag may be left out (a new <p> or <li> closes the last), so
// they do not count toward depth.
var noDepth = map[string]bool{
	"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true, "img": true,
	"input": true, "link": true, "meta": true, "param": true, "source": true, "track": true, "wbr": true,
	"p": true, "li": true, "dt": true, "dd": true, "option": true, "optgroup": true, "tr": true,
	"td": true, "th": true, "tbody": true, "thead": true, "tfoot": true, "colgroup": true,
	"rb": true, "rt": true, "rp": true,
}

// checkHTML refuses HTML that nests deeper than MaxDepth or has more than
// MaxElements elements, reading it once with the tokenizer (which keeps
// no tree).
func checkHTML(b []byte) error {
	z := html.NewTokenizer(bytes.NewReader(b))
	depth, elems := 0, 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			if errors.Is(z.Err(), io.EOF) {
				return nil
			}
			return fmt.Errorf("html: %w", z.Err())
		case html.StartTagToken:
			elems++
			if elems > MaxElements {
				return fmt.Errorf("html: more than %d elements", MaxElements)
			}
			name, _ := z.TagName()
			if !noDepth[string(name)] {
				depth++
				if depth > MaxDepth {
					return fmt.Errorf("html: elements nested deeper than %d", MaxDepth)
				}
			}
		case html.SelfClosingTagToken:
			elems++
			if elems > MaxElements {
				return fmt.Errorf("html: more than %d elements", MaxElements)
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			if !noDepth[string(name)] && depth > 0 {
				depth--
			}
		}
	}
}

// checkXML refuses XML that nests deeper than MaxDepth.
func checkXML(b []byte) error {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = false
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	depth := 0
	for {
		tok, err := d.RawToken()
		if err != nil {
			// Syntax errors are the feed parser's to report.
			return nil
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
			if depth > MaxDepth {
				return fmt.Errorf("xml: elements nested deeper than %d", MaxDepth)
			}
		case xml.EndElement:
			if depth > 0 {
				depth--
			}
		}
	}
}

// blocks are the elements that end a line of text.
var blocks = map[string]bool{
	"p": true, "div": true, "br": true, "li": true, "h1": true, "h2": true, "h3": true, "h4": true,
	"h5": true, "h6": true, "tr": true, "blockquote": true, "section": true, "article": true,
	"header": true, "footer": true, "table": true, "ul": true, "ol": true, "pre": true, "figure": true,
}

// htmlText returns the text of an HTML fragment (a feed item's
// description): tags dropped, scripts and styles skipped, entities
// decoded, block elements on lines of their own. Plain text passes
// through with its entities decoded.
func htmlText(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return strings.TrimSpace(s)
	}
	z := html.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	skip := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			return tidy(b.String())
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			switch n := string(name); {
			case n == "script" || n == "style":
				skip++
			case blocks[n]:
				b.WriteByte('\n')
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			switch n := string(name); {
			case n == "script" || n == "style":
				skip = max(0, skip-1)
			case blocks[n]:
				b.WriteByte('\n')
			}
		}
	}
}

// tidy trims each line, collapses runs of spaces and drops empty lines.
func tidy(s string) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if line = strings.Join(strings.Fields(line), " "); line != "" {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}
