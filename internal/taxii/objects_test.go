package taxii

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/stix"
)

// fixture holds versions of varied visibility, stored in this order.
type fixture struct {
	a1 *kurultai.ObjectVersion // indicator 1, first version, members, by KZ
	b  *kurultai.ObjectVersion // indicator 2, KZ only, by KZ
	c  *kurultai.ObjectVersion // indicator 3, HU only, by TR: hidden from KZ
	a2 *kurultai.ObjectVersion // indicator 1, second version
	d  *kurultai.ObjectVersion // indicator 4, unmarked, by TR: only TR sees it
	e  *kurultai.ObjectVersion // ipv4-addr 5, public, by TR
	f  *kurultai.ObjectVersion // indicator 6, public, in the other collection
}

func seed(e *env) fixture {
	st := e.store
	return fixture{
		a1: st.put(collID, "KZ", indicator(1, t0.Add(-48*time.Hour), kurultai.TLP2AmberID, relMembers)),
		b:  st.put(collID, "KZ", indicator(2, t0, kurultai.TLP2GreenID, relKZ)),
		c:  st.put(collID, "TR", indicator(3, t0, relHU)),
		a2: st.put(collID, "KZ", indicator(1, t0.Add(-24*time.Hour), kurultai.TLP2AmberID, relMembers)),
		d:  st.put(collID, "TR", indicator(4, t0)),
		e:  st.put(collID, "TR", sco(5, kurultai.TLP2ClearID, relPublic)),
		f:  st.put(otherColl, "TR", indicator(6, t0, relPublic)),
	}
}

func TestGetObjects(t *testing.T) {
	e := newEnv(t)
	fx := seed(e)
	w := e.get("kz", objectsPath(collID))
	wantStatus(t, w, http.StatusOK)

	// The stored bytes, as they are, in date-added order.
	want := `{"more":false,"objects":[` + string(fx.b.Raw) + "," + string(fx.a2.Raw) + "," + string(fx.e.Raw) + "]}"
	if got := w.Body.String(); got != want {
		t.Errorf("body =\n%s\nwant\n%s", got, want)
	}
	if got, want := w.Header().Get("X-TAXII-Date-Added-First"), stix.FormatTime(fx.b.DateAdded); got != want {
		t.Errorf("X-TAXII-Date-Added-First = %q, want %q", got, want)
	}
	if got, want := w.Header().Get("X-TAXII-Date-Added-Last"), stix.FormatTime(fx.e.DateAdded); got != want {
		t.Errorf("X-TAXII-Date-Added-Last = %q, want %q", got, want)
	}
	if got := e.store.lastQuery(); got.Limit != DefaultLimit || !got.WithRaw || got.Collection != collID {
		t.Errorf("store query = %+v", got)
	}

	log := e.store.auditLog()
	if len(log) != 1 {
		t.Fatalf("audit log = %+v, want one entry", log)
	}
	wantEntry := kurultai.AuditEntry{
		Time: t0.Add(time.Hour), Username: "aigerim", Participant: "KZ", Action: kurultai.ActionObjectsRead,
		Query: "collection=" + collID + "&limit=1000", Decision: kurultai.DecisionAllow, Detail: "returned 3, withheld 2",
	}
	if got := log[0]; !got.Time.Equal(wantEntry.Time) || got.Username != wantEntry.Username ||
		got.Participant != wantEntry.Participant || got.Action != wantEntry.Action || got.Query != wantEntry.Query ||
		got.Decision != wantEntry.Decision || got.Detail != wantEntry.Detail || len(got.Objects) != 0 {
		t.Errorf("audit entry = %+v\nwant %+v", got, wantEntry)
	}
	if got := counter(t, e.metrics.AccessDenied); got != 2 {
		t.Errorf("access denied = %v, want 2", got)
	}
	if got := counter(t, e.metrics.ObjectsServed); got != 3 {
		t.Errorf("objects served = %v, want 3", got)
	}
}

