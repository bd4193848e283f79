package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestRestoreMigrateRefuseRunningNode: while DIR's lock is held (as a
// running node holds it), restore --force and migrate refuse and write
// nothing; once it is released, restore goes through.
func TestRestoreMigrateRefuseRunningNode(t *testing.T) {
	src, _ := auditDataDir(t)
	archive := filepath.Join(t.TempDir(), "node.kbak")
	if out, err := runOpCmd(t, runBackup, "--data", src, "--out", archive, "--with-keys"); err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	dst := copyDir(t, src)
	unlock, err := lockDataDir(dst)
	if err != nil {
		t.Fatal(err)
	}
	before := dirEntries(t, dst)
	db, _ := os.ReadFile(filepath.Join(dst, "kurultai.db"))
	for _, args := range [][]string{
		{"--in", archive, "--data", dst, "--force"},
		{"--in", archive, "--data", dst, "--force", "--with-keys"},
	} {
		if out, err := runOpCmd(t, runRestore, args...); err == nil || !strings.Contains(err.Error(), "in use") {
			t.Errorf("restore %v under a running node: %v\n%s", args, err, out)
		}
	}
	if out, err := runOpCmd(t, runMigrate, "--data", dst); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Errorf("migrate under a running node: %v\n%s", err, out)
	}
	if got := dirEntries(t, dst); !slices.Equal(got, before) {
		t.Errorf("the refusals changed the directory: %v, was %v", got, before)
	}
	if now, _ := os.ReadFile(filepath.Join(dst, "kurultai.db")); !bytes.Equal(now, db) {
		t.Error("the refusals changed kurultai.db")
	}
	unlock()
	if out, err := runOpCmd(t, runRestore, "--in", archive, "--data", dst, "--force"); err != nil {
		t.Errorf("restore once the node stopped: %v\n%s", err, out)
	}
	if out, err := runOpCmd(t, runMigrate, "--data", dst); err != nil {
		t.Errorf("migrate once the node stopped: %v\n%s", err, out)
	}
}
