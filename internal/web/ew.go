package web

import (
	"cmp"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/kurultai/kurultai/internal/access"
	"github.com/kurultai/kurultai/internal/ew/ewstore"
	"github.com/kurultai/kurultai/internal/ew/sources"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/seed"
)

// Bounds of the early-warning page: the groupings examined for stories,
// the stories and events shown, the points of a sparkline.
const (
	ewScanBudget = 5000
	ewStories    = 30
	ewEvents     = 100 // at most the store's match[id] list
	ewSparkline  = 48
)

// ewData is the early-warning page: the stories the user may see, newest
// activity first, the events of one of them with their source chains, and
// the sources by language.
type ewData struct {
	Stories     []storyRow
	More        bool      // more stories than shown
	Story       *storyRow // the story whose events are shown
	Events      []eventRow
	Languages   []langSources
	NoSources   bool // the node reads no sources (or none configured)
	SourcesErr  bool // the sources could not be read
	SourceCount int
}

type storyRow struct {
	ID, StoryID, Country, Type string
	// By is the participant that wrote the story: a node's own early
	// warning writes as the node's participant, so a grouping a user
	// posted in the same shape shows as that user's participant's.
	By                  string
	FirstDate, LastDate string
	FirstSeen, LastSeen time.Time
	Articles, Events    int
	Languages           string
	Spark               template.HTML
	Badges              []badge
	refs                []string
}

// eventRow is an event with its source chain: the article it was read
// from (when the user may see it) and who it attributes the event to,
// nearest first.
type eventRow struct {
	ID, Type, Country, Place, Date, Language string
	Evidence                                 string
	Confidence                               int
	Chain                                    []string
	Article                                  *objectRow // nil: not stored or not visible
	ArticleURL                               string
	Badges                                   []badge
}

// langSources is the sources publishing in one language.
type langSources struct {
	Lang    string // "" for sources in several languages
	Sources []sources.Status
	Failing int
}

// earlyWarning renders the early-warning page. Stories and events are the
// groupings and event SDOs ewstore keeps in the intel collection, read
// through the access decision; the sources come from Config.Sources.
func (s *Server) earlyWarning(w http.ResponseWriter, r *http.Request, rq *request) error {
	ctx := r.Context()
	allow := func(v *kurultai.ObjectVersion) bool { return access.Decide(rq.p, v, s.markings) }
	var d ewData
	var stories []storyRow
	var refs []kurultai.ObjectRef
	query := kurultai.Query{Collection: seed.IntelCollectionID, Types: []string{"grouping"}, Limit: 1000, WithRaw: true}
	for scanned := 0; scanned < ewScanBudget; {
		page, err := s.store.ListObjects(ctx, query, allow)
		if err != nil {
			return fmt.Errorf("web: early warning: %w", err)
		}
		scanned += len(page.Items) + page.Withheld
		for _, v := range page.Items {
			sv, err := ewstore.ParseStory(v.Raw)
			if err != nil {
				continue // another grouping
			}
			stories = append(stories, s.storyRowOf(sv, v, rq))
			refs = append(refs, kurultai.ObjectRef{ID: v.ID, Version: v.Version})
		}
		if !page.More {
			break
		}
		query.After = page.Next
	}
	slices.SortFunc(stories, func(a, b storyRow) int {
		return cmp.Or(b.LastSeen.Compare(a.LastSeen), cmp.Compare(a.ID, b.ID))
	})
	want := r.URL.Query().Get("story")
	for i := range stories {
		if stories[i].ID == want || want == "" && i == 0 {
			d.Story = &stories[i]
		}
	}
	if want != "" && d.Story == nil {
		return kurultai.Errorf(kurultai.CodeNotFound, "no story %s", clip(want))
	}
	d.More = len(stories) > ewStories
	d.Stories = stories[:min(len(stories), ewStories)]
	if d.Story != nil {
		evs, err := s.storyEvents(r, rq, d.Story.refs)
		if err != nil {
			return err
		}
		d.Events = evs
		for _, e := range evs {
			refs = append(refs, kurultai.ObjectRef{ID: e.ID})
		}
	}
	if err := s.sourcesOf(r, &d); err != nil {
		return err
	}
	if err := s.auditRead(r, rq.p, kurultai.AuditEntry{Action: kurultai.ActionObjectsRead, Objects: refs, Query: r.URL.RawQuery,
		Detail: fmt.Sprintf("web early warning: %d stories, %d events listed", len(d.Stories), len(d.Events))}); err != nil {
		return err
	}
	return s.render(w, r, rq, http.StatusOK, "ew", rq.l.T("ew.title"), "ew", d)
}

