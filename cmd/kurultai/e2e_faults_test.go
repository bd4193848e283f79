package main

import (
	"context"
	"crypto/rand"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kurultai/kurultai/internal/config"
	"github.com/kurultai/kurultai/internal/natsbus/natstest"
)

// faultProxy is a TCP proxy whose link can be cut: cutting closes every
// proxied connection and refuses new ones until the link is restored.
type faultProxy struct {
	ln   net.Listener
	dial func() (net.Conn, error)
	wg   sync.WaitGroup // the accept loop and the pipes
	mu   sync.Mutex     // guards the fields below
	cut  bool
	open map[net.Conn]bool // both ends of every proxied connection
}

// startFaultProxy listens on 127.0.0.1 and forwards to network/addr
// ("tcp" or "unix"); it stops when the test ends.
func startFaultProxy(t *testing.T, network, addr string) *faultProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{ln: ln, open: map[net.Conn]bool{},
		dial: func() (net.Conn, error) { return net.DialTimeout(network, addr, 5*time.Second) }}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(func() {
		ln.Close()
		p.closeAll()
		p.wg.Wait()
	})
	return p
}

// Addr is the proxy's host:port.
func (p *faultProxy) Addr() string { return p.ln.Addr().String() }

// Cut breaks the link: open connections close, new ones are refused.
func (p *faultProxy) Cut() {
	p.mu.Lock()
	p.cut = true
	p.mu.Unlock()
	p.closeAll()
}

// Restore lets connections through again.
func (p *faultProxy) Restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = false
}

func (p *faultProxy) closeAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.open {
		c.Close()
	}
	clear(p.open)
}

func (p *faultProxy) accept() {
	defer p.wg.Done()
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return // listener closed
		}
		p.mu.Lock()
		cut := p.cut
		p.mu.Unlock()
		if cut {
			client.Close()
			continue
		}
		server, err := p.dial()
		if err != nil {
			client.Close()
			continue
		}
		p.mu.Lock()
		if p.cut { // cut while dialling
			p.mu.Unlock()
			client.Close()
			server.Close()
			continue
		}
		p.open[client], p.open[server] = true, true
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(client, server)
		go p.pipe(server, client)
	}
}

// pipe copies from src to dst; when either side ends, both close.
func (p *faultProxy) pipe(dst, src net.Conn) {
	defer p.wg.Done()
	_, _ = io.Copy(dst, src)
	dst.Close()
	src.Close()
}

// wantUnavailable checks a 503 with Retry-After.
func wantUnavailable(t *testing.T, what string, code int, h http.Header, body []byte) {
	t.Helper()
	if code != http.StatusServiceUnavailable {
		t.Errorf("%s = %d %s, want 503", what, code, body)
	} else if h.Get("Retry-After") == "" {
		t.Errorf("%s: 503 without Retry-After", what)
	}
}

