package clock

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/crisis"
	"github.com/kurultai/kurultai/internal/natsbus"
)

func startBus(t *testing.T, cfg natsbus.Config) *natsbus.Bus {
	t.Helper()
	b, err := natsbus.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// liveCollector gathers the live messages of a subject.
type liveCollector struct {
	mu   sync.Mutex
	msgs []Message
}

func collectLive(t *testing.T, b *natsbus.Bus, subject string) *liveCollector {
	t.Helper()
	c := &liveCollector{}
	unsub, err := b.Subscribe(subject, func(_ string, data []byte) {
		var m Message
		if err := json.Unmarshal(data, &m); err != nil {
			t.Errorf("live message: %v", err)
			return
		}
		c.mu.Lock()
		c.msgs = append(c.msgs, m)
		c.mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(unsub)
	return c
}

func (c *liveCollector) snapshot() []Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Message(nil), c.msgs...)
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond) // polling a condition, not waiting a fixed time
	}
}

// TestTwoWorkersSendOnce runs two workers, as two processes would, on one
// store and one NATS server: each notification is stored and sent live
// once.
func TestTwoWorkersSendOnce(t *testing.T) {
	f := newFixture(t)
	f.clock.Set(t0.Add(time.Hour))
	sit := f.raise()
	a := startBus(t, natsbus.Config{Dir: t.TempDir(), Listen: "127.0.0.1:0"})
	b := startBus(t, natsbus.Config{URLs: []string{a.ClientURL()}})
	live := collectLive(t, a, "notify.>")
	wa, wb := newWorker(t, f, a, 0), newWorker(t, f, b, 0)

	now := t0.Add(6 * time.Hour)
	_, sa := tick(t, wa, now)
	_, sb := tick(t, wb, now)
	if sa.Published+sb.Published != 2 || sa.Duplicates+sb.Duplicates != 2 {
		t.Fatalf("workers: %+v and %+v; want 2 sent and 2 duplicates in all", sa, sb)
	}
	info, err := a.JetStream().Stream(context.Background(), natsbus.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	if n := info.CachedInfo().State.Msgs; n != 2 {
		t.Errorf("stream holds %d messages, want 2", n)
	}
	// A marker published after the workers arrives after their messages.
	for _, bus := range []*natsbus.Bus{a, b} {
		if err := bus.Publish(context.Background(), "notify.ZZ", []byte(`{"id":"marker"}`)); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "the markers", func() bool { return len(live.snapshot()) >= 4 })
	got := map[string]int{}
	for _, m := range live.snapshot() {
		got[m.ID]++
	}
	want := map[string]int{
		"marker":                                 2,
		"remind/" + sit + "/consultation/50%/TR": 1,
		"remind/" + sit + "/situation_report#1/50%/KZ": 1,
	}
	for id, n := range want {
		if got[id] != n {
			t.Errorf("live %s arrived %d times, want %d (all: %v)", id, got[id], n, got)
		}
	}
	if len(got) != len(want) {
		t.Errorf("live messages %v, want %v", got, want)
	}
}

// TestWorkerWakesOnWrites runs the worker's goroutine: a situation written
// after it started, announced on objects.added, gets its overdue digest
// without waiting for the next scheduled point.
func TestWorkerWakesOnWrites(t *testing.T) {
	f := newFixture(t)
	bus := startBus(t, natsbus.Config{Dir: t.TempDir()})
	live := collectLive(t, bus, LiveSubject("TR"))
	f.clock.Set(t0.Add(13 * time.Hour))
	w := newWorker(t, f, bus, 48*time.Hour)
	if err := w.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })

	sit := f.raise() // onset t0, raised at +13h: the consultation is overdue
	added, _ := json.Marshal([]Added{{Collection: crisis.CollectionID, ID: sit}})
	if err := bus.Publish(context.Background(), SubjectObjectsAdded, added); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the overdue digest", func() bool {
		for _, m := range live.snapshot() {
			if m.Kind == crisis.NoteOverdue && m.Situation == sit {
				return true
			}
		}
		return false
	})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Start(context.Background()); err == nil {
		t.Error("Start after Start succeeded")
	}
}
