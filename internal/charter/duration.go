package charter

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Duration is a length of time in a charter. It is written as a Go
// duration ("12h", "90m", "1h30m") or as whole days ("3d" is 72h); String
// writes days only for whole days over a week.
type Duration time.Duration

// D returns d as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// maxDuration bounds charter durations (10 years), so that adding one to a
// date can never overflow.
const maxDuration = 10 * 366 * 24 * time.Hour

// ParseDuration parses a charter duration. Negative values are refused.
func ParseDuration(s string) (Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errors.New("empty duration")
	}
	var d time.Duration
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseInt(days, 10, 64)
		if err != nil || days[0] == '+' {
			return 0, fmt.Errorf("%q is not a number of days such as \"3d\"", s)
		}
		if n < 0 {
			return 0, fmt.Errorf("%q is negative", s)
		}
		if n > int64(maxDuration/(24*time.Hour)) {
			return 0, fmt.Errorf("%q is longer than %s", s, Duration(maxDuration))
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, fmt.Errorf("%q is not a duration such as \"12h\", \"90m\" or \"3d\"", s)
		}
	}
	if d < 0 {
		return 0, fmt.Errorf("%q is negative", s)
	}
	if d > maxDuration {
		return 0, fmt.Errorf("%q is longer than %s", s, Duration(maxDuration))
	}
	return Duration(d), nil
}

// String formats d: whole days over a week as "10d", else hours, minutes
// and seconds without zero parts ("72h", "1h30m", "45s").
func (d Duration) String() string {
	t := time.Duration(d)
	if t == 0 {
		return "0s"
	}
	neg := t < 0
	if neg {
		t = -t
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	if t%(24*time.Hour) == 0 && t > 7*24*time.Hour {
		fmt.Fprintf(&b, "%dd", t/(24*time.Hour))
		return b.String()
	}
	h, m := t/time.Hour, (t%time.Hour)/time.Minute
	s := t % time.Minute
	if h > 0 {
		fmt.Fprintf(&b, "%dh", h)
	}
	if m > 0 {
		fmt.Fprintf(&b, "%dm", m)
	}
	if s > 0 {
		b.WriteString(s.String())
	}
	return b.String()
}

// MarshalYAML writes d as its String.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }
