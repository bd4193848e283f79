package taxii

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// pageStore returns the same page for every query, after running the
// access decision on each version as a store would.
type pageStore struct {
	*fakeStore
	items []*kurultai.ObjectVersion
}

func (s *pageStore) ListObjects(_ context.Context, q kurultai.Query, allow func(*kurultai.ObjectVersion) bool) (kurultai.Page, error) {
	page := kurultai.Page{Items: make([]*kurultai.ObjectVersion, 0, len(s.items))}
	for _, v := range s.items {
		if allow(v) {
			page.Items = append(page.Items, v)
		} else {
			page.Withheld++
		}
	}
	return page, nil
}

// discardWriter is a ResponseWriter that keeps nothing but the size.
type discardWriter struct {
	h http.Header
	n int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) WriteHeader(int)             {}
func (w *discardWriter) Write(b []byte) (int, error) { w.n += len(b); return len(b), nil }

// BenchmarkGetObjects serves a page of 1000 stored versions (about 400
// bytes each) released to members, access decision included.
func BenchmarkGetObjects(b *testing.B) {
	e := benchEnv(b)
	r := httptest.NewRequest(http.MethodGet, objectsPath(collID), nil)
	r.Header.Set("Accept", MediaTypeTAXII)
	r.Header.Set("Authorization", "Bearer kz")

	w := &discardWriter{h: http.Header{}}
	e.mux.ServeHTTP(w, r)
	if w.n < 1000*300 {
		b.Fatalf("response of %d bytes", w.n)
	}
	b.SetBytes(int64(w.n))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		w := &discardWriter{h: http.Header{}}
		e.mux.ServeHTTP(w, r)
	}
	b.ReportMetric(float64(b.N)*1000/b.Elapsed().Seconds(), "objects/s")
}

// BenchmarkGetObjectsHTTP is BenchmarkGetObjects through a real HTTP
// server and client on loopback, reading the whole body.
func BenchmarkGetObjectsHTTP(b *testing.B) {
	e := benchEnv(b)
	ts := httptest.NewServer(e.mux)
	defer ts.Close()
	req, err := http.NewRequest(http.MethodGet, ts.URL+objectsPath(collID), nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Accept", MediaTypeTAXII)
	req.Header.Set("Authorization", "Bearer kz")
	client := ts.Client()
	get := func() int64 {
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		n, err := io.Copy(io.Discard, resp.Body)
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d, %v", resp.StatusCode, err)
		}
		return n
	}
	b.SetBytes(get())
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		get()
	}
	b.ReportMetric(float64(b.N)*1000/b.Elapsed().Seconds(), "objects/s")
}

// benchEnv is a server whose store answers every query with the same
// 1000 versions, all released to members.
func benchEnv(b *testing.B) *env {
	b.Helper()
	fs := newFakeStore(t0)
	fs.collections = []kurultai.Collection{{ID: collID, Title: "Shared"}}
	ps := &pageStore{fakeStore: fs}
	for i := range 1000 {
		v := indicator(i, t0, kurultai.TLP2GreenID, relMembers)
		v.Collection, v.Originator, v.DateAdded = collID, "TR", t0.Add(time.Duration(i)*time.Millisecond)
		v.EffectiveMarkingRefs = v.MarkingRefs
		ps.items = append(ps.items, v)
	}
	return newEnv(b, func(c *Config) { c.Store = ps })
}
