package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/kurultai/kurultai/internal/auth"
	"github.com/kurultai/kurultai/internal/crisis"
	"github.com/kurultai/kurultai/internal/ew"
	"github.com/kurultai/kurultai/internal/ew/ewstore"
	"github.com/kurultai/kurultai/internal/ew/pipeline"
	"github.com/kurultai/kurultai/internal/ew/sources"
	"github.com/kurultai/kurultai/internal/ew/story"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/seed"
	"github.com/kurultai/kurultai/internal/trust"
	"github.com/kurultai/kurultai/internal/web"
)

// ewReload is how often the node re-reads its sources file, so that
// `kurultai sources add|remove` take effect without a restart.
const ewReload = 30 * time.Second

// earlyWarning is the node's early warning: the sources file, the poller
// reading it and the chain from articles to the store and the crisis
// mechanism.
type earlyWarning struct {
	poller *sources.Poller
	path   string
	log    *slog.Logger
	cancel context.CancelFunc
	done   chan struct{}
}

// startEarlyWarning builds the pipeline, the story tracker (alerting for
// the charter's members), the store sink and the poller of the sources in
// DATA/sources.json, whose health it keeps in DATA/sources-health.json.
// Alerts open monitoring situations through crisisSvc as the node's system
// principal (the secretariat role).
func startEarlyWarning(ctx context.Context, n *node, crisisSvc *web.Service) (*earlyWarning, error) {
	self, err := n.store.Participant(ctx, n.cfg.Participant)
	if err != nil {
		return nil, fmt.Errorf("early warning: %w", err)
	}
	sys := seed.SystemPrincipal(self)
	sink, err := ewstore.New(ewstore.Config{
		Store: n.store, Principal: sys, Signer: n.signer, SameContent: trust.SameContent,
		Opener: &situationOpener{svc: crisisSvc, p: sys, clock: n.clock, log: n.log},
		Clock:  n.clock,
	})
	if err != nil {
		return nil, fmt.Errorf("early warning: %w", err)
	}
	if err := sink.Init(ctx); err != nil {
		return nil, fmt.Errorf("early warning: %w", err)
	}
	p, err := pipeline.New()
	if err != nil {
		return nil, fmt.Errorf("early warning: %w", err)
	}
	mon := &story.Monitor{
		Pipeline: p,
		Dedup:    pipeline.NewDedup(10_000, pipeline.DefaultMinSimilarity),
		Tracker:  story.New(story.Config{Members: n.charter.Codes(kurultai.KindMember)}),
		Sink:     sink,
		Clock:    n.clock,
	}
	health, err := sources.NewFileHealth(filepath.Join(n.cfg.DataDir, sources.HealthFileName))
	if err != nil {
		return nil, fmt.Errorf("early warning: %w", err)
	}
	poller, err := sources.NewPoller(sources.PollerConfig{
		Health: health,
		Handle: func(ctx context.Context, _ sources.Source, articles []ew.Article) error {
			// A folder or feed comes in its own order; stories and alerts
			// need publication order to date the onset right.
			articles = slices.Clone(articles)
			slices.SortStableFunc(articles, func(a, b ew.Article) int { return a.Published.Compare(b.Published) })
			return mon.Handle(ctx, articles)
		},
		Clock:  n.clock,
		Logger: n.log.With("component", "early-warning"),
	})
	if err != nil {
		return nil, fmt.Errorf("early warning: %w", err)
	}
	e := &earlyWarning{poller: poller, path: filepath.Join(n.cfg.DataDir, sources.FileName), log: n.log, done: make(chan struct{})}
	if err := e.reload(); err != nil {
		poller.Close(ctx)
		return nil, err
	}
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	e.cancel = cancel
	go e.watch(rctx)
	return e, nil
}

// reload gives the poller the sources of the file.
func (e *earlyWarning) reload() error {
	f, err := sources.LoadFile(e.path)
	if err != nil {
		return fmt.Errorf("early warning: %w", err)
	}
	if err := e.poller.Set(f.Sources); err != nil {
		return fmt.Errorf("early warning: %w", err)
	}
	return nil
}

// watch re-reads the sources file until ctx ends; a broken file is logged
// and the sources polled so far keep running.
func (e *earlyWarning) watch(ctx context.Context) {
	defer close(e.done)
	t := time.NewTicker(ewReload)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := e.reload(); err != nil {
				e.log.Warn("sources file not reloaded", "err", err)
			}
		}
	}
}

