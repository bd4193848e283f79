package sources

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sort"
	"sync"
	"time"

	"github.com/kurultai/kurultai/internal/ew"
)

// Handler receives the new articles of one poll of a source. It runs in
// the source's own goroutine; an error counts as a failed poll (the items
// are offered again next time).
type Handler func(ctx context.Context, src Source, articles []ew.Article) error

// PollerConfig configures a Poller.
type PollerConfig struct {
	Fetcher *Fetcher         // nil: NewFetcher(DefaultLimits(), nil)
	Health  HealthStore      // nil: a MemoryHealth
	Handle  Handler          // required
	Clock   func() time.Time // nil: time.Now
	Logger  *slog.Logger     // nil: discard
	// MaxBackoff caps the wait after repeated failures; default 6 h.
	MaxBackoff time.Duration
	// Remember is how many item URLs per source are remembered to tell new
	// items from old; default 5000.
	Remember int
}

// Poller polls sources concurrently, one goroutine per source, so a slow
// or failing source never delays another. Close stops it.
type Poller struct {
	cfg    PollerConfig
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex // guards workers, health and closed
	workers map[string]*worker
	health  map[string]Health
	closed  bool
}

// worker owns one source's goroutine and state.
type worker struct {
	src    Source
	cancel context.CancelFunc
	done   chan struct{}

	pollMu sync.Mutex // serialises polls of the source and guards seen
	seen   *recent
}

// NewPoller returns a poller with the health its store remembers; Set
// gives it sources.
func NewPoller(cfg PollerConfig) (*Poller, error) {
	if cfg.Handle == nil {
		return nil, fmt.Errorf("sources: poller: no handler")
	}
	if cfg.Fetcher == nil {
		cfg.Fetcher = NewFetcher(DefaultLimits(), nil)
	}
	if cfg.Health == nil {
		cfg.Health = &MemoryHealth{}
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 6 * time.Hour
	}
	if cfg.Remember <= 0 {
		cfg.Remember = 5000
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &Poller{cfg: cfg, ctx: ctx, cancel: cancel, workers: map[string]*worker{}}
	h, err := cfg.Health.LoadHealth(ctx)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("sources: poller: %w", err)
	}
	p.health = h
	return p, nil
}

// Set makes the poller poll exactly srcs: it starts sources that are new,
// restarts those whose settings changed, and stops those no longer listed.
// Sources must have distinct names and positive intervals.
func (p *Poller) Set(srcs []Source) error {
	names := map[string]bool{}
	for _, s := range srcs {
		if s.Name == "" || names[s.Name] {
			return fmt.Errorf("sources: poller: empty or repeated source name %q", s.Name)
		}
		if s.Interval <= 0 {
			return fmt.Errorf("sources: poller: %s: interval must be positive", s.Name)
		}
		names[s.Name] = true
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return fmt.Errorf("sources: poller closed")
	}
	var stop []*worker
	var gone []string
	for name, w := range p.workers {
		if !names[name] {
			stop = append(stop, w)
			delete(p.workers, name)
			delete(p.health, name)
			gone = append(gone, name)
		}
	}
	for _, s := range srcs {
		if w, ok := p.workers[s.Name]; ok {
			if w.src == s {
				continue
			}
			stop = append(stop, w)
		}
		p.workers[s.Name] = p.start(s)
	}
	p.mu.Unlock()
	for _, w := range stop {
		w.cancel()
		<-w.done
	}
	for _, name := range gone {
		if err := p.cfg.Health.DeleteHealth(p.ctx, name); err != nil {
			p.cfg.Logger.Error("sources: delete health", "source", name, "err", err)
		}
	}
	return nil
}

// start launches a source's goroutine; p.mu is held.
func (p *Poller) start(s Source) *worker {
	ctx, cancel := context.WithCancel(p.ctx)
	w := &worker{src: s, cancel: cancel, done: make(chan struct{}), seen: newRecent(p.cfg.Remember)}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		defer close(w.done)
		p.loop(ctx, w)
	}()
	return w
}

// loop polls a source whenever its next poll falls due, until ctx ends.
func (p *Poller) loop(ctx context.Context, w *worker) {
	for {
		p.mu.Lock()
		next := p.health[w.src.Name].NextPoll
		p.mu.Unlock()
		wait := next.Sub(p.cfg.Clock())
		if wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
		if ctx.Err() != nil {
			return
		}
		p.poll(ctx, w)
	}
}

// PollNow polls a source at once, in the caller's goroutine, and returns
// the poll's error. It serves tests and an operator's "check now".
func (p *Poller) PollNow(ctx context.Context, name string) error {
	p.mu.Lock()
	w := p.workers[name]
	p.mu.Unlock()
	if w == nil {
		return fmt.Errorf("sources: no source %q", name)
	}
	return p.poll(ctx, w)
}

