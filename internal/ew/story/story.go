// Package story groups early-warning events into stories across languages
// and raises growth alerts.
//
// A story is one developing situation: events of one type in one country
// whose dates fall within a window of each other (the protests in
// Kazakhstan that began on 2 January, reported in nine languages over a
// week). An event joins the story of its (country, type) whose dates it
// falls near, preferring the one whose places and actors it shares most;
// otherwise it starts a story. Each story counts its articles per hour.
//
// A story about a member state alerts when it grows faster than its
// baseline: at least MinCount articles in the last RecentSpan (6 h), at a
// rate at least Factor times the hourly rate of articles about the same
// country and type over the BaselineSpan (7 days) before, with a floor of
// one article a day so a first burst can alert. An alert's FirstSeen is the
// onset estimate: the earliest event date (midnight UTC) or article time
// of the story. Everything is computed from the article times given, so a
// replay gives the same stories and alerts as the live run.
package story

import (
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/kurultai/kurultai/internal/ew"
)

// Config tunes clustering and alerts; zero fields take the defaults.
type Config struct {
	// Window is how far apart (in days of event dates) events of one
	// story may be; default 3 days.
	Window time.Duration
	// RecentSpan is the span whose article count is compared with the
	// baseline; default 6 h.
	RecentSpan time.Duration
	// BaselineSpan is the span before RecentSpan whose hourly rate is the
	// baseline; default 7 days.
	BaselineSpan time.Duration
	// MinCount is the fewest articles in RecentSpan that can alert;
	// default 5.
	MinCount int
	// Factor is how many times the baseline rate the recent rate must
	// reach; default 3.
	Factor float64
	// Cooldown is the least time between two alerts of one story (later
	// ones update the first); default RecentSpan.
	Cooldown time.Duration
	// Members are the countries (ISO alpha-2) whose stories alert; empty
	// means every country.
	Members []string
	// Retain is how long a story without new articles is kept; default
	// 30 days.
	Retain time.Duration
}

func (c Config) withDefaults() Config {
	if c.Window <= 0 {
		c.Window = 3 * 24 * time.Hour
	}
	if c.RecentSpan <= 0 {
		c.RecentSpan = 6 * time.Hour
	}
	if c.BaselineSpan <= 0 {
		c.BaselineSpan = 7 * 24 * time.Hour
	}
	if c.MinCount <= 0 {
		c.MinCount = 5
	}
	if c.Factor <= 0 {
		c.Factor = 3
	}
	if c.Cooldown <= 0 {
		c.Cooldown = c.RecentSpan
	}
	if c.Retain <= 0 {
		c.Retain = 30 * 24 * time.Hour
	}
	return c
}

// Story is one developing situation as the tracker knows it.
type Story struct {
	ID        string // deterministic: country, type and first date, e.g. KZ-protest-2022-01-02
	Country   string
	Type      ew.EventType
	FirstDate ew.Date // earliest event date (or publication date of an undated event)
	LastDate  ew.Date
	FirstSeen time.Time // onset estimate: FirstDate at midnight UTC or the first article's time, whichever is earlier
	LastSeen  time.Time // time of the latest article
	Articles  int
	Languages map[ew.Lang]int
	Entities  map[string]int    // places and actors, with how many articles named them
	Hourly    map[time.Time]int // articles per hour (start of the hour, UTC)
	Alerted   time.Time         // when the story last alerted (zero: never)
	urls      map[string]bool
}

func (s *Story) clone() Story {
	c := *s
	c.Languages = maps(s.Languages)
	c.Entities = maps(s.Entities)
	c.Hourly = maps(s.Hourly)
	c.urls = nil
	return c
}

