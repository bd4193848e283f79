package crisis

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/charter"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/seed"
	"github.com/kurultai/kurultai/internal/stix"
)

func TestExtensionDefinitions(t *testing.T) {
	defs := ExtensionDefinitions(seed.IdentityID("SEC"), seed.SystemCreated)
	if len(defs) != len(charter.RecordKinds) {
		t.Fatalf("%d definitions for %d kinds", len(defs), len(charter.RecordKinds))
	}
	seen := map[string]bool{}
	for i, raw := range defs {
		v, err := stix.ParseObject(raw)
		if err != nil {
			t.Fatalf("definition %d: %v\n%s", i, err, raw)
		}
		if v.ID != ExtensionID(charter.RecordKinds[i]) || seen[v.ID] {
			t.Errorf("definition %d has id %s", i, v.ID)
		}
		seen[v.ID] = true
		if !slices.Equal(v.MarkingRefs, []string{kurultai.TLP2ClearID, seed.AudienceMarkingID(kurultai.AudiencePublic)}) {
			t.Errorf("definition %d markings %v: must be visible to all", i, v.MarkingRefs)
		}
		if !bytes.Contains(raw, []byte(`"extension_types":["new-sdo"]`)) {
			t.Errorf("definition %d is not a new-sdo extension", i)
		}
	}
	// The ids are in every stored record: they must never change.
	if got := ExtensionID(charter.KindSituation); got != "extension-definition--de340104-9dbc-4c67-891d-68ceda637bb6" {
		t.Errorf("situation extension id changed: %s", got)
	}
	if !bytes.Equal(defs[0], ExtensionDefinitions(seed.IdentityID("SEC"), seed.SystemCreated)[0]) {
		t.Error("extension-definitions are not deterministic")
	}
}

// TestRecordRoundTrip checks every kind of record: STIX accepts it, it
// parses back to the same record, and encoding that gives the same bytes.
func TestRecordRoundTrip(t *testing.T) {
	w := rich(t)
	kinds := map[charter.RecordKind]bool{}
	for i, raw := range w.raw {
		v, err := stix.ParseObject(raw)
		if err != nil {
			t.Fatalf("object %d: %v\n%s", i, err, raw)
		}
		rec, err := w.m.Parse(v)
		if err != nil {
			t.Fatalf("object %d: %v\n%s", i, err, raw)
		}
		if again := encode(rec); !bytes.Equal(again, raw) {
			t.Errorf("object %d re-encodes differently:\n%s\n%s", i, raw, again)
		}
		kinds[rec.Base().Kind] = true
		if b := rec.Base(); b.By == "" || b.Role == "" || b.Situation != w.sit || b.Audience == "" {
			t.Errorf("object %d meta %+v", i, b)
		}
	}
	for _, k := range charter.RecordKinds {
		if !kinds[k] {
			t.Errorf("the rich situation has no %s record", k)
		}
	}
}

func TestRecordMarkings(t *testing.T) {
	w := rich(t)
	st := w.state()
	audience := func(r Record) string { return r.Base().Audience }
	if a := audience(st.Drafts[0].Versions[0]); a != kurultai.AudienceMembers {
		t.Errorf("draft audience %s, want members", a)
	}
	if a := audience(st.Silences[1].Declaration); a != kurultai.AudiencePublic {
		t.Errorf("adopted public statement audience %s", a)
	}
	if a := audience(st.Silences[0].Declaration); a != kurultai.AudienceMembers {
		t.Errorf("not-adopted declaration audience %s, want members", a)
	}
	for _, raw := range w.raw {
		v, _ := stix.ParseObject(raw)
		if v.Type == TypeName(charter.KindStatementDraft) && !slices.Contains(v.MarkingRefs, kurultai.TLP2AmberID) {
			t.Errorf("draft without TLP:AMBER: %v", v.MarkingRefs)
		}
	}
}

func TestParseErrors(t *testing.T) {
	w := newWorld(t)
	w.do(chair, &ChangeMode{To: "consultation"})
	rep := w.do(kz, &PostReport{Title: "t", Text: "x"})
	base := rep.Objects[0]
	edit := func(f func(m map[string]any)) []byte {
		var m map[string]any
		if err := json.Unmarshal(base, &m); err != nil {
			t.Fatal(err)
		}
		f(m)
		out, _ := json.Marshal(m)
		return out
	}
	tests := []struct {
		name  string
		raw   []byte
		field string
	}{
		{"no extension", edit(func(m map[string]any) { delete(m, "extensions") }), "extensions"},
		{"wrong extension type", edit(func(m map[string]any) {
			m["extensions"] = map[string]any{ExtensionID(charter.KindSituationReport): map[string]any{"extension_type": "property-extension"}}
		}), "extensions"},
		{"unknown writer", edit(func(m map[string]any) { m["created_by_ref"] = "identity--5b1c9f4e-4c2a-4f1e-9a3b-1c2d3e4f5a6b" }), "created_by_ref"},
		{"bad role", edit(func(m map[string]any) { m["actor_role"] = "king" }), "actor_role"},
		{"no situation", edit(func(m map[string]any) { delete(m, "situation_ref") }), "situation_ref"},
		{"wrong situation type", edit(func(m map[string]any) { m["situation_ref"] = "report--5b1c9f4e-4c2a-4f1e-9a3b-1c2d3e4f5a6b" }), "situation_ref"},
		{"text required", edit(func(m map[string]any) { m["text"] = " " }), "text"},
		{"text wrong type", edit(func(m map[string]any) { m["text"] = 42 }), "text"},
		{"text too long", edit(func(m map[string]any) { m["text"] = strings.Repeat("x", maxText+1) }), "text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := stix.ParseObject(tt.raw)
			if err != nil {
				t.Fatalf("stix refuses the test object: %v", err)
			}
			_, err = w.m.Parse(v)
			var ke *kurultai.Error
			if err == nil || kurultai.ErrorCode(err) != kurultai.CodeInvalid {
				t.Fatalf("err = %v, want invalid", err)
			}
			if ke, _ = err.(*kurultai.Error); ke.Field != tt.field {
				t.Errorf("field %q, want %q (%v)", ke.Field, tt.field, err)
			}
		})
	}
}

