package postgres

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// The benchmarks have the shape of the SQLite store's (internal/sqlite
// bench_test.go), with the same objects, so that docs/BENCHMARKS.md can
// put the two side by side. They need KURULTAI_TEST_POSTGRES; the server
// runs on the same machine and its CPU time is not in cpu-ns/object.

const (
	benchColl    = "8f6b2b8e-9f5e-4d1c-8a43-5a4a3c1f0b10"
	benchMarking = "marking-definition--7d5f5c5e-2b3a-4c8d-9e1f-0a1b2c3d4e5f"
)

var benchPrincipal = kurultai.Principal{Username: "bench", Participant: "KZ", Kind: kurultai.KindMember, Role: kurultai.RoleLiaison}

// benchSetup prepares a store for writes: a participant, a collection and
// a releasability marking.
func benchSetup(tb testing.TB, s *Store) {
	tb.Helper()
	ctx := context.Background()
	if err := s.PutParticipant(ctx, kurultai.Participant{Code: "KZ", Name: "Kazakhstan", Kind: kurultai.KindMember}); err != nil {
		tb.Fatal(err)
	}
	if err := s.PutCollection(ctx, kurultai.Collection{ID: benchColl, Title: "bench"}); err != nil {
		tb.Fatal(err)
	}
	m := &kurultai.ObjectVersion{
		ID: benchMarking, Type: "marking-definition", SpecVersion: "2.1", Version: "2022-01-01T00:00:00.000Z",
		VersionKey: 1640995200000000000, Raw: []byte(`{"type":"marking-definition","id":"` + benchMarking + `"}`),
		Marking: &kurultai.Marking{ID: benchMarking, Name: "members", Audience: []string{"members"}, Releasability: true},
	}
	st, err := s.AddObjects(ctx, kurultai.Write{Principal: benchPrincipal, Collection: benchColl, StatusID: "setup", Objects: []*kurultai.ObjectVersion{m}})
	if err != nil || len(st.Failures) > 0 {
		tb.Fatalf("setup: %v %+v", err, st.Failures)
	}
}

// benchVersion returns indicator number n: about 1.5 KB of JSON, TLP green
// and the members marking. Its id is random-looking, as real ids are; with
// sequential, its ids follow n (for building big listings fast).
func benchVersion(n int, sequential bool) *kurultai.ObjectVersion {
	h1, h2 := mix(uint64(n)), mix(uint64(n)+1<<32)
	if sequential {
		h1, h2 = uint64(n)<<16, uint64(n)
	}
	id := fmt.Sprintf("indicator--%08x-%04x-4%03x-8%03x-%012x", h1>>32, h1>>16&0xffff, h1&0xfff, h2>>52&0xfff, h2&0xffffffffffff)
	mod := time.Date(2022, 1, 5, 0, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Millisecond)
	ts := mod.Format("2006-01-02T15:04:05.000Z")
	var b strings.Builder
	b.Grow(1600)
	b.WriteString(`{"type":"indicator","spec_version":"2.1","id":"` + id + `","created":"` + ts + `","modified":"` + ts + `",`)
	b.WriteString(`"name":"Suspicious infrastructure ` + strconv.Itoa(n) + `","indicator_types":["malicious-activity"],`)
	b.WriteString(`"pattern":"[ipv4-addr:value = '198.51.100.` + strconv.Itoa(n%256) + `']","pattern_type":"stix","valid_from":"` + ts + `",`)
	b.WriteString(`"object_marking_refs":["` + kurultai.TLP2GreenID + `","` + benchMarking + `"],"description":"`)
	for b.Len() < 1500 {
		b.WriteString("Observed during the unrest; shared for correlation. ")
	}
	b.WriteString(`"}`)
	return &kurultai.ObjectVersion{
		ID: id, Type: "indicator", SpecVersion: "2.1", Created: mod, Modified: mod, Version: ts, VersionKey: mod.UnixNano(),
		MarkingRefs: []string{kurultai.TLP2GreenID, benchMarking}, Raw: []byte(b.String()),
	}
}

