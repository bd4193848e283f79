package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/storetest"
)

// The benchmark objects and benchmarks are storetest's, shared with the
// other store so that the two can be put side by side; these names keep
// the package's other tests short.
const (
	benchColl    = storetest.BenchCollection
	benchMarking = storetest.BenchMarking
)

var benchPrincipal = storetest.BenchPrincipal

func benchSetup(tb testing.TB, s *Store)      { storetest.BenchSetup(tb, s) }
func benchWrite(first, n int) kurultai.Write  { return storetest.BenchWrite(first, n) }
func buildBig(tb testing.TB, s *Store, n int) { storetest.BuildBig(tb, s, n) }
func cpuTime(tb testing.TB) time.Duration     { return storetest.CPUTime(tb) }

// BenchmarkAddObjects measures durable writes (synchronous=FULL) of 1.5 KB
// objects, one AddObjects call per op, from one goroutine and from many
// (group commit).
func BenchmarkAddObjects(b *testing.B) {
	storetest.BenchAddObjects(b, func(tb testing.TB) kurultai.Store { return openTest(tb) })
}

// BenchmarkListObjects pages through a large collection: the first page
// and one near the end cost the same. KURULTAI_BENCH_N sets the number of
// objects (default 100,000, built in seconds; 1,000,000 takes a minute or
// two and 2.2 GB in the temporary directory).
func BenchmarkListObjects(b *testing.B) {
	n := storetest.BenchN(b)
	s := openTest(b)
	benchSetup(b, s)
	start := time.Now()
	buildBig(b, s, n)
	b.Logf("built %d objects in %v", n, time.Since(start).Round(time.Millisecond))
	for _, suffix := range []string{"", "-wal"} {
		if fi, err := os.Stat(s.path + suffix); err == nil {
			b.Logf("%s: %d MB", filepath.Base(s.path+suffix), fi.Size()>>20)
		}
	}
	var nearEnd int64
	err := s.rdb.QueryRowContext(context.Background(), `SELECT added FROM objects ORDER BY added DESC LIMIT 1 OFFSET 1001`).Scan(&nearEnd)
	if err != nil {
		b.Fatal(err)
	}
	storetest.BenchListObjects(b, s, kurultai.Cursor(nearEnd))
}
