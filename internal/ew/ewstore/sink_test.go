package ewstore

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/access"
	"github.com/kurultai/kurultai/internal/charter"
	"github.com/kurultai/kurultai/internal/ew"
	"github.com/kurultai/kurultai/internal/ew/corpus"
	"github.com/kurultai/kurultai/internal/ew/pipeline"
	"github.com/kurultai/kurultai/internal/ew/story"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/seed"
	"github.com/kurultai/kurultai/internal/sqlite"
	"github.com/kurultai/kurultai/internal/stix"
)

type countOpener struct {
	mu    sync.Mutex
	calls map[string]int
	onset map[string]time.Time
}

func (o *countOpener) RaiseAlert(_ context.Context, country, title string, onset time.Time, summary string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if title == "" || summary == "" {
		return kurultai.FieldError("title", "empty")
	}
	o.calls[country]++
	if _, ok := o.onset[country]; !ok {
		o.onset[country] = onset
	}
	return nil
}

type world struct {
	st    *sqlite.Store
	sys   kurultai.Principal
	marks kurultai.MarkingSet
	ch    *charter.Charter
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	clock := func() time.Time { return time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) }
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "k.db"), sqlite.Options{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ch := charter.Default()
	if err := seed.System(ctx, st, ch.DirectoryParticipants(), "SEC", clock); err != nil {
		t.Fatal(err)
	}
	sec, err := st.Participant(ctx, "SEC")
	if err != nil {
		t.Fatal(err)
	}
	known, err := st.Markings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return &world{st: st, sys: seed.SystemPrincipal(sec), marks: access.NewMarkings(known...), ch: ch}
}

func loadDocs(t *testing.T) []corpus.Doc {
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

func newMonitor(t *testing.T, sink story.Sink, members []string) *story.Monitor {
	t.Helper()
	p, err := pipeline.New()
	if err != nil {
		t.Fatal(err)
	}
	return &story.Monitor{Pipeline: p, Dedup: pipeline.NewDedup(1000, 0), Tracker: story.New(story.Config{Members: members}),
		Sink: sink, Clock: func() time.Time { return time.Date(2022, 2, 1, 0, 0, 0, 0, time.UTC) }}
}

func all(t *testing.T, st kurultai.Store, allow func(*kurultai.ObjectVersion) bool) []*kurultai.ObjectVersion {
	t.Helper()
	var out []*kurultai.ObjectVersion
	q := kurultai.Query{Collection: seed.IntelCollectionID, Limit: 1000, WithRaw: true, Versions: kurultai.VersionFilter{All: true}}
	for {
		pg, err := st.ListObjects(context.Background(), q, allow)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, pg.Items...)
		if !pg.More {
			return out
		}
		q.After = pg.Next
	}
}

func TestCorpusToStore(t *testing.T) {
	docs := loadDocs(t)
	w := newWorld(t)
	ctx := context.Background()
	op := &countOpener{calls: map[string]int{}, onset: map[string]time.Time{}}
	sink, err := New(Config{Store: w.st, Principal: w.sys, Opener: op})
	if err != nil {
		t.Fatal(err)
	}
	if err := sink.Init(ctx); err != nil {
		t.Fatal(err)
	}
	before := len(all(t, w.st, func(*kurultai.ObjectVersion) bool { return true }))
	feed := func(m *story.Monitor) {
		for _, d := range docs {
			if err := m.Handle(ctx, []ew.Article{d.Article}); err != nil {
				t.Fatal(err)
			}
		}
	}
	feed(newMonitor(t, sink, w.ch.Codes("member")))
	stored := all(t, w.st, func(*kurultai.ObjectVersion) bool { return true })
	types := map[string]int{}
	for _, v := range stored[before:] {
		types[v.Type]++
		if _, err := stix.ParseObject(v.Raw); err != nil {
			t.Errorf("%s: %v", v.ID, err)
		}
	}
	t.Logf("stored %v", types)
	if types["report"] < len(docs)/2 || types[EventType] < 150 || types["grouping"] == 0 {
		t.Errorf("stored %v for %d articles", types, len(docs))
	}
	kz := kurultai.Principal{Username: "kz", Participant: "KZ", Kind: kurultai.KindMember, Role: kurultai.RoleLiaison}
	hu := kurultai.Principal{Username: "hu", Participant: "HU", Kind: kurultai.KindObserver, Role: kurultai.RoleLiaison}
	for _, v := range stored[before:] {
		if !access.Decide(kz, v, w.marks) {
			t.Errorf("a member may not see %s", v.ID)
		}
		if access.Decide(hu, v, w.marks) {
			t.Errorf("an observer sees %s released to members", v.ID)
		}
	}
	if op.calls["KZ"] == 0 {
		t.Errorf("no alert opened a situation for KZ: %v", op.calls)
	} else if want := time.Date(2022, 1, 2, 0, 0, 0, 0, time.UTC); !op.onset["KZ"].Equal(want) {
		t.Errorf("KZ onset %s, want %s", op.onset["KZ"], want)
	}
	members := map[string]bool{}
	for _, c := range w.ch.Codes("member") {
		members[c] = true
	}
	for c := range op.calls {
		if !members[c] {
			t.Errorf("alert for non-member %s", c)
		}
	}

	// A fresh monitor (a restart) reading the same articles writes nothing new.
	sink2, err := New(Config{Store: w.st, Principal: w.sys, Opener: op})
	if err != nil {
		t.Fatal(err)
	}
	feed(newMonitor(t, sink2, w.ch.Codes("member")))
	if again := all(t, w.st, func(*kurultai.ObjectVersion) bool { return true }); len(again) != len(stored) {
		t.Errorf("re-feeding stored %d new versions", len(again)-len(stored))
	}
}