// Each participant sees exactly what the access decision releases to it.
func TestGetObjectsVisibility(t *testing.T) {
	e := newEnv(t)
	fx := seed(e)
	tests := []struct {
		who  string
		want []*kurultai.ObjectVersion
	}{
		{"kz", []*kurultai.ObjectVersion{fx.b, fx.a2, fx.e}},
		{"tr", []*kurultai.ObjectVersion{fx.c, fx.a2, fx.d, fx.e}},
		{"hu", []*kurultai.ObjectVersion{fx.c, fx.e}},
		{"admin", []*kurultai.ObjectVersion{fx.a2, fx.e}}, // secretariat: members
	}
	for _, tt := range tests {
		t.Run(tt.who, func(t *testing.T) {
			for _, path := range []string{objectsPath(collID), objectsPath(collID) + "?match[version]=all"} {
				w := e.get(tt.who, path)
				wantStatus(t, w, http.StatusOK)
				var got envelope
				decode(t, w, &got)
				want := refsOf(tt.want...)
				if strings.Contains(path, "all") && tt.who != "hu" {
					want = refsOf(slices.Insert(slices.Clone(tt.want), 0, fx.a1)...)
				}
				ids := got.ids(t)
				for _, id := range ids {
					if !slices.Contains(want, id) {
						t.Errorf("%s: %s sees %s", path, tt.who, id)
					}
				}
				if len(ids) != len(want) {
					t.Errorf("%s: %s sees %v, want %v", path, tt.who, ids, want)
				}
			}
		})
	}
}

func TestGetObjectsFilters(t *testing.T) {
	e := newEnv(t)
	fx := seed(e)
	tests := []struct {
		query string
		want  []*kurultai.ObjectVersion
	}{
		{"", []*kurultai.ObjectVersion{fx.b, fx.a2, fx.e}},
		{"match[type]=ipv4-addr", []*kurultai.ObjectVersion{fx.e}},
		{"match[type]=indicator,ipv4-addr", []*kurultai.ObjectVersion{fx.b, fx.a2, fx.e}},
		{"match[type]=indicator&match[type]=ipv4-addr", []*kurultai.ObjectVersion{fx.b, fx.a2, fx.e}},
		{"match[id]=" + fx.a1.ID, []*kurultai.ObjectVersion{fx.a2}},
		{"match[id]=" + fx.a1.ID + "," + fx.e.ID, []*kurultai.ObjectVersion{fx.a2, fx.e}},
		{"match[id]=" + fx.c.ID, nil},
		{"match[id]=" + fx.a1.ID + "&match[version]=all", []*kurultai.ObjectVersion{fx.a1, fx.a2}},
		{"match[version]=first", []*kurultai.ObjectVersion{fx.a1, fx.b, fx.e}},
		{"match[version]=first,last", []*kurultai.ObjectVersion{fx.a1, fx.b, fx.a2, fx.e}},
		{"match[version]=" + fx.a1.Version, []*kurultai.ObjectVersion{fx.a1}},
		{"match[version]=" + fx.a1.Version + "," + fx.a2.Version, []*kurultai.ObjectVersion{fx.a1, fx.a2}},
		{"match[spec_version]=2.1", []*kurultai.ObjectVersion{fx.b, fx.a2, fx.e}},
		{"match[spec_version]=2.0", nil},
		{"added_after=" + stix.FormatTime(fx.b.DateAdded), []*kurultai.ObjectVersion{fx.a2, fx.e}},
		{"added_after=" + stix.FormatTime(fx.b.DateAdded) + "&match[version]=all", []*kurultai.ObjectVersion{fx.a2, fx.e}},
		{"added_after=" + stix.FormatTime(fx.e.DateAdded), nil},
		{"limit=2", []*kurultai.ObjectVersion{fx.b, fx.a2}},
		{"limit=1&match[type]=ipv4-addr", []*kurultai.ObjectVersion{fx.e}},
		{"unknown=1&_=123", []*kurultai.ObjectVersion{fx.b, fx.a2, fx.e}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			w := e.get("kz", objectsPath(collID)+"?"+tt.query)
			wantStatus(t, w, http.StatusOK)
			var got envelope
			decode(t, w, &got)
			if ids, want := got.ids(t), refsOf(tt.want...); !slices.Equal(ids, want) {
				t.Errorf("objects = %v, want %v", ids, want)
			}
			if len(tt.want) == 0 {
				if w.Body.String() != `{"more":false}` {
					t.Errorf("empty page = %s", w.Body)
				}
				if w.Header().Get("X-TAXII-Date-Added-First") != "" || w.Header().Get("X-TAXII-Date-Added-Last") != "" {
					t.Errorf("empty page has date-added headers")
				}
			}
		})
	}
}

