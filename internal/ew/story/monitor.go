package story

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/kurultai/kurultai/internal/ew"
	"github.com/kurultai/kurultai/internal/ew/pipeline"
)

// Sink keeps what early warning finds. The node implements it: articles,
// events and stories become STIX objects in its store (see
// docs/EARLY_WARNING.md), and alerts open or update monitoring situations
// in the crisis mechanism. Calls come from the pollers' goroutines, one
// source at a time each, so an implementation must be safe for concurrent
// use. An error makes the poll fail, and the articles are offered again.
type Sink interface {
	Articles(ctx context.Context, articles []ew.Article) error
	Events(ctx context.Context, events []ew.Event) error
	Stories(ctx context.Context, stories []Story) error
	Alerts(ctx context.Context, alerts []Alert) error
}

// Monitor is the early-warning chain from articles to the sink: it drops
// near-duplicates, extracts events, clusters them into stories and raises
// alerts. Its Handle method serves as a sources.Handler (the node adapts the
// signature). It is safe for concurrent use.
type Monitor struct {
	Pipeline *pipeline.Pipeline
	Dedup    *pipeline.Dedup
	Tracker  *Tracker
	Sink     Sink
	Clock    func() time.Time // the time of articles that carry none; nil: time.Now
}

// Handle processes the new articles of one poll. Near-duplicates of
// articles seen before are neither stored nor counted. An article
// published in the future (a wrong clock at the source) counts at the
// monitor's time.
func (m *Monitor) Handle(ctx context.Context, articles []ew.Article) error {
	if m.Pipeline == nil || m.Tracker == nil || m.Sink == nil {
		return errors.New("story: monitor: pipeline, tracker and sink are required")
	}
	now := time.Now
	if m.Clock != nil {
		now = m.Clock
	}
	var keep []ew.Article
	var events []ew.Event
	var alerts []Alert
	touched := map[string]bool{}
	for i, a := range articles {
		if m.Dedup != nil {
			key := a.URL
			if key == "" {
				key = fmt.Sprintf("%s#%d", a.Source, i)
			}
			if _, dup := m.Dedup.Add(key, pipeline.NewSketch(a.Title+"\n"+a.Text)); dup {
				continue
			}
		}
		keep = append(keep, a)
		evs := m.Pipeline.Process(a)
		events = append(events, evs...)
		at := a.Published
		if t := now(); at.IsZero() || at.After(t) {
			at = t
		}
		al, ids := m.Tracker.Add(a, evs, at)
		alerts = append(alerts, al...)
		for _, id := range ids {
			touched[id] = true
		}
	}
	if len(keep) == 0 {
		return nil
	}
	if err := m.Sink.Articles(ctx, keep); err != nil {
		return fmt.Errorf("story: sink articles: %w", err)
	}
	if len(events) > 0 {
		if err := m.Sink.Events(ctx, events); err != nil {
			return fmt.Errorf("story: sink events: %w", err)
		}
	}
	if len(touched) > 0 {
		ids := make([]string, 0, len(touched))
		for id := range touched {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		ss := m.Tracker.Get(ids...)
		if err := m.Sink.Stories(ctx, ss); err != nil {
			return fmt.Errorf("story: sink stories: %w", err)
		}
	}
	if len(alerts) > 0 {
		if err := m.Sink.Alerts(ctx, alerts); err != nil {
			return fmt.Errorf("story: sink alerts: %w", err)
		}
	}
	return nil
}
