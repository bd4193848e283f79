package clock

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kurultai/kurultai/internal/crisis"
	"github.com/kurultai/kurultai/internal/kurultai"
)

// Defaults of a Worker.
const (
	// DefaultCatchUp is how far before its start a worker still sends what
	// fell due: the bus's de-duplication window, within which another
	// process (or an earlier run) that sent it is remembered.
	DefaultCatchUp = 10 * time.Minute
	// DefaultMaxSleep bounds the sleep between two ticks.
	DefaultMaxSleep = time.Minute
	// retryAfter is the sleep after a failed tick.
	retryAfter = 5 * time.Second
	// forgetAfter is how long a sent id is remembered after it fell due.
	forgetAfter = 90 * 24 * time.Hour
	// DefaultStandbyPoll is how often a standby worker tries to become
	// the leader, and how often the leader checks that it still is.
	DefaultStandbyPoll = 5 * time.Second
	// heldTimeout bounds the leader's check of its lock; a check that
	// takes longer counts as the lock lost.
	heldTimeout = 5 * time.Second
	// handoverMargin is how far before the last moment a new leader knew
	// the clock run it still sends what fell due (see lead).
	handoverMargin = time.Minute
)

// CheckedLocker is a kurultai.KeyLocker whose locks can tell that they
// were lost (the PostgreSQL store's: the database session holding one can
// die). TryLockKeyChecked is TryLockKey that also returns held, which
// fails once the lock is no longer this process's. A leader whose locker
// is one checks before every tick and steps down when the check fails.
type CheckedLocker interface {
	TryLockKeyChecked(ctx context.Context, key string) (unlock func(), held func(context.Context) error, ok bool, err error)
}

// LeaderKey is the cross-process lock under which one worker of the
// processes sharing a store runs the clock.
const LeaderKey = "crisis.clock"

// Config configures a Worker.
type Config struct {
	Index *Index // required
	Bus   Bus    // required
	// Collection is the crisis collection, whose writes wake the worker.
	Collection string
	Clock      kurultai.Clock // nil: time.Now
	Logger     *slog.Logger   // nil: discard
	// CatchUp: notifications that fell due more than CatchUp before the
	// worker started are taken as sent. Zero means DefaultCatchUp.
	CatchUp time.Duration
	// MaxSleep bounds the sleep between ticks; zero means DefaultMaxSleep.
	MaxSleep time.Duration
	// StandbyPoll is how often a standby worker (another process leads)
	// tries to lead; zero means DefaultStandbyPoll.
	StandbyPoll time.Duration
}

// Worker publishes what the crisis clock owes. Start runs it; Tick is
// one evaluation, for tests.
type Worker struct {
	idx        *Index
	m          *crisis.Mechanism
	bus        Bus
	collection string
	clock      kurultai.Clock
	log        *slog.Logger
	catchUp    time.Duration
	maxSleep   time.Duration
	standby    time.Duration
	leader     kurultai.KeyLocker // the index's; nil: this process alone runs the clock
	leading    atomic.Bool
	wake       chan struct{} // buffered 1: wakes coalesce

	mu sync.Mutex // guards the fields below; held for a whole Tick, so ticks never overlap
	// from: what fell due before it is taken as sent (by an earlier run
	// or another leader); set at Start and when the worker takes the lead.
	from time.Time
	// known is the last moment this worker knew the clock run: by another
	// process (a refused try of the lock) or by itself (a check of its
	// lock). Zero before either.
	known time.Time
	sits  map[string]*sitClock

	cancel context.CancelFunc // set by Start
	done   chan struct{}      // closed when the goroutine ends
	unsub  func()
}

// sitClock is what the worker remembers of one situation.
type sitClock struct {
	version uint64    // the index version it was derived at
	next    time.Time // when something next falls due (zero: nothing pending)
	final   bool
	sent    map[string]time.Time // notification id -> when it fell due
}

// Stats counts what one Tick did.
type Stats struct {
	Derived    int // situations derived
	Published  int // notifications the stream took as new
	Duplicates int // notifications the stream already had
	Skipped    int // notifications older than the catch-up window
}

