package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/kurultai/kurultai/internal/ew"
	"github.com/kurultai/kurultai/internal/ew/ewstore"
	"github.com/kurultai/kurultai/internal/ew/sources"
	"github.com/kurultai/kurultai/internal/ew/story"
	"github.com/kurultai/kurultai/internal/seed"
)

// ewStory stores, through the real early-warning sink, one story of n
// articles about country with one event each, released to audience.
func (w *world) ewStory(audience, country, title string, n int) string {
	w.t.Helper()
	sec, err := w.store.Participant(w.ctx, "SEC")
	if err != nil {
		w.t.Fatal(err)
	}
	sink, err := ewstore.New(ewstore.Config{Store: w.store, Principal: seed.SystemPrincipal(sec), Audience: audience, Clock: w.clock.Tick})
	if err != nil {
		w.t.Fatal(err)
	}
	if err := sink.Init(w.ctx); err != nil {
		w.t.Fatal(err)
	}
	t0 := w.clock.Now().Add(-10 * time.Hour).Truncate(time.Hour)
	st := story.Story{ID: country + "-protest-" + ew.DateOf(t0).String(), Country: country, Type: ew.Protest, FirstDate: ew.DateOf(t0), LastDate: ew.DateOf(t0),
		FirstSeen: t0, LastSeen: t0.Add(time.Duration(n) * time.Hour), Articles: n, Languages: map[ew.Lang]int{"ru": n}, Hourly: map[time.Time]int{}}
	for i := range n {
		at := t0.Add(time.Duration(i) * time.Hour)
		url := "https://news.example/" + strings.ToLower(country) + "/" + string(rune('a'+i))
		a := ew.Article{URL: url, Source: "Example News", Title: title + " " + string(rune('A'+i)), Text: "Crowds gathered in the square.", Lang: "ru", Published: at}
		e := ew.Event{Type: ew.Protest, Date: ew.DateOf(t0), Country: country, Place: "Square", Attribution: []string{"Example News", "Interior Ministry"},
			Language: "ru", Evidence: "Crowds gathered in the square.", Confidence: 0.8, ArticleURL: url}
		if err := sink.Articles(w.ctx, []ew.Article{a}); err != nil {
			w.t.Fatal(err)
		}
		if err := sink.Events(w.ctx, []ew.Event{e}); err != nil {
			w.t.Fatal(err)
		}
		st.Hourly[at] = 1 + i
	}
	if err := sink.Stories(w.ctx, []story.Story{st}); err != nil {
		w.t.Fatal(err)
	}
	return ewstore.GroupingID(st.ID)
}

func withSources(list []sources.Status) func(*world, *Config) {
	return func(_ *world, c *Config) {
		c.Sources = func(context.Context) ([]sources.Status, error) { return list, nil }
	}
}

func testSources(at time.Time) []sources.Status {
	return []sources.Status{
		{Source: sources.Source{Name: "Kazinform", URL: "https://kazinform.example/rss", Lang: "ru", Interval: sources.Duration(15 * time.Minute)},
			Health: sources.Health{LastAttempt: at, LastSuccess: at, Items: 42}},
		{Source: sources.Source{Name: "Broken Daily", URL: "https://broken.example/rss", Lang: "kk", Interval: sources.Duration(15 * time.Minute)},
			Health: sources.Health{LastAttempt: at, LastError: "status 503", LastErrorAt: at, Failures: 3}},
		{Source: sources.Source{Name: "Wire", URL: "https://wire.example/rss"}},
	}
}

func TestEarlyWarningPage(t *testing.T) {
	w := newWorld(t, withSources(testSources(time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC))))
	id := w.ewStory("members", "KZ", "Protest in Zhanaozen", 4)
	c := w.login("kz-liaison")
	status, _, doc := c.get("/early-warning")
	if status != http.StatusOK {
		t.Fatalf("GET /early-warning: %d", status)
	}
	row := find(doc, byAttr("data-story", id))
	if row == nil {
		t.Fatalf("no row for story %s", id)
	}
	if find(row, byTag("svg")) == nil || find(row, byTag("polyline")) == nil {
		t.Error("the story has no sparkline")
	}
	if by := find(row, func(n *html.Node) bool { return n.Data == "td" && textOf(n) == "SEC" }); by == nil {
		t.Errorf("the story does not say who wrote it (SEC): %s", textOf(row))
	}
	if txt := textOf(row); !strings.Contains(txt, "KZ") || !strings.Contains(txt, "protest") || !strings.Contains(txt, "4") {
		t.Errorf("story row: %s", txt)
	}
	events := findAll(doc, func(n *html.Node) bool { return attr(n, "data-event") != "" })
	if len(events) != 4 {
		t.Fatalf("%d events, want 4", len(events))
	}
	ev := textOf(events[0])
	for _, want := range []string{"Example News → Interior Ministry", "Protest in Zhanaozen", "https://news.example/kz/", "Crowds gathered"} {
		if !strings.Contains(ev, want) {
			t.Errorf("event lacks %q: %s", want, ev)
		}
	}
	if a := find(events[0], func(n *html.Node) bool { return n.Data == "a" && strings.HasPrefix(attr(n, "href"), "/intel/report--") }); a == nil {
		t.Error("the event does not link its article")
	}
	for name, want := range map[string]string{"Kazinform": "healthy", "Broken Daily": "failing (3 in a row)", "Wire": "not polled yet"} {
		n := find(doc, byAttr("data-source", name))
		if n == nil || !strings.Contains(textOf(n), want) {
			t.Errorf("source %s: %q, want %q", name, textOf(n), want)
		}
	}
	// Feed addresses and error texts are for administrators: a URL may
	// carry a key, an error may name an internal host.
	if page := textOf(doc); strings.Contains(page, "kazinform.example") || strings.Contains(page, "status 503") {
		t.Error("a liaison sees the sources' addresses or errors")
	}
	_, _, adminDoc := w.login("admin").get("/early-warning")
	if page := textOf(adminDoc); !strings.Contains(page, "kazinform.example") || !strings.Contains(page, "status 503") {
		t.Error("the administrator does not see the sources' addresses and errors")
	}
	for _, h := range []string{"ru", "kk", "Several languages"} {
		if find(doc, func(n *html.Node) bool { return n.Data == "h3" && strings.HasPrefix(textOf(n), h+" ") }) == nil {
			t.Errorf("no language heading %q", h)
		}
	}
	if s, _, _ := c.getText("/early-warning?story=grouping--nope"); s != http.StatusNotFound {
		t.Errorf("a missing story: %d", s)
	}
	// Turkish and Russian render too.
	for _, lang := range []string{"tr", "ru"} {
		c.setLang(lang)
		if s, text, _ := c.getText("/early-warning"); s != http.StatusOK || !strings.Contains(text, map[string]string{"tr": "Kaynak zinciri", "ru": "Цепочка источников"}[lang]) {
			t.Errorf("%s: %d %s", lang, s, text)
		}
	}
}

func TestEarlyWarningWithoutSources(t *testing.T) {
	w := newWorld(t)
	_, text, _ := w.login("kz-liaison").getText("/early-warning")
	for _, want := range []string{"No early-warning stories you may see yet.", "This node reads no news sources."} {
		if !strings.Contains(text, want) {
			t.Errorf("page lacks %q: %s", want, text)
		}
	}
}
