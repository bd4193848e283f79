package auditlog

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/jcs"
	"github.com/kurultai/kurultai/internal/kurultai"
)

var testTime = time.Date(2022, 1, 6, 12, 0, 0, 123456789, time.UTC)

func sampleEntry() kurultai.AuditEntry {
	return kurultai.AuditEntry{
		Time: testTime, Username: "aigerim", Participant: "KZ", Action: kurultai.ActionObjectsRead,
		Objects:  []kurultai.ObjectRef{{ID: "indicator--1", Version: "2022-01-02T10:00:00.000Z"}, {ID: "ipv4-addr--2"}},
		Query:    "collection=x&match[type]=indicator",
		Decision: kurultai.DecisionAllow, Detail: "returned 2, withheld 0",
	}
}

func TestAppendLeafGolden(t *testing.T) {
	got, err := AppendLeaf(nil, 42, sampleEntry())
	if err != nil {
		t.Fatal(err)
	}
	want := `{"action":"objects.read","decision":"allow","detail":"returned 2, withheld 0",` +
		`"objects":[{"id":"indicator--1","version":"2022-01-02T10:00:00.000Z"},{"id":"ipv4-addr--2","version":""}],` +
		`"participant":"KZ","query":"collection=x&match[type]=indicator","seq":42,` +
		`"time":"2022-01-06T12:00:00.123456789Z","username":"aigerim"}`
	if string(got) != want {
		t.Errorf("leaf\n got %s\nwant %s", got, want)
	}
}

// TestAppendLeafCanonical: whatever the strings hold, the leaf is its own
// RFC 8785 canonical form and decodes back to the entry.
func TestAppendLeafCanonical(t *testing.T) {
	for _, s := range []string{"", "plain", "quote\" back\\slash", "\x00\x01\x1f\x7f", "\b\f\n\r\t", "é ж 中 😀", "\u2028\u2029", "</script>&"} {
		e := sampleEntry()
		e.Query, e.Detail, e.Username = s, s+"x", "u"+s
		e.Objects = []kurultai.ObjectRef{{ID: s, Version: s}}
		e.Time = time.Unix(0, 1).UTC()
		leaf, err := AppendLeaf(nil, 1<<40, e)
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		canon, err := jcs.Canonicalize(leaf)
		if err != nil {
			t.Fatalf("%q: canonicalize: %v", s, err)
		}
		if !bytes.Equal(canon, leaf) {
			t.Errorf("%q: leaf is not canonical:\n got %s\nwant %s", s, leaf, canon)
		}
		var back struct {
			Query   string               `json:"query"`
			Seq     int64                `json:"seq"`
			Objects []kurultai.ObjectRef `json:"objects"`
			Time    string               `json:"time"`
		}
		if err := json.Unmarshal(leaf, &back); err != nil {
			t.Fatal(err)
		}
		if back.Query != s || back.Seq != 1<<40 || back.Objects[0].ID != s || back.Time != "1970-01-01T00:00:00.000000001Z" {
			t.Errorf("%q: decoded %+v", s, back)
		}
	}
}

func TestAppendLeafRefuses(t *testing.T) {
	e := sampleEntry()
	e.Query = "bad \xff byte"
	if _, err := AppendLeaf(nil, 1, e); err == nil || !strings.Contains(err.Error(), "query") {
		t.Errorf("invalid UTF-8: error %v, want one naming query", err)
	}
	for _, seq := range []int64{0, -1, 1<<53 + 1} {
		if _, err := AppendLeaf(nil, seq, sampleEntry()); err == nil {
			t.Errorf("seq %d accepted", seq)
		}
	}
}

func TestSanitize(t *testing.T) {
	e := sampleEntry()
	e.Query = "a\xffb"
	objs := []kurultai.ObjectRef{{ID: "ok"}, {ID: "x\xfe"}}
	e.Objects = objs
	got := Sanitize(e)
	if got.Query != "a\uFFFDb" || got.Objects[1].ID != "x\uFFFD" || got.Objects[0].ID != "ok" {
		t.Errorf("Sanitize = %+v", got)
	}
	if objs[1].ID != "x\xfe" {
		t.Errorf("Sanitize changed the caller's slice")
	}
	if _, err := AppendLeaf(nil, 1, got); err != nil {
		t.Errorf("sanitized entry: %v", err)
	}
}

// TestRowRoundTrip: an entry stored as a row and read back encodes to
// the same leaf; rows the store could not have written are refused.
func TestRowRoundTrip(t *testing.T) {
	e := sampleEntry()
	objs, err := EncodeObjects(e.Objects)
	if err != nil {
		t.Fatal(err)
	}
	row := Row{Seq: 7, Time: e.Time.UnixNano(), Username: e.Username, Participant: e.Participant, Action: e.Action,
		Objects: objs, Query: e.Query, Decision: e.Decision, Detail: e.Detail}
	want, _ := AppendLeaf(nil, 7, e)
	got, err := RowLeafHash(row)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, LeafHash(want)) {
		t.Errorf("row leaf hash differs from the entry's")
	}
	if row.Index() != 6 {
		t.Errorf("Index = %d", row.Index())
	}
	for name, mod := range map[string]func(*Row){
		"spaced objects":  func(r *Row) { r.Objects = strings.Replace(r.Objects, ",", ", ", 1) },
		"extra member":    func(r *Row) { r.Objects = strings.Replace(r.Objects, `"id"`, `"x":1,"id"`, 1) },
		"not json":        func(r *Row) { r.Objects = "[" },
		"invalid utf-8":   func(r *Row) { r.Detail = "\xff" },
		"zero seq":        func(r *Row) { r.Seq = 0 },
		"empty as null":   func(r *Row) { r.Objects = "null" },
		"empty verbosely": func(r *Row) { r.Objects = "[ ]" },
	} {
		r := row
		mod(&r)
		if _, err := RowLeafHash(r); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func FuzzAppendLeaf(f *testing.F) {
	f.Add("u", "q", "id", "v", int64(1))
	f.Add("\x00\"\\", "\u2028", "😀", "\n", int64(1<<53))
	f.Fuzz(func(t *testing.T, user, query, id, version string, seq int64) {
		e := sampleEntry()
		e.Username, e.Query = user, query
		e.Objects = []kurultai.ObjectRef{{ID: id, Version: version}}
		leaf, err := AppendLeaf(nil, seq, Sanitize(e))
		if seq < 1 || seq > 1<<53 {
			if err == nil {
				t.Fatalf("seq %d accepted", seq)
			}
			return
		}
		if err != nil {
			t.Fatalf("sanitized entry refused: %v", err)
		}
		canon, err := jcs.Canonicalize(leaf)
		if err != nil || !bytes.Equal(canon, leaf) {
			t.Fatalf("leaf not canonical (%v):\n%s\n%s", err, leaf, canon)
		}
	})
}
