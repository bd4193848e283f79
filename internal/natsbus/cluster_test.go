package natsbus

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/natsbus/natstest"
)

func TestReplicas(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		servers int
		want    int // replicas
	}{
		{"single server", 1, 1},
		{"cluster of three", 3, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := natstest.Start(t, tt.servers)
			b := startBus(t, Config{URLs: c.URLs()})
			if got := b.Replicas(); got != tt.want {
				t.Errorf("Replicas() = %d, want %d", got, tt.want)
			}
			info := streamInfo(t, b)
			if got := info.Config.Replicas; got != tt.want {
				t.Errorf("stream replicas = %d, want %d", got, tt.want)
			}
			if err := b.Ping(t.Context()); err != nil {
				t.Errorf("Ping: %v", err)
			}
			// Starting again (another process, or a restart) keeps it.
			again := startBus(t, Config{URLs: c.URLs()})
			if got := again.Replicas(); got != tt.want {
				t.Errorf("second bus Replicas() = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestReplicasExplicit(t *testing.T) {
	t.Parallel()
	c := natstest.Start(t, 1)
	_, err := Start(t.Context(), Config{URLs: c.URLs(), Replicas: 3, ReadyTimeout: 5 * time.Second})
	if err == nil {
		t.Fatal("Start with 3 replicas on one server succeeded, want error")
	}
	b := startBus(t, Config{URLs: c.URLs(), Replicas: 1})
	if got := b.Replicas(); got != 1 {
		t.Errorf("Replicas() = %d, want 1", got)
	}
}

func streamInfo(t *testing.T, b *Bus) *jetstream.StreamInfo {
	t.Helper()
	s, err := b.JetStream().Stream(t.Context(), StreamName)
	if err != nil {
		t.Fatalf("Stream: %v", err)
	}
	info, err := s.Info(t.Context())
	if err != nil {
		t.Fatalf("Info: %v", err)
	}
	return info
}

// publisher writes messages m-0, m-1, ... one after the other, retrying
// each with the same message id until the stream acknowledges it.
type publisher struct {
	mu       sync.Mutex // guards the fields below
	acked    []string   // ids in acknowledgement order
	failures int        // attempts that returned an error
	uncoded  []error    // errors without the unavailable code
}

func (p *publisher) run(ctx context.Context, b *Bus) {
	for i := 0; ctx.Err() == nil; i++ {
		id := fmt.Sprintf("m-%d", i)
		for ctx.Err() == nil {
			pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			_, err := b.PublishDurable(pctx, "kurultai.test", []byte(id), id)
			cancel()
			p.mu.Lock()
			switch {
			case err == nil:
				p.acked = append(p.acked, id)
			case kurultai.ErrorCode(err) != kurultai.CodeUnavailable:
				p.uncoded = append(p.uncoded, err)
				fallthrough
			default:
				p.failures++
			}
			p.mu.Unlock()
			if err == nil {
				break
			}
		}
	}
}

func (p *publisher) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.acked)
}

// TestClusterKillDuringWrites kills the server that holds both the bus's
// connection and the stream's leadership while writes go on.
func TestClusterKillDuringWrites(t *testing.T) {
	t.Parallel()
	c := natstest.Start(t, 3)
	b := startBus(t, Config{URLs: c.URLs()})
	victim := b.Conn().ConnectedServerName()
	moveLeader(t, b, victim)

	live, _ := collect(t, b, "notify.>")
	other := otherServer(t, c, victim)
	nc, err := nats.Connect(other.ClientURL())
	if err != nil {
		t.Fatalf("connect to %s: %v", other.Name(), err)
	}
	defer nc.Close()
	// The subscription works before the kill.
	if err := nc.Publish("notify.before", []byte("before")); err != nil {
		t.Fatal(err)
	}
	if got := receive(t, live); got.subject != "notify.before" {
		t.Fatalf("got %+v, want notify.before", got)
	}

	ctx, stop := context.WithCancel(t.Context())
	defer stop()
	var p publisher
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.run(ctx, b)
	}()
	eventually(t, "100 writes acknowledged before the kill", func() bool { return p.count() >= 100 })
	for i, s := range c.URLs() {
		if c.Server(i).Name() == victim {
			t.Logf("killing %s (%s): connection and stream leader", victim, s)
			c.Kill(i)
		}
	}
	atKill := p.count()
	eventually(t, "100 more writes acknowledged after the kill", func() bool { return p.count() >= atKill+100 })
	stop()
	<-done
	if got := b.Conn().ConnectedServerName(); got == victim {
		t.Errorf("still connected to the killed server %s", victim)
	}

	// The subscription came back with the connection: a message published
	// now reaches it. (Ones published while it was reconnecting may not.)
	eventually(t, "live message after reconnect", func() bool {
		if err := nc.Publish("notify.after", []byte("after")); err != nil {
			t.Fatal(err)
		}
		select {
		case m := <-live:
			return m.subject == "notify.after"
		case <-time.After(50 * time.Millisecond):
			return false
		}
	})

	// Every acknowledged message is in the stream exactly once.
	info := streamInfo(t, b)
	s, err := b.JetStream().Stream(t.Context(), StreamName)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq; seq++ {
		m, err := s.GetMsg(t.Context(), seq)
		if err != nil {
			t.Fatalf("GetMsg(%d): %v", seq, err)
		}
		seen[string(m.Data)]++
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	t.Logf("%d writes acknowledged (%d after the kill), %d failed attempts retried, stream holds %d", len(p.acked), len(p.acked)-atKill, p.failures, info.State.Msgs)
	for _, err := range p.uncoded {
		t.Errorf("PublishDurable error without the unavailable code: %v", err)
	}
	for _, id := range p.acked {
		if seen[id] != 1 {
			t.Errorf("acknowledged %s is in the stream %d times, want 1", id, seen[id])
		}
	}
	for id, n := range seen {
		if n > 1 {
			t.Errorf("%s is in the stream %d times", id, n)
		}
	}
	if got, want := len(seen), len(p.acked); got < want || got > want+1 {
		// The last write may have been stored with its ack lost to stop().
		t.Errorf("stream holds %d distinct messages, want %d (or one more)", got, want)
	}
}

// moveLeader asks the stream's leader to step down until server name leads.
func moveLeader(t *testing.T, b *Bus, name string) {
	t.Helper()
	subject := "$JS.API.STREAM.LEADER.STEPDOWN." + StreamName
	eventually(t, "stream leader on "+name, func() bool {
		// Between leaders the stream does not answer; ask again.
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		s, err := b.JetStream().Stream(ctx, StreamName)
		if err != nil {
			return false
		}
		if s.CachedInfo().Cluster.Leader == name {
			return true
		}
		_, _ = b.Conn().Request(subject, nil, time.Second)
		return false
	})
}

// otherServer returns a running server of c that is not named name.
func otherServer(t *testing.T, c *natstest.Cluster, name string) *server.Server {
	t.Helper()
	for i := range c.URLs() {
		if s := c.Server(i); s.Name() != name {
			return s
		}
	}
	t.Fatal("no other server")
	return nil
}

// With its only server gone the bus says it is unavailable, with the code
// the HTTP surfaces turn into 503.
func TestReadyWhileDisconnected(t *testing.T) {
	t.Parallel()
	c := natstest.Start(t, 1)
	b := startBus(t, Config{URLs: c.URLs()})
	if err := b.Ready(); err != nil {
		t.Fatalf("Ready: %v", err)
	}
	c.Kill(0)
	eventually(t, "Ready reports the lost server", func() bool { return b.Ready() != nil })
	if err := b.Ready(); kurultai.ErrorCode(err) != kurultai.CodeUnavailable {
		t.Errorf("Ready = %v, want unavailable", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	if err := b.Ping(ctx); kurultai.ErrorCode(err) != kurultai.CodeUnavailable {
		t.Errorf("Ping = %v, want unavailable", err)
	}
}

// TestStartAfterServerLoss: right after one server of three dies, the
// cluster is still a majority; a request to it may go unanswered while
// the servers notice, and Start must try again rather than fail on the
// first JetStream request that got no reply.
func TestStartAfterServerLoss(t *testing.T) {
	t.Parallel()
	for _, existing := range []bool{true, false} {
		t.Run(fmt.Sprintf("stream exists %v", existing), func(t *testing.T) {
			t.Parallel()
			c := natstest.Start(t, 3)
			if existing {
				b := startBus(t, Config{URLs: c.URLs()})
				moveLeader(t, b, c.Server(0).Name())
				if err := b.Close(); err != nil {
					t.Fatal(err)
				}
			}
			c.Kill(0)
			b := startBus(t, Config{URLs: c.URLs(), ReadyTimeout: 30 * time.Second})
			if err := b.Ping(t.Context()); err != nil {
				t.Errorf("Ping: %v", err)
			}
			if existing && b.Replicas() != 3 {
				t.Errorf("Replicas() = %d, want the existing stream's 3", b.Replicas())
			}
		})
	}
}
