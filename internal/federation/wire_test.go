package federation

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/kurultai/kurultai/internal/kurultai"
)

const testColl = "8f6b2b8e-9f5e-4d1c-8a43-5a4a3c1f0b10"

var testLimits = limits{MaxBytes: 1 << 16, MaxItems: 8, MaxObject: 1 << 12}

func sampleBatch() *batch {
	return &batch{V: 1, From: "KZ", To: "SEC", Items: []item{
		{Seq: 3, Op: opPut, Collection: testColl, Added: 1700000000000000,
			Object: json.RawMessage("{\"type\":\"note\",  \"id\":\"note--5a1b2c3d-0000-4000-8000-000000000001\",\n\"content\":\"<b>&\\u00e9\"}")},
		{Seq: 7, Op: opTombstone, Collection: testColl, ID: "note--5a1b2c3d-0000-4000-8000-000000000002", VersionKey: 1700000000000000000},
		{Seq: 9, Op: opDelete, Collection: testColl, ID: "note--5a1b2c3d-0000-4000-8000-000000000003"},
	}}
}

func TestBatchRoundTrip(t *testing.T) {
	b := sampleBatch()
	got, err := parseBatch(b.encode(), testLimits)
	if err != nil {
		t.Fatalf("parseBatch: %v\n%s", err, b.encode())
	}
	if len(got.Items) != 3 || got.From != "KZ" || got.To != "SEC" {
		t.Fatalf("got %+v", got)
	}
	// The object comes back byte for byte, white space and escapes kept.
	if !bytes.Equal(got.Items[0].Object, b.Items[0].Object) {
		t.Errorf("object = %s, want %s", got.Items[0].Object, b.Items[0].Object)
	}
	if got.Items[1].VersionKey != b.Items[1].VersionKey || got.Items[2].ID != b.Items[2].ID {
		t.Errorf("removals = %+v", got.Items[1:])
	}
	if id := got.msgID(); id != "KZ-SEC-3-9" {
		t.Errorf("msgID = %q", id)
	}
}

func TestParseBatchRefuses(t *testing.T) {
	valid := string(sampleBatch().encode())
	big := `{"v":1,"from":"KZ","to":"SEC","items":[{"seq":1,"op":"put","collection":"` + testColl + `","object":{"x":"` + strings.Repeat("a", 5000) + `"}}]}`
	tests := []struct {
		name, msg, field string
		tooLarge         bool
	}{
		{"not json", "{", "message", false},
		{"trailing", valid + "{}", "message", false},
		{"unknown member", strings.Replace(valid, `"v":1`, `"v":1,"x":2`, 1), "message", false},
		{"version", strings.Replace(valid, `"v":1`, `"v":2`, 1), "v", false},
		{"from", strings.Replace(valid, `"from":"KZ"`, `"from":"kz"`, 1), "from", false},
		{"to", strings.Replace(valid, `"to":"SEC"`, `"to":""`, 1), "to", false},
		{"no items", `{"v":1,"from":"KZ","to":"SEC","items":[]}`, "items", false},
		{"seq order", strings.Replace(valid, `"seq":7`, `"seq":2`, 1), "items[1].seq", false},
		{"op", strings.Replace(valid, `"op":"delete"`, `"op":"drop"`, 1), "items[2].op", false},
		{"collection", strings.Replace(valid, testColl, "intel", 1), "items[0].collection", false},
		{"removal id", strings.Replace(valid, `"note--5a1b2c3d-0000-4000-8000-000000000002"`, `"../x"`, 1), "items[1].id", false},
		{"put without object", `{"v":1,"from":"KZ","to":"SEC","items":[{"seq":1,"op":"put","collection":"` + testColl + `"}]}`, "items[0].object", false},
		{"object too large", big, "items[0].object", true},
		{"message too large", valid + strings.Repeat(" ", 1<<16), "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseBatch([]byte(tt.msg), testLimits)
			var ke *kurultai.Error
			if !errors.As(err, &ke) {
				t.Fatalf("parseBatch = %v, want a *kurultai.Error", err)
			}
			if ke.Field != tt.field {
				t.Errorf("field = %q (%v), want %q", ke.Field, err, tt.field)
			}
			if errors.Is(err, errTooLarge) != tt.tooLarge {
				t.Errorf("too large = %v, want %v (%v)", !tt.tooLarge, tt.tooLarge, err)
			}
		})
	}
	many := &batch{V: 1, From: "KZ", To: "SEC"}
	for i := range 9 {
		many.Items = append(many.Items, item{Seq: int64(i + 1), Op: opDelete, Collection: testColl, ID: "note--5a1b2c3d-0000-4000-8000-000000000003"})
	}
	if _, err := parseBatch(many.encode(), testLimits); !errors.Is(err, errTooLarge) {
		t.Errorf("9 items = %v, want too large", err)
	}
}

func FuzzParseBatch(f *testing.F) {
	f.Add(sampleBatch().encode())
	f.Add([]byte(`{"v":1,"from":"KZ","to":"SEC","items":[{"seq":1,"op":"put","collection":"` + testColl + `","object":{}}]}`))
	f.Add([]byte(`{"v":1}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := parseBatch(data, testLimits)
		if err != nil {
			if kurultai.ErrorCode(err) == kurultai.CodeInternal {
				t.Fatalf("uncoded error: %v", err)
			}
			return
		}
		// What parses encodes to a message that parses the same.
		again, err := parseBatch(b.encode(), limits{MaxBytes: 1 << 30, MaxItems: testLimits.MaxItems, MaxObject: testLimits.MaxObject})
		if err != nil {
			t.Fatalf("re-encoded message refused: %v\n%s", err, b.encode())
		}
		if len(again.Items) != len(b.Items) || again.msgID() != b.msgID() {
			t.Fatalf("round trip changed the message: %+v vs %+v", again, b)
		}
	})
}