// mix is splitmix64's finalizer.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// cpuTime returns the CPU time (user and system) this process has used.
func cpuTime(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func benchWrite(first, n int) kurultai.Write { return benchWriteIDs(first, n, false) }

func benchWriteIDs(first, n int, sequential bool) kurultai.Write {
	w := kurultai.Write{Principal: benchPrincipal, Collection: benchColl, StatusID: "bench-" + strconv.Itoa(first), Time: time.Now()}
	for i := range n {
		w.Objects = append(w.Objects, benchVersion(first+i, sequential))
	}
	return w
}

// BenchmarkAddObjects measures durable writes (synchronous_commit=on) of
// 1.5 KB objects, one AddObjects call per op, from one goroutine and from
// many (group commit).
func BenchmarkAddObjects(b *testing.B) {
	for _, batch := range []int{100, 1000} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			s := openTest(b)
			benchSetup(b, s)
			ctx := context.Background()
			next := 0
			var cpu time.Duration
			for b.Loop() {
				b.StopTimer()
				w := benchWrite(next, batch)
				next += batch
				c0 := cpuTime(b)
				b.StartTimer()
				st, err := s.AddObjects(ctx, w)
				if err != nil || len(st.Failures) > 0 {
					b.Fatalf("AddObjects: %v %+v", err, st.Failures)
				}
				cpu += cpuTime(b) - c0
			}
			b.ReportMetric(float64(next)/b.Elapsed().Seconds(), "objects/s")
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(next), "cpu-ns/object")
		})
	}
	b.Run("parallel/batch=100", func(b *testing.B) {
		s := openTest(b)
		benchSetup(b, s)
		ctx := context.Background()
		var mu sync.Mutex
		next := 0
		b.SetParallelism(8)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				mu.Lock()
				first := next
				next += 100
				mu.Unlock()
				st, err := s.AddObjects(ctx, benchWrite(first, 100))
				if err != nil || len(st.Failures) > 0 {
					b.Errorf("AddObjects: %v %+v", err, st.Failures)
					return
				}
			}
		})
		b.ReportMetric(float64(next)/b.Elapsed().Seconds(), "objects/s")
	})
}

// BenchmarkListObjects pages through a large collection: the first page
// and one near the end cost the same. KURULTAI_BENCH_N sets the number of
// objects (default 100,000; 1,000,000 takes a few minutes to build and
// about 2 GB on the server).
func BenchmarkListObjects(b *testing.B) {
	n := 100_000
	if v := os.Getenv("KURULTAI_BENCH_N"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 2000 {
			b.Fatalf("KURULTAI_BENCH_N=%q: want a number >= 2000", v)
		}
	}
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
	for _, tc := range []struct {
		name  string
		after kurultai.Cursor
		types []string
		raw   bool
	}{
		{"first/raw", 0, nil, true},
		{"last/raw", kurultai.Cursor(nearEnd), nil, true},
		{"first/manifest", 0, nil, false},
		{"last/manifest", kurultai.Cursor(nearEnd), nil, false},
		{"last/type/raw", kurultai.Cursor(nearEnd), []string{"indicator"}, true},
	} {
		b.Run(tc.name, func(b *testing.B) {
			q := kurultai.Query{Collection: benchColl, After: tc.after, Types: tc.types, Limit: 1000, WithRaw: tc.raw}
			items := 0
			c0 := cpuTime(b)
			for b.Loop() {
				page, err := s.ListObjects(ctx, q, func(*kurultai.ObjectVersion) bool { return true })
				if err != nil || len(page.Items) != 1000 {
					b.Fatalf("ListObjects: %d items, %v", len(page.Items), err)
				}
				items += len(page.Items)
			}
			b.ReportMetric(float64(items)/b.Elapsed().Seconds(), "objects/s")
			b.ReportMetric(float64((cpuTime(b)-c0).Nanoseconds())/float64(items), "cpu-ns/object")
		})
	}
}

// buildBig adds n benchmark objects in writes of 1000 from two goroutines,
// with sequential ids: the listings do not care, and it builds faster.
func buildBig(tb testing.TB, s *Store, n int) {
	tb.Helper()
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	next := 0
	for range 2 {
		wg.Go(func() {
			for {
				mu.Lock()
				first := next
				next += 1000
				mu.Unlock()
				if first >= n {
					return
				}
				st, err := s.AddObjects(ctx, benchWriteIDs(first, min(1000, n-first), true))
				if err != nil || len(st.Failures) > 0 {
					tb.Errorf("AddObjects: %v %+v", err, st.Failures)
					return
				}
			}
		})
	}
	wg.Wait()
	if tb.Failed() {
		tb.FailNow()
	}
}