func TestLimitClamped(t *testing.T) {
	e := newEnv(t)
	for q, want := range map[string]int{"": 1000, "limit=7": 7, "limit=10000": 10000, "limit=10001": 10000, "limit=99999999999999999999999": 10000} {
		w := e.get("kz", objectsPath(collID)+"?"+q)
		wantStatus(t, w, http.StatusOK)
		if got := e.store.lastQuery().Limit; got != want {
			t.Errorf("%q: store limit = %d, want %d", q, got, want)
		}
	}
}

func TestFilterErrors(t *testing.T) {
	e := newEnv(t)
	seed(e)
	tests := []struct {
		path, query, field string
	}{
		{"objects/", "limit=0", "limit"},
		{"objects/", "limit=-5", "limit"},
		{"objects/", "limit=ten", "limit"},
		{"objects/", "limit=1&limit=2", "limit"},
		{"objects/", "added_after=yesterday", "added_after"},
		{"objects/", "added_after=2022-01-01T00:00:00%2B01:00", "added_after"},
		{"objects/", "next=bm90LWEtY3Vyc29y", "next"},
		{"objects/", "next=%25%25%25", "next"},
		{"objects/", "match[version]=newest", "match[version]"},
		{"objects/", "match[version]=", "match[version]"},
		{"objects/", "match[id]=indicator", "match[id]"},
		{"objects/", "match[type]=Indicator", "match[type]"},
		{"objects/", "match[spec_version]=two", "match[spec_version]"},
		{"objects/", "match[created_by_ref]=identity--x", "match[created_by_ref]"},
		{"manifest/", "limit=0", "limit"},
		{"manifest/", "match[version]=2022-13-01T00:00:00Z", "match[version]"},
		{"objects/" + indicator(1, t0).ID + "/", "match[id]=" + indicator(1, t0).ID, "match[id]"},
		{"objects/" + indicator(1, t0).ID + "/", "match[type]=indicator", "match[type]"},
		{"objects/" + indicator(1, t0).ID + "/", "limit=x", "limit"},
		{"objects/" + indicator(1, t0).ID + "/versions/", "match[version]=all", "match[version]"},
		{"objects/" + indicator(1, t0).ID + "/versions/", "added_after=x", "added_after"},
		{"objects/not-an-id/", "", "object_id"},
		{"objects/not-an-id/versions/", "", "object_id"},
	}
	for _, tt := range tests {
		t.Run(tt.path+"?"+tt.query, func(t *testing.T) {
			w := e.get("kz", "/taxii2/root/collections/"+collID+"/"+tt.path+"?"+tt.query)
			wantError(t, w, http.StatusBadRequest, tt.field)
		})
	}
	w := e.do("DELETE", objectsPath(collID)+indicator(1, t0).ID+"/?match[id]=x", "kz", "")
	wantError(t, w, http.StatusBadRequest, "match[id]")
	if n := len(e.store.auditLog()); n != 0 {
		t.Errorf("rejected requests made %d audit entries", n)
	}
}

