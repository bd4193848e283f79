package federation

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/seed"
)

// envInt reads a benchmark size from the environment.
func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// added returns the date added of every note of origin in n's store, by id.
func added(b testing.TB, n *testNode, origin string) map[string]time.Time {
	b.Helper()
	out := map[string]time.Time{}
	q := kurultai.Query{Collection: seed.IntelCollectionID, Versions: kurultai.VersionFilter{All: true}, Limit: 10000}
	for {
		p, err := n.store.ListObjects(context.Background(), q, func(v *kurultai.ObjectVersion) bool { return v.Originator == origin && v.Type == "note" })
		if err != nil {
			b.Fatal(err)
		}
		for _, v := range p.Items {
			out[v.ID] = v.DateAdded
		}
		if !p.More {
			return out
		}
		q.After = p.Next
	}
}

// BenchmarkReplicationLag writes KURULTAI_BENCH_RATE objects per second
// (default 1000) spread over five nodes in a full mesh on loopback, for
// KURULTAI_BENCH_OBJECTS objects in all (default 3000), every object
// visible to every node, and reports the lag from the commit at the
// originator to the commit at each other node: p50, p99 and max.
//
//	go test -run '^$' -bench ReplicationLag -benchtime 1x ./internal/federation/
func BenchmarkReplicationLag(b *testing.B) {
	rate := envInt("KURULTAI_BENCH_RATE", 1000)
	total := envInt("KURULTAI_BENCH_OBJECTS", 3000)
	for b.Loop() {
		ca := testCA(b)
		codes := []string{"SEC", "KZ", "UZ", "TR", "AZ"}
		var nodes []*testNode
		for _, c := range codes {
			nodes = append(nodes, newTestNode(b, ca, c))
		}
		for i, a := range nodes {
			for _, c := range nodes[i+1:] {
				a.peer(c, "tls://"+c.listen)
				c.peer(a, "tls://"+a.listen)
			}
		}
		for _, n := range nodes {
			n.start()
		}
		eventually(b, "links up", func() bool {
			for _, n := range nodes {
				st, err := n.fed.Status(context.Background())
				if err != nil || len(st) != len(nodes)-1 {
					return false
				}
				for _, s := range st {
					if !s.Connected {
						return false
					}
				}
			}
			return true
		})
		// Each node writes its share on its own schedule: what is due since
		// the start, in one write (slow commits make bigger writes, as
		// group commit does for concurrent clients).
		base := make([]int64, len(nodes)) // objects each node holds before
		for i, n := range nodes {
			c, err := n.store.CountObjects(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			base[i] = c
		}
		cpu0 := cpuTime(b)
		perNode := total / len(nodes)
		share := float64(rate) / float64(len(nodes))
		start := time.Now()
		done := make(chan struct{}, len(nodes))
		for _, n := range nodes {
			go func() {
				defer func() { done <- struct{}{} }()
				written := 0
				for written < perNode {
					due := min(perNode, int(time.Since(start).Seconds()*share)+1)
					if due <= written {
						time.Sleep(2 * time.Millisecond)
						continue
					}
					objs := make([]obj, due-written)
					for j := range objs {
						objs[j] = obj{id: newID(), modified: time.Now(), markings: []string{relMembers}, content: "lag"}
					}
					n.write(objs...)
					written = due
				}
			}()
		}
		for range nodes {
			<-done
		}
		wrote := time.Since(start)
		want := perNode
		eventually2(b, 10*time.Minute, "all replicated", func() bool {
			for i, n := range nodes {
				c, err := n.store.CountObjects(context.Background())
				if err != nil || c < base[i]+int64(want*len(nodes)) {
					return false
				}
			}
			return true
		})
		cpu := cpuTime(b) - cpu0
		var lags []time.Duration
		for _, o := range nodes {
			at := added(b, o, o.code)
			for _, n := range nodes {
				if n == o {
					continue
				}
				for id, t := range added(b, n, o.code) {
					lags = append(lags, t.Sub(at[id]))
				}
			}
		}
		slices.Sort(lags)
		q := func(p float64) time.Duration { return lags[min(len(lags)-1, int(p*float64(len(lags))))] }
		b.ReportMetric(float64(want*len(nodes))/wrote.Seconds(), "objects/s")
		b.ReportMetric(float64(q(0.5).Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(q(0.99).Microseconds())/1000, "p99-ms")
		b.ReportMetric(float64(lags[len(lags)-1].Microseconds())/1000, "max-ms")
		b.ReportMetric(float64(cpu.Microseconds())/float64(len(lags)), "cpu-µs/delivery")
		b.Logf("%d objects written in %s (%d nodes), %d deliveries: p50 %s p99 %s max %s",
			want*len(nodes), wrote.Round(time.Millisecond), len(nodes), len(lags), q(0.5), q(0.99), lags[len(lags)-1])
		for _, n := range nodes {
			n.stop()
		}
	}
}

// BenchmarkCatchUp cuts the link between two nodes, writes
// KURULTAI_BENCH_CATCHUP objects (default 20000; the target is stated for
// 100000) on one, restores the link and reports how fast the other
// catches up.
//
//	KURULTAI_BENCH_CATCHUP=100000 go test -run '^$' -bench CatchUp -benchtime 1x -timeout 30m ./internal/federation/
func BenchmarkCatchUp(b *testing.B) {
	total := envInt("KURULTAI_BENCH_CATCHUP", 20000)
	for b.Loop() {
		ca := testCA(b)
		kz, sec := newTestNode(b, ca, "KZ"), newTestNode(b, ca, "SEC")
		tune := func(c *Config) { c.BatchItems = 512; c.InFlight = 8 }
		kz.tune, sec.tune = tune, tune
		p := link(b, kz, sec)
		p.setCut(true)
		kz.start()
		sec.start()
		const chunk = 1000
		for i := 0; i < total; i += chunk {
			objs := make([]obj, min(chunk, total-i))
			for j := range objs {
				objs[j] = obj{id: newID(), modified: time.Now(), markings: []string{relMembers, kurultai.TLP2GreenID}, content: fmt.Sprintf("catch-up %d", i+j)}
			}
			kz.write(objs...)
		}
		base, err := sec.store.CountObjects(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		start, cpu0 := time.Now(), cpuTime(b)
		p.setCut(false)
		eventually2(b, 30*time.Minute, "caught up", func() bool {
			n, err := sec.store.CountObjects(context.Background())
			return err == nil && n >= base+int64(total)
		})
		if got := len(added(b, sec, "KZ")); got != total {
			b.Fatalf("SEC holds %d of KZ's notes, want %d", got, total)
		}
		d := time.Since(start)
		b.ReportMetric(float64(total)/d.Seconds(), "objects/s")
		b.ReportMetric(float64((cpuTime(b)-cpu0).Microseconds())/float64(total), "cpu-µs/object")
		b.Logf("%d objects caught up in %s: %.0f objects/s", total, d.Round(time.Millisecond), float64(total)/d.Seconds())
		kz.stop()
		sec.stop()
	}
}

// eventually2 is eventually with its own deadline, polling every 100 ms.
func eventually2(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: still false after %s", what, within)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// cpuTime is the CPU time (user and system) the process has used.
func cpuTime(tb testing.TB) time.Duration {
	tb.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
