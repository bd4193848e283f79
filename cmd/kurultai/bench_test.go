package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/config"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/seed"
)

// benchNode starts a whole node in process and returns a client with a
// token of the KZ liaison.
func benchNode(b *testing.B) (*node, *benchClient) {
	b.Helper()
	cfg := config.Default()
	cfg.DataDir = b.TempDir()
	cfg.Listen = "127.0.0.1:0"
	ctx := context.Background()
	n, err := startNode(ctx, cfg, slog.New(slog.DiscardHandler), time.Now)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { n.shutdown(context.Background()) })
	if _, err := n.store.CreateUser(ctx, kurultai.User{Username: "bench", Participant: "KZ", Role: kurultai.RoleLiaison, PasswordHash: "-", Created: time.Now()}); err != nil {
		b.Fatal(err)
	}
	var out, errOut syncBuffer
	if err := run(ctx, []string{"token", "create", "--data", cfg.DataDir, "--username", "bench"}, noEnv, &out, &errOut); err != nil {
		b.Fatal(err, errOut.String())
	}
	c := &benchClient{base: n.URL(), coll: seed.IntelCollectionID, authz: "Bearer " + trimNL(out.String()),
		http: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}}}
	return n, c
}

func trimNL(s string) string {
	for len(s) > 0 && (s[len(s)-1] == '\n' || s[len(s)-1] == '\r') {
		s = s[:len(s)-1]
	}
	return s
}

// BenchmarkTAXIIIngest posts envelopes of 1,000 fresh 1.5 KB indicators
// through HTTP to a whole node (parse, sign, durable group commit, audit)
// from 4 concurrent clients. The objects/s metric is the ingest target's.
func BenchmarkTAXIIIngest(b *testing.B) {
	_, c := benchNode(b)
	ctx := context.Background()
	const batch = 1000
	b.SetParallelism(2) // 2 × GOMAXPROCS(2) = 4 clients
	cpu0 := cpuTime()
	b.ResetTimer()
	start := time.Now()
	var errs = make(chan error, 1)
	n := 0
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			body := benchEnvelope(batch)
			resp, out, err := c.do(ctx, http.MethodPost, "/taxii2/root/collections/"+c.coll+"/objects/", body)
			if err == nil && resp.StatusCode != http.StatusAccepted {
				err = fmt.Errorf("POST %d: %.200s", resp.StatusCode, out)
			}
			if err != nil {
				select {
				case errs <- err:
				default:
				}
				return
			}
		}
	})
	n = b.N
	b.StopTimer()
	select {
	case err := <-errs:
		b.Fatal(err)
	default:
	}
	b.ReportMetric(float64(n*batch)/time.Since(start).Seconds(), "objects/s")
	b.ReportMetric((cpuTime()-cpu0).Seconds()*1e6/float64(n*batch), "cpu-µs/object")
}

// BenchmarkTAXIIServe pages through 20,000 stored objects with limit=1000
// over HTTP from 4 concurrent clients (access decision per object, a
// durable audit entry per page). The objects/s metric is the serving
// target's; cpu-µs/object includes the in-process clients.
func BenchmarkTAXIIServe(b *testing.B) {
	_, c := benchNode(b)
	ctx := context.Background()
	for range 20 {
		if resp, out, err := c.do(ctx, http.MethodPost, "/taxii2/root/collections/"+c.coll+"/objects/", benchEnvelope(1000)); err != nil || resp.StatusCode != http.StatusAccepted {
			b.Fatalf("seed: %v %s", err, out)
		}
	}
	var objects atomic.Int64
	cpu0 := cpuTime()
	start := time.Now()
	b.SetParallelism(2)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, body, err := c.do(ctx, http.MethodGet, "/taxii2/root/collections/"+c.coll+"/objects/?limit=1000", nil)
			if err != nil || resp.StatusCode != http.StatusOK {
				b.Errorf("GET: %v", err)
				return
			}
			_, _, n, err := envelopeHead(body)
			if err != nil {
				b.Error(err)
				return
			}
			objects.Add(int64(n))
		}
	})
	b.StopTimer()
	n := float64(objects.Load())
	b.ReportMetric(n/time.Since(start).Seconds(), "objects/s")
	b.ReportMetric((cpuTime()-cpu0).Seconds()*1e6/n, "cpu-µs/object")
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
