package postgres

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/storetest"
)

// envURL names the environment variable with the URL of a PostgreSQL
// server the tests may create and drop databases on.
const envURL = "KURULTAI_TEST_POSTGRES"

const skipMessage = "PostgreSQL suite SKIPPED: set " + envURL + "=postgres://USER@HOST:PORT/DB (a database USER may create schemas in)"

func TestMain(m *testing.M) {
	if os.Getenv(envURL) == "" {
		banner := strings.Repeat("*", len(skipMessage))
		fmt.Fprintf(os.Stderr, "%s\n%s\n%s\n", banner, skipMessage, banner)
	}
	os.Exit(m.Run())
}

// serverURL returns the test server's URL. Without one the test is
// skipped, except under CI, where the PostgreSQL suite is mandatory.
func serverURL(t testing.TB) string {
	t.Helper()
	url := os.Getenv(envURL)
	if url == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set, and CI must run the PostgreSQL suite (.ci/run starts a server)", envURL)
		}
		t.Skip(skipMessage)
	}
	return url
}

// freshSchema creates an empty schema on the test server's database,
// dropped with everything in it when the test ends, and returns a URL whose
// connections use it (search_path). A schema costs a few milliseconds
// where a database costs a second, and tests in separate schemas may run
// in parallel.
func freshSchema(t testing.TB) string {
	t.Helper()
	url := serverURL(t)
	ctx := context.Background()
	name := "kurultai_test_" + strings.ToLower(rand.Text()[:16])
	admin := adminConn(t, url)
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+name); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		admin := adminConn(t, url)
		defer admin.Close(ctx)
		if _, err := admin.Exec(ctx, "DROP SCHEMA "+name+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", name, err)
		}
	})
	return withSearchPath(url, name)
}

func adminConn(t testing.TB, url string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect to %s: %v", envURL, err)
	}
	return c
}

// withSearchPath returns url with connections using the schema.
func withSearchPath(url, schema string) string {
	if strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") {
		if strings.Contains(url, "?") {
			return url + "&search_path=" + schema
		}
		return url + "?search_path=" + schema
	}
	return url + " search_path=" + schema // key=value form
}

// openTest opens a store on a fresh database, closed when the test ends.
func openTest(t testing.TB) *Store {
	t.Helper()
	return openURL(t, freshSchema(t), Options{})
}

// openURL opens a store on url, closed when the test ends.
func openURL(t testing.TB, url string, opts Options) *Store {
	t.Helper()
	s, err := Open(context.Background(), url, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestConformance(t *testing.T) {
	serverURL(t)
	storetest.Run(t, func(t *testing.T) kurultai.Store { return openTest(t) })
}

func TestWithSearchPath(t *testing.T) {
	for _, tc := range []struct{ url, want string }{
		{"postgres://u:p@h:5432/postgres", "postgres://u:p@h:5432/postgres?search_path=x"},
		{"postgres://u@h/postgres?sslmode=disable", "postgres://u@h/postgres?sslmode=disable&search_path=x"},
		{"host=/tmp dbname=postgres user=u", "host=/tmp dbname=postgres user=u search_path=x"},
	} {
		if got := withSearchPath(tc.url, "x"); got != tc.want {
			t.Errorf("withSearchPath(%q) = %q, want %q", tc.url, got, tc.want)
		}
	}
}
