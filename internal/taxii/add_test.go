package taxii

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/stix"
)

const creator = "identity--c0c0c0c0-0000-4000-8000-000000000001"

func envelopeOf(raws ...[]byte) string {
	parts := make([]string, len(raws))
	for i, r := range raws {
		parts[i] = string(r)
	}
	return `{"objects":[` + strings.Join(parts, ",") + `]}`
}

// One bad object fails alone; the others are stored, announced and
// counted.
func TestAddObjects(t *testing.T) {
	e := newEnv(t)
	good1 := indicator(1, t0, kurultai.TLP2GreenID, relMembers)
	good2 := sco(2, kurultai.TLP2ClearID, relPublic)
	noSpec := []byte(`{"type":"indicator","id":"indicator--00000000-0000-4000-8000-000000000003","created":"2022-01-01T00:00:00.000Z","modified":"2022-01-01T00:00:00.000Z"}`)
	badTime := []byte(`{"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-000000000004","created":"2022-01-01T00:00:00.000Z","modified":"yesterday"}`)
	w := e.do(http.MethodPost, objectsPath(collID), "kz", envelopeOf(good1.Raw, noSpec, good2.Raw, badTime))
	wantStatus(t, w, http.StatusAccepted)
	var st statusResource
	decode(t, w, &st)
	if st.Status != "complete" || st.TotalCount != 4 || st.SuccessCount != 2 || st.FailureCount != 2 || st.PendingCount != 0 {
		t.Fatalf("status = %+v", st)
	}
	wantFailures := []struct{ id, index, field string }{
		{"indicator--00000000-0000-4000-8000-000000000003", "objects[1]", "spec_version"},
		{"indicator--00000000-0000-4000-8000-000000000004", "objects[3]", "modified"},
	}
	for i, f := range st.Failures {
		want := wantFailures[i]
		if f.ID != want.id || !strings.HasPrefix(f.Message, want.index) || !strings.Contains(f.Message, want.field) {
			t.Errorf("failure %d = %+v, want id %s naming %s.%s", i, f, want.id, want.index, want.field)
		}
	}
	if got, want := []string{st.Successes[0].ID, st.Successes[1].ID}, []string{good1.ID, good2.ID}; !slices.Equal(got, want) {
		t.Errorf("successes = %+v", st.Successes)
	}

	// Stored as received and visible to another member.
	w = e.get("tr", objectsPath(collID))
	wantStatus(t, w, http.StatusOK)
	if want := `{"more":false,"objects":[` + string(good1.Raw) + "," + string(good2.Raw) + "]}"; w.Body.String() != want {
		t.Errorf("stored objects = %s\nwant %s", w.Body, want)
	}

	msgs := e.bus.published()
	if len(msgs) != 1 || msgs[0].subject != SubjectObjectsAdded {
		t.Fatalf("bus messages = %+v", msgs)
	}
	var added []AddedObject
	if err := json.Unmarshal(msgs[0].data, &added); err != nil {
		t.Fatal(err)
	}
	if len(added) != 2 || added[0].Collection != collID || added[0].ID != good1.ID || added[0].Version != good1.Version ||
		added[0].DateAdded == "" || added[1].ID != good2.ID || added[1].Version != added[1].DateAdded {
		t.Errorf("objects.added = %+v", added)
	}
	if got := counter(t, e.metrics.ObjectsStored); got != 2 {
		t.Errorf("objects stored = %v, want 2", got)
	}
	if a := e.store.auditLog()[0]; a.Action != kurultai.ActionObjectsAdd || a.Participant != "KZ" {
		t.Errorf("audit entry = %+v", a)
	}
}

func TestAddObjectsErrors(t *testing.T) {
	good := envelopeOf(indicator(1, t0).Raw)
	tests := []struct {
		name        string
		who         string
		contentType string
		body        string
		status      int
		field       string
	}{
		{"json", "kz", "application/json", good, 415, "Content-Type"},
		{"no content type", "kz", "", good, 415, "Content-Type"},
		{"taxii 2.0", "kz", "application/taxii+json;version=2.0", good, 415, "Content-Type"},
		{"stix 2.0", "kz", "application/stix+json;version=2.0", good, 415, "Content-Type"},
		{"taxii without version", "kz", "application/taxii+json", good, 202, ""},
		{"stix bundle", "kz", "application/stix+json;version=2.1",
			`{"type":"bundle","id":"bundle--00000000-0000-4000-8000-000000000001","objects":[` + string(indicator(1, t0).Raw) + `]}`, 202, ""},
		{"truncated", "kz", MediaTypeTAXII, `{"objects":[`, 400, ""},
		{"no objects member", "kz", MediaTypeTAXII, `{"more":false}`, 400, "objects"},
		{"empty objects", "kz", MediaTypeTAXII, `{"objects":[]}`, 400, "objects"},
		{"objects not a list", "kz", MediaTypeTAXII, `{"objects":{}}`, 400, "objects"},
		{"no write permission", "admin", MediaTypeTAXII, good, 403, ""},
		{"no participant", "nobody", MediaTypeTAXII, good, 403, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			w := e.do(http.MethodPost, objectsPath(collID), tt.who, tt.body, header("Content-Type", tt.contentType))
			if tt.status == http.StatusAccepted {
				wantStatus(t, w, tt.status)
				return
			}
			wantError(t, w, tt.status, tt.field)
			if n := len(e.store.versions); n != 0 {
				t.Errorf("%d versions stored", n)
			}
			if tt.status == http.StatusForbidden {
				if a := e.store.auditLog(); len(a) != 1 || a[0].Decision != kurultai.DecisionDeny || a[0].Action != kurultai.ActionObjectsAdd {
					t.Errorf("audit log = %+v", a)
				}
			}
		})
	}
}

