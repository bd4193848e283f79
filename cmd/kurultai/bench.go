package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/seed"
)

const benchUsage = `bench taxii --url URL (--token TOKEN | --user NAME --password PW) [flags]

Measures a running node through TAXII 2.1 over HTTP, as a client would:
  1. ingest: POSTs --objects generated indicators (about 1.5 KB each) in
     envelopes of --batch objects from --concurrency clients, and reports
     durable objects per second (each 202 means committed);
  2. serve: pages through the collection with limit=--page and reports
     objects per second;
  3. page cost: times the first and the last page (by next cursor) over
     --repeat requests each and reports the ratio;
  4. memory: reads process_resident_memory_bytes from the node's /metrics.
Progress is printed as it goes. Only loopback URLs are sensible targets.`

type benchClient struct {
	base, coll string
	authz      string
	http       *http.Client
}

func runBench(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "taxii" {
		fmt.Fprintln(stderr, "Usage: kurultai bench taxii --help")
		if len(args) > 0 && (args[0] == "--help" || args[0] == "-h") {
			return nil
		}
		return errUsage
	}
	fs := newFlagSet("bench taxii", benchUsage, stderr)
	base := fs.String("url", "http://127.0.0.1:8080", "node base `URL`")
	token := fs.String("token", env("KURULTAI_TOKEN"), "bearer `token` (env KURULTAI_TOKEN)")
	user := fs.String("user", "", "HTTP Basic `user`name")
	password := fs.String("password", "", "HTTP Basic `password`")
	coll := fs.String("collection", seed.IntelCollectionID, "collection `id`")
	objects := fs.Int("objects", 100000, "objects to ingest (0 skips ingest)")
	batch := fs.Int("batch", 1000, "objects per envelope")
	conc := fs.Int("concurrency", 4, "concurrent clients while ingesting")
	page := fs.Int("page", 1000, "limit per page while serving")
	repeat := fs.Int("repeat", 20, "requests timed for the first and last page")
	if help, err := parse(fs, args[1:]); help || err != nil {
		return err
	}
	if *objects < 0 || *batch < 1 || *conc < 1 || *page < 1 || *repeat < 1 {
		return fmt.Errorf("--objects, --batch, --concurrency, --page and --repeat must be positive")
	}
	u, err := url.Parse(*base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("--url: %q is not an http(s) URL", *base)
	}
	c := &benchClient{base: strings.TrimRight(*base, "/"), coll: *coll, http: &http.Client{Timeout: 5 * time.Minute,
		Transport: &http.Transport{MaxIdleConnsPerHost: *conc + 2}}}
	switch {
	case *token != "":
		c.authz = "Bearer " + *token
	case *user != "":
		c.authz = "Basic " + basic(*user, *password)
	default:
		return fmt.Errorf("--token or --user/--password: credentials are required")
	}
	if *objects > 0 {
		m := c.cpuStart(ctx)
		if err := c.ingest(ctx, stdout, *objects, *batch, *conc); err != nil {
			return err
		}
		m.report(ctx, stdout, "ingest", *objects)
	}
	m := c.cpuStart(ctx)
	last, served, err := c.serveAll(ctx, stdout, *page, *conc)
	if err != nil {
		return err
	}
	m.report(ctx, stdout, "serve", served)
	if err := c.pageCost(ctx, stdout, *page, *repeat, last); err != nil {
		return err
	}
	return c.memory(ctx, stdout)
}

func (c *benchClient) do(ctx context.Context, method, path string, body []byte) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Authorization", c.authz)
	req.Header.Set("Accept", "application/taxii+json;version=2.1")
	if body != nil {
		req.Header.Set("Content-Type", "application/taxii+json;version=2.1")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

func (c *benchClient) ingest(ctx context.Context, out io.Writer, total, batch, conc int) error {
	fmt.Fprintf(out, "ingest: %d objects in envelopes of %d from %d clients\n", total, batch, conc)
	var next, stored, failed atomic.Int64
	var firstErr error
	var once sync.Once
	start := time.Now()
	var wg sync.WaitGroup
	stop := make(chan struct{})
	go func() { // progress
		t := time.NewTicker(2 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				n := stored.Load()
				fmt.Fprintf(out, "  %d/%d stored, %.0f objects/s\n", n, total, float64(n)/time.Since(start).Seconds())
			}
		}
	}()
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				from := next.Add(int64(batch)) - int64(batch)
				if from >= int64(total) || ctx.Err() != nil {
					return
				}
				n := min(int64(batch), int64(total)-from)
				resp, body, err := c.do(ctx, http.MethodPost, "/taxii2/root/collections/"+c.coll+"/objects/", benchEnvelope(int(n)))
				if err == nil && resp.StatusCode != http.StatusAccepted {
					err = fmt.Errorf("POST answered %d: %.300s", resp.StatusCode, body)
				}
				if err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				var st struct {
					Success int64 `json:"success_count"`
					Failure int64 `json:"failure_count"`
				}
				if err := json.Unmarshal(body, &st); err != nil {
					once.Do(func() { firstErr = fmt.Errorf("status: %w", err) })
					return
				}
				stored.Add(st.Success)
				failed.Add(st.Failure)
			}
		}()
	}
	wg.Wait()
	close(stop)
	if firstErr != nil {
		return fmt.Errorf("ingest: %w", firstErr)
	}
	el := time.Since(start)
	fmt.Fprintf(out, "ingest: %d stored, %d failed in %s: %.0f objects/s (durable)\n", stored.Load(), failed.Load(), el.Round(time.Millisecond), float64(stored.Load())/el.Seconds())
	return nil
}

