package web

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/crisis/clock"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/seed"
)

// memBus is an in-process kurultai.Bus for the event stream's tests.
type memBus struct {
	mu   sync.Mutex
	subs map[string][]func(string, []byte)
}

func (b *memBus) Publish(_ context.Context, subject string, data []byte) error {
	b.mu.Lock()
	fns := append([]func(string, []byte){}, b.subs[subject]...)
	b.mu.Unlock()
	for _, fn := range fns {
		fn(subject, data)
	}
	return nil
}

func (b *memBus) Subscribe(subject string, fn func(string, []byte)) (func(), error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.subs == nil {
		b.subs = map[string][]func(string, []byte){}
	}
	b.subs[subject] = append(b.subs[subject], fn)
	return func() {}, nil
}

func (b *memBus) Close() error { return nil }

func (b *memBus) subscribers(subject string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs[subject])
}

// TestEventsFollowTheAccessDecision streams /events to two users and
// announces an object released to KZ only: KZ's stream carries it, UZ's
// does not (it gets the next, members-wide, object instead).
func TestEventsFollowTheAccessDecision(t *testing.T) {
	s := newScenario(t)
	w := s.w
	bus := &memBus{}
	w.web.cfg.Bus = bus
	const kzOnly, members = "55555555-5555-4555-8555-555555555555", "66666666-6666-4666-8666-666666666666"
	w.add("kz-liaison", intelObject(kzOnly, "KZ eyes only", kurultai.TLP2AmberID, "KZ"))
	w.add("kz-liaison", intelObject(members, "For all members", kurultai.TLP2GreenID, kurultai.AudienceMembers))
	open := func(user string) *bufio.Reader {
		c := w.login(user)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		t.Cleanup(cancel)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, w.srv.URL+"/events", nil)
		resp, err := c.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
			t.Fatalf("%s GET /events: %d %s", user, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		return bufio.NewReader(resp.Body)
	}
	kz, uz := open("kz-liaison"), open("uz-liaison")
	deadline := time.Now().Add(10 * time.Second)
	for bus.subscribers(clock.SubjectObjectsAdded) < 2 {
		if time.Now().After(deadline) {
			t.Fatal("streams did not subscribe")
		}
		time.Sleep(5 * time.Millisecond) // polling a condition with a deadline
	}
	announce := func(id string) {
		data, _ := json.Marshal([]clock.Added{{Collection: seed.IntelCollectionID, ID: "report--" + id, Version: "2026-03-01T08:00:00.000Z"}})
		if err := bus.Publish(context.Background(), clock.SubjectObjectsAdded, data); err != nil {
			t.Fatal(err)
		}
	}
	announce(kzOnly)
	announce(members)
	next := func(r *bufio.Reader) liveObject {
		t.Helper()
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				t.Fatal(err)
			}
			if data, ok := strings.CutPrefix(strings.TrimSpace(line), "data: "); ok && data != "{}" {
				var o liveObject
				if json.Unmarshal([]byte(data), &o) == nil && o.ID != "" {
					return o
				}
			}
		}
	}
	if got := next(kz); got.ID != "report--"+kzOnly {
		t.Errorf("KZ's first event: %s, want its own object", got.ID)
	}
	if got := next(uz); got.ID != "report--"+members {
		t.Errorf("UZ's first event: %s, want the members' object (not KZ's)", got.ID)
	}
}
