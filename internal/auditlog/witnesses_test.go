package auditlog_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kurultai/kurultai/internal/auditlog"
)

func TestLoadWitnesses(t *testing.T) {
	dir := t.TempDir()
	if docs, err := auditlog.LoadWitnesses(filepath.Join(dir, "none")); err != nil || docs != nil {
		t.Fatalf("missing directory: %v, %v", docs, err)
	}
	write := func(name string, v any) {
		t.Helper()
		data, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("tr.json", keysDoc("TR", testKey("TR")))
	write("az.json", keysDoc("AZ", testKey("AZ")))
	if err := os.WriteFile(filepath.Join(dir, "README"), []byte("not a document"), 0o644); err != nil {
		t.Fatal(err)
	}
	docs, err := auditlog.LoadWitnesses(dir)
	if err != nil || len(docs) != 2 || docs[0].Participant != "AZ" || docs[1].Participant != "TR" {
		t.Fatalf("LoadWitnesses = %+v, %v", docs, err)
	}
	write("tr2.json", keysDoc("TR", testKey("TR2")))
	if _, err := auditlog.LoadWitnesses(dir); err == nil || !strings.Contains(err.Error(), "both for TR") {
		t.Errorf("two documents for TR: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tr2.json"), []byte(`{"node":1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := auditlog.LoadWitnesses(dir); err == nil || !strings.Contains(err.Error(), "tr2.json") {
		t.Errorf("a malformed document: %v", err)
	}
}
