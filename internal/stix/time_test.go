package stix

import (
	"strings"
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2021-03-04T05:06:07Z", time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC)},
		{"2021-03-04T05:06:07.1Z", time.Date(2021, 3, 4, 5, 6, 7, 1e8, time.UTC)},
		{"2021-03-04T05:06:07.123Z", time.Date(2021, 3, 4, 5, 6, 7, 123e6, time.UTC)},
		{"2021-03-04T05:06:07.123456Z", time.Date(2021, 3, 4, 5, 6, 7, 123456e3, time.UTC)},
		{"2021-03-04T05:06:07.123456789Z", time.Date(2021, 3, 4, 5, 6, 7, 123456789, time.UTC)},
		{"2021-03-04T05:06:07.12345678912345Z", time.Date(2021, 3, 4, 5, 6, 7, 123456789, time.UTC)},
		{"2024-02-29T23:59:59.999Z", time.Date(2024, 2, 29, 23, 59, 59, 999e6, time.UTC)},
		{"2000-02-29T00:00:00Z", time.Date(2000, 2, 29, 0, 0, 0, 0, time.UTC)},
		{"0000-01-01T00:00:00Z", time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"9999-12-31T23:59:59.999999999Z", time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)},
	}
	for _, tt := range tests {
		got, err := ParseTime(tt.in)
		if err != nil {
			t.Errorf("ParseTime(%q): %v", tt.in, err)
			continue
		}
		if !got.Equal(tt.want) || got.Location() != time.UTC {
			t.Errorf("ParseTime(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestParseTimeInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, msg string
	}{
		{"", "not a timestamp"},
		{"2021-03-04", "not a timestamp"},
		{"2021-03-04 05:06:07Z", "not a timestamp"},
		{"2021-03-04t05:06:07Z", "not a timestamp"},
		{"2021-3-04T05:06:07.000Z", "not a timestamp"},
		{"+021-03-04T05:06:07Z", "not a timestamp"},
		{"2021-03-04T05:06:07.Z", "no digits after the decimal point"},
		{"2021-03-04T05:06:07.123", "not a timestamp"},
		{"2021-03-04T05:06:07.123z", `upper-case "Z"`},
		{"2021-03-04T05:06:07+01:00", `offset "+01:00" is not allowed`},
		{"2021-03-04T05:06:07.5-00:00", "offset"},
		{"2021-03-04T05:06:07ZZ", "not a timestamp"},
		{"2021-03-04T05:06:07.1a2Z", "not a timestamp"},
		{"2021-13-04T05:06:07Z", "month 13"},
		{"2021-00-04T05:06:07Z", "month 00"},
		{"2021-04-31T05:06:07Z", "day 31 is out of range for 2021-04"},
		{"2100-02-29T05:06:07Z", "day 29"},
		{"2021-04-00T05:06:07Z", "day 00"},
		{"2021-04-01T24:00:00Z", "hour 24"},
		{"2021-04-01T23:60:00Z", "minute 60"},
		{"2016-12-31T23:59:60Z", "leap seconds"},
		{"2016-12-31T23:59:61Z", "second 61"},
	}
	for _, tt := range tests {
		_, err := ParseTime(tt.in)
		if err == nil {
			t.Errorf("ParseTime(%q) succeeded, want an error", tt.in)
			continue
		}
		if !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("ParseTime(%q) error %q, want it to contain %q", tt.in, err, tt.msg)
		}
	}
}

func TestFormatTime(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   time.Time
		want string
	}{
		{time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC), "2021-03-04T05:06:07.000000Z"},
		{time.Date(2021, 3, 4, 5, 6, 7, 123456789, time.UTC), "2021-03-04T05:06:07.123456Z"},
		{time.Date(2021, 3, 4, 8, 6, 7, 1000, time.FixedZone("X", 3*3600)), "2021-03-04T05:06:07.000001Z"},
	}
	for _, tt := range tests {
		got := FormatTime(tt.in)
		if got != tt.want {
			t.Errorf("FormatTime(%v) = %q, want %q", tt.in, got, tt.want)
		}
		back, err := ParseTime(got)
		if err != nil || !back.Equal(tt.in.Truncate(time.Microsecond)) {
			t.Errorf("ParseTime(FormatTime(%v)) = %v, %v", tt.in, back, err)
		}
	}
}
