package stix

import (
	"errors"
	"fmt"
	"time"
)

// timeLayout is the layout FormatTime writes: microseconds, as TAXII 2.1
// requires for its own timestamps (date added, X-TAXII-Date-Added-*).
const timeLayout = "2006-01-02T15:04:05.000000Z"

// FormatTime formats a time as a STIX/TAXII timestamp with microseconds
// ("2006-01-02T15:04:05.000000Z"), in UTC. Finer digits are truncated.
func FormatTime(t time.Time) string {
	return t.UTC().Format(timeLayout)
}

// ParseTime parses a STIX timestamp (STIX 2.1 §2.15): RFC 3339 in UTC with
// the "Z" designator, "YYYY-MM-DDTHH:MM:SS[.s+]Z", with any number of
// sub-second digits (digits past nanoseconds are truncated). Offsets other
// than "Z", lower-case "t" or "z", and leap seconds (":60", which time.Time
// cannot hold) are rejected.
func ParseTime(s string) (time.Time, error) {
	t, _, err := parseTime(s)
	return t, err
}

// parseTime is ParseTime that also returns the number of sub-second digits.
func parseTime(s string) (time.Time, int, error) {
	const minLen = len("2006-01-02T15:04:05Z")
	if len(s) < minLen {
		return time.Time{}, 0, errors.New("not a timestamp of the form YYYY-MM-DDTHH:MM:SS[.s+]Z")
	}
	var bad bool
	num := func(i, n int) int {
		v := 0
		for k := i; k < i+n; k++ {
			c := s[k]
			if c < '0' || c > '9' {
				bad = true
				return 0
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	year, month, day := num(0, 4), num(5, 2), num(8, 2)
	hour, minute, sec := num(11, 2), num(14, 2), num(17, 2)
	if bad || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return time.Time{}, 0, errors.New("not a timestamp of the form YYYY-MM-DDTHH:MM:SS[.s+]Z")
	}
	i, nanos, digits := 19, 0, 0
	if s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			if digits < 9 {
				nanos = nanos*10 + int(s[i]-'0')
			}
			digits++
			i++
		}
		if digits == 0 {
			return time.Time{}, 0, errors.New("no digits after the decimal point")
		}
		for k := digits; k < 9; k++ {
			nanos *= 10
		}
	}
	switch rest := s[i:]; {
	case rest == "Z":
	case rest == "z":
		return time.Time{}, 0, errors.New(`the time zone must be an upper-case "Z"`)
	case len(rest) > 0 && (rest[0] == '+' || rest[0] == '-'):
		return time.Time{}, 0, fmt.Errorf(`time zone offset %q is not allowed: STIX timestamps are in UTC with a "Z" suffix`, clip(rest))
	default:
		return time.Time{}, 0, errors.New("not a timestamp of the form YYYY-MM-DDTHH:MM:SS[.s+]Z")
	}
	switch {
	case month < 1 || month > 12:
		return time.Time{}, 0, fmt.Errorf("month %02d is out of range", month)
	case day < 1 || day > daysIn(year, month):
		return time.Time{}, 0, fmt.Errorf("day %02d is out of range for %04d-%02d", day, year, month)
	case hour > 23:
		return time.Time{}, 0, fmt.Errorf("hour %02d is out of range", hour)
	case minute > 59:
		return time.Time{}, 0, fmt.Errorf("minute %02d is out of range", minute)
	case sec == 60:
		return time.Time{}, 0, errors.New("leap seconds (second 60) are not supported")
	case sec > 59:
		return time.Time{}, 0, fmt.Errorf("second %02d is out of range", sec)
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, nanos, time.UTC), digits, nil
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// Version timestamps must fit Unix nanoseconds (VersionKey).
const (
	minVersionYear = 1678
	maxVersionYear = 2261
)

// parseVersionTime parses created or modified: a timestamp with at least
// millisecond precision (STIX 2.1 §3.2: "precise to the nearest
// millisecond" is a minimum, more digits are allowed) whose Unix
// nanoseconds fit an int64.
func parseVersionTime(field, s string) (time.Time, error) {
	t, digits, err := parseTime(s)
	if err != nil {
		return time.Time{}, fieldErr(field, "%q is not a valid STIX timestamp: %v", clip(s), err)
	}
	if digits < 3 {
		return time.Time{}, fieldErr(field, "%q must be precise to at least the millisecond (3 or more sub-second digits, e.g. %q)", s, millisExample(s))
	}
	if y := t.Year(); y < minVersionYear || y > maxVersionYear {
		return time.Time{}, fieldErr(field, "%q is outside the years %d-%d this node supports", clip(s), minVersionYear, maxVersionYear)
	}
	return t, nil
}

// millisExample rewrites a timestamp with fewer than three sub-second digits
// to the millisecond form, for error messages.
func millisExample(s string) string {
	t, err := ParseTime(s)
	if err != nil {
		return "2006-01-02T15:04:05.000Z"
	}
	return t.Format("2006-01-02T15:04:05.000Z")
}
