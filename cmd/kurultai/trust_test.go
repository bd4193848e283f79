package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/trust"
)

type cmdFunc func(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error

// runTrustCmd runs one of the trust commands in process. (Until the lead
// adds them to commands(), they are called directly rather than via run.)
func runTrustCmd(t *testing.T, fn cmdFunc, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := fn(context.Background(), args, noEnv, &out, &errOut)
	return out.String(), errOut.String(), err
}

var keyIDRe = regexp.MustCompile(`\b[0-9a-f]{16}\b`)

func TestInitAndRotate(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data")
	out, _, err := runTrustCmd(t, runInit, "--data", dir)
	if err != nil || !strings.Contains(out, "created signing key") {
		t.Fatalf("init: %v %s", err, out)
	}
	first := keyIDRe.FindString(out)
	out, _, err = runTrustCmd(t, runInit, "--data", dir)
	if err != nil || !strings.Contains(out, "already exists") || keyIDRe.FindString(out) != first {
		t.Fatalf("second init: %v %s", err, out)
	}

	out, _, err = runTrustCmd(t, runKey, "rotate", "--data", dir)
	if err != nil {
		t.Fatalf("key rotate: %v", err)
	}
	ids := keyIDRe.FindAllString(out, -1)
	if len(ids) != 2 || ids[0] == first || ids[1] != first {
		t.Fatalf("key rotate printed %q (first key %s)", out, first)
	}
	out, _, err = runTrustCmd(t, runKey, "list", "--data", dir)
	if err != nil || !strings.Contains(out, first+"  created") || !strings.Contains(out, "retired") || !strings.Contains(out, ids[0]) || !strings.Contains(out, "current") {
		t.Fatalf("key list: %v\n%s", err, out)
	}
	out, _, err = runTrustCmd(t, runKey, "export", "--data", dir, "--participant", "KZ")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := trust.ParseKeysDocument([]byte(out))
	if err != nil || len(doc.Keys) != 2 || doc.Participant != "KZ" {
		t.Fatalf("key export: %v\n%s", err, out)
	}
	k, err := trust.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "private") || strings.Contains(out, base64.RawURLEncoding.EncodeToString(k.PrivateKey().Seed())) {
		t.Error("export shows private material")
	}
	if _, _, err := runTrustCmd(t, runKey, "export", "--data", dir); err == nil {
		t.Error("export without a participant: no error")
	}
	if _, _, err := runTrustCmd(t, runKey, "frobnicate", "--data", dir); err != errUsage {
		t.Errorf("unknown key subcommand: %v", err)
	}
}

func TestKeyCommandsRefuseOpenKeyring(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if _, _, err := runTrustCmd(t, runInit, "--data", dir); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(trust.KeyringPath(dir), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"rotate", "--data", dir}, {"list", "--data", dir}} {
		_, _, err := runTrustCmd(t, runKey, args...)
		if err == nil || !strings.Contains(err.Error(), "0644") || !strings.Contains(err.Error(), "chmod 0600") {
			t.Errorf("key %s: %v", args[0], err)
		}
	}
	if _, _, err := runTrustCmd(t, runInit, "--data", dir); err == nil {
		t.Error("init over an open keyring: no error")
	}
}

