package taxii

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/kurultai/kurultai/internal/kurultai"
)

func TestDeleteObject(t *testing.T) {
	missing := indicator(999, t0).ID
	tests := []struct {
		name   string
		who    string
		object func(fixture) string
		query  func(fixture) string
		status int
		// remaining versions of the object afterwards, as KZ's
		// participant (the originator) sees them
		left int
		// the audit detail of the refusal; empty for success
		detail string
	}{
		{name: "originator deletes all", who: "kz", object: func(f fixture) string { return f.a1.ID }, status: 200, left: 0},
		{name: "originator deletes one version", who: "kz", object: func(f fixture) string { return f.a1.ID },
			query: func(f fixture) string { return "match[version]=" + url.QueryEscape(f.a1.Version) }, status: 200, left: 1},
		{name: "originator, first", who: "kz", object: func(f fixture) string { return f.a1.ID },
			query: func(fixture) string { return "match[version]=first" }, status: 200, left: 1},
		{name: "spec version mismatch", who: "kz", object: func(f fixture) string { return f.a1.ID },
			query: func(fixture) string { return "match[spec_version]=2.0" }, status: 404, left: 2, detail: "not found, withheld 0"},
		{name: "visible to another member", who: "tr", object: func(f fixture) string { return f.a1.ID },
			status: 403, left: 2, detail: "not the originator"},
		{name: "hidden from an observer", who: "hu", object: func(f fixture) string { return f.a1.ID },
			status: 404, left: 2, detail: "not found, withheld 2"},
		{name: "no write permission", who: "admin", object: func(f fixture) string { return f.a1.ID },
			status: 403, left: 2, detail: "no write permission"},
		{name: "missing", who: "kz", object: func(fixture) string { return missing }, status: 404, detail: "not found, withheld 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			fx := seed(e)
			id := tt.object(fx)
			path := objectsPath(collID) + id + "/"
			if tt.query != nil {
				path += "?" + tt.query(fx)
			}
			w := e.do(http.MethodDelete, path, tt.who, "")
			if tt.status == http.StatusOK {
				wantStatus(t, w, http.StatusOK)
				if w.Body.Len() != 0 {
					t.Errorf("body = %s, want none", w.Body)
				}
			} else {
				wantError(t, w, tt.status, "")
			}

			w = e.get("kz", objectsPath(collID)+id+"/versions/")
			var got versionsResource
			if w.Code == http.StatusOK {
				decode(t, w, &got)
			}
			if len(got.Versions) != tt.left {
				t.Errorf("versions left = %v, want %d", got.Versions, tt.left)
			}

			log := e.store.auditLog()
			del := log[0]
			if del.Action != kurultai.ActionObjectDelete || del.Participant != principals[tt.who].Participant ||
				len(del.Objects) != 1 || del.Objects[0].ID != id {
				t.Fatalf("audit entry = %+v", del)
			}
			if tt.detail == "" && del.Decision != kurultai.DecisionAllow {
				t.Errorf("audit entry = %+v, want allow", del)
			}
			if tt.detail != "" && (del.Decision != kurultai.DecisionDeny || del.Detail != tt.detail) {
				t.Errorf("audit entry = %+v, want deny %q", del, tt.detail)
			}
		})
	}
}

// Deleting an object one cannot see answers like deleting one that does
// not exist.
func TestDeleteHiddenIsMissing(t *testing.T) {
	e := newEnv(t)
	fx := seed(e)
	hidden := e.do(http.MethodDelete, objectsPath(collID)+fx.c.ID+"/", "kz", "")
	missing := e.do(http.MethodDelete, objectsPath(collID)+indicator(999, t0).ID+"/", "kz", "")
	wantError(t, hidden, http.StatusNotFound, "")
	if hidden.Body.String() != missing.Body.String() {
		t.Errorf("bodies differ:\n%s\n%s", hidden.Body, missing.Body)
	}
}
