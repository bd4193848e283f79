package natsbus

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
)

const waitFor = 10 * time.Second

// startBus starts a bus and closes it when the test ends.
func startBus(t *testing.T, cfg Config) *Bus {
	t.Helper()
	b, err := Start(t.Context(), cfg)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return b
}

type msg struct{ subject, data string }

// collect subscribes to subject and returns the channel its messages go to.
func collect(t *testing.T, b *Bus, subject string) (<-chan msg, func()) {
	t.Helper()
	ch := make(chan msg, 16)
	unsub, err := b.Subscribe(subject, func(s string, d []byte) { ch <- msg{s, string(d)} })
	if err != nil {
		t.Fatalf("Subscribe(%q): %v", subject, err)
	}
	// The subscription must reach the server before anything is published.
	if err := b.Conn().Flush(); err != nil {
		t.Fatalf("Flush: %v", err)
	}
	return ch, unsub
}

func receive(t *testing.T, ch <-chan msg) msg {
	t.Helper()
	select {
	case m := <-ch:
		return m
	case <-time.After(waitFor):
		t.Fatal("no message within deadline")
		return msg{}
	}
}

// streamMsgs returns the number of messages in the durable stream.
func streamMsgs(t *testing.T, b *Bus) uint64 {
	t.Helper()
	s, err := b.JetStream().Stream(t.Context(), StreamName)
	if err != nil {
		t.Fatalf("Stream: %v", err)
	}
	info, err := s.Info(t.Context())
	if err != nil {
		t.Fatalf("Info: %v", err)
	}
	return info.State.Msgs
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(waitFor)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline:
			t.Fatalf("%s: still false after %s", what, waitFor)
		case <-tick.C:
		}
	}
}

func TestPublishSubscribe(t *testing.T) {
	tests := []struct {
		name   string
		listen string
	}{
		{"in-process", ""},
		{"tcp", "127.0.0.1:0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := startBus(t, Config{Dir: t.TempDir(), Listen: tt.listen})
			if js := b.srv.JetStreamConfig(); js == nil || !js.SyncAlways || js.MaxStore != defaultMaxStore {
				t.Errorf("JetStream config = %+v, want SyncAlways and the default store limit", js)
			}
			if got := b.ClientURL() != ""; got != (tt.listen != "") {
				t.Errorf("ClientURL() = %q, want set: %v", b.ClientURL(), tt.listen != "")
			}
			ch, unsub := collect(t, b, "notify.>")
			if err := b.Publish(t.Context(), "notify.objects", []byte("hello")); err != nil {
				t.Fatalf("Publish: %v", err)
			}
			if got, want := receive(t, ch), (msg{"notify.objects", "hello"}); got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
			before := b.Conn().NumSubscriptions()
			unsub()
			unsub() // idempotent
			if got := b.Conn().NumSubscriptions(); got != before-1 {
				t.Errorf("subscriptions after unsubscribe = %d, want %d", got, before-1)
			}
		})
	}
}

func TestPublishCanceled(t *testing.T) {
	t.Parallel()
	b := startBus(t, Config{Dir: t.TempDir()})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := b.Publish(ctx, "notify.x", nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Publish with canceled ctx = %v, want context.Canceled", err)
	}
}

func TestPublishDurableDedup(t *testing.T) {
	t.Parallel()
	b := startBus(t, Config{Dir: t.TempDir()})
	ctx := t.Context()

	ack, err := b.PublishDurable(ctx, "kurultai.objects", []byte("v1"), "id-1")
	if err != nil {
		t.Fatalf("PublishDurable: %v", err)
	}
	if ack.Duplicate || ack.Stream != StreamName || ack.Sequence != 1 {
		t.Errorf("first ack = %+v, want new message 1 in %s", ack, StreamName)
	}
	ack, err = b.PublishDurable(ctx, "kurultai.objects", []byte("v1"), "id-1")
	if err != nil {
		t.Fatalf("PublishDurable again: %v", err)
	}
	if !ack.Duplicate {
		t.Errorf("second ack = %+v, want duplicate", ack)
	}
	if got := streamMsgs(t, b); got != 1 {
		t.Errorf("stream holds %d messages after duplicate, want 1", got)
	}
	if _, err := b.PublishDurable(ctx, "kurultai.objects", []byte("v2"), "id-2"); err != nil {
		t.Fatalf("PublishDurable id-2: %v", err)
	}
	if got := streamMsgs(t, b); got != 2 {
		t.Errorf("stream holds %d messages, want 2", got)
	}
	if _, err := b.PublishDurable(ctx, "kurultai.objects", nil, ""); err == nil {
		t.Error("PublishDurable with empty id succeeded, want error")
	}
	// A subject outside the stream has nobody to acknowledge it.
	short, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if _, err := b.PublishDurable(short, "elsewhere", nil, "id-3"); kurultai.ErrorCode(err) != kurultai.CodeUnavailable {
		t.Errorf("PublishDurable outside stream = %v, want unavailable", err)
	}
}

