package auditlog

import (
	"bytes"
	"encoding/base64"
	"errors"
	"net/url"
	"testing"

	"github.com/kurultai/kurultai/internal/kurultai"
)

func TestParseInclusionRequest(t *testing.T) {
	h := bytes.Repeat([]byte{0xfb}, 32) // base64 with '+' and '/'
	std := base64.StdEncoding.EncodeToString(h)
	tests := []struct {
		query string
		want  InclusionRequest
		field string // "" when valid
	}{
		{"index=0&size=1", InclusionRequest{Index: 0, Size: 1}, ""},
		{"index=41&size=42", InclusionRequest{Index: 41, Size: 42}, ""},
		{"hash=" + url.QueryEscape(std) + "&size=5", InclusionRequest{LeafHash: h, Size: 5}, ""},
		{"hash=" + base64.RawURLEncoding.EncodeToString(h) + "&size=5", InclusionRequest{LeafHash: h, Size: 5}, ""},
		{"hash=" + std + "&size=5", InclusionRequest{LeafHash: h, Size: 5}, ""}, // '+' read as space
		{"index=1", InclusionRequest{}, "size"},
		{"size=3", InclusionRequest{}, "index"},
		{"index=3&size=3", InclusionRequest{}, "index"},
		{"index=0&size=0", InclusionRequest{}, "index"},
		{"hash=" + url.QueryEscape(std) + "&size=0", InclusionRequest{}, "size"},
		{"index=-1&size=3", InclusionRequest{}, "index"},
		{"index=01&size=3", InclusionRequest{}, "index"},
		{"index=1&size=3&size=4", InclusionRequest{}, "size"},
		{"index=x&size=3", InclusionRequest{}, "index"},
		{"index=1&size=9223372036854775808", InclusionRequest{}, "size"},
		{"index=1&size=1e3", InclusionRequest{}, "size"},
		{"index=1&hash=AAAA&size=3", InclusionRequest{}, "hash"},
		{"hash=AAAA&size=3", InclusionRequest{}, "hash"},
		{"hash=&size=3", InclusionRequest{}, "hash"},
	}
	for _, tc := range tests {
		q, err := url.ParseQuery(tc.query)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseInclusionRequest(q)
		if tc.field == "" {
			if err != nil || got.Index != tc.want.Index || got.Size != tc.want.Size || !bytes.Equal(got.LeafHash, tc.want.LeafHash) {
				t.Errorf("%s: %+v, %v; want %+v", tc.query, got, err, tc.want)
			}
			continue
		}
		checkFieldError(t, tc.query, err, tc.field)
	}
}

func TestParseConsistencyRequest(t *testing.T) {
	tests := []struct {
		query    string
		from, to uint64
		field    string
	}{
		{"from=0&to=0", 0, 0, ""},
		{"from=3&to=10", 3, 10, ""},
		{"from=10&to=3", 0, 0, "from"},
		{"to=3", 0, 0, "from"},
		{"from=3", 0, 0, "to"},
		{"from=3&to=", 0, 0, "to"},
		{"from=%20&to=3", 0, 0, "from"},
	}
	for _, tc := range tests {
		q, _ := url.ParseQuery(tc.query)
		got, err := ParseConsistencyRequest(q)
		if tc.field == "" {
			if err != nil || got.From != tc.from || got.To != tc.to {
				t.Errorf("%s: %+v, %v", tc.query, got, err)
			}
			continue
		}
		checkFieldError(t, tc.query, err, tc.field)
	}
}

func TestParseLimit(t *testing.T) {
	for _, tc := range []struct {
		query string
		want  int
		bad   bool
	}{
		{"", 100, false}, {"limit=5", 5, false}, {"limit=5000", 1000, false}, {"limit=0", 0, true}, {"limit=x", 0, true},
	} {
		q, _ := url.ParseQuery(tc.query)
		got, err := parseLimit(q, 100, 1000)
		if (err != nil) != tc.bad || (!tc.bad && got != tc.want) {
			t.Errorf("%q: %d, %v", tc.query, got, err)
		}
	}
}

func checkFieldError(t *testing.T, what string, err error, field string) {
	t.Helper()
	var ke *kurultai.Error
	if err == nil || kurultai.ErrorCode(err) != kurultai.CodeInvalid {
		t.Errorf("%s: error %v, want CodeInvalid naming %s", what, err, field)
		return
	}
	if asError(err, &ke); ke.Field != field {
		t.Errorf("%s: error names %q (%v), want %q", what, ke.Field, err, field)
	}
}

// FuzzProofRequest: any query string gives a valid request or a
// CodeInvalid error naming a parameter; never a panic.
func FuzzProofRequest(f *testing.F) {
	for _, s := range []string{"index=0&size=1", "hash=AAAA&size=2", "from=1&to=2", "index=99999999999999999999&size=1", "size=%00", "from=1&from=2&to=3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		for _, parse := range []func(url.Values) (any, error){
			func(q url.Values) (any, error) { return ParseInclusionRequest(q) },
			func(q url.Values) (any, error) { return ParseConsistencyRequest(q) },
		} {
			got, err := parse(q)
			if err != nil {
				var ke *kurultai.Error
				if !asError(err, &ke) || ke.Code != kurultai.CodeInvalid || ke.Field == "" {
					t.Fatalf("%q: error %v is not a field error", raw, err)
				}
				continue
			}
			switch r := got.(type) {
			case InclusionRequest:
				if r.LeafHash == nil && r.Index >= r.Size || r.LeafHash != nil && len(r.LeafHash) != HashSize {
					t.Fatalf("%q: accepted %+v", raw, r)
				}
			case ConsistencyRequest:
				if r.From > r.To {
					t.Fatalf("%q: accepted %+v", raw, r)
				}
			}
		}
	})
}

func asError(err error, target **kurultai.Error) bool { return errors.As(err, target) }
