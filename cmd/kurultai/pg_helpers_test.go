package main

import (
	"context"
	"crypto/rand"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// pgEnv names the environment variable with the URL of a PostgreSQL
// server the tests may create schemas on (.ci/run sets it).
const pgEnv = "KURULTAI_TEST_POSTGRES"

// pgSchema returns a URL of the test server whose connections use a new,
// empty schema, dropped with its contents when the test ends. Without a
// server the test is skipped loudly, except under CI, where it fails:
// CI must run every PostgreSQL test.
func pgSchema(t testing.TB) string {
	t.Helper()
	url := os.Getenv(pgEnv)
	if url == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set, and CI must run the PostgreSQL tests (.ci/run starts a server)", pgEnv)
		}
		t.Skip("PostgreSQL test SKIPPED: set " + pgEnv + "=postgres://USER@HOST/DB to run it")
	}
	name := "kurultai_e2e_" + strings.ToLower(rand.Text()[:16])
	pgExec(t, url, "CREATE SCHEMA "+name)
	t.Cleanup(func() { pgExec(t, url, "DROP SCHEMA "+name+" CASCADE") })
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	return url + sep + "search_path=" + name
}

// pgExec runs one statement on its own connection.
func pgExec(t testing.TB, url, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect to %s: %v", pgEnv, err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// storeVariants are the stores an end-to-end test runs against: SQLite
// always, PostgreSQL (as extra serve/demo arguments) when a server is
// configured — and always under CI.
func storeVariants(t *testing.T, run func(t *testing.T, extra []string)) {
	t.Run("sqlite", func(t *testing.T) { run(t, nil) })
	t.Run("postgres", func(t *testing.T) { run(t, []string{"--database", pgSchema(t)}) })
}
