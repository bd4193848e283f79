package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestRestoreWithKeysPrefersNodeKeys: an archive signed by another key,
// with that key beside it in FILE.keys, does not verify against the
// keyring already in DIR; --keys names the keys to check with; only
// without either are the archive's own keys used, and restore says so.
func TestRestoreWithKeysPrefersNodeKeys(t *testing.T) {
	other, _ := auditDataDir(t) // another key signed this node's checkpoints
	archive := filepath.Join(t.TempDir(), "other.kbak")
	if out, err := runOpCmd(t, runBackup, "--data", other, "--out", archive, "--with-keys"); err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	node, _ := auditDataDir(t)
	before := objectsOf(t, node)
	out, err := runOpCmd(t, runRestore, "--in", archive, "--data", node, "--with-keys", "--force")
	if err == nil || !strings.Contains(err.Error(), "nothing restored") {
		t.Errorf("restore of a foreign-signed archive over a node with its keyring: %v\n%s", err, out)
	}
	if objectsOf(t, node) != before {
		t.Error("the refused restore changed the node")
	}
	// The node's key document, given with --keys, is what counts too.
	fresh := filepath.Join(t.TempDir(), "fresh")
	if out, err := runOpCmd(t, runRestore, "--in", archive, "--data", fresh, "--with-keys", "--keys", keysDoc(t, node)); err == nil {
		t.Errorf("restore checked with --keys of another node: verified\n%s", out)
	}
	out, err = runOpCmd(t, runRestore, "--in", archive, "--data", fresh, "--with-keys")
	if err != nil || !strings.Contains(out, "the archive's own keys") || !strings.Contains(out, "does not show whose node") {
		t.Errorf("restore with only the archive's keys: %v\n%s", err, out)
	}
}