func TestAudienceObservers(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	sink, err := New(Config{Store: w.st, Principal: w.sys, Audience: kurultai.AudienceMembersObservers})
	if err != nil {
		t.Fatal(err)
	}
	if err := sink.Init(ctx); err != nil {
		t.Fatal(err)
	}
	pub := time.Date(2022, 1, 3, 8, 0, 0, 0, time.UTC)
	a := ew.Article{URL: "https://example.kz/1", Source: "Example", Title: "Protest", Text: "Text.", Lang: ew.English, Published: pub}
	e := ew.Event{Type: ew.Protest, CAMEO: "140", Date: ew.DateOf(pub), Country: "KZ", Language: ew.English, Evidence: "Text.", ArticleURL: a.URL, Confidence: 0.8}
	if err := sink.Articles(ctx, []ew.Article{a}); err != nil {
		t.Fatal(err)
	}
	if err := sink.Events(ctx, []ew.Event{e}); err != nil {
		t.Fatal(err)
	}
	hu := kurultai.Principal{Username: "hu", Participant: "HU", Kind: kurultai.KindObserver, Role: kurultai.RoleLiaison}
	got := all(t, w.st, func(v *kurultai.ObjectVersion) bool {
		return (v.ID == ReportID(a.URL) || v.ID == EventID(e)) && access.Decide(hu, v, w.marks)
	})
	if len(got) != 2 {
		t.Errorf("an observer sees %d of the report and event released to members+observers", len(got))
	}
	if _, err := New(Config{Store: w.st}); err == nil {
		t.Error("a sink without principal")
	}
}

// BenchmarkEvents measures writing one article's report and events: the
// store write every poll makes per article with signals.
func BenchmarkEvents(b *testing.B) {
	ctx := context.Background()
	clock := func() time.Time { return time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) }
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "k.db"), sqlite.Options{Clock: clock})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ch := charter.Default()
	if err := seed.System(ctx, st, ch.DirectoryParticipants(), "SEC", clock); err != nil {
		b.Fatal(err)
	}
	sec, err := st.Participant(ctx, "SEC")
	if err != nil {
		b.Fatal(err)
	}
	sink, err := New(Config{Store: st, Principal: seed.SystemPrincipal(sec)})
	if err != nil {
		b.Fatal(err)
	}
	if err := sink.Init(ctx); err != nil {
		b.Fatal(err)
	}
	pub := time.Date(2022, 1, 3, 8, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		url := "https://example.kz/" + strconv.Itoa(i)
		a := ew.Article{URL: url, Source: "Example", Title: "Protest in Almaty", Text: "Thousands protested in Almaty on Monday.", Lang: ew.English, Published: pub}
		evs := []ew.Event{
			{Type: ew.Protest, CAMEO: "140", Date: ew.DateOf(pub), Country: "KZ", Place: "Almaty", Language: ew.English, ArticleURL: url, Confidence: 0.8},
			{Type: ew.Riot, CAMEO: "145", Date: ew.DateOf(pub), Country: "KZ", Place: "Almaty", Language: ew.English, ArticleURL: url, Confidence: 0.6},
		}
		if err := sink.Articles(ctx, []ew.Article{a}); err != nil {
			b.Fatal(err)
		}
		if err := sink.Events(ctx, evs); err != nil {
			b.Fatal(err)
		}
	}
}
