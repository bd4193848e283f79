package sources

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"sync"
	"time"
)

// Health is what the poller knows of one source, for operators (the API
// shows it) and for resuming after a restart.
type Health struct {
	Source      string    `json:"source"`
	URL         string    `json:"url"`
	LastAttempt time.Time `json:"last_attempt,omitzero"`
	LastSuccess time.Time `json:"last_success,omitzero"`
	// LastError is the reason the last failed poll gave, kept after later
	// successes so an operator sees what went wrong last; Failures says
	// whether it is still failing.
	LastError   string    `json:"last_error,omitempty"`
	LastErrorAt time.Time `json:"last_error_at,omitzero"`
	Failures    int       `json:"failures"` // consecutive failed polls
	Items       int64     `json:"items"`    // new items seen in all
	LastItems   int       `json:"last_items"`
	NextPoll    time.Time `json:"next_poll,omitzero"`
	// The validators of the last response, for conditional GET.
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
}

// OK reports whether the last poll succeeded.
func (h Health) OK() bool { return h.Failures == 0 && !h.LastSuccess.IsZero() }

// HealthStore keeps the health of sources across restarts. The node backs
// it with its store; MemoryHealth and FileHealth serve tests and a single
// machine.
type HealthStore interface {
	LoadHealth(ctx context.Context) (map[string]Health, error)
	SaveHealth(ctx context.Context, h Health) error
	DeleteHealth(ctx context.Context, source string) error
}

// MemoryHealth is a HealthStore in memory. The zero value is ready.
type MemoryHealth struct {
	mu sync.Mutex // guards m
	m  map[string]Health
}

// LoadHealth returns a copy of every record.
func (s *MemoryHealth) LoadHealth(context.Context) (map[string]Health, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]Health, len(s.m))
	for k, v := range s.m {
		out[k] = v
	}
	return out, nil
}

// SaveHealth stores a record under its source name.
func (s *MemoryHealth) SaveHealth(_ context.Context, h Health) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]Health{}
	}
	s.m[h.Source] = h
	return nil
}

// DeleteHealth forgets a source.
func (s *MemoryHealth) DeleteHealth(_ context.Context, source string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, source)
	return nil
}

// HealthFileName is the name of FileHealth's file in the data directory.
const HealthFileName = "sources-health.json"

// FileHealth is a HealthStore in one JSON file, rewritten atomically on
// every save. It suits one process; the node's store replaces it.
type FileHealth struct {
	path string

	mu sync.Mutex // guards m and the file
	m  map[string]Health
}

// NewFileHealth opens (or starts) the health file at path.
func NewFileHealth(path string) (*FileHealth, error) {
	s := &FileHealth{path: path, m: map[string]Health{}}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sources: health: %w", err)
	}
	var list []Health
	if err := json.Unmarshal(b, &list); err != nil {
		return nil, fmt.Errorf("sources: health: %s: %w", path, err)
	}
	for _, h := range list {
		s.m[h.Source] = h
	}
	return s, nil
}

// LoadHealth returns a copy of every record.
func (s *FileHealth) LoadHealth(context.Context) (map[string]Health, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]Health, len(s.m))
	for k, v := range s.m {
		out[k] = v
	}
	return out, nil
}

// SaveHealth stores a record and rewrites the file.
func (s *FileHealth) SaveHealth(_ context.Context, h Health) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[h.Source] = h
	return s.write()
}

// DeleteHealth forgets a source and rewrites the file.
func (s *FileHealth) DeleteHealth(_ context.Context, source string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, source)
	return s.write()
}

func (s *FileHealth) write() error {
	list := make([]Health, 0, len(s.m))
	for _, h := range s.m {
		list = append(list, h)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Source < list[j].Source })
	b, err := json.MarshalIndent(list, "", "  ")
	if err != nil {
		return fmt.Errorf("sources: health: %w", err)
	}
	return writeAtomic(s.path, append(b, '\n'))
}
