package sources

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestReadStatus(t *testing.T) {
	dir := t.TempDir()
	read := DirStatus(dir)
	got, err := read(context.Background())
	if err != nil || len(got) != 0 {
		t.Fatalf("empty dir: %v, %v", got, err)
	}
	f := File{Sources: []Source{
		{Name: "Alpha", URL: "https://alpha.example/feed", Lang: "ru", Interval: Duration(15 * time.Minute)},
		{Name: "Beta", URL: "https://beta.example/feed", Interval: Duration(15 * time.Minute)},
	}}
	if err := f.Save(filepath.Join(dir, FileName)); err != nil {
		t.Fatal(err)
	}
	h, err := NewFileHealth(filepath.Join(dir, HealthFileName))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	if err := h.SaveHealth(context.Background(), Health{Source: "Alpha", LastAttempt: at, LastSuccess: at, Items: 7}); err != nil {
		t.Fatal(err)
	}
	got, err = read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Name != "Alpha" || !got[0].OK() || got[0].Health.Items != 7 || got[1].OK() || !got[1].Health.LastAttempt.IsZero() {
		t.Errorf("status: %+v", got)
	}
	if err := os.WriteFile(filepath.Join(dir, HealthFileName), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := read(context.Background()); err == nil {
		t.Error("a broken health file reads")
	}
}
