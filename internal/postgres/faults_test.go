package postgres

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// TestServerDown: a server that does not answer is CodeUnavailable (503
// with Retry-After at the surfaces), not an internal error.
func TestServerDown(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// Port 1 on localhost: nothing listens there.
	_, err := Open(ctx, "postgres://kurultai@127.0.0.1:1/kurultai?connect_timeout=5", Options{})
	if code := kurultai.ErrorCode(err); code != kurultai.CodeUnavailable {
		t.Fatalf("Open(server down): %v (code %q), want unavailable", err, code)
	}
	if strings.Contains(err.Error(), "secret") {
		t.Errorf("error shows the password: %v", err)
	}
	_, err = Open(ctx, "postgres://kurultai:secret@127.0.0.1:1/kurultai?connect_timeout=5", Options{})
	if err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("Open error %v: want one that does not show the password", err)
	}
	_, err = Open(ctx, "postgres://kurultai:secret@127.0.0.1:notaport/kurultai", Options{})
	if kurultai.ErrorCode(err) != kurultai.CodeInvalid || strings.Contains(err.Error(), "secret") {
		t.Errorf("Open(bad URL): %v, want invalid without the password", err)
	}
}

// TestConnectionLoss: when the server ends the store's sessions (a restart,
// a failover, an administrator), calls fail with CodeUnavailable or
// succeed, a failed write leaves nothing behind, and the store recovers by
// itself.
func TestConnectionLoss(t *testing.T) {
	app := "kurultai_test_" + strings.ToLower(rand.Text()[:10])
	url := freshSchema(t)
	url += sep(url) + "application_name=" + app
	s := openURL(t, url, Options{})
	benchSetup(t, s)
	ctx := context.Background()
	admin := adminConn(t, serverURL(t))
	defer admin.Close(ctx)
	kill := func() {
		t.Helper()
		if _, err := admin.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, app); err != nil {
			t.Fatalf("terminate: %v", err)
		}
	}
	failed := 0
	for i := range 5 {
		kill()
		before, err := s.CountObjects(ctx)
		if err != nil {
			if code := kurultai.ErrorCode(err); code != kurultai.CodeUnavailable {
				t.Fatalf("CountObjects after the sessions ended: %v (code %q), want unavailable", err, code)
			}
			before = pollCount(t, s)
		}
		kill()
		status := "loss-" + string(rune('a'+i))
		v := fixtureVersion(100+i, time.Unix(1700000000, 0))
		_, err = s.AddObjects(ctx, kurultai.Write{Principal: benchPrincipal, Collection: benchColl, StatusID: status, Objects: []*kurultai.ObjectVersion{v}})
		after := pollCount(t, s)
		switch {
		case err == nil:
			if after != before+1 {
				t.Errorf("write %d succeeded but the count went from %d to %d", i, before, after)
			}
		case kurultai.ErrorCode(err) == kurultai.CodeUnavailable:
			failed++
			if after != before {
				t.Errorf("write %d failed (%v) but the count went from %d to %d", i, err, before, after)
			}
			if _, err := s.Status(ctx, status); kurultai.ErrorCode(err) != kurultai.CodeNotFound {
				t.Errorf("write %d failed but its status exists: %v", i, err)
			}
		default:
			t.Fatalf("AddObjects after the sessions ended: %v (code %q), want success or unavailable", err, kurultai.ErrorCode(err))
		}
	}
	t.Logf("%d of 5 writes failed as unavailable", failed)
}

// pollCount returns the object count once the store answers again.
func pollCount(t *testing.T, s *Store) int64 {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		n, err := s.CountObjects(context.Background())
		if err == nil {
			return n
		}
		if kurultai.ErrorCode(err) != kurultai.CodeUnavailable {
			t.Fatalf("CountObjects: %v, want success or unavailable", err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("the store did not recover: %v", err)
		}
		time.Sleep(50 * time.Millisecond) // polling for recovery
	}
}

func sep(url string) string {
	if !strings.HasPrefix(url, "postgres://") && !strings.HasPrefix(url, "postgresql://") {
		return " "
	}
	if strings.Contains(url, "?") {
		return "&"
	}
	return "?"
}

