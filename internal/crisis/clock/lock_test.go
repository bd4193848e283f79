package clock

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/crisis"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/natsbus"
)

// fakeLocker is a kurultai.KeyLocker in memory that records what it was
// asked and fails the keys in fail.
type fakeLocker struct {
	mu    sync.Mutex
	held  []string
	fail  map[string]error
	tries int // TryLockKey calls
}

func (f *fakeLocker) LockKey(_ context.Context, key string) (func(), error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.fail[key]; err != nil {
		return nil, err
	}
	if slices.Contains(f.held, key) {
		return nil, errors.New("fake locker: held twice by one process")
	}
	f.held = append(f.held, key)
	return func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.held = slices.DeleteFunc(f.held, func(k string) bool { return k == key })
	}, nil
}

func (f *fakeLocker) TryLockKey(ctx context.Context, key string) (func(), bool, error) {
	f.mu.Lock()
	f.tries++
	f.mu.Unlock()
	u, err := f.LockKey(ctx, key)
	return u, err == nil, nil
}

func (f *fakeLocker) holding() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.held)
}

// TestLockShared: Lock takes the store's key lock of the situation after
// the process's own, releases both, and holds neither when the key lock
// fails.
func TestLockShared(t *testing.T) {
	ctx := context.Background()
	down := &kurultai.Error{Code: kurultai.CodeUnavailable, Message: "database unavailable"}
	fl := &fakeLocker{fail: map[string]error{SituationLockKey("down"): down}}
	x := NewIndex(nil, nil, "", IndexOptions{Locker: fl})

	unlock, err := x.Lock(ctx, "a")
	if err != nil {
		t.Fatalf("Lock: %v", err)
	}
	if got := fl.holding(); !slices.Equal(got, []string{SituationLockKey("a")}) {
		t.Errorf("held %v while a is locked", got)
	}
	unlock()
	unlock() // a second call does nothing
	if got := fl.holding(); len(got) != 0 {
		t.Errorf("held %v after unlock", got)
	}

	if _, err := x.Lock(ctx, "down"); kurultai.ErrorCode(err) != kurultai.CodeUnavailable {
		t.Fatalf("Lock with the store down = %v; want CodeUnavailable", err)
	}
	delete(fl.fail, SituationLockKey("down"))
	unlock, err = x.Lock(ctx, "down") // the local lock was released
	if err != nil {
		t.Fatalf("Lock after the store came back: %v", err)
	}
	unlock()
	if n := len(x.keySlot); n != 0 {
		t.Errorf("%d key slots taken after every unlock", n)
	}
}

// TestLockBound: at most MaxKeyLocks situations hold the store's lock at
// once; one more waits, and gives up when its context ends.
func TestLockBound(t *testing.T) {
	fl := &fakeLocker{}
	x := NewIndex(nil, nil, "", IndexOptions{Locker: fl})
	var unlocks []func()
	for i := range MaxKeyLocks {
		u, err := x.Lock(context.Background(), string(rune('a'+i)))
		if err != nil {
			t.Fatalf("Lock %d: %v", i, err)
		}
		unlocks = append(unlocks, u)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := x.Lock(ctx, "z"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Lock beyond the bound with an ended context = %v; want context.Canceled", err)
	}
	done := make(chan error, 1)
	go func() {
		u, err := x.Lock(context.Background(), "z")
		if err == nil {
			u()
		}
		done <- err
	}()
	unlocks[0]()
	if err := <-done; err != nil {
		t.Fatalf("Lock once a slot is free: %v", err)
	}
	for _, u := range unlocks[1:] {
		u()
	}
	if got := fl.holding(); len(got) != 0 {
		t.Errorf("held %v after every unlock", got)
	}
}

// TestWorkerLeader: of two workers whose store has a key locker, as two
// processes on PostgreSQL, one runs the clock; when it stops, the other
// takes over.
func TestWorkerLeader(t *testing.T) {
	f := newFixture(t)
	fl := &fakeLocker{}
	bus := startBus(t, natsbus.Config{Dir: t.TempDir()})
	var ws []*Worker
	for range 2 {
		idx := NewIndex(f.store, f.m, crisis.CollectionID, IndexOptions{Clock: f.clock.Now, Locker: fl})
		w, err := NewWorker(Config{Index: idx, Bus: bus, Collection: crisis.CollectionID, Clock: f.clock.Now, StandbyPoll: 5 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { w.Close() })
		ws = append(ws, w)
	}
	leaders := func() (n int, which *Worker) {
		for _, w := range ws {
			if w.Leading() {
				n, which = n+1, w
			}
		}
		return n, which
	}
	waitFor(t, "a leader", func() bool { n, _ := leaders(); return n == 1 })
	// Standbys keep trying; never two leaders.
	for range 20 {
		ws[0].Wake()
		ws[1].Wake()
		if n, _ := leaders(); n != 1 {
			t.Fatalf("%d workers lead", n)
		}
	}
	_, first := leaders()
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the other worker to lead", func() bool { n, w := leaders(); return n == 1 && w != first })
	if got := fl.holding(); !slices.Equal(got, []string{LeaderKey}) {
		t.Errorf("locks held %v, want only %s", got, LeaderKey)
	}
}

func (f *fakeLocker) triesSoFar() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tries
}

// TestWorkerHandoverCatchUp: a worker that takes the lead sends what fell
// due since it last saw another process hold the lock, even when that is
// longer ago than CatchUp: it cannot tell that the other process sent it.
func TestWorkerHandoverCatchUp(t *testing.T) {
	f := newFixture(t)
	f.clock.Set(t0.Add(time.Hour))
	sit := f.raise()
	fl := &fakeLocker{}
	other, err := fl.LockKey(context.Background(), LeaderKey) // another process leads
	if err != nil {
		t.Fatal(err)
	}
	bus := &memBus{}
	idx := NewIndex(f.store, f.m, crisis.CollectionID, IndexOptions{Clock: f.clock.Now, Locker: fl})
	// The standby polls only when woken, so that the test sets the time
	// of each try.
	w, err := NewWorker(Config{Index: idx, Bus: bus, Collection: crisis.CollectionID, Clock: f.clock.Now, CatchUp: time.Minute, StandbyPoll: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	waitFor(t, "a refused try", func() bool { return fl.triesSoFar() >= 1 })

	// The other process stops after the 50% reminders of +6h fell due,
	// without sending them; this one takes over half an hour later.
	f.clock.Set(t0.Add(6*time.Hour + 30*time.Minute))
	other()
	w.Wake()
	waitFor(t, "the lead", w.Leading)
	want := []string{"remind/" + sit + "/consultation/50%/TR", "remind/" + sit + "/situation_report#1/50%/KZ"}
	waitFor(t, "the reminders due during the hand-over", func() bool { return len(bus.messages()) >= len(want) })
	if got := ids(bus.messages()); !slices.Equal(got, want) {
		t.Errorf("sent %q, want %q", got, want)
	}
}
