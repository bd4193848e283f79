package taxiiclient

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeServer is a TAXII collection with configurable quirks: added_after
// inclusive or exclusive, coarse timestamps that tie, paging by token or by
// timestamp only, tokens that expire.
type fakeServer struct {
	mu        sync.Mutex // guards everything below
	objs      []fakeObj  // in date-added order
	inclusive bool       // added_after includes equal timestamps
	noTokens  bool       // more without next: page by added_after only
	forget    bool       // tokens are forgotten after one use
	tokens    map[string]int
	requests  int
	posted    []json.RawMessage
}

type fakeObj struct {
	id, version string
	added       time.Time
}

var base = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// add appends n objects; tie makes them all share one date added.
func (s *fakeServer) add(n int, tie bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := base
	if len(s.objs) > 0 {
		t = s.objs[len(s.objs)-1].added.Add(time.Second)
	}
	for i := range n {
		if !tie && i > 0 {
			t = t.Add(time.Second)
		}
		id := fmt.Sprintf("indicator--00000000-0000-4000-8000-%012d", len(s.objs))
		s.objs = append(s.objs, fakeObj{id: id, version: "2026-01-01T00:00:00.000Z", added: t})
	}
}

func (s *fakeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	if r.Header.Get("Accept") != MediaType {
		http.Error(w, "bad accept", http.StatusNotAcceptable)
		return
	}
	if u, p, ok := r.BasicAuth(); !ok || u != "puller" || p != "secret" {
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"title":"unauthorized","description":"who are you"}`))
		return
	}
	if r.Method == http.MethodPost {
		var env struct {
			Objects []json.RawMessage `json:"objects"`
		}
		if err := json.NewDecoder(r.Body).Decode(&env); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.posted = append(s.posted, env.Objects...)
		w.WriteHeader(http.StatusAccepted)
		fmt.Fprintf(w, `{"id":"s1","status":"complete","success_count":%d,"failure_count":0,"pending_count":0}`, len(env.Objects))
		return
	}
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	start := 0
	if next := q.Get("next"); next != "" {
		i, ok := s.tokens[next]
		if !ok {
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"title":"bad next"}`))
			return
		}
		if s.forget {
			delete(s.tokens, next)
		}
		start = i
	} else if aa := q.Get("added_after"); aa != "" {
		t, err := time.Parse(time.RFC3339Nano, aa)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		for start < len(s.objs) && (s.objs[start].added.Before(t) || !s.inclusive && s.objs[start].added.Equal(t)) {
			start++
		}
	}
	end := min(start+limit, len(s.objs))
	page := s.objs[start:end]
	var env struct {
		More    bool             `json:"more"`
		Next    string           `json:"next,omitempty"`
		Objects []map[string]any `json:"objects"`
	}
	env.Objects = []map[string]any{}
	for _, o := range page {
		env.Objects = append(env.Objects, map[string]any{"type": "indicator", "spec_version": "2.1", "id": o.id, "created": o.version, "modified": o.version})
	}
	if end < len(s.objs) {
		env.More = true
		if !s.noTokens {
			tok := "t" + strconv.Itoa(len(s.tokens)+s.requests)
			s.tokens[tok] = end
			env.Next = tok
		}
	}
	if len(page) > 0 {
		w.Header().Set("X-TAXII-Date-Added-First", page[0].added.Format(time.RFC3339Nano))
		w.Header().Set("X-TAXII-Date-Added-Last", page[len(page)-1].added.Format(time.RFC3339Nano))
	}
	w.Header().Set("Content-Type", MediaType)
	json.NewEncoder(w).Encode(env)
}

func newFake(t *testing.T, s *fakeServer) *Client {
	s.tokens = map[string]int{}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return &Client{Collection: srv.URL + "/api/collections/c1/", User: "puller", Password: "secret", PageLimit: 7}
}

