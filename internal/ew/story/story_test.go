package story

import (
	"context"
	"fmt"
	"os"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/ew"
	"github.com/kurultai/kurultai/internal/ew/corpus"
	"github.com/kurultai/kurultai/internal/ew/pipeline"
)

var members = []string{"AZ", "KZ", "KG", "TR", "UZ"}

func loadCorpus(t *testing.T) []corpus.Doc {
	t.Helper()
	const dir = "../../../data/corpus"
	if _, err := os.Stat(dir); err != nil {
		t.Skip("no corpus")
	}
	docs, _, err := corpus.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	sort.SliceStable(docs, func(i, j int) bool { return docs[i].Published.Before(docs[j].Published) })
	return docs
}

func newPipeline(t *testing.T) *pipeline.Pipeline {
	t.Helper()
	p, err := pipeline.New()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestReplayJanuary2022 replays the corpus in publication order: the
// unrest in Kazakhstan must alert early (by 5 January) with the onset on
// 2 January, and the stories must span languages.
func TestReplayJanuary2022(t *testing.T) {
	docs := loadCorpus(t)
	p := newPipeline(t)
	tr := New(Config{Members: members})
	var alerts []Alert
	for _, d := range docs {
		al, _ := tr.Add(d.Article, p.Process(d.Article), d.Published)
		alerts = append(alerts, al...)
	}
	if len(alerts) == 0 {
		t.Fatal("no alert")
	}
	first := alerts[0]
	t.Logf("first alert: %s at %s", first, first.At.Format(time.RFC3339))
	for _, a := range alerts {
		t.Logf("alert %s at %s update %v", a.StoryID, a.At.Format(time.RFC3339), a.Update)
	}
	if first.Country != "KZ" {
		t.Errorf("first alert about %s", first.Country)
	}
	if last := time.Date(2022, 1, 5, 23, 59, 59, 0, time.UTC); first.At.After(last) || first.At.Before(time.Date(2022, 1, 2, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("first alert at %s, want 2-5 January", first.At)
	}
	if want := time.Date(2022, 1, 2, 0, 0, 0, 0, time.UTC); !first.FirstSeen.Equal(want) {
		t.Errorf("onset %s, want %s", first.FirstSeen, want)
	}
	if len(first.Languages) < 3 {
		t.Errorf("first alert's story in %d languages", len(first.Languages))
	}
	var protest *Story
	for _, s := range tr.Stories() {
		if s.Country == "KZ" && s.Type == ew.Protest && (protest == nil || s.Articles > protest.Articles) {
			s := s
			protest = &s
		}
	}
	if protest == nil || len(protest.Languages) != 9 || protest.FirstDate.String() != "2022-01-02" {
		t.Errorf("the protest story: %+v", protest)
	}
}

// TestSteadyTrickle feeds a story one article every two hours for two
// weeks: no alert, since it never beats its baseline.
func TestSteadyTrickle(t *testing.T) {
	tr := New(Config{Members: members})
	start := time.Date(2022, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := range 14 * 12 {
		at := start.Add(time.Duration(i) * 2 * time.Hour)
		a := ew.Article{URL: fmt.Sprintf("https://x.example/%d", i), Lang: ew.Russian, Published: at}
		ev := ew.Event{Type: ew.Protest, Country: "KZ", Date: ew.DateOf(at), Place: "Almaty"}
		if al, _ := tr.Add(a, []ew.Event{ev}, at); len(al) > 0 {
			t.Fatalf("alert at %s: %s", at, al[0])
		}
	}
	if n := len(tr.Stories()); n != 1 {
		t.Errorf("%d stories, want one long story", n)
	}
}

// TestBurstAfterTrickle: a steady trickle then a burst alerts, and the
// burst is measured against the trickle's rate.
func TestBurstAfterTrickle(t *testing.T) {
	tr := New(Config{Members: members})
	start := time.Date(2022, 3, 1, 0, 0, 0, 0, time.UTC)
	add := func(i int, at time.Time) []Alert {
		a := ew.Article{URL: fmt.Sprintf("https://x.example/%d", i), Lang: ew.Kazakh}
		al, _ := tr.Add(a, []ew.Event{{Type: ew.Riot, Country: "KG", Date: ew.DateOf(at), Place: "Bishkek"}}, at)
		return al
	}
	n := 0
	for ; n < 7*6; n++ { // one every four hours for a week
		if al := add(n, start.Add(time.Duration(n)*4*time.Hour)); len(al) > 0 {
			t.Fatalf("trickle alerted: %s", al[0])
		}
	}
	burst := start.Add(7 * 24 * time.Hour)
	var got []Alert
	for i := range 12 {
		got = append(got, add(n+i, burst.Add(time.Duration(i)*10*time.Minute))...)
	}
	if len(got) != 1 {
		t.Fatalf("%d alerts, want 1 (then the cooldown)", len(got))
	}
	if a := got[0]; a.Country != "KG" || a.Baseline <= 1.0/24 || a.Count < 5 || a.Update {
		t.Errorf("alert %+v", a)
	}
}

func TestNonMembersAndClustering(t *testing.T) {
	tr := New(Config{Members: members})
	at := time.Date(2022, 1, 5, 10, 0, 0, 0, time.UTC)
	var alerts []Alert
	for i := range 10 {
		a := ew.Article{URL: fmt.Sprintf("https://x.example/%d", i), Lang: ew.English}
		evs := []ew.Event{
			{Type: ew.Protest, Country: "FR", Date: ew.DateOf(at), Place: "Paris"},
			{Type: ew.Protest, Country: "KZ", Date: ew.Date{Year: 2021, Month: 12, Day: 1}, Place: "Almaty"}, // far in time: its own story
		}
		al, ids := tr.Add(a, evs, at.Add(time.Duration(i)*time.Minute))
		alerts = append(alerts, al...)
		if len(ids) != 2 {
			t.Fatalf("joined %v", ids)
		}
	}
	for _, a := range alerts {
		if a.Country == "FR" {
			t.Errorf("alert about a non-member: %s", a)
		}
	}
	ids := map[string]bool{}
	for _, s := range tr.Stories() {
		ids[s.ID] = true
	}
	if !ids["FR-protest-2022-01-05"] || !ids["KZ-protest-2021-12-01"] || len(ids) != 2 {
		t.Errorf("stories %v", ids)
	}
}

// memSink is a Sink in memory.
type memSink struct {
	mu       sync.Mutex
	articles []ew.Article
	events   []ew.Event
	stories  map[string]Story
	alerts   []Alert
}

func (s *memSink) Articles(_ context.Context, a []ew.Article) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.articles = append(s.articles, a...)
	return nil
}

func (s *memSink) Events(_ context.Context, e []ew.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, e...)
	return nil
}

func (s *memSink) Stories(_ context.Context, ss []Story) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stories == nil {
		s.stories = map[string]Story{}
	}
	for _, x := range ss {
		s.stories[x.ID] = x
	}
	return nil
}

