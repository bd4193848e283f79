package pipeline

import (
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/ew"
	"github.com/kurultai/kurultai/internal/ew/text"
)

var published = time.Date(2022, 1, 6, 9, 0, 0, 0, time.UTC)

func article(l ew.Lang, body string) ew.Article {
	return ew.Article{URL: "https://desk.example/a", Source: "Test Desk", Title: "", Text: body, Lang: l, Published: published}
}

type wantEvent struct {
	typ     ew.EventType
	date    string // "" for none
	country string
}

func keys(evs []ew.Event) []wantEvent {
	var out []wantEvent
	for _, e := range evs {
		d := ""
		if !e.Date.IsZero() {
			d = e.Date.String()
		}
		out = append(out, wantEvent{e.Type, d, e.Country})
	}
	return out
}

func TestProcessRules(t *testing.T) {
	p := newPipeline(t)
	tests := []struct {
		name string
		lang ew.Lang
		body string
		want []wantEvent
	}{{
		name: "relative date and place",
		lang: ew.English,
		body: "Protesters clashed with riot police in Almaty yesterday, according to Kazinform.",
		want: []wantEvent{{ew.Riot, "2022-01-05", "KZ"}},
	}, {
		name: "undated mention joins the dated one",
		lang: ew.English,
		body: "Kazakhstan's President Tokayev appealed to the CSTO for help. He made the appeal to the heads of the CSTO member states on 5 January, his office said.",
		want: []wantEvent{{ew.AssistanceRequest, "2022-01-05", "KZ"}},
	}, {
		name: "two days, two events",
		lang: ew.English,
		body: "Crowds clashed with riot police in Almaty on 4 January. On 5 January rioters seized the airport in Almaty.",
		want: []wantEvent{{ew.Riot, "2022-01-04", "KZ"}, {ew.Riot, "2022-01-05", "KZ"}},
	}, {
		name: "the same day carries the date over",
		lang: ew.English,
		body: "The government of Kazakhstan resigned on 5 January. The same day the president declared a state of emergency across the country.",
		want: []wantEvent{{ew.GovernmentResignation, "2022-01-05", "KZ"}, {ew.StateOfEmergency, "2022-01-05", "KZ"}},
	}, {
		name: "an end date is not the event's date",
		lang: ew.Russian,
		body: "В тот же день президент Казахстана ввёл режим чрезвычайного положения по всей стране сроком до 19 января.",
		want: []wantEvent{{ew.StateOfEmergency, "", "KZ"}},
	}, {
		name: "days counted back",
		lang: ew.English,
		body: "The Organization of Turkic States expressed solidarity with Kazakhstan on 6 January. The statement came four days after the first protests in Zhanaozen.",
		want: []wantEvent{{ew.Solidarity, "2022-01-06", "KZ"}, {ew.Protest, "2022-01-02", "KZ"}},
	}, {
		name: "nothing to report",
		lang: ew.English,
		body: "Kazakh wheat exporters expect to ship more grain to the Gulf this year, traders told a conference in Nur-Sultan.",
		want: nil,
	}, {
		name: "empty",
		lang: ew.English,
		body: "",
		want: nil,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := keys(p.Process(article(tt.lang, tt.body)))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestProcessFields(t *testing.T) {
	p := newPipeline(t)
	body := "Protesters stormed the mayor's office in Almaty on Wednesday, according to Tengrinews, which cited the city police."
	evs := p.Process(article(ew.English, body))
	if len(evs) != 1 {
		t.Fatalf("got %d events, want 1: %+v", len(evs), evs)
	}
	e := evs[0]
	if e.Type != ew.Riot || e.CAMEO != "145" || e.Date.String() != "2022-01-05" || e.Country != "KZ" || e.Place != "Almaty" {
		t.Errorf("got %s %s %s %s %s", e.Type, e.CAMEO, e.Date, e.Country, e.Place)
	}
	if want := []string{"Test Desk", "Tengrinews", "Almaty Police Department"}; !slices.Equal(e.Attribution, want) {
		t.Errorf("attribution %q, want %q", e.Attribution, want)
	}
	if e.Language != ew.English || e.ArticleURL != "https://desk.example/a" {
		t.Errorf("language %q url %q", e.Language, e.ArticleURL)
	}
	if e.Evidence != body || e.EvidenceAt != (ew.Span{Start: 0, End: len(body)}) {
		t.Errorf("evidence %q at %v", e.Evidence, e.EvidenceAt)
	}
	if e.Confidence <= 0 || e.Confidence > 1 {
		t.Errorf("confidence %v", e.Confidence)
	}
	if e.Actors == nil {
		t.Error("actors is nil, want a list")
	}
}

func TestLanguage(t *testing.T) {
	p := newPipeline(t)
	ru := "Президент Казахстана принял отставку правительства, сообщила пресс-служба Акорды. В стране введён режим чрезвычайного положения."
	tests := []struct {
		name string
		hint ew.Lang
		body string
		want ew.Lang
	}{
		{"no hint", ew.Unknown, ru, ew.Russian},
		{"hint agrees", ew.Russian, ru, ew.Russian},
		{"hint of a two-language feed, text clearly Russian", ew.Kazakh, ru, ew.Russian},
		{"too short to overrule the hint", ew.Kazakh, "Алматы", ew.Kazakh},
		{"invalid hint", "xx", ru, ew.Russian},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := article(tt.hint, tt.body)
			if got := p.Language(a, text.Normalize(tt.body)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestCorpusInvariants checks on every corpus article that evidence is
// the text at its span, events are unique per (type, date, country) and
// every field of the contract is set.
func TestCorpusInvariants(t *testing.T) {
	docs, _ := loadCorpus(t)
	p := newPipeline(t)
	for _, d := range docs {
		r := p.Analyze(d.Article)
		seen := map[wantEvent]bool{}
		for _, e := range r.Events {
			if r.Text[e.EvidenceAt.Start:e.EvidenceAt.End] != e.Evidence {
				t.Errorf("%s: evidence %q is not the text at %v", d.Path, e.Evidence, e.EvidenceAt)
			}
			k := keys([]ew.Event{e})[0]
			if seen[k] {
				t.Errorf("%s: two events %v", d.Path, k)
			}
			seen[k] = true
			if e.CAMEO == "" || e.Language != d.Lang || len(e.Attribution) == 0 || e.Attribution[0] != d.Source || e.Actors == nil {
				t.Errorf("%s: incomplete event %+v", d.Path, e)
			}
		}
	}
}

// TestConcurrent runs Process from several goroutines (under -race) and
// expects the sequential results.
func TestConcurrent(t *testing.T) {
	docs, _ := loadCorpus(t)
	p := newPipeline(t)
	want := make([][]ew.Event, len(docs))
	for i, d := range docs {
		want[i] = p.Process(d.Article)
	}
	var wg sync.WaitGroup
	errs := make(chan string, len(docs)*4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, d := range docs {
				if got := p.Process(d.Article); !reflect.DeepEqual(got, want[i]) {
					errs <- d.Path
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for path := range errs {
		t.Errorf("%s: concurrent result differs", path)
	}
}

func FuzzProcess(f *testing.F) {
	docs, _ := loadCorpus(f)
	for _, d := range docs[:min(len(docs), 20)] {
		f.Add(d.Text, string(d.Lang))
	}
	f.Add("Protests on 5 January, the same day, four days after, until 19 January.", "en")
	f.Add("\x00\xff 5 қаңтарда наразылық", "kk")
	f.Add(strings.Repeat("riots on 5 January, 6 January and until 7 January ", 50), "en")
	p := newPipeline(f)
	f.Fuzz(func(t *testing.T, body, l string) {
		a := ew.Article{Text: body, Lang: ew.Lang(l), Source: "S", Published: published}
		r := p.Analyze(a)
		for _, e := range r.Events {
			if e.EvidenceAt.Start < 0 || e.EvidenceAt.End > len(r.Text) || e.EvidenceAt.Start > e.EvidenceAt.End {
				t.Fatalf("evidence span %v outside text of %d bytes", e.EvidenceAt, len(r.Text))
			}
			if r.Text[e.EvidenceAt.Start:e.EvidenceAt.End] != e.Evidence {
				t.Fatalf("evidence differs from its span")
			}
			if !e.Type.Valid() {
				t.Fatalf("invalid type %q", e.Type)
			}
		}
	})
}
