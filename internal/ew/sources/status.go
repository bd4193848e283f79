package sources

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Status is a configured source with what the poller last recorded of it.
type Status struct {
	Source
	Health Health // zero when the source was never polled
}

// OK reports whether the source's last poll succeeded.
func (s Status) OK() bool { return s.Health.OK() }

// ReadStatus reads the sources file at sourcesPath and the health file at
// healthPath (as FileHealth writes it) and joins them, in the order of the
// sources file. It only reads: a missing sources file means no sources,
// a missing health file that none was polled yet.
func ReadStatus(sourcesPath, healthPath string) ([]Status, error) {
	f, err := LoadFile(sourcesPath)
	if err != nil {
		return nil, err
	}
	by := map[string]Health{}
	b, err := os.ReadFile(healthPath)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("sources: health: %w", err)
	default:
		var list []Health
		if err := json.Unmarshal(b, &list); err != nil {
			return nil, fmt.Errorf("sources: health: %s: %w", healthPath, err)
		}
		for _, h := range list {
			by[h.Source] = h
		}
	}
	out := make([]Status, 0, len(f.Sources))
	for _, s := range f.Sources {
		out = append(out, Status{Source: s, Health: by[s.Name]})
	}
	return out, nil
}

// DirStatus returns a function reading the status of the sources of the
// data directory dir (FileName and HealthFileName), for the web pages.
func DirStatus(dir string) func(context.Context) ([]Status, error) {
	sp, hp := filepath.Join(dir, FileName), filepath.Join(dir, HealthFileName)
	return func(context.Context) ([]Status, error) { return ReadStatus(sp, hp) }
}