func (s *memSink) Alerts(_ context.Context, a []Alert) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.alerts = append(s.alerts, a...)
	return nil
}

func TestMonitor(t *testing.T) {
	docs := loadCorpus(t)
	sink := &memSink{}
	m := &Monitor{Pipeline: newPipeline(t), Dedup: pipeline.NewDedup(1000, 0), Tracker: New(Config{Members: members}), Sink: sink,
		Clock: func() time.Time { return time.Date(2022, 2, 1, 0, 0, 0, 0, time.UTC) }}
	ctx := context.Background()
	for _, d := range docs {
		if err := m.Handle(ctx, []ew.Article{d.Article}); err != nil {
			t.Fatal(err)
		}
	}
	// The same articles again, as a wire copy: all near-duplicates.
	for _, d := range docs[:5] {
		c := d.Article
		c.URL += "?copy"
		if err := m.Handle(ctx, []ew.Article{c}); err != nil {
			t.Fatal(err)
		}
	}
	if len(sink.articles) != len(docs) {
		t.Errorf("%d articles stored, want %d (copies dropped)", len(sink.articles), len(docs))
	}
	if len(sink.events) < 150 || len(sink.stories) == 0 || len(sink.alerts) == 0 {
		t.Errorf("%d events, %d stories, %d alerts", len(sink.events), len(sink.stories), len(sink.alerts))
	}
	if err := (&Monitor{}).Handle(ctx, nil); err == nil {
		t.Error("an empty monitor handled articles")
	}
}