// Following next visits every visible version once, in order, and never a
// hidden one.
func TestPagination(t *testing.T) {
	e := newEnv(t)
	var visible []*kurultai.ObjectVersion
	for i := range 11 {
		switch i % 3 {
		case 0:
			e.store.put(collID, "TR", indicator(100+i, t0)) // only TR sees it
		default:
			visible = append(visible, e.store.put(collID, "TR", indicator(100+i, t0, relMembers)))
		}
	}
	for _, endpoint := range []string{"objects", "manifest"} {
		t.Run(endpoint, func(t *testing.T) {
			var got []string
			query := "limit=3"
			for page := 0; ; page++ {
				if page > 10 {
					t.Fatal("pagination does not end")
				}
				w := e.get("kz", "/taxii2/root/collections/"+collID+"/"+endpoint+"/?"+query)
				wantStatus(t, w, http.StatusOK)
				var en envelope
				var man manifestResource
				if endpoint == "objects" {
					decode(t, w, &en)
					got = append(got, en.ids(t)...)
				} else {
					decode(t, w, &man)
					for _, r := range man.Objects {
						got = append(got, r.ID+"@"+r.Version)
					}
					en.More, en.Next = man.More, man.Next
				}
				if en.More != (en.Next != "") {
					t.Fatalf("page %d: more = %v, next = %q", page, en.More, en.Next)
				}
				if !en.More {
					break
				}
				query = "limit=3&next=" + url.QueryEscape(en.Next)
			}
			if want := refsOf(visible...); !slices.Equal(got, want) {
				t.Errorf("paged through %v\nwant %v", got, want)
			}
		})
	}
}

func TestGetObject(t *testing.T) {
	e := newEnv(t)
	fx := seed(e)
	path := objectsPath(collID) + fx.a1.ID + "/"

	w := e.get("kz", path)
	wantStatus(t, w, http.StatusOK)
	if want := `{"more":false,"objects":[` + string(fx.a2.Raw) + "]}"; w.Body.String() != want {
		t.Errorf("body = %s, want %s", w.Body, want)
	}
	if w.Header().Get("X-TAXII-Date-Added-First") != stix.FormatTime(fx.a2.DateAdded) {
		t.Errorf("headers = %v", w.Header())
	}

	w = e.get("kz", path+"?match[version]=all&limit=1")
	wantStatus(t, w, http.StatusOK)
	var en envelope
	decode(t, w, &en)
	if ids := en.ids(t); !slices.Equal(ids, refsOf(fx.a1)) || !en.More {
		t.Fatalf("page 1 = %v more=%v", ids, en.More)
	}
	w = e.get("kz", path+"?match[version]=all&limit=1&next="+en.Next)
	decode(t, w, &en)
	if ids := en.ids(t); !slices.Equal(ids, refsOf(fx.a2)) || en.More {
		t.Fatalf("page 2 = %v more=%v", ids, en.More)
	}
	// Past the end, an empty envelope: the caller already saw the object.
	w = e.get("kz", path+"?next="+encodeCursor(kurultai.Cursor(fx.e.DateAdded.UnixMicro())))
	wantStatus(t, w, http.StatusOK)
	if w.Body.String() != `{"more":false}` {
		t.Errorf("past the end = %s", w.Body)
	}

	log := e.store.auditLog()
	if got := log[0]; got.Action != kurultai.ActionObjectRead || got.Decision != kurultai.DecisionAllow ||
		len(got.Objects) != 1 || got.Objects[0] != (kurultai.ObjectRef{ID: fx.a2.ID, Version: fx.a2.Version}) ||
		got.Query != "collection="+collID+"&object="+url.QueryEscape(fx.a1.ID)+"&limit=1000" {
		t.Errorf("audit entry = %+v", got)
	}
}

