package auditlog_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/kurultai/kurultai/internal/access"
	"github.com/kurultai/kurultai/internal/auditlog"
	"github.com/kurultai/kurultai/internal/kurultai"
)

// TestReaderMatchesHTTP checks that Entries and Status give other
// surfaces exactly what the HTTP endpoints serve.
func TestReaderMatchesHTTP(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()
	known, err := e.store.Markings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := auditlog.New(auditlog.Config{Store: e.store, Auth: headerAuth{}, Markings: access.NewMarkings(known...), Participant: "KZ", Clock: e.clock.now})
	if err != nil {
		t.Fatal(err)
	}
	start, _ := e.store.TreeHead(ctx)
	e.appendEntries(t, "tr-liaison", 1, e.objB)
	e.appendEntries(t, "tr-liaison", 1, e.objB, e.objC)
	e.appendEntries(t, "tr-liaison", 1, e.objC)
	e.appendEntries(t, "kz-liaison", 1, e.objA)
	e.publish(t)

	var viaHTTP auditlog.EntriesResponse
	e.getJSON(t, "kz-auditor", "/audit/v1/entries?from="+itoa(start.Size)+"&limit=3", &viaHTTP)
	// The HTTP read's own audit entry follows: More is true now.
	direct, err := srv.Entries(ctx, principals["kz-auditor"], start.Size, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(direct.Entries) != len(viaHTTP.Entries) || direct.Next != viaHTTP.Next || !direct.More {
		t.Fatalf("Entries: %d next %d more %v; HTTP: %d next %d", len(direct.Entries), direct.Next, direct.More, len(viaHTTP.Entries), viaHTTP.Next)
	}
	for i := range direct.Entries {
		a, b := direct.Entries[i], viaHTTP.Entries[i]
		if a.Index != b.Index || a.Complete != b.Complete || !sameJSON(a.Entry, b.Entry) || a.WithheldObjects != b.WithheldObjects {
			t.Errorf("entry %d: %+v, HTTP %+v", i, a, b)
		}
	}
	if _, err := srv.Entries(ctx, principals["kz-liaison"], 0, 10); kurultai.ErrorCode(err) != kurultai.CodeForbidden {
		t.Errorf("a liaison reads entries: %v", err)
	}

	var st auditlog.StatusResponse
	e.getJSON(t, "kz-liaison", "/audit/v1/status", &st)
	got, err := srv.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.Latest == nil || st.Latest == nil || got.Latest.Size != st.Latest.Size || got.Members != st.Members || got.Majority != st.Majority || got.Latest.Witnessed != st.Latest.Witnessed {
		t.Errorf("Status %+v, HTTP %+v", got, st)
	}
}

func sameJSON(a, b []byte) bool {
	var x, y any
	return json.Unmarshal(a, &x) == nil && json.Unmarshal(b, &y) == nil && reflect.DeepEqual(x, y)
}