// benchEnvelope returns n fresh indicators of about 1.5 KB each, released
// to members. It is cheap, so that the client measures the node, not itself.
func benchEnvelope(n int) []byte {
	now := strconv.Quote(time.Now().UTC().Format("2006-01-02T15:04:05.000Z"))
	pad := strconv.Quote(strings.Repeat("Observed in several regional reports; shared for correlation by the liaison desks. ", 12))
	refs := `["` + kurultai.TLP2GreenID + `","` + seed.AudienceMarkingID("members") + `"]`
	b := make([]byte, 0, n*1700)
	b = append(b, `{"objects":[`...)
	for i := range n {
		if i > 0 {
			b = append(b, ',')
		}
		id := uuid.NewString()
		b = append(b, `{"type":"indicator","spec_version":"2.1","id":"indicator--`...)
		b = append(b, id...)
		b = append(b, `","created":`...)
		b = append(b, now...)
		b = append(b, `,"modified":`...)
		b = append(b, now...)
		b = append(b, `,"name":"Bench indicator `...)
		b = append(b, id[:8]...)
		b = append(b, `","description":`...)
		b = append(b, pad...)
		b = append(b, `,"indicator_types":["malicious-activity"],"pattern":"[ipv4-addr:value = '198.51.100.`...)
		b = strconv.AppendInt(b, int64(i%250), 10)
		b = append(b, `']","pattern_type":"stix","valid_from":`...)
		b = append(b, now...)
		b = append(b, `,"labels":["bench"],"object_marking_refs":`...)
		b = append(b, refs...)
		b = append(b, '}')
	}
	return append(b, `]}`...)
}

type page struct {
	More    bool              `json:"more"`
	Next    string            `json:"next"`
	Objects []json.RawMessage `json:"objects"`
}

// serveAll runs conc clients that each page through the whole collection
// and reports the aggregate rate. It returns the next token of the last
// full page and the objects served.
func (c *benchClient) serveAll(ctx context.Context, out io.Writer, limit, conc int) (string, int, error) {
	start := time.Now()
	type result struct {
		last  string
		total int
		err   error
	}
	results := make(chan result, conc)
	for range conc {
		go func() {
			last, total, err := c.serve(ctx, limit)
			results <- result{last, total, err}
		}()
	}
	var last string
	total := 0
	for range conc {
		r := <-results
		if r.err != nil {
			return "", 0, r.err
		}
		last, total = r.last, total+r.total
	}
	el := time.Since(start)
	fmt.Fprintf(out, "serve: %d clients paged %d objects with limit=%d in %s: %.0f objects/s\n", conc, total, limit, el.Round(time.Millisecond), float64(total)/el.Seconds())
	return last, total, nil
}

// serve pages through the whole collection and returns the next token of
// its last full page (so that the page-cost comparison is like for like)
// and the objects served. It reads the envelope's head and counts objects
// without decoding them, to leave the CPU to the node.
func (c *benchClient) serve(ctx context.Context, limit int) (string, int, error) {
	var total int
	next, lastFull := "", ""
	for {
		path := fmt.Sprintf("/taxii2/root/collections/%s/objects/?limit=%d", c.coll, limit)
		if next != "" {
			path += "&next=" + url.QueryEscape(next)
		}
		resp, body, err := c.do(ctx, http.MethodGet, path, nil)
		if err != nil {
			return "", 0, fmt.Errorf("serve: %w", err)
		}
		if resp.StatusCode != http.StatusOK {
			return "", 0, fmt.Errorf("serve: GET answered %d: %.300s", resp.StatusCode, body)
		}
		more, nextTok, n, err := envelopeHead(body)
		if err != nil {
			return "", 0, fmt.Errorf("serve: %w", err)
		}
		total += n
		if n == limit {
			lastFull = next
		}
		if !more {
			return lastFull, total, nil
		}
		next = nextTok
	}
}