// A hidden object is answered exactly like a missing one, on every
// endpoint that names one object.
func TestHiddenIsMissing(t *testing.T) {
	e := newEnv(t)
	fx := seed(e)
	missing := indicator(999, t0).ID
	for _, suffix := range []string{"/", "/versions/", "/?match[version]=all"} {
		t.Run(suffix, func(t *testing.T) {
			hidden := e.get("kz", objectsPath(collID)+fx.c.ID+suffix)
			gone := e.get("kz", objectsPath(collID)+missing+suffix)
			wrongColl := e.get("kz", objectsPath(otherColl)+fx.a1.ID+suffix)
			for _, w := range []*httptest.ResponseRecorder{hidden, gone, wrongColl} {
				wantError(t, w, http.StatusNotFound, "")
				if w.Body.String() != hidden.Body.String() {
					t.Errorf("404 bodies differ:\n%s\n%s", w.Body, hidden.Body)
				}
				if strings.Contains(w.Body.String(), "indicator--") {
					t.Errorf("404 names an object: %s", w.Body)
				}
			}
		})
	}
	for _, a := range e.store.auditLog() {
		if a.Decision != kurultai.DecisionDeny || len(a.Objects) != 0 {
			t.Errorf("audit entry of a 404 = %+v", a)
		}
	}
	if got := counter(t, e.metrics.AccessDenied); got != 3 {
		t.Errorf("access denied = %v, want 3 (one per hidden read)", got)
	}
}

func TestGetVersions(t *testing.T) {
	e := newEnv(t)
	fx := seed(e)
	tests := []struct {
		object, query string
		want          []string
		more          bool
	}{
		{fx.a1.ID, "", []string{fx.a1.Version, fx.a2.Version}, false},
		{fx.a1.ID, "limit=1", []string{fx.a1.Version}, true},
		{fx.a1.ID, "added_after=" + stix.FormatTime(fx.a1.DateAdded), []string{fx.a2.Version}, false},
		{fx.a1.ID, "match[spec_version]=2.1", []string{fx.a1.Version, fx.a2.Version}, false},
		{fx.e.ID, "", []string{stix.FormatTime(fx.e.DateAdded)}, false}, // an SCO: its date added
	}
	for _, tt := range tests {
		t.Run(tt.object+"?"+tt.query, func(t *testing.T) {
			w := e.get("kz", objectsPath(collID)+tt.object+"/versions/?"+tt.query)
			wantStatus(t, w, http.StatusOK)
			var got versionsResource
			decode(t, w, &got)
			if !slices.Equal(got.Versions, tt.want) || got.More != tt.more || (got.Next != "") != tt.more {
				t.Errorf("versions = %+v, want %v more=%v", got, tt.want, tt.more)
			}
			if w.Header().Get("X-TAXII-Date-Added-Last") == "" {
				t.Error("no X-TAXII-Date-Added-Last")
			}
			if q := e.store.lastQuery(); !q.Versions.All || q.WithRaw {
				t.Errorf("store query = %+v", q)
			}
		})
	}
	if a := e.store.auditLog()[0]; a.Action != kurultai.ActionVersionsRead || len(a.Objects) != 2 {
		t.Errorf("audit entry = %+v", a)
	}
}

func TestGetManifest(t *testing.T) {
	e := newEnv(t)
	fx := seed(e)
	w := e.get("kz", "/taxii2/root/collections/"+collID+"/manifest/")
	wantStatus(t, w, http.StatusOK)
	var got manifestResource
	decode(t, w, &got)
	want := manifestResource{Objects: []manifestRecord{
		{ID: fx.b.ID, DateAdded: stix.FormatTime(fx.b.DateAdded), Version: fx.b.Version, MediaType: MediaTypeSTIX},
		{ID: fx.a2.ID, DateAdded: stix.FormatTime(fx.a2.DateAdded), Version: fx.a2.Version, MediaType: MediaTypeSTIX},
		{ID: fx.e.ID, DateAdded: stix.FormatTime(fx.e.DateAdded), Version: stix.FormatTime(fx.e.DateAdded), MediaType: MediaTypeSTIX},
	}}
	if !slices.Equal(got.Objects, want.Objects) || got.More {
		t.Errorf("manifest = %+v\nwant %+v", got, want)
	}
	if w.Header().Get("X-TAXII-Date-Added-First") != stix.FormatTime(fx.b.DateAdded) {
		t.Errorf("headers = %v", w.Header())
	}
	if q := e.store.lastQuery(); q.WithRaw {
		t.Error("manifest asked the store for raw JSON")
	}
	if a := e.store.auditLog()[0]; a.Action != kurultai.ActionManifestRead || a.Detail != "returned 3, withheld 2" {
		t.Errorf("audit entry = %+v", a)
	}

	w = e.get("hu", "/taxii2/root/collections/"+collID+"/manifest/?match[type]=malware")
	wantStatus(t, w, http.StatusOK)
	if w.Body.String() != `{"more":false}` {
		t.Errorf("empty manifest = %s", w.Body)
	}
}

