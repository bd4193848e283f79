package sources

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/ew"
)

// collector is a Handler that keeps what it is given.
type collector struct {
	mu   sync.Mutex
	got  map[string][]ew.Article
	fail error
	boom bool
}

func (c *collector) handle(_ context.Context, src Source, arts []ew.Article) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.boom {
		panic("handler exploded")
	}
	if c.fail != nil {
		return c.fail
	}
	if c.got == nil {
		c.got = map[string][]ew.Article{}
	}
	c.got[src.Name] = append(c.got[src.Name], arts...)
	return nil
}

func (c *collector) count(name string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.got[name])
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond) // polling a condition, not waiting for time to pass
	}
}

func healthOf(p *Poller, name string) Health {
	for _, h := range p.Health() {
		if h.Source == name {
			return h
		}
	}
	return Health{}
}

func newTestPoller(t *testing.T, c *collector, hs HealthStore) *Poller {
	t.Helper()
	p, err := NewPoller(PollerConfig{
		Fetcher: NewFetcher(Limits{Timeout: 2 * time.Second}, nil),
		Health:  hs,
		Handle:  c.handle,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := p.Close(ctx); err != nil {
			t.Error(err)
		}
	})
	return p
}

// TestPollerIsolation runs a good source next to a slow one, a hostile one
// and a broken one: the good one is read at once and the others fail with
// their reasons, each in its own goroutine.
func TestPollerIsolation(t *testing.T) {
	srv := hostile(t)
	c := &collector{}
	p := newTestPoller(t, c, nil)
	hour := Duration(time.Hour)
	err := p.Set([]Source{
		{Name: "slow", URL: srv.URL + "/slow", Interval: hour},
		{Name: "bomb", URL: srv.URL + "/bomb", Interval: hour},
		{Name: "loop", URL: srv.URL + "/loop", Interval: hour},
		{Name: "good", URL: srv.URL + "/feed", Interval: hour},
	})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the good source", func() bool { return healthOf(p, "good").OK() })
	if slow := healthOf(p, "slow"); !slow.LastSuccess.IsZero() || slow.LastError != "" && !strings.Contains(slow.LastError, "timed out") {
		t.Errorf("slow source: %+v", slow)
	}
	if n := c.count("good"); n != 1 {
		t.Errorf("good: %d items, want 1", n)
	}
	eventually(t, "the hostile sources to fail", func() bool {
		return healthOf(p, "bomb").Failures == 1 && healthOf(p, "loop").Failures == 1
	})
	if h := healthOf(p, "bomb"); !strings.Contains(h.LastError, "nested deeper") || !h.NextPoll.After(h.LastAttempt.Add(90*time.Minute)) {
		t.Errorf("bomb: %q, next poll %v after the attempt (want the doubled interval)", h.LastError, h.NextPoll.Sub(h.LastAttempt))
	}
	if h := healthOf(p, "loop"); !strings.Contains(h.LastError, "too many redirects") {
		t.Errorf("loop: %q", h.LastError)
	}
	eventually(t, "the slow source to time out", func() bool { return healthOf(p, "slow").Failures == 1 })
	if h := healthOf(p, "slow"); !strings.Contains(h.LastError, "timed out after 2s") {
		t.Errorf("slow: %q", h.LastError)
	}
}