func (s *Server) storyRowOf(sv ewstore.StoryView, v *kurultai.ObjectVersion, rq *request) storyRow {
	langs := make([]string, 0, len(sv.Languages))
	for l := range sv.Languages {
		langs = append(langs, l)
	}
	slices.SortFunc(langs, func(a, b string) int { return cmp.Or(sv.Languages[b]-sv.Languages[a], cmp.Compare(a, b)) })
	for i, l := range langs {
		langs[i] = fmt.Sprintf("%s %d", l, sv.Languages[l])
	}
	return storyRow{ID: sv.ID, StoryID: sv.StoryID, Country: sv.Country, Type: sv.EventType, FirstDate: sv.FirstDate, LastDate: sv.LastDate,
		FirstSeen: sv.FirstSeen, LastSeen: sv.LastSeen, Articles: sv.Articles, Events: len(sv.Events), Languages: strings.Join(langs, ", "),
		Spark: sparkline(sv.Series(rq.now, ewSparkline), rq.l.T("ew.spark", sv.Country)), Badges: s.badges(v), refs: sv.Events,
		By: v.Originator}
}

// storyEvents reads the events a story refers to, newest first, and the
// articles they were read from, each through the access decision.
func (s *Server) storyEvents(r *http.Request, rq *request, ids []string) ([]eventRow, error) {
	if len(ids) > ewEvents {
		ids = ids[len(ids)-ewEvents:]
	}
	if len(ids) == 0 {
		return nil, nil
	}
	allow := func(v *kurultai.ObjectVersion) bool { return access.Decide(rq.p, v, s.markings) }
	page, err := s.store.ListObjects(r.Context(), kurultai.Query{Collection: seed.IntelCollectionID, IDs: ids, Types: []string{ewstore.EventType},
		Limit: ewEvents, WithRaw: true}, allow)
	if err != nil {
		return nil, fmt.Errorf("web: early warning events: %w", err)
	}
	var out []eventRow
	articles := map[string]bool{}
	var articleIDs []string
	for _, v := range page.Items {
		ev, err := ewstore.ParseEvent(v.Raw)
		if err != nil {
			continue
		}
		out = append(out, eventRow{ID: ev.ID, Type: ev.EventType, Country: ev.Country, Place: ev.Place, Date: ev.Date, Language: ev.Language,
			Evidence: ev.Evidence, Confidence: ev.Confidence, Chain: ev.Attribution, ArticleURL: ev.Article, Badges: s.badges(v)})
		if ev.Article != "" && !articles[ev.Article] {
			articles[ev.Article] = true
			articleIDs = append(articleIDs, ev.Article)
		}
	}
	reports := map[string]objectRow{}
	urls := map[string]string{}
	if len(articleIDs) > 0 {
		rp, err := s.store.ListObjects(r.Context(), kurultai.Query{Collection: seed.IntelCollectionID, IDs: articleIDs, Types: []string{"report"},
			Limit: ewEvents, WithRaw: true}, allow)
		if err != nil {
			return nil, fmt.Errorf("web: early warning articles: %w", err)
		}
		for _, v := range rp.Items {
			reports[v.ID] = s.rowOf(v)
			urls[v.ID] = reportURL(v.Raw)
		}
	}
	for i := range out {
		id := out[i].ArticleURL
		out[i].ArticleURL = ""
		if row, ok := reports[id]; ok {
			out[i].Article = &row
			out[i].ArticleURL = urls[id]
		}
	}
	slices.SortStableFunc(out, func(a, b eventRow) int { return cmp.Or(cmp.Compare(b.Date, a.Date), cmp.Compare(a.ID, b.ID)) })
	return out, nil
}

// reportURL is the first http(s) URL among a report's external references.
func reportURL(raw []byte) string {
	var rep struct {
		Refs []struct {
			URL string `json:"url"`
		} `json:"external_references"`
	}
	if json.Unmarshal(raw, &rep) != nil {
		return ""
	}
	for _, x := range rep.Refs {
		if strings.HasPrefix(x.URL, "https://") || strings.HasPrefix(x.URL, "http://") {
			return x.URL
		}
	}
	return ""
}

// sourcesOf fills the sources by language.
func (s *Server) sourcesOf(r *http.Request, d *ewData) error {
	if s.cfg.Sources == nil {
		d.NoSources = true
		return nil
	}
	list, err := s.cfg.Sources(r.Context())
	if err != nil {
		s.log.WarnContext(r.Context(), "web: sources", "err", err)
		d.SourcesErr = true
		return nil
	}
	d.SourceCount = len(list)
	d.NoSources = len(list) == 0
	byLang := map[string]*langSources{}
	for _, src := range list {
		l := string(src.Lang)
		g := byLang[l]
		if g == nil {
			g = &langSources{Lang: l}
			byLang[l] = g
		}
		g.Sources = append(g.Sources, src)
		if !src.OK() {
			g.Failing++
		}
	}
	for _, g := range byLang {
		d.Languages = append(d.Languages, *g)
	}
	slices.SortFunc(d.Languages, func(a, b langSources) int {
		return cmp.Or(cmp.Compare(boolInt(a.Lang == ""), boolInt(b.Lang == "")), cmp.Compare(a.Lang, b.Lang))
	})
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
