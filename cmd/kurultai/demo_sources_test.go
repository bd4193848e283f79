package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kurultai/kurultai/internal/ew/sources"
)

// TestDemoSources checks that a new demo node run from the repository
// reads the sample corpus, one source per language, and that a node with
// sources of its own keeps them.
func TestDemoSources(t *testing.T) {
	t.Chdir(filepath.Join("..", ".."))
	data := t.TempDir()
	var out bytes.Buffer
	if err := demoSources(data, &out); err != nil {
		t.Fatal(err)
	}
	f, err := sources.LoadFile(filepath.Join(data, sources.FileName))
	if err != nil {
		t.Fatal(err)
	}
	langs, _ := os.ReadDir(demoCorpus)
	var dirs int
	for _, e := range langs {
		if e.IsDir() {
			dirs++
		}
	}
	if dirs == 0 || len(f.Sources) != dirs || !strings.Contains(out.String(), "sample news") {
		t.Fatalf("%d sources for %d language folders; output %q", len(f.Sources), dirs, out.String())
	}
	f.Sources = f.Sources[:1]
	if err := f.Save(filepath.Join(data, sources.FileName)); err != nil {
		t.Fatal(err)
	}
	if err := demoSources(data, &out); err != nil {
		t.Fatal(err)
	}
	if f, err = sources.LoadFile(filepath.Join(data, sources.FileName)); err != nil || len(f.Sources) != 1 {
		t.Errorf("an existing sources file was replaced: %d sources, %v", len(f.Sources), err)
	}
}
