// Package ops serves what operators and their tools need from a running
// node: liveness (/healthz), readiness (/readyz), Prometheus metrics
// (/metrics) and a middleware that counts and times every HTTP request.
package ops

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// Check reports whether one dependency is ready.
type Check struct {
	Name string
	Fn   func(ctx context.Context) error
}

// Ops holds the registry and the request collectors.
type Ops struct {
	Registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	checks   []Check
}

// New returns an Ops with a fresh registry holding the Go and process
// collectors and the HTTP request metrics.
func New(checks ...Check) *Ops {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	o := &Ops{
		Registry: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kurultai_http_requests_total",
			Help: "HTTP requests by route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "kurultai_http_request_duration_seconds",
			Help:    "HTTP request latency by route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route"}),
		checks: checks,
	}
	reg.MustRegister(o.requests, o.latency)
	return o
}

// Routes registers /healthz, /readyz and /metrics.
func (o *Ops) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", o.ready)
	mux.Handle("GET /metrics", promhttp.HandlerFor(o.Registry, promhttp.HandlerOpts{}))
}

func (o *Ops) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	for _, c := range o.checks {
		if err := c.Fn(ctx); err != nil {
			// The error may name paths or hosts: say only which check failed.
			w.Header().Set("Retry-After", kurultai.RetryAfter)
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(c.Name + ": not ready\n"))
			return
		}
	}
	_, _ = w.Write([]byte("ready\n"))
}

// Middleware counts and times each request under its route pattern (not its
// path, so that object ids do not explode the label space).
func (o *Ops) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		next.ServeHTTP(sw, r)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		o.requests.WithLabelValues(route, r.Method, strconv.Itoa(sw.code)).Inc()
		o.latency.WithLabelValues(route).Observe(time.Since(start).Seconds())
	})
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	w.code = code
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the underlying writer (flush).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