// readyz returns the status, headers and body of GET /readyz.
func readyz(t *testing.T, base string) (int, http.Header, []byte) {
	t.Helper()
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// untilReadyz polls /readyz until it answers want.
func untilReadyz(t *testing.T, base string, want int) {
	t.Helper()
	deadline := time.Now().Add(pollWait)
	for {
		code, h, body := readyz(t, base)
		if code == want {
			if want == http.StatusServiceUnavailable && h.Get("Retry-After") == "" {
				t.Errorf("/readyz: 503 without Retry-After")
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz = %d %s after %s, want %d", code, body, pollWait, want)
		}
		time.Sleep(50 * time.Millisecond) // polling the node, not waiting a fixed time
	}
}

// TestFaultsNATS cuts the link between a node and its NATS server: writes
// and readiness answer 503 with Retry-After and nothing is stored; reads,
// which need only the store, go on. Once the link is back the node
// reconnects by itself and the same write succeeds. (/readyz checks the bus
// through ops.Check{Name: "nats", Fn: n.bus.Ping} in startNode.)
func TestFaultsNATS(t *testing.T) {
	c := natstest.Start(t, 1)
	proxy := startFaultProxy(t, "tcp", strings.TrimPrefix(c.URLs()[0], "nats://"))
	cfg := config.Default()
	cfg.NATS = "nats://" + proxy.Addr()
	n, kz := inProcessNode(t, cfg)

	id1, raw1 := membersIndicator("faults nats before")
	code, _, body := postIndicator(kz, raw1)
	wantStored(t, code, body)
	untilReadyz(t, n.URL(), http.StatusOK)

	proxy.Cut()
	untilReadyz(t, n.URL(), http.StatusServiceUnavailable)
	id2, raw2 := membersIndicator("faults nats during")
	code, h, body := postIndicator(kz, raw2)
	wantUnavailable(t, "POST while NATS is cut", code, h, body)
	if code, _, body := kz.do(http.MethodGet, collPath+"/objects/"+id2+"/", nil); code != http.StatusNotFound {
		t.Errorf("GET the refused object = %d %s, want 404 (nothing stored)", code, body)
	}
	var env envelope
	kz.getJSON(collPath+"/objects/"+id1+"/", &env) // reads go on

	proxy.Restore()
	postUntilStored(t, kz, raw2)
	untilReadyz(t, n.URL(), http.StatusOK)
	kz.getJSON(collPath+"/objects/"+id2+"/versions/", &struct{}{})
	kz.getJSON(collPath+"/objects/"+id2+"/", &env)
	if len(env.Objects) != 1 {
		t.Errorf("%s has %d versions, want 1", id2, len(env.Objects))
	}
}

// TestFaultsPostgres cuts the link between a node and its PostgreSQL
// server: writes, reads and readiness answer 503 with Retry-After (never
// 500) and the write is not stored; once the link is back the pool
// reconnects by itself and the same requests succeed.
func TestFaultsPostgres(t *testing.T) {
	base := os.Getenv("KURULTAI_TEST_POSTGRES")
	if base == "" {
		t.Skip("SKIPPING the PostgreSQL fault test: KURULTAI_TEST_POSTGRES is not set (CI sets it; see .ci/postgres.sh)")
	}
	network, addr, proxied := proxiedPostgresURL(t, base)
	proxy := startFaultProxy(t, network, addr)
	cfg := config.Default()
	cfg.Database = strings.Replace(proxied, "PROXY", proxy.Addr(), 1)
	n, kz := inProcessNode(t, cfg)

	id1, raw1 := membersIndicator("faults postgres before")
	code, _, body := postIndicator(kz, raw1)
	wantStored(t, code, body)
	untilReadyz(t, n.URL(), http.StatusOK)

	proxy.Cut()
	untilReadyz(t, n.URL(), http.StatusServiceUnavailable)
	id2, raw2 := membersIndicator("faults postgres during")
	code, h, body := postIndicator(kz, raw2)
	wantUnavailable(t, "POST while PostgreSQL is cut", code, h, body)
	code, h, body = kz.do(http.MethodGet, collPath+"/objects/"+id1+"/", nil)
	wantUnavailable(t, "GET while PostgreSQL is cut", code, h, body)

	proxy.Restore()
	untilReadyz(t, n.URL(), http.StatusOK)
	// The refused write left nothing behind.
	deadline := time.Now().Add(pollWait)
	for {
		code, _, body := kz.do(http.MethodGet, collPath+"/objects/"+id2+"/", nil)
		if code == http.StatusNotFound {
			break
		}
		if code != http.StatusServiceUnavailable || time.Now().After(deadline) {
			t.Fatalf("GET the refused object = %d %s, want 404 (nothing stored)", code, body)
		}
		time.Sleep(100 * time.Millisecond) // polling the node, not waiting a fixed time
	}
	postUntilStored(t, kz, raw2)
	var env envelope
	for _, id := range []string{id1, id2} {
		kz.getJSON(collPath+"/objects/"+id+"/", &env)
		if len(env.Objects) != 1 {
			t.Errorf("%s has %d versions, want 1", id, len(env.Objects))
		}
	}
}

// proxiedPostgresURL creates a fresh schema on the server at base (dropped
// when the test ends) and returns where the server listens and a URL that
// reaches it through a proxy at the placeholder host "PROXY", using the
// schema. A server on a Unix socket is reached through the proxy too.
func proxiedPostgresURL(t *testing.T, base string) (network, addr, proxied string) {
	t.Helper()
	pc, err := pgx.ParseConfig(base)
	if err != nil {
		t.Fatalf("KURULTAI_TEST_POSTGRES: %v", err)
	}
	network, addr = "tcp", net.JoinHostPort(pc.Host, strconv.Itoa(int(pc.Port)))
	if strings.HasPrefix(pc.Host, "/") {
		network, addr = "unix", pc.Host+"/.s.PGSQL."+strconv.Itoa(int(pc.Port))
	}
	schema := "kurultai_faults_" + strings.ToLower(rand.Text()[:12])
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.ConnectConfig(ctx, pc)
	if err != nil {
		t.Fatalf("connect to KURULTAI_TEST_POSTGRES: %v", err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		admin, err := pgx.ConnectConfig(ctx, pc)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer admin.Close(ctx)
		if _, err := admin.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u := url.URL{Scheme: "postgres", Host: "PROXY", Path: "/" + pc.Database}
	if pc.Password != "" {
		u.User = url.UserPassword(pc.User, pc.Password)
	} else {
		u.User = url.User(pc.User)
	}
	// The proxy speaks plain TCP to the node; the server sees the proxy's
	// own connection, over the socket it listens on.
	u.RawQuery = url.Values{"sslmode": {"disable"}, "search_path": {schema}}.Encode()
	return network, addr, u.String()
}