func TestPullResumesWithoutSkippingOrRepeating(t *testing.T) {
	tests := []struct {
		name  string
		s     *fakeServer
		limit int
	}{
		{"exclusive", &fakeServer{}, 7},
		{"inclusive", &fakeServer{inclusive: true}, 7},
		// Without tokens a page must hold every object of a timestamp:
		// nothing else can tell them apart.
		{"inclusive, no tokens", &fakeServer{inclusive: true, noTokens: true}, 13},
		{"exclusive, tokens forgotten", &fakeServer{forget: true}, 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.s
			c := newFake(t, s)
			c.PageLimit = tt.limit
			taken := map[string]int{}
			var cur Cursor
			round := func() {
				t.Helper()
				var err error
				cur, err = c.Pull(context.Background(), cur, PullOptions{}, func(objs []json.RawMessage) error {
					for _, o := range objs {
						taken[objectKey(o)]++
					}
					return nil
				}, func(Cursor) error { return nil })
				if err != nil {
					t.Fatalf("Pull: %v", err)
				}
				// The cursor survives a round trip through JSON.
				b, _ := json.Marshal(cur)
				cur = Cursor{}
				if err := json.Unmarshal(b, &cur); err != nil {
					t.Fatal(err)
				}
			}
			s.add(10, false)
			s.add(12, true) // twelve objects share one date added, over two pages
			round()
			round() // nothing new
			s.add(3, true)
			s.add(5, false)
			round()
			s.add(9, true)
			round()
			round()
			s.mu.Lock()
			total := len(s.objs)
			s.mu.Unlock()
			if len(taken) != total {
				t.Errorf("took %d distinct objects, the server has %d", len(taken), total)
			}
			for k, n := range taken {
				if n != 1 {
					t.Errorf("took %s %d times", k, n)
				}
			}
		})
	}
}

// TestPullInterruptedResumes: a failure in take ends the round; the saved
// cursor resumes after the last page taken.
func TestPullInterruptedResumes(t *testing.T) {
	s := &fakeServer{inclusive: true}
	c := newFake(t, s)
	s.add(30, false)
	var saved Cursor
	taken := map[string]int{}
	pages := 0
	take := func(objs []json.RawMessage) error {
		pages++
		if pages == 3 {
			return fmt.Errorf("store down")
		}
		for _, o := range objs {
			taken[objectKey(o)]++
		}
		return nil
	}
	save := func(c Cursor) error { saved = c; return nil }
	if _, err := c.Pull(context.Background(), Cursor{}, PullOptions{}, take, save); err == nil || !strings.Contains(err.Error(), "store down") {
		t.Fatalf("Pull = %v, want the take error", err)
	}
	if _, err := c.Pull(context.Background(), saved, PullOptions{}, take, save); err != nil {
		t.Fatal(err)
	}
	if len(taken) != 30 {
		t.Errorf("took %d, want 30", len(taken))
	}
	for k, n := range taken {
		if n != 1 {
			t.Errorf("took %s %d times", k, n)
		}
	}
}

func TestAddAndErrors(t *testing.T) {
	s := &fakeServer{}
	c := newFake(t, s)
	st, err := c.Add(context.Background(), []json.RawMessage{[]byte(`{"type":"note","id":"note--1"}`), []byte(`{"type":"note","id":"note--2"}`)})
	if err != nil || st.SuccessCount != 2 || len(s.posted) != 2 {
		t.Fatalf("Add = %+v, %v; posted %d", st, err, len(s.posted))
	}
	c.Password = "wrong"
	_, err = c.Objects(context.Background(), time.Time{}, "")
	if !IsStatus(err, http.StatusUnauthorized) || !strings.Contains(err.Error(), "who are you") {
		t.Errorf("Objects with a bad password = %v, want 401 with the server's description", err)
	}
	bad := &Client{Collection: "ftp://x/"}
	if _, err := bad.Objects(context.Background(), time.Time{}, ""); err == nil {
		t.Error("ftp collection URL accepted")
	}
	small := newFake(t, &fakeServer{})
	small.MaxBody = 10
	if _, err := small.Add(context.Background(), nil); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("oversized response = %v", err)
	}
}
