// Package natstest runs NATS servers with JetStream inside a test process:
// one server, or a cluster of several joined by routes, each with its own
// store in a temporary directory and random ports. Tests of natsbus and
// end-to-end tests of the node use it to stand for an external cluster.
package natstest

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// readyWait bounds the wait for a server to accept clients and for the
// cluster to elect its JetStream leader.
const readyWait = 20 * time.Second

// Cluster is a set of running NATS servers. Its methods are safe for
// concurrent use.
type Cluster struct {
	t  testing.TB
	mu sync.Mutex // guards killed
	// servers are the servers in start order; killed[i] marks one shut down.
	servers []*server.Server
	killed  []bool
}

// Start runs n servers with JetStream and shuts them down when the test
// ends. With n == 1 the server is standalone (no cluster); with n > 1 the
// servers form a cluster named "kurultai-test" and Start returns once it
// has a JetStream leader.
func Start(t testing.TB, n int) *Cluster {
	t.Helper()
	if n < 1 {
		t.Fatalf("natstest: %d servers", n)
	}
	c := &Cluster{t: t, killed: make([]bool, n)}
	t.Cleanup(c.shutdown)
	// A JetStream cluster needs its routes configured up front, so the
	// cluster ports are picked before the servers start.
	var routes []*url.URL
	var ports []int
	if n > 1 {
		ports = freePorts(t, n)
		for _, p := range ports {
			routes = append(routes, &url.URL{Scheme: "nats-route", Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(p))})
		}
	}
	for i := range n {
		opts := &server.Options{
			ServerName: fmt.Sprintf("s%d", i),
			Host:       "127.0.0.1",
			Port:       server.RANDOM_PORT,
			NoSigs:     true,
			JetStream:  true,
			StoreDir:   t.TempDir(),
			// Small limits keep the test servers light on memory.
			JetStreamMaxMemory: 16 << 20,
			JetStreamMaxStore:  256 << 20,
		}
		if n > 1 {
			opts.Cluster = server.ClusterOpts{Name: "kurultai-test", Host: "127.0.0.1", Port: ports[i]}
			opts.Routes = routes // a route to itself is ignored
		}
		s, err := server.NewServer(opts)
		if err != nil {
			t.Fatalf("natstest: server %d: %v", i, err)
		}
		s.Start()
		c.servers = append(c.servers, s)
		if !s.ReadyForConnections(readyWait) {
			t.Fatalf("natstest: server %d not ready within %s", i, readyWait)
		}
	}
	if n > 1 {
		// Every server current with a meta group of all n peers: a
		// server killed before the others knew of each other as peers
		// could leave them without a quorum to elect a new leader.
		c.waitFor("a full mesh with a JetStream leader and every peer current", func() bool {
			leader := false
			for _, s := range c.servers {
				if s.NumRoutes() < n-1 || !s.JetStreamIsCurrent() {
					return false
				}
				// Only the leader lists the peers (those with stats).
				if s.JetStreamIsLeader() {
					leader = len(s.JetStreamClusterPeers()) >= n
				}
			}
			return leader
		})
	}
	return c
}

// freePorts returns n TCP ports that were free on 127.0.0.1 a moment ago.
func freePorts(t testing.TB, n int) []int {
	t.Helper()
	ports := make([]int, n)
	lns := make([]net.Listener, n)
	for i := range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("natstest: free port: %v", err)
		}
		lns[i] = ln
		ports[i] = ln.Addr().(*net.TCPAddr).Port
	}
	for _, ln := range lns {
		ln.Close()
	}
	return ports
}

// waitFor polls cond until it holds or readyWait passes.
func (c *Cluster) waitFor(what string, cond func() bool) {
	c.t.Helper()
	deadline := time.Now().Add(readyWait)
	for !cond() {
		if time.Now().After(deadline) {
			c.t.Fatalf("natstest: no %s within %s", what, readyWait)
		}
		time.Sleep(10 * time.Millisecond) // polling a condition, not a fixed wait
	}
}

// URLs returns the client URLs of all servers, killed ones included (a
// client configured with them keeps trying those).
func (c *Cluster) URLs() []string {
	urls := make([]string, len(c.servers))
	for i, s := range c.servers {
		urls[i] = s.ClientURL()
	}
	return urls
}

// Server returns server i.
func (c *Cluster) Server(i int) *server.Server { return c.servers[i] }

// Kill shuts server i down and waits until it has stopped.
func (c *Cluster) Kill(i int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.killed[i] {
		return
	}
	c.killed[i] = true
	c.servers[i].Shutdown()
	c.servers[i].WaitForShutdown()
}

func (c *Cluster) shutdown() {
	for i := range c.servers {
		c.Kill(i)
	}
}
