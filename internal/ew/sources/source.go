package sources

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/kurultai/kurultai/internal/ew"
)

// MinInterval is the shortest polling interval a source may have.
const MinInterval = time.Minute

// DefaultInterval is the polling interval of a source that sets none.
const DefaultInterval = 15 * time.Minute

// Source is one place early warning reads news from.
type Source struct {
	// Name is the outlet as it names itself; it becomes the publisher of
	// every article read from the source (the first link of its chains).
	Name string `json:"name"`
	// URL is an http or https URL of a feed or an article page, a file://
	// URL, or a path to a local file or folder.
	URL string `json:"url"`
	// Lang is the language the source publishes in, as a hint for language
	// identification; empty when it publishes in several.
	Lang ew.Lang `json:"lang,omitempty"`
	// Interval is how often the source is polled.
	Interval Duration `json:"interval"`
}

// Duration is a time.Duration that reads and writes JSON as "15m0s".
type Duration time.Duration

// MarshalJSON writes the duration as a Go duration string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads a Go duration string ("15m") or a number of seconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var n float64
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("interval: not a duration")
		}
		*d = Duration(time.Duration(n * float64(time.Second)))
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("interval: %q is not a duration like 15m", s)
	}
	*d = Duration(v)
	return nil
}

// Remote reports whether the source is read over HTTP.
func (s Source) Remote() bool {
	u, err := url.Parse(s.URL)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https")
}

// Path is the local path of a file source ("" for a remote one).
func (s Source) Path() string {
	if s.Remote() {
		return ""
	}
	if strings.HasPrefix(s.URL, "file://") {
		if u, err := url.Parse(s.URL); err == nil {
			return u.Path
		}
	}
	return s.URL
}

// Validate checks a source; errors name the field.
func (s Source) Validate() error {
	var errs []error
	switch name := strings.TrimSpace(s.Name); {
	case name == "":
		errs = append(errs, fmt.Errorf("name: empty"))
	case len(name) > 200:
		errs = append(errs, fmt.Errorf("name: longer than 200 bytes"))
	case name != s.Name:
		errs = append(errs, fmt.Errorf("name: leading or trailing space"))
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		errs = append(errs, fmt.Errorf("name: control character"))
	}
	if err := validateURL(s.URL); err != nil {
		errs = append(errs, fmt.Errorf("url: %w", err))
	}
	if s.Lang != ew.Unknown && !s.Lang.Valid() {
		errs = append(errs, fmt.Errorf("lang: %q is not one of %v (or empty)", s.Lang, ew.Languages))
	}
	if time.Duration(s.Interval) < MinInterval {
		errs = append(errs, fmt.Errorf("interval: %s is shorter than %s", time.Duration(s.Interval), MinInterval))
	}
	return errors.Join(errs...)
}

func validateURL(raw string) error {
	if raw == "" {
		return fmt.Errorf("empty")
	}
	if strings.IndexFunc(raw, unicode.IsControl) >= 0 {
		return fmt.Errorf("control character")
	}
	if !strings.Contains(raw, "://") {
		return nil // a local path
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%q is not a URL", raw)
	}
	switch u.Scheme {
	case "http", "https":
		if u.Host == "" {
			return fmt.Errorf("%q has no host", raw)
		}
	case "file":
		if u.Path == "" {
			return fmt.Errorf("%q has no path", raw)
		}
	default:
		return fmt.Errorf("scheme %q is not http, https or file", u.Scheme)
	}
	return nil
}

// FileName is the name of the sources file in the data directory.
const FileName = "sources.json"

// File is the list of sources kept in DIR/sources.json.
type File struct {
	Sources []Source `json:"sources"`
}

// LoadFile reads a sources file; a missing file is an empty list. Every
// source is validated; errors name the source and field.
func LoadFile(path string) (File, error) {
	var f File
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return f, nil
	}
	if err != nil {
		return f, fmt.Errorf("sources: %w", err)
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return f, fmt.Errorf("sources: %s: %w", path, err)
	}
	seen := map[string]bool{}
	for i, s := range f.Sources {
		if err := s.Validate(); err != nil {
			return f, fmt.Errorf("sources: %s: source %d (%q): %w", path, i+1, s.Name, err)
		}
		if seen[s.Name] {
			return f, fmt.Errorf("sources: %s: two sources named %q", path, s.Name)
		}
		seen[s.Name] = true
	}
	return f, nil
}

// Save writes the file atomically (a temporary file renamed over it).
func (f File) Save(path string) error {
	sort.Slice(f.Sources, func(i, j int) bool { return f.Sources[i].Name < f.Sources[j].Name })
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return fmt.Errorf("sources: %w", err)
	}
	return writeAtomic(path, append(b, '\n'))
}

// writeAtomic writes data to path through a temporary file in the same
// directory, synced and renamed, so a crash leaves the old or the new file.
func writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("sources: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("sources: write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("sources: sync %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("sources: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("sources: %w", err)
	}
	return nil
}
