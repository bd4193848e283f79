package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/storetest"
)

// The benchmarks need KURULTAI_TEST_POSTGRES; the server runs on the same
// machine and its CPU time is not in cpu-ns/object.

// The benchmark objects and benchmarks are storetest's, shared with the
// other store so that the two can be put side by side; these names keep
// the package's other tests short.
const (
	benchColl = storetest.BenchCollection
)

var benchPrincipal = storetest.BenchPrincipal

func benchSetup(tb testing.TB, s *Store) { storetest.BenchSetup(tb, s) }
func benchVersion(n int, sequential bool) *kurultai.ObjectVersion {
	return storetest.BenchVersion(n, sequential)
}
func cpuTime(tb testing.TB) time.Duration     { return storetest.CPUTime(tb) }
func buildBig(tb testing.TB, s *Store, n int) { storetest.BuildBig(tb, s, n) }

// BenchmarkAddObjects measures durable writes (synchronous_commit=on) of 1.5 KB
// objects, one AddObjects call per op, from one goroutine and from many
// (group commit).
func BenchmarkAddObjects(b *testing.B) {
	storetest.BenchAddObjects(b, func(tb testing.TB) kurultai.Store { return openTest(tb) })
}

// BenchmarkListObjects pages through a large collection: the first page
// and one near the end cost the same. KURULTAI_BENCH_N sets the number of
// objects (default 100,000; 1,000,000 takes a few minutes to build and
// about 2 GB on the server).
func BenchmarkListObjects(b *testing.B) {
	n := storetest.BenchN(b)
	s := openTest(b)
	benchSetup(b, s)
	start := time.Now()
	buildBig(b, s, n)
	b.Logf("built %d objects in %v", n, time.Since(start).Round(time.Millisecond))
	ctx := context.Background()
	// As a deployment would after a bulk load (autovacuum does it too, later).
	if _, err := s.pool.Exec(ctx, `VACUUM ANALYZE objects`); err != nil {
		b.Fatal(err)
	}
	var size string
	if err := s.pool.QueryRow(ctx, `SELECT pg_size_pretty(pg_total_relation_size('objects'))`).Scan(&size); err != nil {
		b.Fatal(err)
	}
	b.Logf("objects: %s with indexes", size)
	var nearEnd int64
	err := s.pool.QueryRow(ctx, `SELECT added FROM objects
		WHERE collection_seq = (SELECT seq FROM collections WHERE id = $1) ORDER BY added DESC LIMIT 1 OFFSET 1001`, benchColl).Scan(&nearEnd)
	if err != nil {
		b.Fatal(err)
	}
	storetest.BenchListObjects(b, s, kurultai.Cursor(nearEnd))
}
