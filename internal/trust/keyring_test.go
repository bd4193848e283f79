package trust

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// assertNoSecret checks that no way of printing v shows the private key.
func assertNoSecret(t *testing.T, v any, priv ed25519.PrivateKey) {
	t.Helper()
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("x", "v", v)
	slog.New(slog.NewTextHandler(&logged, nil)).Info("x", "v", v)
	out := fmt.Sprintf("%v %+v %#v %s %q %x", v, v, v, v, v, v) + logged.String()
	seed := priv.Seed()
	for _, secret := range []string{
		b64.EncodeToString(seed), base64.StdEncoding.EncodeToString(seed), hex.EncodeToString(seed),
		string(seed), hex.EncodeToString(priv), fmt.Sprint([]byte(seed)), fmt.Sprint(seed[:4]),
	} {
		if strings.Contains(out, secret) {
			t.Fatalf("printing shows the private key: %s", out)
		}
	}
}

func TestInitCreatesPrivateKeyring(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	k, created, err := Init(dir, testNow, nil)
	if err != nil || !created {
		t.Fatalf("Init: %v, created %v", err, created)
	}
	cur := k.Current()
	if cur.ID != KeyID(cur.Key) || len(cur.ID) != 16 || !cur.Created.Equal(testNow) || !cur.Retired.IsZero() {
		t.Errorf("current key %+v", cur)
	}
	for path, want := range map[string]fs.FileMode{filepath.Join(dir, "keys"): 0o700, KeyringPath(dir): 0o600} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s: permissions %04o, want %04o", path, fi.Mode().Perm(), want)
		}
	}
	again, created, err := Init(dir, testNow.Add(time.Hour), nil)
	if err != nil || created || again.Current().ID != cur.ID || !bytes.Equal(again.PrivateKey(), k.PrivateKey()) {
		t.Errorf("second Init: %v, created %v, key %s (want %s)", err, created, again.Current().ID, cur.ID)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "keys"))
	if len(entries) != 1 {
		t.Errorf("keys directory holds %d entries, want only the keyring", len(entries))
	}
	assertNoSecret(t, k, k.PrivateKey())
	assertNoSecret(t, *k, k.PrivateKey())
}

func TestInitKeysDiffer(t *testing.T) {
	t.Parallel()
	a, _, err := Init(t.TempDir(), testNow, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := Init(t.TempDir(), testNow, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.Current().ID == b.Current().ID {
		t.Error("two new keyrings have the same key")
	}
}

func TestLoadMissing(t *testing.T) {
	t.Parallel()
	if _, err := Load(t.TempDir()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load of an empty data directory: %v, want fs.ErrNotExist", err)
	}
}

func TestLoadRefusesWidePermissions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		file, dir fs.FileMode
		symlink   bool
	}{
		{"file readable by all", 0o644, 0o700, false},
		{"file readable by group", 0o640, 0o700, false},
		{"file writable by others", 0o602, 0o700, false},
		{"directory open to all", 0o600, 0o755, false},
		{"directory open to group", 0o600, 0o750, false},
		{"keyring is a symbolic link", 0o600, 0o700, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if _, _, err := Init(dir, testNow, nil); err != nil {
				t.Fatal(err)
			}
			path := KeyringPath(dir)
			if tc.symlink {
				moved := filepath.Join(dir, "elsewhere.json")
				if err := os.Rename(path, moved); err != nil {
					t.Fatal(err)
				}
				if err := os.Symlink(moved, path); err != nil {
					t.Fatal(err)
				}
			} else if err := os.Chmod(path, tc.file); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(filepath.Dir(path), tc.dir); err != nil {
				t.Fatal(err)
			}
			_, err := Load(dir)
			if err == nil {
				t.Fatal("Load: no error")
			}
			want := "permissions"
			if tc.symlink {
				want = "symbolic link"
			}
			if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), filepath.Join(dir, "keys")) {
				t.Errorf("error %q should mention %q and the path", err, want)
			}
			if _, err := Rotate(dir, testNow.Add(time.Hour), nil); err == nil {
				t.Error("Rotate with a refused keyring: no error")
			}
		})
	}
}

func TestInitRefusesOpenKeysDirectory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "keys"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(dir, "keys"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Init(dir, testNow, nil); err == nil || !strings.Contains(err.Error(), "0755") {
		t.Errorf("Init into a 0755 keys directory: %v", err)
	}
	if _, err := os.Stat(KeyringPath(dir)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a keyring was written: %v", err)
	}
}