func TestAddObjectsTooLarge(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.MaxContentLength = 200 })
	body := envelopeOf(indicator(1, t0).Raw, indicator(2, t0).Raw)
	for _, known := range []bool{true, false} {
		t.Run(fmt.Sprint("length known ", known), func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, objectsPath(collID), strings.NewReader(body))
			r.Header.Set("Content-Type", MediaTypeTAXII)
			r.Header.Set("Authorization", "Bearer kz")
			if !known {
				r.ContentLength = -1
			}
			w := httptest.NewRecorder()
			e.mux.ServeHTTP(w, r)
			msg := wantError(t, w, http.StatusRequestEntityTooLarge, "")
			if !strings.Contains(msg.Description, "max_content_length") {
				t.Errorf("description = %q", msg.Description)
			}
		})
	}
	if n := len(e.store.versions); n != 0 {
		t.Errorf("%d versions stored", n)
	}
}

// A releasability marking must name known participants; once stored it
// takes part in access decisions at once.
func TestAddReleasabilityMarking(t *testing.T) {
	e := newEnv(t)
	relTR := "marking-definition--b2b2b2b2-0000-4000-8000-000000000001"
	relBad := "marking-definition--b2b2b2b2-0000-4000-8000-000000000002"
	goodMarking := stix.ReleasabilityMarking(relTR, "REL TO TR", creator, []string{"TR"}, t0)
	badMarking := stix.ReleasabilityMarking(relBad, "REL TO KZ XX", creator, []string{"KZ", "XX"}, t0)
	obj := indicator(7, t0, kurultai.TLP2AmberID, relTR)

	w := e.do(http.MethodPost, objectsPath(collID), "kz", envelopeOf(goodMarking, badMarking, obj.Raw))
	wantStatus(t, w, http.StatusAccepted)
	var st statusResource
	decode(t, w, &st)
	if st.SuccessCount != 2 || st.FailureCount != 1 {
		t.Fatalf("status = %+v", st)
	}
	field := "extensions." + kurultai.ReleasabilityExtensionID + ".audience[1]"
	if f := st.Failures[0]; f.ID != relBad || !strings.Contains(f.Message, field) || !strings.Contains(f.Message, "XX") {
		t.Errorf("failure = %+v, want it to name %s", f, field)
	}
	if m, ok := e.srv.markings.Marking(relTR); !ok || !m.Releasability || !slices.Equal(m.Audience, []string{"TR"}) {
		t.Errorf("marking = %+v, %v", m, ok)
	}
	if _, ok := e.srv.markings.Marking(relBad); ok {
		t.Error("rejected marking was added")
	}
	for who, want := range map[string]int{"tr": 200, "hu": 404, "kz": 200} {
		w := e.get(who, objectsPath(collID)+obj.ID+"/")
		if w.Code != want {
			t.Errorf("%s reads the object: %d, want %d", who, w.Code, want)
		}
	}
}

// Publishing happens after the commit: a bus failure does not fail the
// request.
func TestAddObjectsBusFailure(t *testing.T) {
	e := newEnv(t)
	e.bus.err = errors.New("bus down")
	w := e.do(http.MethodPost, objectsPath(collID), "kz", envelopeOf(indicator(1, t0).Raw))
	wantStatus(t, w, http.StatusAccepted)
	if !strings.Contains(e.logs.String(), "bus down") {
		t.Errorf("bus failure not logged: %s", e.logs)
	}
}

func TestAddObjectsNoBus(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Bus = nil })
	w := e.do(http.MethodPost, objectsPath(collID), "kz", envelopeOf(indicator(1, t0).Raw))
	wantStatus(t, w, http.StatusAccepted)
}

// Another participant's object is a failure in the status, not an error.
func TestAddObjectsOwnedByOther(t *testing.T) {
	e := newEnv(t)
	fx := seed(e)
	w := e.do(http.MethodPost, objectsPath(collID), "tr", envelopeOf(indicator(2, t0.Add(1e9), relMembers).Raw))
	wantStatus(t, w, http.StatusAccepted)
	var st statusResource
	decode(t, w, &st)
	if st.FailureCount != 1 || st.Failures[0].ID != fx.b.ID {
		t.Errorf("status = %+v", st)
	}
	if got := counter(t, e.metrics.ObjectsStored); got != 0 {
		t.Errorf("objects stored = %v", got)
	}
	if n := len(e.bus.published()); n != 0 {
		t.Errorf("%d bus messages for nothing stored", n)
	}
}

// Predefined objects are shown to everyone by id, so no participant may
// write under their ids.
func TestAddReservedIDs(t *testing.T) {
	e := newEnv(t)
	fakeTLP := []byte(`{"type":"marking-definition","spec_version":"2.1","id":"` + kurultai.TLP1WhiteID + `","created":"2022-01-01T00:00:00.000Z","definition_type":"statement","definition":{"statement":"anything"}}`)
	fakeExt := stix.ReleasabilityExtensionDefinition(creator, t0)
	w := e.do(http.MethodPost, objectsPath(collID), "kz", envelopeOf(fakeTLP, fakeExt))
	wantStatus(t, w, http.StatusAccepted)
	var st statusResource
	decode(t, w, &st)
	if st.SuccessCount != 0 || st.FailureCount != 2 {
		t.Fatalf("status = %+v, want both refused", st)
	}
	for _, f := range st.Failures {
		if !strings.Contains(f.Message, ".id: ") || !strings.Contains(f.Message, "predefined") {
			t.Errorf("failure %+v does not name the reserved id", f)
		}
	}
}