// poll reads a source once and records its health. It never panics: a
// panic in a parser or the handler is a failed poll.
func (p *Poller) poll(ctx context.Context, w *worker) (err error) {
	w.pollMu.Lock()
	defer w.pollMu.Unlock()
	src := w.src
	p.mu.Lock()
	h := p.health[src.Name]
	p.mu.Unlock()
	h.Source, h.URL = src.Name, src.URL
	start := p.cfg.Clock()
	h.LastAttempt = start
	n := 0
	defer func() {
		if r := recover(); r != nil {
			p.cfg.Logger.Error("sources: panic while polling", "source", src.Name, "panic", r, "stack", string(debug.Stack()))
			err = fmt.Errorf("internal error: %v", r)
		}
		p.record(ctx, src, h, n, err)
	}()
	var arts []ew.Article
	if src.Remote() {
		res, ferr := p.cfg.Fetcher.Fetch(ctx, src, h.ETag, h.LastModified)
		if ferr != nil {
			return ferr
		}
		h.ETag, h.LastModified = res.ETag, res.LastModified
		arts = res.Articles
	} else {
		a, rerr := ReadPath(src.Path(), src, p.cfg.Fetcher.Limits().FeedBytes)
		if rerr != nil && len(a) == 0 {
			return rerr
		}
		arts = a
		err = rerr // some files failed: report it, but pass on the rest
	}
	fresh := arts[:0:0]
	var keys []string
	for _, a := range arts {
		k := itemKey(a)
		if !w.seen.has(k) {
			fresh = append(fresh, a)
			keys = append(keys, k)
		}
	}
	if len(fresh) > 0 {
		if herr := p.cfg.Handle(ctx, src, fresh); herr != nil {
			return fmt.Errorf("handler: %w", herr)
		}
		for _, k := range keys {
			w.seen.add(k)
		}
	}
	n = len(fresh)
	return err
}

// record updates and saves a source's health after a poll.
func (p *Poller) record(ctx context.Context, src Source, h Health, n int, err error) {
	now := p.cfg.Clock()
	interval := time.Duration(src.Interval)
	if err != nil {
		h.Failures++
		h.LastError = err.Error()
		h.LastErrorAt = now
		h.NextPoll = now.Add(p.backoff(interval, h.Failures))
		p.cfg.Logger.Warn("sources: poll failed", "source", src.Name, "url", src.URL, "failures", h.Failures, "err", err)
	} else {
		h.Failures = 0
		h.LastSuccess = now
		h.NextPoll = now.Add(interval)
		p.cfg.Logger.Debug("sources: polled", "source", src.Name, "new", n)
	}
	h.LastItems = n
	h.Items += int64(n)
	// Saved first, so whoever sees the new health in memory can rely on
	// it being in the store.
	if serr := p.cfg.Health.SaveHealth(context.WithoutCancel(ctx), h); serr != nil {
		p.cfg.Logger.Error("sources: save health", "source", src.Name, "err", serr)
	}
	p.mu.Lock()
	p.health[src.Name] = h
	p.mu.Unlock()
}

// backoff is the wait after the n-th consecutive failure: the interval
// doubled n times (so the first retry waits twice the interval), at most
// MaxBackoff and never less than the interval.
func (p *Poller) backoff(interval time.Duration, n int) time.Duration {
	d := interval
	for range n {
		if d >= p.cfg.MaxBackoff/2 {
			return max(p.cfg.MaxBackoff, interval)
		}
		d *= 2
	}
	return d
}

// Health returns the health of every source polled, sorted by name.
func (p *Poller) Health() []Health {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]Health, 0, len(p.workers))
	for name, w := range p.workers {
		h := p.health[name]
		h.Source, h.URL = name, w.src.URL
		out = append(out, h)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Source < out[j].Source })
	return out
}

// Close stops every source's goroutine and waits for them, or for ctx.
// A poll in flight is canceled.
func (p *Poller) Close(ctx context.Context) error {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.cancel()
	done := make(chan struct{})
	go func() { p.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("sources: poller: %w", errors.Join(ctx.Err(), errors.New("sources still stopping")))
	}
}

// itemKey identifies an item across polls: its URL, else a hash of its
// text.
func itemKey(a ew.Article) string {
	if a.URL != "" {
		return a.URL
	}
	sum := sha256.Sum256([]byte(a.Title + "\x00" + a.Text))
	return fmt.Sprintf("sha256:%x", sum[:16])
}

// recent is a bounded set that forgets its oldest keys first.
type recent struct {
	keys []string
	next int
	set  map[string]bool
}

func newRecent(n int) *recent { return &recent{keys: make([]string, n), set: map[string]bool{}} }

func (r *recent) has(k string) bool { return r.set[k] }

func (r *recent) add(k string) {
	if r.set[k] {
		return
	}
	if old := r.keys[r.next]; old != "" {
		delete(r.set, old)
	}
	r.keys[r.next] = k
	r.next = (r.next + 1) % len(r.keys)
	r.set[k] = true
}