// NewWorker returns a worker; call Start to run it, or Tick.
func NewWorker(cfg Config) (*Worker, error) {
	switch {
	case cfg.Index == nil:
		return nil, errors.New("clock: config: Index is required")
	case cfg.Bus == nil:
		return nil, errors.New("clock: config: Bus is required")
	}
	w := &Worker{
		idx: cfg.Index, m: cfg.Index.Mechanism(), bus: cfg.Bus, collection: cfg.Collection,
		clock: cfg.Clock, log: cfg.Logger, catchUp: cfg.CatchUp, maxSleep: cfg.MaxSleep,
		standby: cfg.StandbyPoll, leader: cfg.Index.Locker(),
		wake: make(chan struct{}, 1), sits: map[string]*sitClock{},
	}
	if w.standby <= 0 {
		w.standby = DefaultStandbyPoll
	}
	if w.clock == nil {
		w.clock = time.Now
	}
	if w.log == nil {
		w.log = slog.New(slog.DiscardHandler)
	}
	if w.catchUp <= 0 {
		w.catchUp = DefaultCatchUp
	}
	if w.maxSleep <= 0 {
		w.maxSleep = DefaultMaxSleep
	}
	w.from = w.clock().Add(-w.catchUp)
	return w, nil
}

// Start subscribes to the writes of the crisis collection and runs the
// worker in a goroutine until Close.
func (w *Worker) Start(ctx context.Context) error {
	if w.done != nil {
		return errors.New("clock: worker already started")
	}
	unsub, err := w.bus.Subscribe(SubjectObjectsAdded, w.onAdded)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	w.unsub, w.cancel, w.done = unsub, cancel, make(chan struct{})
	w.mu.Lock()
	w.from = w.clock().Add(-w.catchUp)
	w.mu.Unlock()
	go w.run(ctx)
	return nil
}

// Close stops the worker and waits for it.
func (w *Worker) Close() error {
	if w.done == nil {
		return nil
	}
	w.unsub()
	w.cancel()
	<-w.done
	return nil
}

// Wake asks the worker to look again now (after a write). It never blocks.
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// onAdded wakes the worker for writes to the crisis collection.
func (w *Worker) onAdded(_ string, data []byte) {
	var added []Added
	if err := json.Unmarshal(data, &added); err != nil {
		w.Wake() // cannot tell: look anyway
		return
	}
	for _, a := range added {
		if a.Collection == w.collection {
			w.Wake()
			return
		}
	}
}

func (w *Worker) run(ctx context.Context) {
	defer close(w.done)
	if w.leader == nil {
		w.leading.Store(true)
		defer w.leading.Store(false)
		w.loop(ctx, nil)
		return
	}
	for {
		release, held := w.lead(ctx)
		if release == nil {
			return // closed while standing by
		}
		w.leading.Store(true)
		err := w.loop(ctx, held)
		w.leading.Store(false)
		release()
		if ctx.Err() != nil {
			return
		}
		// The lock is lost (its database session died): another process
		// may lead already. Stand by, and give it a turn first.
		w.log.Warn("clock: lost the lead; standing by", "err", err)
		if !w.sleep(ctx, w.standby) {
			return
		}
	}
}

// loop ticks until ctx ends (nil) or held fails (its error). With held,
// the worker checks before every tick, and at least every StandbyPoll
// while it sleeps, that it still leads.
func (w *Worker) loop(ctx context.Context, held func(context.Context) error) error {
	sleep := time.Duration(0)
	for {
		if !w.rest(ctx, sleep, held) {
			return nil
		}
		if err := w.check(ctx, held); err != nil {
			return err
		}
		now := w.clock()
		next, _, err := w.Tick(ctx, now)
		if ctx.Err() != nil {
			return nil
		}
		sleep = w.maxSleep
		if err != nil {
			w.log.Warn("clock: tick failed", "err", err)
			sleep = min(sleep, retryAfter)
		}
		if !next.IsZero() {
			sleep = min(sleep, max(next.Sub(w.clock()), 0))
		}
	}
}

// check reports whether this worker still leads: nil without held (no
// other process), else held's answer within heldTimeout. A success is the
// last moment this process knew the clock run.
func (w *Worker) check(ctx context.Context, held func(context.Context) error) error {
	if held == nil {
		return nil
	}
	hctx, cancel := context.WithTimeout(ctx, heldTimeout)
	defer cancel()
	if err := held(hctx); err != nil {
		return err
	}
	w.mu.Lock()
	w.known = w.clock()
	w.mu.Unlock()
	return nil
}

// rest sleeps for d or until a wake, checking every StandbyPoll that the
// lock is still held, so that a leader that lost it stops counting as
// one without waiting for its next tick; it reports whether ctx is live.
// A failed check ends the rest early: the next check steps down.
func (w *Worker) rest(ctx context.Context, d time.Duration, held func(context.Context) error) bool {
	if held == nil || d <= w.standby {
		return d <= 0 || w.sleep(ctx, d)
	}
	for d > 0 {
		step := min(d, w.standby)
		t := time.NewTimer(step)
		select {
		case <-ctx.Done():
			t.Stop()
			return false
		case <-w.wake:
			t.Stop()
			return true
		case <-t.C:
		}
		d -= step
		if d > 0 && w.check(ctx, held) != nil {
			return ctx.Err() == nil
		}
	}
	return true
}

