// Package ewstore keeps what early warning finds in the node's store as
// STIX objects and turns growth alerts into monitoring situations.
//
// An article with events becomes a report (report_types news-article, name
// the title, description its first 500 characters, the URL and outlet as an
// external reference, the language as lang and a label) referring to its
// events; each event an x-kurultai-ew-event object (a new SDO declared by an
// extension-definition with a fixed id); each story a grouping with context
// x-early-warning-story referring to its events, with its counts in a
// custom property. Ids are UUIDv5 of the URL, of (article, type, date,
// country) and of the story id, and versions are dated by the articles, so
// feeding the same articles again writes nothing new. Articles without
// events are not stored: a STIX report must refer to something, and the
// node keeps signals, not the news stream. Every object carries TLP:CLEAR
// and the releasability marking of the configured audience, so the one
// access decision governs every exit.
package ewstore

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/kurultai/kurultai/internal/ew"
	"github.com/kurultai/kurultai/internal/ew/story"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/seed"
)

// Opener opens a monitoring situation for a member state, unless one is
// already open for it.
type Opener interface {
	RaiseAlert(ctx context.Context, country, title string, onset time.Time, summary string) error
}

// Signer signs an object's JSON (the node's trust.Signer).
type Signer interface {
	Sign(raw []byte) ([]byte, error)
}

// Config configures a Sink.
type Config struct {
	Store     kurultai.Store     // required
	Principal kurultai.Principal // the writer: the node's system principal; required
	// Collection receives the objects; default seed.IntelCollectionID.
	Collection string
	// Audience is the releasability audience of every object: "members",
	// "members+observers", "public" or a participant code; default
	// "members".
	Audience string
	Signer   Signer // nil: objects are stored unsigned
	// SameContent tells a re-signed object from a changed one (trust.SameContent).
	SameContent func(stored, incoming []byte) bool
	Opener      Opener         // nil: alerts are only logged by the caller
	Clock       kurultai.Clock // nil: time.Now
	// Pending bounds the articles held until their events arrive; default 10,000.
	Pending int
}

// Sink is a story.Sink over the store. It is safe for concurrent use.
type Sink struct {
	cfg       Config
	createdBy string
	markings  []string

	mu      sync.Mutex
	pending map[string]ew.Article // articles by URL, awaiting their events
	order   []string              // pending URLs, oldest first
	byKey   map[string][]evRef    // event refs by country|type, for stories
	stories map[string]written    // the last grouping version written per story
}

// written is the last version of a grouping the sink wrote.
type written struct {
	modified time.Time
	raw      []byte
}

// maxRefs bounds the events remembered per country and type for stories.
const maxRefs = 5000

type evRef struct {
	id   string
	date ew.Date
}

var _ story.Sink = (*Sink)(nil)

// New returns a sink. Call Init once to store the extension-definition.
func New(cfg Config) (*Sink, error) {
	if cfg.Store == nil {
		return nil, errors.New("ewstore: store is required")
	}
	if cfg.Principal.Participant == "" {
		return nil, errors.New("ewstore: principal is required")
	}
	if cfg.Collection == "" {
		cfg.Collection = seed.IntelCollectionID
	}
	if cfg.Audience == "" {
		cfg.Audience = kurultai.AudienceMembers
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Pending <= 0 {
		cfg.Pending = 10_000
	}
	return &Sink{
		cfg:       cfg,
		createdBy: seed.IdentityID(cfg.Principal.Participant),
		markings:  []string{kurultai.TLP2ClearID, seed.AudienceMarkingID(cfg.Audience)},
		pending:   map[string]ew.Article{},
		byKey:     map[string][]evRef{},
		stories:   map[string]written{},
	}, nil
}

// Init stores the extension-definition of the event type (idempotent).
func (s *Sink) Init(ctx context.Context) error {
	raw := ExtensionDefinition(seed.PredefinedCreator, seed.SystemCreated, seed.PublicMarkings())
	// Shared by every node, so stored unsigned and byte-identical.
	return s.write(ctx, [][]byte{raw}, false)
}

// Markings returns the markings every object of the sink carries.
func (s *Sink) Markings() []string { return append([]string(nil), s.markings...) }

// Articles holds the articles until their events arrive: a report is
// written with its events.
func (s *Sink) Articles(_ context.Context, articles []ew.Article) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range articles {
		if a.URL == "" {
			continue
		}
		if _, ok := s.pending[a.URL]; !ok {
			s.order = append(s.order, a.URL)
		}
		s.pending[a.URL] = a
	}
	for len(s.order) > s.cfg.Pending {
		delete(s.pending, s.order[0])
		s.order = s.order[1:]
	}
	return nil
}

