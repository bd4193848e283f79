package web

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/kurultai/kurultai/internal/access"
	"github.com/kurultai/kurultai/internal/crisis"
	"github.com/kurultai/kurultai/internal/crisis/clock"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/stix"
)

// Crisis is what the pages need of the crisis mechanism: situations
// derived from the records a principal may see, and actions taken the one
// way every surface takes them (lock the situation, derive from the
// visible records, crisis.Act, store in one write, publish). A node passes
// the same clock.Index to the JSON API and to the pages, and both take the
// index's per-situation lock around an action.
type Crisis interface {
	// Situations derives every situation p may see at now, oldest first.
	Situations(ctx context.Context, p kurultai.Principal, now time.Time) ([]*crisis.State, error)
	// Situation derives one situation as p sees it; a situation p may not
	// see is CodeNotFound.
	Situation(ctx context.Context, p kurultai.Principal, id string, now time.Time) (*crisis.State, error)
	// Act takes an action on a situation (situation "" for raise_alert)
	// and returns the situation's id. Refusals are *kurultai.Error.
	Act(ctx context.Context, p kurultai.Principal, situation string, a crisis.Action) (string, error)
}

// Signer signs an object's JSON for this node (*trust.Signer).
type Signer interface {
	Sign(raw []byte) ([]byte, error)
}

// ServiceConfig configures NewService.
type ServiceConfig struct {
	Store     kurultai.Store    // required
	Markings  *access.Markings  // required
	Mechanism *crisis.Mechanism // required
	Index     *clock.Index      // nil: a new one over Store
	Bus       kurultai.Bus      // nil: nothing published
	Wake      func()            // called after each write; may be nil
	Signer    Signer            // nil: records stored unsigned
	Clock     kurultai.Clock    // nil: time.Now
	Logger    *slog.Logger      // nil: discard
}

// Service implements Crisis over the store, the crisis index and the bus.
// It caches derived states (see stateCache), so that a desk of a thousand
// situations does not derive a thousand of them on every view.
type Service struct {
	store    kurultai.Store
	markings *access.Markings
	m        *crisis.Mechanism
	idx      *clock.Index
	bus      kurultai.Bus
	wake     func()
	signer   Signer
	clock    kurultai.Clock
	log      *slog.Logger
	cache    *stateCache
}

// NewService returns the crisis service of a node.
func NewService(cfg ServiceConfig) (*Service, error) {
	switch {
	case cfg.Store == nil:
		return nil, fmt.Errorf("web: service: Store is required")
	case cfg.Markings == nil:
		return nil, fmt.Errorf("web: service: Markings is required")
	case cfg.Mechanism == nil:
		return nil, fmt.Errorf("web: service: Mechanism is required")
	}
	s := &Service{store: cfg.Store, markings: cfg.Markings, m: cfg.Mechanism, idx: cfg.Index, bus: cfg.Bus,
		wake: cfg.Wake, signer: cfg.Signer, clock: cfg.Clock, log: cfg.Logger, cache: newStateCache(8192)}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.idx == nil {
		s.idx = clock.NewIndex(s.store, s.m, crisis.CollectionID, clock.IndexOptions{Clock: s.clock, Logger: s.log})
	}
	if s.wake == nil {
		s.wake = func() {}
	}
	return s, nil
}

// Situations implements Crisis. Situations not in the cache are derived
// on every CPU: a cold desk of a thousand situations is otherwise one
// core's work.
func (s *Service) Situations(ctx context.Context, p kurultai.Principal, now time.Time) ([]*crisis.State, error) {
	if err := s.idx.Refresh(ctx); err != nil {
		return nil, fmt.Errorf("web: situations: %w", err)
	}
	ids := s.idx.Situations()
	states := make([]*crisis.State, len(ids))
	errs := make([]error, len(ids))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(ids)/deriveChunk+1) {
		wg.Go(func() {
			for {
				lo := int(next.Add(deriveChunk)) - deriveChunk
				if lo >= len(ids) {
					return
				}
				for i := lo; i < min(lo+deriveChunk, len(ids)); i++ {
					states[i], errs[i] = s.derive(p, ids[i], now)
				}
			}
		})
	}
	wg.Wait()
	out := states[:0]
	for i, st := range states {
		if kurultai.ErrorCode(errs[i]) == kurultai.CodeNotFound {
			continue
		}
		if errs[i] != nil {
			return nil, errs[i]
		}
		out = append(out, st)
	}
	return out, nil
}