func TestRotate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	k1, _, err := Init(dir, testNow, nil)
	if err != nil {
		t.Fatal(err)
	}
	s1, err := k1.NewSigner("KZ")
	if err != nil {
		t.Fatal(err)
	}
	old := mustSign(t, s1, testObject(1))

	later := testNow.Add(24 * time.Hour)
	k2, err := Rotate(dir, later, nil)
	if err != nil {
		t.Fatal(err)
	}
	keys := k2.Keys()
	if len(keys) != 2 || keys[0].ID != k1.Current().ID || !keys[0].Retired.Equal(later) ||
		k2.Current().ID == k1.Current().ID || !k2.Current().Created.Equal(later) || !k2.Current().Retired.IsZero() {
		t.Fatalf("after rotation: %+v", keys)
	}
	loaded, err := Load(dir)
	if err != nil || loaded.Current().ID != k2.Current().ID || len(loaded.Keys()) != 2 {
		t.Fatalf("Load after rotation: %v %v", loaded, err)
	}
	if data, _ := os.ReadFile(KeyringPath(dir)); bytes.Contains(data, []byte(b64.EncodeToString(k1.PrivateKey().Seed()))) {
		t.Error("the retired private key is still stored")
	}

	s2, err := loaded.NewSigner("KZ")
	if err != nil {
		t.Fatal(err)
	}
	fresh := mustSign(t, s2, testObject(2))
	ks := NewKeySet()
	if err := ks.AddDocument(loaded.Document(NodeIdentityID("KZ"), "KZ")); err != nil {
		t.Fatal(err)
	}
	v := NewVerifier(ks)
	for _, tc := range []struct {
		raw []byte
		key string
	}{{old, k1.Current().ID}, {fresh, k2.Current().ID}} {
		kid, signer, err := v.Verify(tc.raw)
		if err != nil || kid != tc.key || signer != "KZ" {
			t.Errorf("Verify = %s, %s, %v; want key %s", kid, signer, err, tc.key)
		}
	}

	if _, err := Rotate(dir, testNow, nil); err == nil {
		t.Error("Rotate with a clock before the current key: no error")
	}
	k3, err := Rotate(dir, later.Add(time.Hour), nil)
	if err != nil || len(k3.Keys()) != 3 {
		t.Fatalf("third key: %v", err)
	}
}

func TestLoadRefusesInconsistentKeyring(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if _, _, err := Init(dir, testNow, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := Rotate(dir, testNow.Add(time.Hour), nil); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(KeyringPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	other := b64.EncodeToString(testKey("x").Seed())
	var kj keyringJSON
	mustUnmarshal(t, good, &kj)
	edits := map[string]func(k *keyringJSON){
		"wrong private key":   func(k *keyringJSON) { k.PrivateKey = other },
		"short private key":   func(k *keyringJSON) { k.PrivateKey = "AAAA" },
		"wrong current":       func(k *keyringJSON) { k.Current = k.Keys[0].KeyID },
		"wrong key id":        func(k *keyringJSON) { k.Keys[0].KeyID = "0000000000000000" },
		"current retired":     func(k *keyringJSON) { k.Keys[1].Retired = k.Keys[1].Created },
		"old key not retired": func(k *keyringJSON) { k.Keys[0].Retired = "" },
		"repeated key":        func(k *keyringJSON) { k.Keys[0] = k.Keys[1] },
		"no keys":             func(k *keyringJSON) { k.Keys = nil },
		"other alg":           func(k *keyringJSON) { k.Keys[0].Alg = "rsa" },
		"bad created":         func(k *keyringJSON) { k.Keys[0].Created = "yesterday" },
		"retired before":      func(k *keyringJSON) { k.Keys[0].Retired = "2000-01-01T00:00:00Z" },
		"other format":        func(k *keyringJSON) { k.Format = "v0" },
	}
	for name, edit := range edits {
		k := kj
		k.Keys = append([]keyJSON(nil), kj.Keys...)
		edit(&k)
		data := mustMarshal(t, k)
		if _, err := parseKeyring(data); err == nil {
			t.Errorf("%s: parseKeyring accepted it", name)
		}
	}
	if _, err := parseKeyring(good); err != nil {
		t.Errorf("unedited keyring: %v", err)
	}
	if _, err := parseKeyring([]byte(`{"format":"kurultai-keyring-1","extra":1}`)); err == nil {
		t.Error("unknown member accepted")
	}
}