func TestPollerItemsAndConditionalGET(t *testing.T) {
	srv := hostile(t)
	c := &collector{}
	p := newTestPoller(t, c, nil)
	if err := p.Set([]Source{{Name: "good", URL: srv.URL + "/feed", Interval: Duration(time.Hour)}}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	eventually(t, "the first poll", func() bool { return healthOf(p, "good").OK() })
	if err := p.PollNow(ctx, "good"); err != nil { // 304 this time
		t.Fatal(err)
	}
	h := healthOf(p, "good")
	if h.Items != 1 || h.LastItems != 0 || h.ETag != `"v1"` || c.count("good") != 1 {
		t.Errorf("after a 304: %+v, %d delivered", h, c.count("good"))
	}
	if err := p.PollNow(ctx, "nope"); err == nil {
		t.Error("PollNow of an unknown source succeeded")
	}
}

func TestPollerHandlerFailures(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.txt", []byte("Protests in Zhanaozen."))
	c := &collector{fail: errors.New("store unavailable")}
	p := newTestPoller(t, c, nil)
	if err := p.Set([]Source{{Name: "local", URL: dir, Interval: Duration(time.Hour)}}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	eventually(t, "a failed poll", func() bool { return healthOf(p, "local").Failures == 1 })
	if h := healthOf(p, "local"); h.LastError != "handler: store unavailable" || h.Items != 0 {
		t.Errorf("%+v", h)
	}
	// The items were not taken, so they are offered again.
	c.mu.Lock()
	c.fail, c.boom = nil, true
	c.mu.Unlock()
	if err := p.PollNow(ctx, "local"); err == nil || !strings.Contains(err.Error(), "internal error: handler exploded") {
		t.Errorf("panicking handler: %v", err)
	}
	c.mu.Lock()
	c.boom = false
	c.mu.Unlock()
	if err := p.PollNow(ctx, "local"); err != nil {
		t.Fatal(err)
	}
	if h := healthOf(p, "local"); h.Failures != 0 || h.Items != 1 || h.LastError == "" {
		t.Errorf("after recovery: %+v (the last error stays for the operator)", h)
	}
}

func TestPollerSetAndHealthFile(t *testing.T) {
	srv := hostile(t)
	path := filepath.Join(t.TempDir(), HealthFileName)
	hs, err := NewFileHealth(path)
	if err != nil {
		t.Fatal(err)
	}
	c := &collector{}
	p := newTestPoller(t, c, hs)
	hour := Duration(time.Hour)
	if err := p.Set([]Source{{Name: "a", URL: srv.URL + "/feed", Interval: hour}, {Name: "b", URL: srv.URL + "/error", Interval: hour}}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "both polled", func() bool { return healthOf(p, "a").OK() && healthOf(p, "b").Failures == 1 })
	if saved, _ := hs.LoadHealth(context.Background()); !strings.Contains(saved["b"].LastError, "HTTP 500") {
		t.Errorf("saved health of b: %+v", saved["b"])
	}
	if err := p.Set([]Source{{Name: "a", URL: srv.URL + "/feed", Interval: hour}}); err != nil {
		t.Fatal(err)
	}
	if hs := p.Health(); len(hs) != 1 || hs[0].Source != "a" {
		t.Errorf("after removing b: %+v", hs)
	}
	for _, bad := range [][]Source{{{Name: "", URL: "x", Interval: hour}}, {{Name: "x", URL: "x", Interval: hour}, {Name: "x", URL: "y", Interval: hour}}, {{Name: "z", URL: "x"}}} {
		if err := p.Set(bad); err == nil {
			t.Errorf("Set(%+v) succeeded", bad)
		}
	}
	// A new poller on the same file resumes with the ETag and counts.
	hs2, err := NewFileHealth(path)
	if err != nil {
		t.Fatal(err)
	}
	saved, _ := hs2.LoadHealth(context.Background())
	if a := saved["a"]; a.ETag != `"v1"` || a.Items != 1 {
		t.Errorf("saved health of a: %+v", a)
	}
	if b, ok := saved["b"]; ok {
		t.Errorf("health of the removed source b is still saved: %+v", b)
	}
}

func TestBackoff(t *testing.T) {
	p := &Poller{cfg: PollerConfig{MaxBackoff: 6 * time.Hour}}
	for _, tt := range []struct {
		interval time.Duration
		n        int
		want     time.Duration
	}{
		{15 * time.Minute, 1, 30 * time.Minute},
		{15 * time.Minute, 2, time.Hour},
		{15 * time.Minute, 5, 6 * time.Hour},
		{15 * time.Minute, 50, 6 * time.Hour},
		{12 * time.Hour, 3, 12 * time.Hour},
	} {
		if got := p.backoff(tt.interval, tt.n); got != tt.want {
			t.Errorf("backoff(%s, %d) = %s, want %s", tt.interval, tt.n, got, tt.want)
		}
	}
}
