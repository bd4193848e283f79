package sources

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/kurultai/kurultai/internal/ew"
)

// Limits bound what one fetch may cost.
type Limits struct {
	FeedBytes int64         // largest response read (a feed); default 5 MB
	PageBytes int64         // largest article page; default 2 MB
	Timeout   time.Duration // whole request, body included; default 30 s
	Redirects int           // most redirects followed; default 5
}

// DefaultLimits are the limits of NewFetcher when none are given.
func DefaultLimits() Limits {
	return Limits{FeedBytes: 5 << 20, PageBytes: 2 << 20, Timeout: 30 * time.Second, Redirects: 5}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.FeedBytes <= 0 {
		l.FeedBytes = d.FeedBytes
	}
	if l.PageBytes <= 0 {
		l.PageBytes = d.PageBytes
	}
	if l.Timeout <= 0 {
		l.Timeout = d.Timeout
	}
	if l.Redirects <= 0 {
		l.Redirects = d.Redirects
	}
	return l
}

// UserAgent is what the fetcher calls itself.
const UserAgent = "Kurultai-EarlyWarning/1 (+https://kurultai.example/bot)"

// Fetcher reads feeds and pages over HTTP within Limits. It is safe for
// concurrent use.
type Fetcher struct {
	client *http.Client
	limits Limits
}

// NewFetcher returns a fetcher with the given limits (zero fields take
// the defaults) over transport (nil: a transport of its own with dial,
// TLS and header timeouts).
func NewFetcher(l Limits, transport http.RoundTripper) *Fetcher {
	l = l.withDefaults()
	if transport == nil {
		transport = &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: l.Timeout,
			MaxIdleConnsPerHost:   2,
			IdleConnTimeout:       90 * time.Second,
		}
	}
	f := &Fetcher{limits: l}
	f.client = &http.Client{Transport: transport, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) > l.Redirects {
			return fmt.Errorf("too many redirects (more than %d)", l.Redirects)
		}
		if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
			return fmt.Errorf("redirect to a %q URL", req.URL.Scheme)
		}
		return nil
	}}
	return f
}

// Limits returns the fetcher's limits.
func (f *Fetcher) Limits() Limits { return f.limits }

// Result is what one fetch of a source gave.
type Result struct {
	URL          string // the final URL, after redirects
	Kind         string // "feed" or "page"
	Articles     []ew.Article
	NotModified  bool // the server answered 304: nothing new
	ETag         string
	LastModified string
	Charset      Charset
	Bytes        int
}

// Fetch reads a remote source: a conditional GET with the validators of
// the last fetch (etag, lastModified; empty for none), then the body as a
// feed if it is one, else as an article page. Errors say what went wrong
// in words an operator can act on.
func (f *Fetcher) Fetch(ctx context.Context, src Source, etag, lastModified string) (Result, error) {
	ctx, cancel := context.WithTimeout(ctx, f.limits.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src.URL, nil)
	if err != nil {
		return Result{}, fmt.Errorf("bad URL: %w", err)
	}
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set("Accept", "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/html;q=0.8, */*;q=0.5")
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	if lastModified != "" {
		req.Header.Set("If-Modified-Since", lastModified)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return Result{}, f.reason(ctx, err)
	}
	defer resp.Body.Close()
	res := Result{URL: resp.Request.URL.String(), ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}
	if resp.StatusCode == http.StatusNotModified {
		res.NotModified = true
		if res.ETag == "" {
			res.ETag = etag
		}
		if res.LastModified == "" {
			res.LastModified = lastModified
		}
		return res, nil
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return res, fmt.Errorf("HTTP %s", resp.Status)
	}
	if resp.ContentLength > f.limits.FeedBytes {
		return res, fmt.Errorf("response of %d bytes is larger than the limit of %d", resp.ContentLength, f.limits.FeedBytes)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, f.limits.FeedBytes+1))
	if err != nil {
		return res, f.reason(ctx, err)
	}
	if int64(len(body)) > f.limits.FeedBytes {
		return res, fmt.Errorf("response larger than the limit of %d bytes", f.limits.FeedBytes)
	}
	res.Bytes = len(body)
	return f.read(res, src, resp.Header.Get("Content-Type"), body)
}

// read decodes and parses a body fetched for src.
func (f *Fetcher) read(res Result, src Source, contentType string, body []byte) (Result, error) {
	utf, cs, err := Decode(contentType, body)
	if err != nil {
		return res, err
	}
	res.Charset = cs
	if IsFeed(utf) {
		res.Kind = "feed"
		arts, err := ParseFeed(utf, src.Name)
		if err != nil {
			return res, err
		}
		for i := range arts {
			if src.Lang != ew.Unknown {
				arts[i].Lang = src.Lang
			}
		}
		res.Articles = arts
		return res, nil
	}
	res.Kind = "page"
	if int64(len(body)) > f.limits.PageBytes {
		return res, fmt.Errorf("page larger than the limit of %d bytes", f.limits.PageBytes)
	}
	a, err := pageArticle(utf, res.URL, src)
	if err != nil {
		return res, err
	}
	res.Articles = []ew.Article{a}
	return res, nil
}

// pageArticle extracts the article of a page read for src.
func pageArticle(body []byte, pageURL string, src Source) (ew.Article, error) {
	p, err := ExtractPage(body, pageURL)
	if err != nil {
		return ew.Article{}, err
	}
	a := ew.Article{URL: pageURL, Source: src.Name, Title: p.Title, Text: p.Text, Lang: src.Lang, Published: p.Published}
	if a.Lang == ew.Unknown {
		a.Lang = p.Lang
	}
	if a.Source == "" {
		a.Source = p.SiteName
	}
	return a, nil
}

// reason turns a transport error into a clear one.
func (f *Fetcher) reason(ctx context.Context, err error) error {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("timed out after %s", f.limits.Timeout)
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("canceled")
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return fmt.Errorf("host %q not found", dns.Name)
	}
	msg := err.Error()
	if strings.Contains(msg, "connection refused") {
		return fmt.Errorf("connection refused")
	}
	return err
}