func TestReadForbidden(t *testing.T) {
	e := newEnv(t)
	fx := seed(e)
	for _, path := range []string{
		objectsPath(collID),
		"/taxii2/root/collections/" + collID + "/manifest/",
		objectsPath(collID) + fx.a1.ID + "/",
		objectsPath(collID) + fx.a1.ID + "/versions/",
	} {
		w := e.get("nobody", path)
		wantError(t, w, http.StatusForbidden, "")
	}
	for _, a := range e.store.auditLog() {
		if a.Decision != kurultai.DecisionDeny || a.Detail != "no read permission" {
			t.Errorf("audit entry = %+v", a)
		}
	}
	if n := len(e.store.auditLog()); n != 4 {
		t.Errorf("%d audit entries, want 4", n)
	}
}

// A read that cannot be audited is not served.
func TestAuditFailureFailsClosed(t *testing.T) {
	e := newEnv(t)
	fx := seed(e)
	e.store.auditErr = errors.New("disk full")
	for _, tt := range []struct{ method, path string }{
		{"GET", objectsPath(collID)},
		{"GET", "/taxii2/root/collections/" + collID + "/manifest/"},
		{"GET", objectsPath(collID) + fx.a1.ID + "/"},
		{"GET", objectsPath(collID) + fx.a1.ID + "/versions/"},
		{"GET", objectsPath(collID) + fx.c.ID + "/"},
		{"GET", "/taxii2/root/status/4b4b5d4e-1111-4222-8333-444455556666/"},
		{"DELETE", objectsPath(collID) + fx.c.ID + "/"},
	} {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			w := e.do(tt.method, tt.path, "kz", "")
			wantError(t, w, http.StatusServiceUnavailable, "")
			if w.Header().Get("Retry-After") == "" {
				t.Error("no Retry-After")
			}
			if body := w.Body.String(); strings.Contains(body, "indicator--") || strings.Contains(body, "disk full") ||
				w.Header().Get("X-TAXII-Date-Added-First") != "" {
				t.Errorf("503 carries data: %s", body)
			}
		})
	}
}

func TestStoreErrors(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		status int
	}{
		{"internal", errors.New("sqlite: read /var/lib/secret.db: I/O error"), http.StatusInternalServerError},
		{"unavailable", kurultai.Errorf(kurultai.CodeUnavailable, "store busy"), http.StatusServiceUnavailable},
		{"conflict", kurultai.Errorf(kurultai.CodeConflict, "clash"), http.StatusConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.store.listErr = tt.err
			w := e.get("kz", objectsPath(collID))
			msg := wantError(t, w, tt.status, "")
			switch tt.status {
			case http.StatusInternalServerError:
				if msg.Description != "internal error" || msg.ErrorID == "" || strings.Contains(w.Body.String(), "secret") {
					t.Errorf("500 = %s", w.Body)
				}
				if logs := e.logs.String(); !strings.Contains(logs, msg.ErrorID) || !strings.Contains(logs, "secret.db") {
					t.Errorf("log does not record the error: %s", logs)
				}
			case http.StatusServiceUnavailable:
				if w.Header().Get("Retry-After") == "" {
					t.Error("no Retry-After")
				}
			}
		})
	}
}

func TestPanicRecovered(t *testing.T) {
	e := newEnv(t)
	e.store.listHook = func() { panic("boom") }
	w := e.get("kz", objectsPath(collID))
	msg := wantError(t, w, http.StatusInternalServerError, "")
	if msg.Description != "internal error" || strings.Contains(w.Body.String(), "boom") {
		t.Errorf("500 = %s", w.Body)
	}
	if !strings.Contains(e.logs.String(), "boom") {
		t.Errorf("panic not logged: %s", e.logs)
	}
}