// deriveChunk is how many situations a worker of Situations takes at a time.
const deriveChunk = 16

// Situation implements Crisis.
func (s *Service) Situation(ctx context.Context, p kurultai.Principal, id string, now time.Time) (*crisis.State, error) {
	if err := s.idx.Refresh(ctx); err != nil {
		return nil, fmt.Errorf("web: situation: %w", err)
	}
	return s.derive(p, id, now)
}

// derive returns the state of a situation from the entries p may see,
// from the cache when an equal input was derived recently enough.
func (s *Service) derive(p kurultai.Principal, id string, now time.Time) (*crisis.State, error) {
	entries, version := s.idx.Entries(id)
	h := fnv.New64a()
	var num [8]byte
	recs := make([]crisis.Record, 0, len(entries))
	var problems []crisis.Ignored
	for _, e := range entries {
		if !access.Decide(p, e.Version, s.markings) {
			continue
		}
		h.Write([]byte(e.Version.ID))
		binary.LittleEndian.PutUint64(num[:], uint64(e.Version.VersionKey))
		h.Write(num[:])
		if e.Record == nil {
			k, _ := crisis.KindOf(e.Version.Type)
			problems = append(problems, crisis.Ignored{ID: e.Version.ID, Version: e.Version.Version, Kind: k, By: e.Version.Originator, Reason: e.Problem})
			continue
		}
		recs = append(recs, e.Record)
	}
	if len(recs) == 0 {
		return nil, kurultai.Errorf(kurultai.CodeNotFound, "no situation %s", id)
	}
	key := cacheKey{situation: id, version: version, visible: h.Sum64()}
	if st := s.cache.get(key, now); st != nil {
		return st, nil
	}
	st, err := s.m.Derive(id, recs, now)
	if err != nil {
		return nil, err
	}
	st.Ignored = append(st.Ignored, problems...)
	s.cache.put(key, st, s.m.Next(st, now))
	return st, nil
}

// Act implements Crisis.
func (s *Service) Act(ctx context.Context, p kurultai.Principal, situation string, a crisis.Action) (string, error) {
	if !p.CanWrite() {
		return "", kurultai.Errorf(kurultai.CodeForbidden, "a user with role %s takes no action in the crisis mechanism", p.Role)
	}
	if situation != "" {
		// The index's lock, shared with the JSON API and, through the
		// store, with the other processes.
		unlock, err := s.idx.Lock(ctx, situation)
		if err != nil {
			return "", fmt.Errorf("web: act: %w", err)
		}
		defer unlock()
	}
	if err := s.idx.Refresh(ctx); err != nil {
		return "", fmt.Errorf("web: act: %w", err)
	}
	now := s.clock()
	var st *crisis.State
	if situation != "" {
		var err error
		if st, err = s.derive(p, situation, now); err != nil {
			return "", err
		}
	}
	res, err := s.m.Act(st, p, a, now)
	if err != nil {
		return "", err
	}
	if situation == "" {
		situation = res.Records[0].Base().Situation
	}
	// Nothing is stored while the bus is down: the records' notifications
	// and live updates would be lost (the page answers 503; the user
	// tries again).
	if err := kurultai.BusReady(s.bus); err != nil {
		return "", err
	}
	wr := kurultai.Write{Principal: p, Collection: crisis.CollectionID, StatusID: uuid.NewString(), Time: now}
	for _, v := range res.Versions {
		cp := *v
		if s.signer != nil {
			signed, err := s.signer.Sign(v.Raw)
			if err != nil {
				return "", fmt.Errorf("web: sign %s: %w", v.ID, err)
			}
			cp.Raw = signed
		}
		wr.Objects = append(wr.Objects, &cp)
	}
	status, err := s.store.AddObjects(ctx, wr)
	if err != nil {
		return "", fmt.Errorf("web: store: %w", err)
	}
	for _, f := range status.Failures {
		if strings.Contains(f.Message, "marking") {
			return "", fmt.Errorf("web: store refused %s: %s", f.ID, f.Message)
		}
		return "", kurultai.Errorf(kurultai.CodeConflict, "the store refused %s: %s", f.ID, f.Message)
	}
	s.publish(ctx, wr.Objects, res.Notifications)
	s.wake()
	return situation, nil
}