// Events writes each event and the report of its article in one write.
func (s *Sink) Events(ctx context.Context, events []ew.Event) error {
	now := s.cfg.Clock()
	byURL := map[string][]ew.Event{}
	var urls []string
	for _, e := range events {
		if e.ArticleURL == "" {
			continue // a report needs its URL
		}
		if _, ok := byURL[e.ArticleURL]; !ok {
			urls = append(urls, e.ArticleURL)
		}
		byURL[e.ArticleURL] = append(byURL[e.ArticleURL], e)
	}
	var raws [][]byte
	s.mu.Lock()
	for _, u := range urls {
		a, ok := s.pending[u]
		if !ok {
			a = ew.Article{URL: u}
		}
		published := stamp(a.Published, now)
		evs := byURL[u]
		ids := make([]string, 0, len(evs))
		seen := map[string]bool{}
		for _, e := range evs {
			id := EventID(e)
			if seen[id] {
				continue
			}
			seen[id] = true
			ids = append(ids, id)
			raws = append(raws, eventJSON(e, published, s.createdBy, s.markings))
			d := e.Date
			if d.IsZero() {
				d = ew.DateOf(published)
			}
			key := e.Country + "|" + string(e.Type)
			if !hasRef(s.byKey[key], id) {
				refs := append(s.byKey[key], evRef{id: id, date: d})
				if len(refs) > maxRefs {
					refs = refs[len(refs)-maxRefs:]
				}
				s.byKey[key] = refs
			}
		}
		raws = append(raws, reportJSON(a, ids, s.createdBy, s.markings, now))
	}
	s.mu.Unlock()
	return s.write(ctx, raws, true)
}

func hasRef(refs []evRef, id string) bool {
	for _, r := range refs {
		if r.id == id {
			return true
		}
	}
	return false
}

// Stories writes a grouping per story, referring to the events of its
// country and type dated within the story's dates.
func (s *Sink) Stories(ctx context.Context, stories []story.Story) error {
	now := s.cfg.Clock()
	var raws [][]byte
	s.mu.Lock()
	for _, st := range stories {
		var refs []string
		for _, r := range s.byKey[st.Country+"|"+string(st.Type)] {
			if !before(r.date, st.FirstDate) && !before(st.LastDate, r.date) {
				refs = append(refs, r.id)
			}
		}
		if len(refs) == 0 {
			continue // nothing this node stored (a restart): the next article writes it
		}
		sort.Strings(refs)
		// Two updates of a story can share the time of their latest
		// article; the later one is then versioned a millisecond on.
		raw := groupingJSON(st, refs, s.createdBy, s.markings, now)
		if last, ok := s.stories[st.ID]; ok && !st.LastSeen.After(last.modified) {
			st.LastSeen = last.modified
			if raw = groupingJSON(st, refs, s.createdBy, s.markings, now); string(raw) == string(last.raw) {
				continue
			}
			st.LastSeen = last.modified.Add(time.Millisecond)
			raw = groupingJSON(st, refs, s.createdBy, s.markings, now)
		}
		s.stories[st.ID] = written{modified: stamp(st.LastSeen, now), raw: raw}
		raws = append(raws, raw)
	}
	s.mu.Unlock()
	return s.write(ctx, raws, true)
}

func before(a, b ew.Date) bool { return a.Time().Before(b.Time()) }

// Alerts opens a monitoring situation for the country of each alert that
// is not an update, through the Opener.
func (s *Sink) Alerts(ctx context.Context, alerts []story.Alert) error {
	if s.cfg.Opener == nil {
		return nil
	}
	var errs []error
	for _, a := range alerts {
		if a.Update {
			continue
		}
		langs := make([]string, len(a.Languages))
		for i, l := range a.Languages {
			langs[i] = string(l)
		}
		title := fmt.Sprintf("Early warning: %s in %s", strings.ReplaceAll(string(a.Type), "_", " "), a.Country)
		summary := fmt.Sprintf("%s. Story %s (grouping %s): %d articles in the recent span at %.1f/h against a baseline of %.2f/h, in %s.",
			a.String(), a.StoryID, GroupingID(a.StoryID), a.Count, a.Rate, a.Baseline, strings.Join(langs, ", "))
		onset := a.FirstSeen
		if onset.IsZero() || onset.After(a.At) {
			onset = a.At
		}
		if err := s.cfg.Opener.RaiseAlert(ctx, a.Country, title, onset, summary); err != nil {
			errs = append(errs, fmt.Errorf("alert %s: %w", a.StoryID, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("ewstore: %w", err)
	}
	return nil
}

// write signs (if sign and a signer is set), parses and stores raws in one
// write, failing if any object is refused.
func (s *Sink) write(ctx context.Context, raws [][]byte, sign bool) error {
	if len(raws) == 0 {
		return nil
	}
	now := s.cfg.Clock()
	w := kurultai.Write{Principal: s.cfg.Principal, Collection: s.cfg.Collection, StatusID: uuid.NewString(),
		Time: now, SameContent: s.cfg.SameContent}
	for _, raw := range raws {
		if sign && s.cfg.Signer != nil {
			signed, err := s.cfg.Signer.Sign(raw)
			if err != nil {
				return fmt.Errorf("ewstore: sign: %w", err)
			}
			raw = signed
		}
		v, err := parse(raw)
		if err != nil {
			return err
		}
		w.Objects = append(w.Objects, v)
	}
	st, err := s.cfg.Store.AddObjects(ctx, w)
	if err != nil {
		return fmt.Errorf("ewstore: store: %w", err)
	}
	if len(st.Failures) > 0 {
		msgs := make([]string, 0, len(st.Failures))
		for _, f := range st.Failures {
			msgs = append(msgs, f.ID+": "+f.Message)
		}
		return fmt.Errorf("ewstore: %d objects refused: %s", len(st.Failures), strings.Join(msgs, "; "))
	}
	return nil
}