// lead waits until this worker holds LeaderKey, the store's lock that
// one process at a time holds, and returns its release and, when the
// locker can tell (CheckedLocker), the check that it still holds it; nil
// when ctx ends first.
//
// What fell due while another process led was sent by it; what fell due
// after it stopped must be sent now. This process cannot tell when that
// was, but it knows when it last saw the clock run: its last refused try
// (another process held the lock) or its own last check as leader. The
// catch-up window at the hand-over therefore reaches back to that moment
// less handoverMargin (the old leader's last tick may have been cut
// short), and never less than CatchUp: at most a StandbyPoll plus the
// margin when the standby polled as configured.
func (w *Worker) lead(ctx context.Context) (release func(), held func(context.Context) error) {
	checked, _ := w.leader.(CheckedLocker)
	for {
		var ok bool
		var err error
		if checked != nil {
			release, held, ok, err = checked.TryLockKeyChecked(ctx, LeaderKey)
		} else {
			release, ok, err = w.leader.TryLockKey(ctx, LeaderKey)
		}
		switch {
		case ctx.Err() != nil:
			if ok {
				release()
			}
			return nil, nil
		case err != nil:
			w.log.Warn("clock: cannot tell whether another process runs the clock", "err", err)
		case ok:
			w.mu.Lock()
			now := w.clock()
			w.from = now.Add(-w.catchUp)
			if !w.known.IsZero() {
				w.from = earliest(w.from, w.known.Add(-handoverMargin))
			}
			w.mu.Unlock()
			w.log.Info("clock: this process runs the crisis clock")
			return release, held
		default:
			w.mu.Lock()
			w.known = w.clock() // another process holds the lock
			w.mu.Unlock()
		}
		if !w.sleep(ctx, w.standby) {
			return nil, nil
		}
	}
}

// sleep waits for d, a wake or the end of ctx; it reports whether ctx is
// still live.
func (w *Worker) sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-w.wake:
	case <-t.C:
	}
	return true
}

// Leading reports whether the worker's goroutine runs the clock: always
// once started when the store is one process's, else while this process
// holds LeaderKey.
func (w *Worker) Leading() bool { return w.leading.Load() }

// Tick evaluates the clock at now: it refreshes the index, derives each
// open situation that changed or whose next point has come, and publishes
// what crisis.Due owes and was not sent yet. It returns when something
// next falls due (zero: nothing pending). A failed publish is retried at
// the next tick.
func (w *Worker) Tick(ctx context.Context, now time.Time) (time.Time, Stats, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var st Stats
	if err := w.idx.Refresh(ctx); err != nil {
		return time.Time{}, st, err
	}
	var next time.Time
	var errs []error
	for _, id := range w.idx.Situations() {
		entries, version := w.idx.Entries(id)
		sc := w.sits[id]
		if sc == nil {
			sc = &sitClock{sent: map[string]time.Time{}}
			w.sits[id] = sc
		}
		if sc.version == version && (sc.final || sc.next.IsZero() || now.Before(sc.next)) {
			next = earliest(next, sc.next)
			continue
		}
		s, err := w.m.Derive(id, Records(entries), now)
		if kurultai.ErrorCode(err) == kurultai.CodeNotFound {
			// Its situation record was revoked: nothing is due until
			// the situation changes again.
			sc.version, sc.final, sc.next = version, true, time.Time{}
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		st.Derived++
		sc.version, sc.final, sc.next = version, s.Final, w.m.Next(s, now)
		failed := false
		for _, n := range w.m.Due(s, now) {
			if _, ok := sc.sent[n.ID]; ok {
				continue
			}
			if n.At.Before(w.from) {
				sc.sent[n.ID] = n.At
				st.Skipped++
				continue
			}
			dup, err := Publish(ctx, w.bus, n)
			if err != nil {
				errs = append(errs, err)
				failed = true
				continue
			}
			sc.sent[n.ID] = n.At
			if dup {
				st.Duplicates++
			} else {
				st.Published++
			}
		}
		if failed {
			sc.version = 0 // derive again at the next tick
		}
		for id, at := range sc.sent {
			if now.Sub(at) > forgetAfter {
				delete(sc.sent, id)
			}
		}
		next = earliest(next, sc.next)
	}
	return next, st, errors.Join(errs...)
}

func earliest(a, b time.Time) time.Time {
	switch {
	case a.IsZero():
		return b
	case b.IsZero() || a.Before(b):
		return a
	}
	return b
}