func TestDecodeAction(t *testing.T) {
	a, err := DecodeAction("open_silence", []byte(`{"draft":"kurultai-statement-draft--x","urgency":"urgent","expires":"2022-01-03T10:00:00Z"}`))
	if err != nil {
		t.Fatal(err)
	}
	if o := a.(*OpenSilence); o.Expires == nil || !o.Expires.Equal(time.Date(2022, 1, 3, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("decoded %+v", o)
	}
	for _, tt := range []struct{ name, body, field string }{
		{"nope", `{}`, "action"},
		{"break_silence", `{"silence":"x","colour":"red"}`, "colour"},
		{"convene_meeting", `{"invitees":"AZ"}`, "invitees"},
		{"post_report", `{"text":"x"} {}`, ""},
		{"post_report", `{"text":`, ""},
	} {
		_, err := DecodeAction(tt.name, []byte(tt.body))
		ke, ok := err.(*kurultai.Error)
		if !ok || ke.Code != kurultai.CodeInvalid || ke.Field != tt.field {
			t.Errorf("%s %s: %v, want invalid field %q", tt.name, tt.body, err, tt.field)
		}
	}
	for _, name := range charter.Actions {
		if _, ok := NewAction(name); !ok {
			t.Errorf("no action for %s", name)
		}
	}
}

// FuzzParse feeds objects as a peer could send them: nothing panics, and
// what parses encodes back to an object that parses to the same record.
func FuzzParse(f *testing.F) {
	w := rich(f)
	for _, raw := range w.raw {
		f.Add(raw)
	}
	m := w.m
	f.Fuzz(func(t *testing.T, raw []byte) {
		v, err := stix.ParseObject(raw)
		if err != nil || !IsRecordType(v.Type) {
			return
		}
		rec, err := m.Parse(v)
		if err != nil {
			if kurultai.ErrorCode(err) != kurultai.CodeInvalid {
				t.Fatalf("parse error without CodeInvalid: %v", err)
			}
			return
		}
		again := encode(rec)
		v2, err := stix.ParseObject(again)
		if err != nil {
			t.Fatalf("re-encoded record is not STIX: %v\n%s", err, again)
		}
		rec2, err := m.Parse(v2)
		if err != nil {
			t.Fatalf("re-encoded record does not parse: %v\n%s", err, again)
		}
		if !bytes.Equal(encode(rec2), again) {
			t.Fatalf("encoding is not stable:\n%s\n%s", again, encode(rec2))
		}
		// Derive must cope with any single record too.
		if _, err := m.Derive(rec.Base().Situation, []Record{rec}, time.Now()); err != nil && kurultai.ErrorCode(err) != kurultai.CodeNotFound {
			t.Fatalf("derive: %v", err)
		}
	})
}

// FuzzDecodeAction checks that any body gives an action or an invalid
// error, and that a decoded action never makes Act panic.
func FuzzDecodeAction(f *testing.F) {
	f.Add("open_silence", []byte(`{"draft":"x","urgency":"urgent"}`))
	f.Add("raise_alert", []byte(`{"title":"t","onset":"2022-01-02T00:00:00Z","affected":["KZ"]}`))
	f.Add("answer_assistance", []byte(`{"request":"x","message":"pledge","items":[{"item":"a","quantity":1}]}`))
	w := rich(f)
	st := w.state()
	f.Fuzz(func(t *testing.T, name string, body []byte) {
		a, err := DecodeAction(name, body)
		if err != nil {
			if kurultai.ErrorCode(err) != kurultai.CodeInvalid {
				t.Fatalf("decode error without CodeInvalid: %v", err)
			}
			return
		}
		for _, p := range []kurultai.Principal{chair, sec, kz, hu} {
			if _, err := w.m.Act(st, p, a, w.now); err != nil && kurultai.ErrorCode(err) == kurultai.CodeInternal {
				t.Fatalf("%s by %s: internal error %v", name, p.Username, err)
			}
		}
	})
}