// Close stops the poller; call it after HTTP and before the bus and store.
func (e *earlyWarning) Close(ctx context.Context) error {
	e.cancel()
	<-e.done
	if err := e.poller.Close(ctx); err != nil {
		return fmt.Errorf("early warning: %w", err)
	}
	return nil
}

// sourceHealth is one source as GET /api/v1/sources shows it.
type sourceHealth struct {
	Name        string    `json:"name"`
	URL         string    `json:"url"`
	Lang        ew.Lang   `json:"lang,omitempty"`
	Interval    string    `json:"interval"`
	LastAttempt time.Time `json:"last_attempt,omitzero"`
	LastSuccess time.Time `json:"last_success,omitzero"`
	LastError   string    `json:"last_error,omitempty"`
	LastErrorAt time.Time `json:"last_error_at,omitzero"`
	Failures    int       `json:"failures"`
	Items       int64     `json:"items"`
	OK          bool      `json:"ok"`
}

// Routes registers GET /api/v1/sources: the sources with their health,
// for any authenticated user (sources are published news outlets).
func (e *earlyWarning) Routes(mux *http.ServeMux, authn *auth.Authenticator) {
	mux.HandleFunc("GET /api/v1/sources", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		if _, err := authn.Authenticate(r); err != nil {
			w.Header().Set("WWW-Authenticate", `Basic realm="kurultai"`)
			w.WriteHeader(http.StatusUnauthorized)
			json.NewEncoder(w).Encode(map[string]string{"code": "unauthenticated", "message": "sign in to see the sources"})
			return
		}
		f, err := sources.LoadFile(e.path)
		if err != nil {
			w.WriteHeader(http.StatusInternalServerError)
			json.NewEncoder(w).Encode(map[string]string{"code": "internal", "message": "the sources file cannot be read"})
			e.log.Error("sources file", "err", err)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"sources": e.health(f.Sources)})
	})
}

// health joins the configured sources with the poller's health.
func (e *earlyWarning) health(srcs []sources.Source) []sourceHealth {
	by := map[string]sources.Health{}
	for _, h := range e.poller.Health() {
		by[h.Source] = h
	}
	out := make([]sourceHealth, 0, len(srcs))
	for _, s := range srcs {
		h := by[s.Name]
		out = append(out, sourceHealth{Name: s.Name, URL: s.URL, Lang: s.Lang, Interval: time.Duration(s.Interval).String(),
			LastAttempt: h.LastAttempt, LastSuccess: h.LastSuccess, LastError: h.LastError, LastErrorAt: h.LastErrorAt,
			Failures: h.Failures, Items: h.Items, OK: h.OK()})
	}
	return out
}

// situationOpener opens monitoring situations for early-warning alerts
// through the crisis service. For a country with an open situation it
// posts a situation report instead.
type situationOpener struct {
	svc   *web.Service
	p     kurultai.Principal
	clock kurultai.Clock
	log   *slog.Logger
	mu    sync.Mutex // one check-then-open at a time
}

// RaiseAlert implements ewstore.Opener.
func (o *situationOpener) RaiseAlert(ctx context.Context, country, title string, onset time.Time, summary string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	now := o.clock()
	states, err := o.svc.Situations(ctx, o.p, now)
	if err != nil {
		return fmt.Errorf("situations: %w", err)
	}
	for _, st := range states {
		if st.Final || !slices.Contains(st.Affected(), country) {
			continue
		}
		// Open already: add what early warning sees as a report, once per
		// title (a restart reads the same news again). A refusal (the
		// charter may not let the secretariat report) is not worth failing
		// the poll over.
		if st.Situation.Title == title || slices.ContainsFunc(st.Reports, func(r *crisis.SituationReport) bool { return r.Title == title }) {
			return nil
		}
		if _, err := o.svc.Act(ctx, o.p, st.ID, &crisis.PostReport{Title: title, Text: summary}); err != nil {
			o.log.Warn("early warning: situation report refused", "situation", st.ID, "err", err)
		}
		return nil
	}
	if onset.After(now) {
		onset = now
	}
	_, err = o.svc.Act(ctx, o.p, "", &crisis.RaiseAlert{Title: title, Onset: onset, Affected: []string{country}, Summary: summary})
	if err != nil {
		return fmt.Errorf("raise alert: %w", err)
	}
	o.log.Info("early warning opened a situation", "country", country, "title", title, "onset", onset)
	return nil
}

var _ ewstore.Opener = (*situationOpener)(nil)