func maps[K comparable](m map[K]int) map[K]int {
	out := make(map[K]int, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Alert says a story about a member grows faster than its baseline.
type Alert struct {
	StoryID   string
	Country   string
	Type      ew.EventType
	Count     int     // articles in the recent span
	Rate      float64 // their hourly rate
	Baseline  float64 // the baseline hourly rate (with its floor)
	FirstSeen time.Time
	At        time.Time // the time of the article that raised it
	Languages []ew.Lang // languages the story was reported in
	Update    bool      // the story alerted before: this updates that alert
}

// String describes the alert in one line.
func (a Alert) String() string {
	return fmt.Sprintf("%s: %d articles in the recent span (%.2f/h, baseline %.3f/h), onset %s",
		a.StoryID, a.Count, a.Rate, a.Baseline, a.FirstSeen.UTC().Format(time.RFC3339))
}

// Tracker clusters events into stories and raises alerts. It is safe for
// concurrent use; results depend only on the order of Add calls.
type Tracker struct {
	cfg     Config
	members map[string]bool

	mu      sync.Mutex // guards everything below
	stories []*Story
	byKey   map[key][]*Story
	ids     map[string]int            // stories started per base ID, for unique IDs
	volume  map[key]map[time.Time]int // articles per hour per (country, type), for baselines
	byID    map[string]*Story
	expired time.Time // when expire last ran
}

type key struct {
	country string
	typ     ew.EventType
}

// New returns a tracker.
func New(cfg Config) *Tracker {
	cfg = cfg.withDefaults()
	t := &Tracker{cfg: cfg, byKey: map[key][]*Story{}, ids: map[string]int{}, byID: map[string]*Story{},
		volume: map[key]map[time.Time]int{}}
	if len(cfg.Members) > 0 {
		t.members = map[string]bool{}
		for _, m := range cfg.Members {
			t.members[m] = true
		}
	}
	return t
}

// Add records the events of one article, read at time at (the article's
// publication time, or when it was fetched if it has none), and returns
// the alerts it raises and the IDs of the stories it joined.
func (t *Tracker) Add(a ew.Article, events []ew.Event, at time.Time) ([]Alert, []string) {
	at = at.UTC()
	t.mu.Lock()
	defer t.mu.Unlock()
	t.expire(at)
	var ids []string
	var touched []*Story
	for _, e := range events {
		if e.Country == "" || !e.Type.Valid() {
			continue
		}
		s := t.place(e, at)
		if !slices.Contains(touched, s) {
			touched = append(touched, s)
		}
		for _, ent := range entities(e) {
			s.Entities[ent]++
		}
		d := e.Date
		if d.IsZero() {
			d = ew.DateOf(at)
		}
		if d.Time().Before(s.FirstDate.Time()) {
			s.FirstDate = d
		}
		if d.Time().After(s.LastDate.Time()) {
			s.LastDate = d
		}
		if ft := s.FirstDate.Time(); ft.Before(s.FirstSeen) {
			s.FirstSeen = ft
		}
	}
	var alerts []Alert
	for _, s := range touched {
		ids = append(ids, s.ID)
		k := key{s.Country, s.Type}
		urlKey := a.URL
		if urlKey == "" {
			urlKey = a.Title + "\x00" + a.Text
		}
		if s.urls[urlKey] {
			continue // the same article again
		}
		s.urls[urlKey] = true
		s.Articles++
		s.Languages[a.Lang]++
		hour := at.Truncate(time.Hour)
		s.Hourly[hour]++
		if at.After(s.LastSeen) {
			s.LastSeen = at
		}
		if at.Before(s.FirstSeen) {
			s.FirstSeen = at
		}
		if t.volume[k] == nil {
			t.volume[k] = map[time.Time]int{}
		}
		t.volume[k][hour]++
		if al, ok := t.check(s, at); ok {
			alerts = append(alerts, al)
		}
	}
	return alerts, ids
}

// place finds or starts the story of event e.
func (t *Tracker) place(e ew.Event, at time.Time) *Story {
	k := key{e.Country, e.Type}
	d := e.Date
	if d.IsZero() {
		d = ew.DateOf(at)
	}
	var best *Story
	bestScore := -1
	for _, s := range t.byKey[k] {
		lo, hi := s.FirstDate.Time().Add(-t.cfg.Window), s.LastDate.Time().Add(t.cfg.Window)
		if d.Time().Before(lo) || d.Time().After(hi) {
			continue
		}
		score := 0
		for _, ent := range entities(e) {
			if s.Entities[ent] > 0 {
				score++
			}
		}
		if score > bestScore {
			best, bestScore = s, score
		}
	}
	if best != nil {
		return best
	}
	base := fmt.Sprintf("%s-%s-%s", e.Country, e.Type, d)
	id := base
	if n := t.ids[base]; n > 0 {
		id = fmt.Sprintf("%s-%d", base, n+1)
	}
	t.ids[base]++
	s := &Story{ID: id, Country: e.Country, Type: e.Type, FirstDate: d, LastDate: d, FirstSeen: at, LastSeen: at,
		Languages: map[ew.Lang]int{}, Entities: map[string]int{}, Hourly: map[time.Time]int{}, urls: map[string]bool{}}
	if ft := d.Time(); ft.Before(s.FirstSeen) {
		s.FirstSeen = ft
	}
	t.stories = append(t.stories, s)
	t.byKey[k] = append(t.byKey[k], s)
	t.byID[id] = s
	return s
}

// entities are the names an event shares with others of its story.
func entities(e ew.Event) []string {
	out := make([]string, 0, len(e.Actors)+1)
	if e.Place != "" {
		out = append(out, "place:"+e.Place)
	}
	for _, a := range e.Actors {
		out = append(out, "actor:"+a)
	}
	return out
}

// Get returns a copy of the stories with the given IDs that are still
// tracked.
func (t *Tracker) Get(ids ...string) []Story {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []Story
	for _, id := range ids {
		if s := t.byID[id]; s != nil {
			out = append(out, s.clone())
		}
	}
	return out
}

// Stories returns a copy of the stories, in the order they started.
func (t *Tracker) Stories() []Story {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]Story, len(t.stories))
	for i, s := range t.stories {
		out[i] = s.clone()
	}
	return out
}