// TestMapErr: the codes of errors that do not come from a live server.
func TestMapErr(t *testing.T) {
	for _, tc := range []struct {
		err  error
		code kurultai.Code
	}{
		{context.DeadlineExceeded, kurultai.CodeUnavailable},
		{errors.New("unexpected EOF"), kurultai.CodeInternal},
		{kurultai.Errorf(kurultai.CodeNotFound, "x"), kurultai.CodeNotFound},
	} {
		if got := kurultai.ErrorCode(mapErr(tc.err)); got != tc.code {
			t.Errorf("mapErr(%v) code %q, want %q", tc.err, got, tc.code)
		}
	}
	if mapErr(context.Canceled) != context.Canceled {
		t.Errorf("mapErr(context.Canceled) changed it")
	}
}

// proxy forwards TCP connections to the test server until it is stopped;
// stopping it cuts every connection and refuses new ones, as a server that
// went away does.
type proxy struct {
	ln     net.Listener
	target func() (net.Conn, error)
	mu     sync.Mutex // guards conns
	conns  []net.Conn
}

// startProxy listens on addr ("127.0.0.1:0" for a new port).
func startProxy(t *testing.T, addr string, target func() (net.Conn, error)) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target}
	go p.serve()
	t.Cleanup(p.stop)
	return p
}

func (p *proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		u, err := p.target()
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, u)
		p.mu.Unlock()
		go func() { io.Copy(u, c); u.Close() }()
		go func() { io.Copy(c, u); c.Close() }()
	}
}

func (p *proxy) stop() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// TestServerGoesAway: while the database is unreachable, reads and writes
// fail with CodeUnavailable and write nothing; when it is back, the store
// works again without being reopened.
func TestServerGoesAway(t *testing.T) {
	url := freshSchema(t)
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	dial := func() (net.Conn, error) {
		if strings.HasPrefix(cfg.Host, "/") {
			return net.Dial("unix", fmt.Sprintf("%s/.s.PGSQL.%d", cfg.Host, cfg.Port))
		}
		return net.Dial("tcp", net.JoinHostPort(cfg.Host, fmt.Sprint(cfg.Port)))
	}
	p := startProxy(t, "127.0.0.1:0", dial)
	addr := p.ln.Addr().String()
	schema := cfg.RuntimeParams["search_path"]
	purl := fmt.Sprintf("postgres://%s@%s/%s?sslmode=disable&connect_timeout=3&search_path=%s", cfg.User, addr, cfg.Database, schema)
	s := openURL(t, purl, Options{})
	benchSetup(t, s)
	ctx := context.Background()
	n0 := pollCount(t, s)

	p.stop()
	v := fixtureVersion(1, time.Unix(1700000000, 0))
	_, err = s.AddObjects(ctx, kurultai.Write{Principal: benchPrincipal, Collection: benchColl, StatusID: "away", Objects: []*kurultai.ObjectVersion{v}})
	if code := kurultai.ErrorCode(err); code != kurultai.CodeUnavailable {
		t.Fatalf("AddObjects with the server away: %v (code %q), want unavailable", err, code)
	}
	if _, err := s.ListObjects(ctx, kurultai.Query{Collection: benchColl, Limit: 10}, func(*kurultai.ObjectVersion) bool { return true }); kurultai.ErrorCode(err) != kurultai.CodeUnavailable {
		t.Errorf("ListObjects with the server away: %v, want unavailable", err)
	}
	if err := s.AppendAudit(ctx, kurultai.AuditEntry{Username: "u", Action: kurultai.ActionLogin, Decision: kurultai.DecisionAllow}); kurultai.ErrorCode(err) != kurultai.CodeUnavailable {
		t.Errorf("AppendAudit with the server away: %v, want unavailable", err)
	}
	if err := s.Ping(ctx); kurultai.ErrorCode(err) != kurultai.CodeUnavailable {
		t.Errorf("Ping with the server away: %v, want unavailable", err)
	}

	// The server is back, on the same address.
	startProxy(t, addr, dial)
	if n := pollCount(t, s); n != n0 {
		t.Errorf("count %d after the failed write, want %d", n, n0)
	}
	if _, err := s.Status(ctx, "away"); kurultai.ErrorCode(err) != kurultai.CodeNotFound {
		t.Errorf("the failed write left its status: %v", err)
	}
	addOne(t, s, "back", v)
	if n := pollCount(t, s); n != n0+1 {
		t.Errorf("count %d after the write, want %d", n, n0+1)
	}
}