// publish announces the stored records and sends the notifications; the
// commit is done, so a failure is logged.
func (s *Service) publish(ctx context.Context, stored []*kurultai.ObjectVersion, notes []crisis.Notification) {
	if s.bus == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	added := make([]clock.Added, len(stored))
	for i, v := range stored {
		added[i] = clock.Added{Collection: crisis.CollectionID, ID: v.ID, Version: v.Version}
		if !v.DateAdded.IsZero() {
			added[i].DateAdded = stix.FormatTime(v.DateAdded)
		}
	}
	if data, err := json.Marshal(added); err == nil {
		if err := s.bus.Publish(ctx, clock.SubjectObjectsAdded, data); err != nil {
			s.log.WarnContext(ctx, "web: publish objects.added", "err", err)
		}
	}
	if durable, ok := s.bus.(clock.Bus); ok {
		// Durably (once per id) and live, as the clock worker does.
		if err := clock.PublishAll(ctx, durable, notes); err != nil {
			s.log.WarnContext(ctx, "web: publish notifications", "count", len(notes), "err", err)
		}
		return
	}
	for _, n := range notes {
		data, err := json.Marshal(clock.NewMessage(n))
		if err != nil {
			continue
		}
		if err := s.bus.Publish(ctx, clock.LiveSubject(n.To), data); err != nil {
			s.log.WarnContext(ctx, "web: publish notification", "err", err)
		}
	}
}

// cacheKey identifies the input of a derivation: a situation, the index
// version of its last change and a hash of the versions the reader sees.
// Principals who see the same versions share the derived state.
type cacheKey struct {
	situation string
	version   uint64
	visible   uint64
}

type cached struct {
	st      *crisis.State
	derived time.Time
	until   time.Time // zero: until the records change
}

// maxCacheAge bounds how long a derived state is reused even when the
// mechanism says nothing falls due (a safety net, not a correctness need).
const maxCacheAge = time.Minute

// stateCache keeps derived states. A state derived at t stays right until
// crisis.Mechanism.Next says something falls due (a reminder point, a due
// time, a silence or consent expiry), since nothing else in Derive reads
// the time; it is only reused for times in [derived, until).
type stateCache struct {
	mu  sync.Mutex // guards m
	m   map[cacheKey]cached
	max int
}

func newStateCache(max int) *stateCache {
	return &stateCache{m: map[cacheKey]cached{}, max: max}
}

func (c *stateCache) get(k cacheKey, now time.Time) *crisis.State {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	if !ok || now.Before(e.derived) || now.Sub(e.derived) > maxCacheAge || (!e.until.IsZero() && !now.Before(e.until)) {
		return nil
	}
	return e.st
}

func (c *stateCache) put(k cacheKey, st *crisis.State, until time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		clear(c.m) // crude but bounded; a full cache is rebuilt in one desk view
	}
	c.m[k] = cached{st: st, derived: st.Now, until: until}
}