// TestVerifyCommand signs objects with a node's keys before and after a
// rotation, adds unsigned, tampered, foreign and broken objects, and checks
// that verify names each failing object.
func TestVerifyCommand(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	node := filepath.Join(tmp, "node")
	k1, _, err := trust.Init(node, testTime(), nil)
	if err != nil {
		t.Fatal(err)
	}
	sign := func(k *trust.Keyring, raw string) string {
		t.Helper()
		s, err := k.NewSigner("KZ")
		if err != nil {
			t.Fatal(err)
		}
		out, err := s.Sign([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	obj := func(n int) string {
		return `{"type":"note","spec_version":"2.1","id":"note--` + strings.Repeat(string(rune('a'+n)), 8) + `-1d3a-4f57-9a8e-2c6d5b7e9f10",` +
			`"created":"2026-02-01T00:00:00.000Z","modified":"2026-02-0` + string(rune('1'+n)) + `T00:00:00.000Z","content":"Note ` + string(rune('A'+n)) + `","object_refs":["identity--0b4f6c2e-1d3a-4f57-9a8e-2c6d5b7e9f10"]}`
	}
	oldSigned := sign(k1, obj(0))
	k2, err := trust.Rotate(node, testTime().Add(time.Second), nil)
	if err != nil {
		t.Fatal(err)
	}
	newSigned := sign(k2, obj(1))
	tampered := strings.Replace(sign(k2, obj(2)), "Note C", "Note X", 1)
	foreignNode := filepath.Join(tmp, "foreign")
	kf, _, err := trust.Init(foreignNode, testTime(), nil)
	if err != nil {
		t.Fatal(err)
	}
	foreign := sign(kf, obj(3))
	unsigned := obj(4)
	broken := `{"type":"note","id":"note--ffffffff-1d3a-4f57-9a8e-2c6d5b7e9f10","extensions":{"` + trust.ExtensionID + `":{"extension_type":"property-extension","alg":"ed25519","key_id":"x","signer":"KZ","signature":"!"}}}`

	keysOut, _, err := runTrustCmd(t, runKey, "export", "--data", node, "--participant", "KZ")
	if err != nil {
		t.Fatal(err)
	}
	keysFile := filepath.Join(tmp, "kz-keys.json")
	writeFile(t, keysFile, keysOut)

	good := filepath.Join(tmp, "good.json")
	writeFile(t, good, `{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[`+oldSigned+`,`+newSigned+`]}`)
	out, _, err := runTrustCmd(t, runVerify, "--keys", keysFile, good)
	if err != nil {
		t.Fatalf("verify good bundle: %v\n%s", err, out)
	}
	if strings.Count(out, " OK key ") != 2 || !strings.Contains(out, k1.Current().ID) || !strings.Contains(out, k2.Current().ID) || !strings.Contains(out, "all 2 signatures valid") {
		t.Errorf("verify good bundle printed:\n%s", out)
	}

	mixed := filepath.Join(tmp, "mixed.json")
	writeFile(t, mixed, `{"more":false,"objects":[`+strings.Join([]string{oldSigned, newSigned, tampered, foreign, unsigned, broken}, ",")+`]}`)
	out, _, err = runTrustCmd(t, runVerify, mixed, "--keys", keysFile) // flags after the file work too
	if err == nil {
		t.Fatalf("verify mixed envelope: no error\n%s", out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 6 {
		t.Fatalf("want 6 lines, got:\n%s", out)
	}
	want := []struct{ id, version, status string }{
		{"note--aaaaaaaa", "2026-02-01T00:00:00.000Z", "OK key"},
		{"note--bbbbbbbb", "2026-02-02T00:00:00.000Z", "OK key"},
		{"note--cccccccc", "2026-02-03T00:00:00.000Z", "bad signature:"},
		{"note--dddddddd", "2026-02-04T00:00:00.000Z", "unknown key:"},
		{"note--eeeeeeee", "2026-02-05T00:00:00.000Z", "missing:"},
		{"note--ffffffff", "-", "malformed:"},
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w.id) || !strings.Contains(lines[i], " "+w.version+" "+w.status) {
			t.Errorf("line %d: %q, want %s %s %s", i, lines[i], w.id, w.version, w.status)
		}
	}
	for _, id := range []string{"note--cccccccc", "note--dddddddd", "note--eeeeeeee", "note--ffffffff"} {
		if !strings.Contains(err.Error(), id) {
			t.Errorf("error %q does not name %s", err, id)
		}
	}
	if strings.Contains(err.Error(), "note--aaaaaaaa") || !strings.Contains(err.Error(), "4 of 6") {
		t.Errorf("error %q", err)
	}

	// A directory of key documents: the foreign node's key becomes known.
	keysDir := filepath.Join(tmp, "keys")
	if err := os.Mkdir(keysDir, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(keysDir, "kz.json"), keysOut)
	uzKeys, _, err := runTrustCmd(t, runKey, "export", "--data", foreignNode, "--participant", "UZ")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(keysDir, "uz.json"), uzKeys)
	out, _, err = runTrustCmd(t, runVerify, "--keys", keysDir, mixed)
	if err == nil || !strings.Contains(err.Error(), "4 of 6") || !strings.Contains(err.Error(), "note--dddddddd-1d3a-4f57-9a8e-2c6d5b7e9f10 (bad signature)") {
		t.Errorf("with both nodes' keys: %v\n%s", err, out)
	}
	if !strings.Contains(out, "note--dddddddd-1d3a-4f57-9a8e-2c6d5b7e9f10 2026-02-04T00:00:00.000Z bad signature") {
		t.Errorf("UZ's key signing as KZ should be a bad signature:\n%s", out)
	}
}

func TestVerifyCommandErrors(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	if _, _, err := trust.Init(tmp, testTime(), nil); err != nil {
		t.Fatal(err)
	}
	keysOut, _, err := runTrustCmd(t, runKey, "export", "--data", tmp, "--participant", "KZ")
	if err != nil {
		t.Fatal(err)
	}
	keys := filepath.Join(tmp, "keys.json")
	writeFile(t, keys, keysOut)
	empty := filepath.Join(tmp, "empty.json")
	writeFile(t, empty, `{"objects":[]}`)
	notJSON := filepath.Join(tmp, "bad.json")
	writeFile(t, notJSON, `{"objects":[`)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no keys flag", []string{empty}, ""},
		{"no file", []string{"--keys", keys}, ""},
		{"two files", []string{"--keys", keys, empty, empty}, ""},
		{"missing keys", []string{"--keys", filepath.Join(tmp, "nope.json"), empty}, "no such file"},
		{"keys not a document", []string{"--keys", notJSON, empty}, "keys document"},
		{"missing file", []string{"--keys", keys, filepath.Join(tmp, "nope.json")}, "no such file"},
		{"no objects", []string{"--keys", keys, empty}, "no objects"},
		{"not an envelope", []string{"--keys", keys, notJSON}, "bad.json"},
	}
	for _, tc := range tests {
		_, _, err := runTrustCmd(t, runVerify, tc.args...)
		if err == nil || (tc.want != "" && !strings.Contains(err.Error(), tc.want)) || (tc.want == "" && err != errUsage) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	if _, _, err := runTrustCmd(t, runVerify, "--help"); err != nil {
		t.Errorf("--help: %v", err)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func testTime() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }
