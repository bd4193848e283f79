package taxii

import (
	"errors"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
)

func TestParseFilter(t *testing.T) {
	ts := "2022-01-05T10:11:12.123456789Z"
	tsTime := time.Date(2022, 1, 5, 10, 11, 12, 123456789, time.UTC)
	tests := []struct {
		query   string
		allowed params
		check   func(filter) bool
	}{
		{"", objectsParams, func(f filter) bool {
			return f.limit == DefaultLimit && f.addedAfter.IsZero() && !f.hasNext && isLastOnly(f.versions)
		}},
		{"", deleteParams, func(f filter) bool { return f.limit == 0 }},
		{"added_after=" + ts, objectsParams, func(f filter) bool { return f.addedAfter.Equal(tsTime) }},
		{"added_after=" + ts, deleteParams, func(f filter) bool { return f.addedAfter.IsZero() }}, // ignored
		{"limit=25", objectsParams, func(f filter) bool { return f.limit == 25 }},
		{"limit=25", deleteParams, func(f filter) bool { return f.limit == 0 }},
		{"next=" + encodeCursor(42), objectsParams, func(f filter) bool { return f.hasNext && f.after == 42 }},
		{"match[id]=a--" + uuidA + ", b--" + uuidA + "&match[id]=a--" + uuidA, objectsParams, func(f filter) bool {
			return slices.Equal(f.ids, []string{"a--" + uuidA, "b--" + uuidA})
		}},
		{"match[type]=indicator,,malware,", objectsParams, func(f filter) bool {
			return slices.Equal(f.types, []string{"indicator", "malware"})
		}},
		{"match[spec_version]=2.1,2.0", objectsParams, func(f filter) bool {
			return slices.Equal(f.specVersions, []string{"2.1", "2.0"})
		}},
		{"match[version]=last", objectsParams, func(f filter) bool { return f.versions.Last && !f.versions.All }},
		{"match[version]=first,last", objectsParams, func(f filter) bool { return f.versions.First && f.versions.Last }},
		{"match[version]=first&match[version]=all", objectsParams, func(f filter) bool {
			return f.versions.All && !f.versions.First
		}},
		{"match[version]=" + ts, objectsParams, func(f filter) bool {
			return slices.Equal(f.versions.Keys, []int64{tsTime.UnixNano()})
		}},
		{"foo=bar&match=1", objectsParams, func(f filter) bool { return f.limit == DefaultLimit }},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			f, err := parseFilter(q, tt.allowed)
			if err != nil {
				t.Fatalf("parseFilter: %v", err)
			}
			if !tt.check(f) {
				t.Errorf("filter = %+v", f)
			}
		})
	}
}

const uuidA = "6ba7b810-9dad-41d1-80b4-00c04fd430c8"

// isLastOnly reports whether vf is the zero filter (the last version).
func isLastOnly(vf kurultai.VersionFilter) bool {
	return !vf.All && !vf.First && !vf.Last && len(vf.Keys) == 0
}

func TestParseFilterErrors(t *testing.T) {
	many := "match[id]="
	for i := range maxMatchValues + 1 {
		if i > 0 {
			many += ","
		}
		many += "x--" + uuidA[:30] + fmtInt6(i)
	}
	tests := []struct{ query, field string }{
		{"limit=0", "limit"},
		{"limit=1.5", "limit"},
		{"limit=", "limit"},
		{"added_after=2022-01-05", "added_after"},
		{"added_after=1000-01-01T00:00:00Z", "added_after"}, // not in Unix nanoseconds
		{"added_after=a&added_after=b", "added_after"},
		{"next=", "next"},
		{"next=" + encodeCursor(0), "next"},
		{"next=" + encodeCursor(-3), "next"},
		{"next=MS4wMDE", "next"}, // "1.001": not canonical
		{"next=Mi4xMg", "next"},  // "2.12": another format version
		{"next=" + encodeCursor(1) + "&next=" + encodeCursor(2), "next"},
		{"match[id]=,", "match[id]"},
		{"match[id]=indicator--not-a-uuid", "match[id]"},
		{many, "match[id]"},
		{"match[type]=a_b", "match[type]"},
		{"match[spec_version]=2", "match[spec_version]"},
		{"match[version]=latest", "match[version]"},
		{"match[bogus]=1", "match[bogus]"},
		{"match[version]=9999-01-01T00:00:00Z", "match[version]"},
	}
	for _, tt := range tests {
		t.Run(tt.query[:min(len(tt.query), 60)], func(t *testing.T) {
			q, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			_, err = parseFilter(q, objectsParams)
			var de *kurultai.Error
			if !errors.As(err, &de) || de.Code != kurultai.CodeInvalid || de.Field != tt.field {
				t.Errorf("error = %v, want invalid %s", err, tt.field)
			}
		})
	}
}

func fmtInt6(i int) string {
	const digits = "0123456789"
	b := []byte("000000")
	for k := 5; k >= 0 && i > 0; k-- {
		b[k] = digits[i%10]
		i /= 10
	}
	return string(b)
}

func TestCursorRoundTrip(t *testing.T) {
	for _, c := range []kurultai.Cursor{1, 42, 1641092645000000, 1<<63 - 1} {
		got, err := decodeCursor(encodeCursor(c))
		if err != nil || got != c {
			t.Errorf("decode(encode(%d)) = %d, %v", c, got, err)
		}
	}
}

// FuzzParseFilter checks that parsing never panics, that errors name a
// parameter, and that the canonical form of a filter parses back to the
// same filter.
func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{
		"",
		"limit=10&added_after=2022-01-02T03:04:05.123Z",
		"match[id]=indicator--" + uuidA + "&match[type]=indicator,malware",
		"match[version]=first,last,2022-01-02T03:04:05Z&match[spec_version]=2.1",
		"match[version]=all&next=" + encodeCursor(1641092645000000),
		"limit=99999999999999999999&match[type]=x&match[type]=y",
		"match[foo]=1&limit=-1",
		"next=%ff%00",
	} {
		f.Add(s, uint8(objectsParams))
		f.Add(s, uint8(deleteParams))
	}
	f.Fuzz(func(t *testing.T, raw string, mask uint8) {
		allowed := params(mask) & objectsParams
		q, _ := url.ParseQuery(raw) // the values parsed so far
		flt, err := parseFilter(q, allowed)
		if err != nil {
			var de *kurultai.Error
			if !errors.As(err, &de) || de.Code != kurultai.CodeInvalid || de.Field == "" {
				t.Fatalf("error %v does not name a parameter", err)
			}
			return
		}
		if allowed&paramLimit != 0 && (flt.limit < 1 || flt.limit > MaxLimit) {
			t.Fatalf("limit %d out of range", flt.limit)
		}
		c := flt.canonical()
		q2, err := url.ParseQuery(c)
		if err != nil {
			t.Fatalf("canonical %q does not parse: %v", c, err)
		}
		flt2, err := parseFilter(q2, allowed)
		if err != nil {
			t.Fatalf("canonical %q: %v", c, err)
		}
		if c2 := flt2.canonical(); c2 != c {
			t.Fatalf("canonical form not stable:\n%s\n%s", c, c2)
		}
	})
}
