package trust

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func testDocument(t testing.TB, participant string, names ...string) KeysDocument {
	t.Helper()
	d := KeysDocument{Node: NodeIdentityID(participant), Participant: participant}
	for i, n := range names {
		pub := testKey(n).Public().(ed25519PublicKey)
		p := PublicKey{ID: KeyID(pub), Key: pub, Created: testNow.Add(time.Duration(i) * time.Hour)}
		if i < len(names)-1 {
			p.Retired = p.Created.Add(time.Hour)
		}
		d.Keys = append(d.Keys, p)
	}
	return d
}

func TestKeysDocumentRoundTrip(t *testing.T) {
	t.Parallel()
	d := testDocument(t, "KZ", "a", "b")
	data := mustMarshal(t, d)
	got, err := ParseKeysDocument(data)
	if err != nil {
		t.Fatalf("ParseKeysDocument(%s): %v", data, err)
	}
	if got.Node != d.Node || got.Participant != "KZ" || len(got.Keys) != 2 {
		t.Fatalf("got %+v", got)
	}
	for i := range d.Keys {
		w, g := d.Keys[i], got.Keys[i]
		if g.ID != w.ID || !g.Key.Equal(w.Key) || !g.Created.Equal(w.Created) || !g.Retired.Equal(w.Retired) {
			t.Errorf("key %d: got %+v, want %+v", i, g, w)
		}
	}
	if !strings.Contains(string(data), `"retired"`) || strings.Count(string(data), `"retired"`) != 1 {
		t.Errorf("only the old key should have retired: %s", data)
	}
}

func TestParseKeysDocumentRefuses(t *testing.T) {
	t.Parallel()
	good := string(mustMarshal(t, testDocument(t, "KZ", "a")))
	var m map[string]any
	mustUnmarshal(t, []byte(good), &m)
	key := m["keys"].([]any)[0].(map[string]any)
	edit := func(f func(top, key map[string]any)) string {
		var top map[string]any
		mustUnmarshal(t, []byte(good), &top)
		f(top, top["keys"].([]any)[0].(map[string]any))
		return string(mustMarshal(t, top))
	}
	otherPub := b64.EncodeToString(testKey("b").Public().(ed25519PublicKey))
	tests := map[string]string{
		"empty":               ``,
		"not an object":       `[]`,
		"repeated member":     strings.Replace(good, `{"node"`, `{"participant":"UZ","node"`, 1),
		"unknown member":      edit(func(top, _ map[string]any) { top["extra"] = 1 }),
		"case-folded member":  strings.Replace(good, `"participant"`, `"Participant"`, 1),
		"no node":             edit(func(top, _ map[string]any) { delete(top, "node") }),
		"node not identity":   edit(func(top, _ map[string]any) { top["node"] = "indicator--2f0b0e0c-5d6b-4e4f-8f6e-0a1b2c3d4e5f" }),
		"node upper case":     edit(func(top, _ map[string]any) { top["node"] = strings.ToUpper(top["node"].(string)) }),
		"node number":         edit(func(top, _ map[string]any) { top["node"] = 7 }),
		"bad participant":     edit(func(top, _ map[string]any) { top["participant"] = "kz" }),
		"no keys":             edit(func(top, _ map[string]any) { top["keys"] = []any{} }),
		"keys null":           edit(func(top, _ map[string]any) { top["keys"] = nil }),
		"key null":            edit(func(top, _ map[string]any) { top["keys"] = []any{nil} }),
		"keys not a list":     edit(func(top, _ map[string]any) { top["keys"] = key }),
		"key id mismatch":     edit(func(_, k map[string]any) { k["public_key"] = otherPub }),
		"short key":           edit(func(_, k map[string]any) { k["public_key"] = "AAAA" }),
		"padded key":          edit(func(_, k map[string]any) { k["public_key"] = k["public_key"].(string) + "=" }),
		"other alg":           edit(func(_, k map[string]any) { k["alg"] = "rsa" }),
		"no created":          edit(func(_, k map[string]any) { delete(k, "created") }),
		"bad created":         edit(func(_, k map[string]any) { k["created"] = "2026-01-01" }),
		"retired before":      edit(func(_, k map[string]any) { k["retired"] = "2000-01-01T00:00:00Z" }),
		"unknown key member":  edit(func(_, k map[string]any) { k["private_key"] = "x" }),
		"key id not a string": edit(func(_, k map[string]any) { k["key_id"] = 1 }),
		"repeated key":        edit(func(top, k map[string]any) { top["keys"] = []any{k, k} }),
		"invalid UTF-8":       strings.Replace(good, `"KZ"`, "\"K\xff\"", 1),
	}
	for name, in := range tests {
		if d, err := ParseKeysDocument([]byte(in)); err == nil {
			t.Errorf("%s: accepted %+v", name, d)
		}
	}
	if _, err := ParseKeysDocument([]byte(good)); err != nil {
		t.Errorf("unedited document: %v", err)
	}
}

func TestLoadKeySet(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, d := range []KeysDocument{testDocument(t, "KZ", "a", "b"), testDocument(t, "UZ", "c")} {
		if err := os.WriteFile(filepath.Join(dir, d.Participant+".json"), mustMarshal(t, d), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "README"), []byte("not a key document"), 0o644); err != nil {
		t.Fatal(err)
	}
	ks, err := LoadKeySet(dir)
	if err != nil {
		t.Fatal(err)
	}
	if ks.Len() != 3 {
		t.Errorf("%d keys, want 3", ks.Len())
	}
	k, ok := ks.Lookup(KeyID(testKey("c").Public().(ed25519PublicKey)))
	if !ok || k.Participant != "UZ" || k.Node != NodeIdentityID("UZ") {
		t.Errorf("key c: %+v %v", k, ok)
	}
	one, err := LoadKeySet(filepath.Join(dir, "KZ.json"))
	if err != nil || one.Len() != 2 {
		t.Errorf("one file: %v, %d keys", err, one.Len())
	}

	// The same key claimed by two participants is refused.
	clash := testDocument(t, "TJ", "a")
	if err := os.WriteFile(filepath.Join(dir, "TJ.json"), mustMarshal(t, clash), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadKeySet(dir); err == nil || !strings.Contains(err.Error(), "TJ.json") {
		t.Errorf("clashing documents: %v", err)
	}
	if _, err := LoadKeySet(t.TempDir()); err == nil {
		t.Error("empty directory: no error")
	}
	if _, err := LoadKeySet(filepath.Join(dir, "README")); err == nil || !strings.Contains(err.Error(), "README") {
		t.Errorf("not a key document: %v", err)
	}
}

func TestKeysHandler(t *testing.T) {
	t.Parallel()
	d := testDocument(t, "KZ", "a", "b")
	h, err := KeysHandler(d)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL + WellKnownPath)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	got, err := ParseKeysDocument(body)
	if err != nil || got.Participant != "KZ" || len(got.Keys) != 2 || got.Keys[1].ID != d.Keys[1].ID {
		t.Errorf("served document %s: %v", body, err)
	}
	resp, err = http.Post(srv.URL+WellKnownPath, "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", resp.StatusCode)
	}
	// The keyring's own document is served the same way.
	var raw map[string]json.RawMessage
	mustUnmarshal(t, body, &raw)
	if len(raw) != 3 {
		t.Errorf("document members: %s", body)
	}
}