// expire forgets stories idle longer than Retain and hourly counts older
// than the baseline needs, at most once an hour of article time; t.mu is
// held.
func (t *Tracker) expire(now time.Time) {
	if now.Sub(t.expired) < time.Hour {
		return
	}
	t.expired = now
	keep := t.stories[:0]
	for _, s := range t.stories {
		if now.Sub(s.LastSeen) <= t.cfg.Retain {
			keep = append(keep, s)
			continue
		}
		k := key{s.Country, s.Type}
		t.byKey[k] = slices.DeleteFunc(t.byKey[k], func(x *Story) bool { return x == s })
		delete(t.byID, s.ID)
	}
	t.stories = keep
	oldest := now.Add(-t.cfg.RecentSpan - t.cfg.BaselineSpan - time.Hour)
	for k, hours := range t.volume {
		for h := range hours {
			if h.Before(oldest) {
				delete(hours, h)
			}
		}
		if len(hours) == 0 {
			delete(t.volume, k)
		}
	}
	for _, s := range t.stories {
		for h := range s.Hourly {
			if h.Before(oldest) {
				delete(s.Hourly, h)
			}
		}
	}
}

// check decides whether story s alerts at time now; t.mu is held.
func (t *Tracker) check(s *Story, now time.Time) (Alert, bool) {
	if t.members != nil && !t.members[s.Country] {
		return Alert{}, false
	}
	if !s.Alerted.IsZero() && now.Sub(s.Alerted) < t.cfg.Cooldown {
		return Alert{}, false
	}
	recentFrom := now.Add(-t.cfg.RecentSpan)
	count := 0
	for h, n := range s.Hourly {
		if h.After(recentFrom.Add(-time.Hour)) && !h.After(now) {
			count += n
		}
	}
	if count < t.cfg.MinCount {
		return Alert{}, false
	}
	baseFrom := recentFrom.Add(-t.cfg.BaselineSpan)
	before := 0
	for h, n := range t.volume[key{s.Country, s.Type}] {
		if !h.Before(baseFrom) && !h.After(recentFrom.Add(-time.Hour)) {
			before += n
		}
	}
	baseline := max(float64(before)/t.cfg.BaselineSpan.Hours(), 1.0/24)
	rate := float64(count) / t.cfg.RecentSpan.Hours()
	if rate < t.cfg.Factor*baseline {
		return Alert{}, false
	}
	al := Alert{StoryID: s.ID, Country: s.Country, Type: s.Type, Count: count, Rate: rate, Baseline: baseline,
		FirstSeen: s.FirstSeen, At: now, Update: !s.Alerted.IsZero()}
	for l := range s.Languages {
		al.Languages = append(al.Languages, l)
	}
	sort.Slice(al.Languages, func(i, j int) bool { return al.Languages[i] < al.Languages[j] })
	s.Alerted = now
	return al, true
}
