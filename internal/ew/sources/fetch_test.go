package sources

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/ew"
)

// hostile serves the kinds of broken and hostile responses a source may
// send, each under its own path.
func hostile(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	mux.HandleFunc("/feed", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, rssFeed)
	})
	mux.HandleFunc("/cp1251", func(w http.ResponseWriter, r *http.Request) {
		// A feed in windows-1251 whose header wrongly says UTF-8.
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		w.Write([]byte(`<?xml version="1.0"?><rss version="2.0"><channel><item><link>https://x.example/1</link><description>`))
		w.Write(encode(t, ruText, Windows1251))
		w.Write([]byte(`</description></item></channel></rss>`))
	})
	mux.HandleFunc("/page", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write(readTestdata(t, "page.html"))
	})
	mux.HandleFunc("/malformed", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<?xml version="1.0"?><rss><channel><item><title>x</ti`)
	})
	mux.HandleFunc("/bomb", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "<html><body>"+strings.Repeat("<div>", 100000))
	})
	mux.HandleFunc("/huge", func(w http.ResponseWriter, r *http.Request) {
		for range 64 { // 8 MB without a Content-Length
			w.Write([]byte(strings.Repeat("<p>la la la</p>", 1<<17/16)))
		}
	})
	mux.HandleFunc("/huge-declared", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100000000")
		w.Write([]byte("<p>"))
	})
	mux.HandleFunc("/bigpage", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("<html><body><article>" + strings.Repeat("<p>Protesters gathered again.</p>", 3<<20/32) + "</article></body></html>"))
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop?"+r.URL.RawQuery+"x", http.StatusFound)
	})
	mux.HandleFunc("/redirect5", func(w http.ResponseWriter, r *http.Request) {
		n := len(r.URL.RawQuery)
		if n < 5 {
			http.Redirect(w, r, "/redirect5?"+r.URL.RawQuery+"x", http.StatusFound)
			return
		}
		fmt.Fprint(w, rssFeed)
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	mux.HandleFunc("/trickle", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("<rss>"))
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	mux.HandleFunc("/error", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "boom", http.StatusInternalServerError)
	})
	mux.HandleFunc("/scheme", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestFetch(t *testing.T) {
	srv := hostile(t)
	f := NewFetcher(Limits{Timeout: 300 * time.Millisecond}, nil)
	ctx := context.Background()
	src := func(path string) Source { return Source{Name: "S", URL: srv.URL + path, Lang: ew.English} }

	res, err := f.Fetch(ctx, src("/feed"), "", "")
	if err != nil || res.Kind != "feed" || len(res.Articles) != 1 || res.ETag != `"v1"` {
		t.Fatalf("feed: %+v, %v", res, err)
	}
	if a := res.Articles[0]; a.Source != "S" || a.Lang != ew.English || a.URL != "https://steppe-wire.example/1" {
		t.Errorf("feed article %+v", a)
	}
	res, err = f.Fetch(ctx, src("/feed"), `"v1"`, "")
	if err != nil || !res.NotModified || res.ETag != `"v1"` || len(res.Articles) != 0 {
		t.Errorf("conditional GET: %+v, %v", res, err)
	}
	res, err = f.Fetch(ctx, src("/cp1251"), "", "")
	if err != nil || res.Charset.Name != Windows1251 || len(res.Articles) != 1 || res.Articles[0].Text != ruText {
		t.Errorf("wrong charset header: %+v, %v", res, err)
	}
	res, err = f.Fetch(ctx, src("/page"), "", "")
	if err != nil || res.Kind != "page" || len(res.Articles) != 1 || !strings.HasPrefix(res.Articles[0].Text, "Protesters stormed") {
		t.Errorf("page: %+v, %v", res, err)
	}
	res, err = f.Fetch(ctx, src("/redirect5"), "", "")
	if err != nil || len(res.Articles) != 1 {
		t.Errorf("five redirects: %v", err)
	}
}

func TestFetchHostile(t *testing.T) {
	srv := hostile(t)
	// A short timeout for the sources that stall, a generous one for the
	// rest so a loaded machine does not turn their errors into timeouts.
	short := NewFetcher(Limits{Timeout: 300 * time.Millisecond}, nil)
	f := NewFetcher(Limits{Timeout: 20 * time.Second}, nil)
	tests := []struct{ path, want string }{
		{"/malformed", "feed: malformed"},
		{"/bomb", "nested deeper than 256"},
		{"/huge", "larger than the limit of 5242880 bytes"},
		{"/huge-declared", "response of 100000000 bytes is larger than the limit"},
		{"/bigpage", "page larger than the limit of 2097152 bytes"},
		{"/loop", "too many redirects (more than 5)"},
		{"/slow", "timed out after 300ms"},
		{"/trickle", "timed out after 300ms"},
		{"/error", "HTTP 500 Internal Server Error"},
		{"/scheme", `redirect to a "file" URL`},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			t.Parallel()
			ff := f
			if strings.Contains(tt.want, "timed out") {
				ff = short
			}
			_, err := ff.Fetch(context.Background(), Source{Name: "S", URL: srv.URL + tt.path}, "", "")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error with %q", err, tt.want)
			}
		})
	}
	_, err := f.Fetch(context.Background(), Source{Name: "S", URL: "http://127.0.0.1:1/"}, "", "")
	if err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("closed port: %v", err)
	}
}