// envelopeHead reads more and next from a TAXII envelope and counts its
// objects by bracket depth, skipping strings.
func envelopeHead(body []byte) (more bool, next string, n int, err error) {
	i := bytes.Index(body, []byte(`"objects":[`))
	if i < 0 {
		var head page
		err = json.Unmarshal(body, &head)
		return head.More, head.Next, 0, err
	}
	var head page
	if err = json.Unmarshal(append(append([]byte{}, body[:i]...), `"objects":[]}`...), &head); err != nil {
		return false, "", 0, err
	}
	depth, inStr, esc := 0, false, false
	for _, ch := range body[i+len(`"objects":[`):] {
		switch {
		case inStr:
			if esc {
				esc = false
			} else if ch == '\\' {
				esc = true
			} else if ch == '"' {
				inStr = false
			}
		case ch == '"':
			inStr = true
		case ch == '{' || ch == '[':
			if depth == 0 && ch == '{' {
				n++
			}
			depth++
		case ch == '}' || ch == ']':
			depth--
		}
	}
	return head.More, head.Next, n, nil
}

func (c *benchClient) pageCost(ctx context.Context, out io.Writer, limit, repeat int, lastNext string) error {
	timeIt := func(next string) (time.Duration, error) {
		var ds []time.Duration
		for range repeat {
			path := fmt.Sprintf("/taxii2/root/collections/%s/objects/?limit=%d", c.coll, limit)
			if next != "" {
				path += "&next=" + url.QueryEscape(next)
			}
			t := time.Now()
			resp, body, err := c.do(ctx, http.MethodGet, path, nil)
			if err != nil {
				return 0, err
			}
			if resp.StatusCode != http.StatusOK {
				return 0, fmt.Errorf("GET answered %d: %.300s", resp.StatusCode, body)
			}
			ds = append(ds, time.Since(t))
		}
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		return ds[len(ds)/2], nil
	}
	first, err := timeIt("")
	if err != nil {
		return fmt.Errorf("page cost: %w", err)
	}
	last, err := timeIt(lastNext)
	if err != nil {
		return fmt.Errorf("page cost: %w", err)
	}
	fmt.Fprintf(out, "page cost: first page %s, last page %s (median of %d): last/first = %.2f\n",
		first.Round(time.Microsecond), last.Round(time.Microsecond), repeat, float64(last)/float64(first))
	return nil
}

// metric reads one unlabelled sample from the node's /metrics.
func (c *benchClient) metric(ctx context.Context, name string) (float64, bool) {
	resp, body, err := c.do(ctx, http.MethodGet, "/metrics", nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		return 0, false
	}
	sc := bufio.NewScanner(bytes.NewReader(body))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			var f float64
			if _, err := fmt.Sscan(v, &f); err == nil {
				return f, true
			}
		}
	}
	return 0, false
}

// cpuMeter reports the node's CPU time per object over a phase, read from
// process_cpu_seconds_total. On a shared machine wall-clock rates swing
// with the neighbours' load; CPU per object does not, and it bounds what
// the node can do on idle cores.
type cpuMeter struct {
	c     *benchClient
	start float64
	ok    bool
}

func (c *benchClient) cpuStart(ctx context.Context) cpuMeter {
	v, ok := c.metric(ctx, "process_cpu_seconds_total")
	return cpuMeter{c: c, start: v, ok: ok}
}

func (m cpuMeter) report(ctx context.Context, out io.Writer, phase string, objects int) {
	end, ok := m.c.metric(ctx, "process_cpu_seconds_total")
	if !m.ok || !ok || objects == 0 {
		return
	}
	per := (end - m.start) / float64(objects) * 1e6
	fmt.Fprintf(out, "%s: node CPU %.1f µs/object, so about %.0f objects/s on %d idle cores\n", phase, per, float64(runtime.NumCPU())*1e6/per, runtime.NumCPU())
}

func (c *benchClient) memory(ctx context.Context, out io.Writer) error {
	if v, ok := c.metric(ctx, "process_resident_memory_bytes"); ok {
		fmt.Fprintf(out, "memory: node resident set %.1f MB\n", v/1e6)
	} else {
		fmt.Fprintln(out, "memory: /metrics not readable")
	}
	return nil
}

func basic(user, pw string) string {
	req, _ := http.NewRequest(http.MethodGet, "http://x/", nil)
	req.SetBasicAuth(user, pw)
	return strings.TrimPrefix(req.Header.Get("Authorization"), "Basic ")
}
