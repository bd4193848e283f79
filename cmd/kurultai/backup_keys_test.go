package main

import (
	"archive/tar"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// tarEntry is one entry of a crafted keys archive.
type tarEntry struct {
	name string
	dir  bool
	data string
}

func writeTar(t *testing.T, entries []tarEntry) string {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Typeflag: tar.TypeReg, Mode: 0o600, Size: int64(len(e.data))}
		if e.dir {
			h = &tar.Header{Name: e.name, Typeflag: tar.TypeDir, Mode: 0o700}
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(e.data)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "in.kbak.keys")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// treeOf lists the files of dir with their contents, and its entries.
func treeOf(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.Type().IsRegular() {
			data, _ := os.ReadFile(p)
			fmt.Fprintf(&b, "%s=%s\n", rel, data)
		} else {
			fmt.Fprintf(&b, "%s/\n", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestReadKeysArchiveRefuses: crafted keys archives are refused and the
// node's keys stay as they were, even with force.
func TestReadKeysArchiveRefuses(t *testing.T) {
	many := []tarEntry{{name: "keys/", dir: true}}
	for i := range maxKeyFiles {
		many = append(many, tarEntry{name: fmt.Sprintf("keys/k%d", i), data: "x"})
	}
	tests := []struct {
		name    string
		entries []tarEntry
		want    string
	}{
		{"a file named keys", []tarEntry{{name: "keys", data: "x"}}, "a file where the directory"},
		{"a file named federation/tls", []tarEntry{{name: "federation/tls", data: "x"}}, "a file where the directory"},
		{"a file named keys after cleaning", []tarEntry{{name: "./keys/.", data: "x"}}, "a file where the directory"},
		{"a path outside", []tarEntry{{name: "keys/../kurultai.db", data: "x"}}, "not under"},
		{"the federation directory itself", []tarEntry{{name: "federation/peers", data: "x"}}, "not under"},
		{"too many entries", many, "more than"},
		{"a repeated name", []tarEntry{{name: "keys/a", data: "1"}, {name: "keys/a", data: "2"}}, "repeated"},
		{"a file where a directory goes", []tarEntry{{name: "keys/a", data: "1"}, {name: "keys/a/b", dir: true}}, "keys/a"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			os.MkdirAll(filepath.Join(data, "keys"), 0o700)
			os.MkdirAll(filepath.Join(data, "federation", "tls"), 0o700)
			os.WriteFile(filepath.Join(data, "keys", "old"), []byte("old key"), 0o600)
			os.WriteFile(filepath.Join(data, "federation", "tls", "old"), []byte("old tls"), 0o600)
			before := treeOf(t, data)
			in := writeTar(t, tc.entries)
			if _, err := readKeysArchive(in, data, true, false); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("readKeysArchive: %v, want an error containing %q", err, tc.want)
			}
			if got := treeOf(t, data); got != before {
				t.Errorf("the refusal changed the data directory:\n%s\nwas:\n%s", got, before)
			}
		})
	}
}

// TestReadKeysArchiveReplaces: a forced restore replaces each key
// directory whole (no old file stays beside the new ones) and leaves no
// temporary directory; without force, keys in place are refused.
func TestReadKeysArchiveReplaces(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	os.MkdirAll(filepath.Join(data, "keys"), 0o700)
	os.WriteFile(filepath.Join(data, "keys", "old"), []byte("old key"), 0o600)
	os.WriteFile(filepath.Join(data, "kurultai.db"), []byte("db"), 0o600)
	in := writeTar(t, []tarEntry{{name: "keys/", dir: true}, {name: "keys/new", data: "new key"},
		{name: "federation/tls/", dir: true}, {name: "federation/tls/node.key", data: "tls key"}})
	if _, err := readKeysArchive(in, data, false, false); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Errorf("without force over keys in place: %v", err)
	}
	n, err := readKeysArchive(in, data, true, false)
	if err != nil || n != 2 {
		t.Fatalf("readKeysArchive: %d, %v", n, err)
	}
	want := "./\nfederation/\nfederation/tls/\nfederation/tls/node.key=tls key\nkeys/\nkeys/new=new key\nkurultai.db=db\n"
	if got := treeOf(t, data); got != want {
		t.Errorf("data directory:\n%s\nwant:\n%s", got, want)
	}
	if es := dirEntries(t, data); slices.ContainsFunc(es, func(e string) bool { return strings.HasPrefix(e, ".keys") }) {
		t.Errorf("left behind: %v", es)
	}
}