func TestRestartKeepsStream(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	b, err := Start(t.Context(), Config{Dir: dir})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	for i := range 3 {
		id := fmt.Sprintf("id-%d", i)
		if _, err := b.PublishDurable(t.Context(), "kurultai.test", []byte(id), id); err != nil {
			t.Fatalf("PublishDurable: %v", err)
		}
	}
	if err := b.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "nats", "jetstream")); err != nil {
		t.Errorf("store not under Dir/nats: %v", err)
	}

	b = startBus(t, Config{Dir: dir})
	if _, err := Start(t.Context(), Config{Dir: dir}); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Errorf("second Start on a dir in use = %v, want in-use error", err)
	}
	if got := streamMsgs(t, b); got != 3 {
		t.Fatalf("after restart stream holds %d messages, want 3", got)
	}
	s, err := b.JetStream().Stream(t.Context(), StreamName)
	if err != nil {
		t.Fatalf("Stream: %v", err)
	}
	m, err := s.GetMsg(t.Context(), 3)
	if err != nil {
		t.Fatalf("GetMsg: %v", err)
	}
	if got, want := string(m.Data), "id-2"; got != want {
		t.Errorf("message 3 = %q, want %q", got, want)
	}
	// The dedup state survives too.
	ack, err := b.PublishDurable(t.Context(), "kurultai.test", []byte("id-2"), "id-2")
	if err != nil {
		t.Fatalf("PublishDurable: %v", err)
	}
	if !ack.Duplicate {
		t.Errorf("republish after restart = %+v, want duplicate", ack)
	}
}

// TestClose runs alone (not parallel) so goroutine counts mean something.
func TestClose(t *testing.T) {
	base := runtime.NumGoroutine()
	b, err := Start(t.Context(), Config{Dir: t.TempDir(), Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	addr := strings.TrimPrefix(b.ClientURL(), "nats://")
	if _, err := b.Subscribe("notify.>", func(string, []byte) {}); err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := b.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if !b.Conn().IsClosed() {
		t.Error("connection still open after Close")
	}
	if err := b.Publish(t.Context(), "notify.x", nil); kurultai.ErrorCode(err) != kurultai.CodeUnavailable {
		t.Errorf("Publish after Close = %v, want unavailable", err)
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Errorf("server still accepts connections at %s after Close", addr)
	}
	eventually(t, "goroutines back to baseline", func() bool {
		return runtime.NumGoroutine() <= base+2
	})
}

func TestExternalURLs(t *testing.T) {
	t.Parallel()
	srv := startBus(t, Config{Dir: t.TempDir(), Listen: "127.0.0.1:0"})
	ext := startBus(t, Config{URLs: []string{srv.ClientURL()}})
	if got := ext.ClientURL(); got != "" {
		t.Errorf("external ClientURL() = %q, want empty", got)
	}

	ch, _ := collect(t, ext, "notify.>")
	if err := srv.Publish(t.Context(), "notify.a", []byte("from server")); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	if got, want := receive(t, ch), (msg{"notify.a", "from server"}); got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if _, err := ext.PublishDurable(t.Context(), "kurultai.x", []byte("d"), "ext-1"); err != nil {
		t.Fatalf("PublishDurable: %v", err)
	}
	if got := streamMsgs(t, srv); got != 1 {
		t.Errorf("server stream holds %d messages, want 1", got)
	}
}

func TestStartErrors(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	canceled, cancel := context.WithCancel(t.Context())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		cfg  Config
		want string
	}{
		{"no dir", t.Context(), Config{}, "Dir is required"},
		{"listen and urls", t.Context(), Config{Dir: "x", Listen: ":0", URLs: []string{"nats://x"}}, "exclusive"},
		{"bad listen", t.Context(), Config{Dir: t.TempDir(), Listen: "nonsense"}, "listen address"},
		{"bad port", t.Context(), Config{Dir: t.TempDir(), Listen: "127.0.0.1:http"}, "bad port"},
		{"dir is a file", t.Context(), Config{Dir: file}, "store dir"},
		{"canceled", canceled, Config{Dir: t.TempDir()}, "context canceled"},
		{"unreachable", t.Context(), Config{URLs: []string{"nats://127.0.0.1:1"}, ReadyTimeout: time.Second}, "connect"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Start(tt.ctx, tt.cfg)
			if err == nil {
				b.Close()
				t.Fatal("Start succeeded, want error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Start error = %q, want it to mention %q", err, tt.want)
			}
		})
	}
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestServerLogs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		level     slog.Level
		wantReady bool
	}{
		{slog.LevelDebug, true},
		{slog.LevelInfo, false},
	}
	for _, tt := range tests {
		t.Run(tt.level.String(), func(t *testing.T) {
			var buf syncBuffer
			log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: tt.level}))
			b := startBus(t, Config{Dir: t.TempDir(), Logger: log})
			b.Close()
			got := buf.String()
			if ready := strings.Contains(got, "level=DEBUG") && strings.Contains(got, "Server is ready"); ready != tt.wantReady {
				t.Errorf("debug server log present = %v, want %v; log:\n%s", ready, tt.wantReady, got)
			}
		})
	}
}

func TestServerLoggerLastError(t *testing.T) {
	t.Parallel()
	l := newServerLogger(slog.New(slog.DiscardHandler))
	l.Noticef("fine %d", 1)
	if got := l.lastError(); got != "" {
		t.Errorf("lastError after notice = %q, want empty", got)
	}
	l.Errorf("bad %s", "thing")
	l.Fatalf("worse %s", "thing")
	if got, want := l.lastError(), "worse thing"; got != want {
		t.Errorf("lastError = %q, want %q", got, want)
	}
}
