package storetest

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

// The benchmarks every store runs with the same objects, so that
// docs/BENCHMARKS.md and docs/DEPLOY.md can put the stores side by side,
// and the fixtures their other tests build objects with.

// The benchmark collection and its releasability marking.
const (
	BenchCollection = "8f6b2b8e-9f5e-4d1c-8a43-5a4a3c1f0b10"
	BenchMarking    = "marking-definition--7d5f5c5e-2b3a-4c8d-9e1f-0a1b2c3d4e5f"
)

// BenchPrincipal writes the benchmark objects.
var BenchPrincipal = kurultai.Principal{Username: "bench", Participant: "KZ", Kind: kurultai.KindMember, Role: kurultai.RoleLiaison}

// BenchSetup prepares a store for writes: a participant, a collection and
// a releasability marking.
func BenchSetup(tb testing.TB, s kurultai.Store) {
	tb.Helper()
	ctx := context.Background()
	if err := s.PutParticipant(ctx, kurultai.Participant{Code: "KZ", Name: "Kazakhstan", Kind: kurultai.KindMember}); err != nil {
		tb.Fatal(err)
	}
	if err := s.PutCollection(ctx, kurultai.Collection{ID: BenchCollection, Title: "bench"}); err != nil {
		tb.Fatal(err)
	}
	m := &kurultai.ObjectVersion{
		ID: BenchMarking, Type: "marking-definition", SpecVersion: "2.1", Version: "2022-01-01T00:00:00.000Z",
		VersionKey: 1640995200000000000, Raw: []byte(`{"type":"marking-definition","id":"` + BenchMarking + `"}`),
		Marking: &kurultai.Marking{ID: BenchMarking, Name: "members", Audience: []string{"members"}, Releasability: true},
	}
	st, err := s.AddObjects(ctx, kurultai.Write{Principal: BenchPrincipal, Collection: BenchCollection, StatusID: "setup", Objects: []*kurultai.ObjectVersion{m}})
	if err != nil || len(st.Failures) > 0 {
		tb.Fatalf("setup: %v %+v", err, st.Failures)
	}
}

// BenchVersion returns indicator number n: about 1.5 KB of JSON, TLP green
// and the members marking. Its id is random-looking, as real ids are (UUID
// v4 or v5), so that index inserts land anywhere; with sequential, its ids
// follow n and inserts append (cheaper: for building big listings fast).
func BenchVersion(n int, sequential bool) *kurultai.ObjectVersion {
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
	b.WriteString(`"object_marking_refs":["` + kurultai.TLP2GreenID + `","` + BenchMarking + `"],"description":"`)
	for b.Len() < 1500 {
		b.WriteString("Observed during the unrest; shared for correlation. ")
	}
	b.WriteString(`"}`)
	return &kurultai.ObjectVersion{
		ID: id, Type: "indicator", SpecVersion: "2.1", Created: mod, Modified: mod, Version: ts, VersionKey: mod.UnixNano(),
		MarkingRefs: []string{kurultai.TLP2GreenID, BenchMarking}, Raw: []byte(b.String()),
	}
}

// mix is splitmix64's finalizer.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// CPUTime returns the CPU time (user and system) the process has used. The
// benchmarks report it per object next to wall-clock rates: on a shared
// machine it is the steadier number.
func CPUTime(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchWrite returns a write of n objects numbered from first, with random
// ids.
func BenchWrite(first, n int) kurultai.Write { return BenchWriteIDs(first, n, false) }

// BenchWriteIDs is BenchWrite with sequential ids when sequential is set.
func BenchWriteIDs(first, n int, sequential bool) kurultai.Write {
	w := kurultai.Write{Principal: BenchPrincipal, Collection: BenchCollection, StatusID: "bench-" + strconv.Itoa(first), Time: time.Now()}
	for i := range n {
		w.Objects = append(w.Objects, BenchVersion(first+i, sequential))
	}
	return w
}

// BenchAddObjects measures durable writes of 1.5 KB objects, one
// AddObjects call per op, from one goroutine and from many (group commit),
// on fresh stores from open.
func BenchAddObjects(b *testing.B, open func(testing.TB) kurultai.Store) {
	for _, batch := range []int{100, 1000} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			s := open(b)
			BenchSetup(b, s)
			ctx := context.Background()
			next := 0
			var cpu time.Duration
			for b.Loop() {
				b.StopTimer()
				w := BenchWrite(next, batch)
				next += batch
				c0 := CPUTime(b)
				b.StartTimer()
				st, err := s.AddObjects(ctx, w)
				if err != nil || len(st.Failures) > 0 {
					b.Fatalf("AddObjects: %v %+v", err, st.Failures)
				}
				cpu += CPUTime(b) - c0
			}
			b.ReportMetric(float64(next)/b.Elapsed().Seconds(), "objects/s")
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(next), "cpu-ns/object")
		})
	}
	b.Run("parallel/batch=100", func(b *testing.B) {
		s := open(b)
		BenchSetup(b, s)
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
				st, err := s.AddObjects(ctx, BenchWrite(first, 100))
				if err != nil || len(st.Failures) > 0 {
					b.Errorf("AddObjects: %v %+v", err, st.Failures)
					return
				}
			}
		})
		b.ReportMetric(float64(next)/b.Elapsed().Seconds(), "objects/s")
	})
}

// BenchN is the size of the listing benchmark's collection:
// KURULTAI_BENCH_N, default 100,000 (1,000,000 takes minutes to build and
// about 2 GB).
func BenchN(b *testing.B) int {
	n := 100_000
	if v := os.Getenv("KURULTAI_BENCH_N"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 2000 {
			b.Fatalf("KURULTAI_BENCH_N=%q: want a number >= 2000", v)
		}
	}
	return n
}

// BenchListObjects pages through the benchmark collection of s (built by
// BuildBig): the first page and one near the end (after nearEnd, 1,001
// versions before the last) must cost the same.
func BenchListObjects(b *testing.B, s kurultai.Store, nearEnd kurultai.Cursor) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		after kurultai.Cursor
		types []string
		raw   bool
	}{
		{"first/raw", 0, nil, true},
		{"last/raw", nearEnd, nil, true},
		{"first/manifest", 0, nil, false},
		{"last/manifest", nearEnd, nil, false},
		{"last/type/raw", nearEnd, []string{"indicator"}, true},
	} {
		b.Run(tc.name, func(b *testing.B) {
			q := kurultai.Query{Collection: BenchCollection, After: tc.after, Types: tc.types, Limit: 1000, WithRaw: tc.raw}
			items := 0
			c0 := CPUTime(b)
			for b.Loop() {
				page, err := s.ListObjects(ctx, q, func(*kurultai.ObjectVersion) bool { return true })
				if err != nil || len(page.Items) != 1000 {
					b.Fatalf("ListObjects: %d items, %v", len(page.Items), err)
				}
				items += len(page.Items)
			}
			b.ReportMetric(float64(items)/b.Elapsed().Seconds(), "objects/s")
			b.ReportMetric(float64((CPUTime(b)-c0).Nanoseconds())/float64(items), "cpu-ns/object")
		})
	}
}

// BuildBig adds n benchmark objects in writes of 1000 from two goroutines,
// with sequential ids: the listings do not care, and it builds faster.
func BuildBig(tb testing.TB, s kurultai.Store, n int) {
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
				st, err := s.AddObjects(ctx, BenchWriteIDs(first, min(1000, n-first), true))
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
