package clock

import (
	"bytes"
	"context"
	"crypto/rand"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kurultai/kurultai/internal/crisis"
	"github.com/kurultai/kurultai/internal/postgres"
)

// pgSchemaURL returns the URL of a fresh schema on the PostgreSQL server
// of KURULTAI_TEST_POSTGRES, dropped when the test ends; without one the
// test is skipped (under CI it fails, as the postgres package's tests do).
func pgSchemaURL(t *testing.T) string {
	t.Helper()
	url := os.Getenv("KURULTAI_TEST_POSTGRES")
	if url == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("KURULTAI_TEST_POSTGRES is not set, and CI must run the PostgreSQL tests")
		}
		t.Skip("set KURULTAI_TEST_POSTGRES to run the PostgreSQL tests")
	}
	name := "kurultai_test_" + strings.ToLower(rand.Text()[:16])
	admin := pgConn(t, url)
	defer admin.Close(context.Background())
	if _, err := admin.Exec(context.Background(), "CREATE SCHEMA "+name); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		admin := pgConn(t, url)
		defer admin.Close(context.Background())
		if _, err := admin.Exec(context.Background(), "DROP SCHEMA "+name+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", name, err)
		}
	})
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	return url + sep + "search_path=" + name
}

func pgConn(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect to the test server: %v", err)
	}
	return c
}

// logBuf is a log destination tests read.
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) contains(s string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Contains(l.b.String(), s)
}

// TestWorkerLeaderLostSession: two workers lead through the PostgreSQL
// lock, as two processes; when the leader's database session is
// terminated (its lock with it), the leader notices, stops leading and
// stands by, and one worker leads again, holding the lock.
func TestWorkerLeaderLostSession(t *testing.T) {
	url := pgSchemaURL(t)
	f := newFixture(t)
	ctx := context.Background()
	var ws []*Worker
	var logs []*logBuf
	start := func() {
		st, err := postgres.Open(ctx, url, postgres.Options{})
		if err != nil {
			t.Fatalf("postgres.Open: %v", err)
		}
		t.Cleanup(func() { st.Close() })
		lb := &logBuf{}
		idx := NewIndex(f.store, f.m, crisis.CollectionID, IndexOptions{Clock: f.clock.Now, Locker: st})
		w, err := NewWorker(Config{
			Index: idx, Bus: &memBus{}, Collection: crisis.CollectionID, Clock: f.clock.Now,
			StandbyPoll: 20 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(lb, nil)),
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { w.Close() })
		ws, logs = append(ws, w), append(logs, lb)
	}
	leaders := func() int {
		n := 0
		for _, w := range ws {
			if w.Leading() {
				n++
			}
		}
		return n
	}
	admin := pgConn(t, url)
	defer admin.Close(ctx)
	const holders = `FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2
		AND objid = (hashtext(current_schema() || ':' || $1::text)::bigint & 4294967295)::oid`
	lockHolders := func() int {
		var n int
		if err := admin.QueryRow(ctx, `SELECT count(*) `+holders, LeaderKey).Scan(&n); err != nil {
			t.Fatalf("count the lock's holders: %v", err)
		}
		return n
	}

	start()
	waitFor(t, "the first worker to lead", ws[0].Leading)
	start()
	if n := leaders(); n != 1 {
		t.Fatalf("%d workers lead", n)
	}

	var killed int
	if err := admin.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) `+holders, LeaderKey).Scan(&killed); err != nil || killed != 1 {
		t.Fatalf("terminate the leader's session: %d sessions, %v", killed, err)
	}
	waitFor(t, "the leader to notice it lost the lock", func() bool { return logs[0].contains("lost the lead") })
	waitFor(t, "one leader holding the lock", func() bool { return leaders() == 1 && lockHolders() == 1 })
	// Standbys keep trying; never two leaders.
	for range 20 {
		ws[0].Wake()
		ws[1].Wake()
		if n := leaders(); n != 1 {
			t.Fatalf("%d workers lead", n)
		}
	}
	if logs[1].contains("lost the lead") {
		t.Error("the second worker, which never held a dead session, lost the lead")
	}
}
