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
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

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
		if err := c.ingest(ctx, stdout, *objects, *batch, *conc); err != nil {
			return err
		}
	}
	last, err := c.serve(ctx, stdout, *page)
	if err != nil {
		return err
	}
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

// benchEnvelope returns n fresh indicators of about 1.5 KB each, released to members.
func benchEnvelope(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"objects":[`)
	now := time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	pad := strings.Repeat("Observed in several regional reports; shared for correlation by the liaison desks. ", 12)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		id := uuid.NewString()
		fmt.Fprintf(&b, `{"type":"indicator","spec_version":"2.1","id":"indicator--%s","created":%q,"modified":%q,"name":"Bench indicator %s","description":%q,"indicator_types":["malicious-activity"],"pattern":"[ipv4-addr:value = '198.51.100.%d']","pattern_type":"stix","valid_from":%q,"labels":["bench"],"object_marking_refs":[%q,%q]}`,
			id, now, now, id[:8], pad, i%250, now, "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", seed.AudienceMarkingID("members"))
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

type page struct {
	More    bool              `json:"more"`
	Next    string            `json:"next"`
	Objects []json.RawMessage `json:"objects"`
}

// serve pages through the whole collection and returns the next token of
// its last full page, so that the page-cost comparison is like for like.
func (c *benchClient) serve(ctx context.Context, out io.Writer, limit int) (string, error) {
	start := time.Now()
	var total, pages int
	next, lastFull := "", ""
	for {
		path := fmt.Sprintf("/taxii2/root/collections/%s/objects/?limit=%d", c.coll, limit)
		if next != "" {
			path += "&next=" + url.QueryEscape(next)
		}
		resp, body, err := c.do(ctx, http.MethodGet, path, nil)
		if err != nil {
			return "", fmt.Errorf("serve: %w", err)
		}
		if resp.StatusCode != http.StatusOK {
			return "", fmt.Errorf("serve: GET answered %d: %.300s", resp.StatusCode, body)
		}
		var p page
		if err := json.Unmarshal(body, &p); err != nil {
			return "", fmt.Errorf("serve: %w", err)
		}
		total += len(p.Objects)
		pages++
		if len(p.Objects) == limit {
			lastFull = next
		}
		if pages%100 == 0 {
			fmt.Fprintf(out, "  %d objects served, %.0f objects/s\n", total, float64(total)/time.Since(start).Seconds())
		}
		if !p.More {
			break
		}
		next = p.Next
	}
	el := time.Since(start)
	fmt.Fprintf(out, "serve: %d objects in %d pages of up to %d in %s: %.0f objects/s\n", total, pages, limit, el.Round(time.Millisecond), float64(total)/el.Seconds())
	return lastFull, nil
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

func (c *benchClient) memory(ctx context.Context, out io.Writer) error {
	resp, body, err := c.do(ctx, http.MethodGet, "/metrics", nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		fmt.Fprintln(out, "memory: /metrics not readable")
		return nil
	}
	sc := bufio.NewScanner(bytes.NewReader(body))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "process_resident_memory_bytes "); ok {
			var f float64
			fmt.Sscan(v, &f)
			fmt.Fprintf(out, "memory: node resident set %.1f MB\n", f/1e6)
		}
	}
	return nil
}

func basic(user, pw string) string {
	req, _ := http.NewRequest(http.MethodGet, "http://x/", nil)
	req.SetBasicAuth(user, pw)
	return strings.TrimPrefix(req.Header.Get("Authorization"), "Basic ")
}
