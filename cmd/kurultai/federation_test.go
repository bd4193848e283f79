package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/charter"
	"github.com/kurultai/kurultai/internal/pki"
	"github.com/kurultai/kurultai/internal/seed"
	"github.com/kurultai/kurultai/internal/sqlite"
	"github.com/kurultai/kurultai/internal/trust"
)

// cli runs one command function and returns its output and error.
func cli(t *testing.T, fn func(context.Context, []string, func(string) string, io.Writer, io.Writer) error, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := fn(context.Background(), args, func(string) string { return "" }, &out, &errb)
	return out.String() + errb.String(), err
}

// nodeData makes a node data directory with a seeded database.
func nodeData(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "kurultai.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := seed.System(context.Background(), st, charter.Default().DirectoryParticipants(), "SEC", time.Now); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestCACertCommands(t *testing.T) {
	caDir := filepath.Join(t.TempDir(), "ca")
	if out, err := cli(t, runCA, "init", "--dir", caDir); err != nil || !strings.Contains(out, "created") {
		t.Fatalf("ca init = %q, %v", out, err)
	}
	if _, err := cli(t, runCA, "init", "--dir", caDir); err == nil {
		t.Error("second ca init succeeded")
	}
	data := t.TempDir()
	out, err := cli(t, runCert, "issue", "--ca", caDir, "--participant", "KZ", "--host", "127.0.0.1,kz.example", "--data", data)
	if err != nil || !strings.Contains(out, "issued") {
		t.Fatalf("cert issue = %q, %v", out, err)
	}
	n, err := pki.LoadNode(nodeTLSDir(data), nil)
	if err != nil || n.Participant != "KZ" {
		t.Fatalf("LoadNode = %v, %v", n, err)
	}
	if out, err := cli(t, runCert, "show", "--data", data); err != nil || !strings.Contains(out, "participant KZ") || !strings.Contains(out, "kz.example") {
		t.Errorf("cert show = %q, %v", out, err)
	}
	if out, err := cli(t, runCert, "revoke", "--ca", caDir, "--cert", filepath.Join(nodeTLSDir(data), pki.NodeCertFile)); err != nil || !strings.Contains(out, "revoked serial "+n.Leaf().SerialNumber.String()) {
		t.Errorf("cert revoke = %q, %v", out, err)
	}
	ca, err := pki.LoadCA(caDir)
	if err != nil {
		t.Fatal(err)
	}
	crl, err := os.ReadFile(ca.CRLPath())
	if err != nil {
		t.Fatal(err)
	}
	list, err := pki.ParseCRL(crl, ca.Cert)
	if err != nil || len(list.RevokedCertificateEntries) != 1 {
		t.Errorf("CRL after revoke: %v entries, %v", list, err)
	}
	for _, args := range [][]string{
		{"issue", "--ca", caDir, "--participant", "KZ"},                // no host
		{"issue", "--ca", caDir, "--participant", "kz", "--host", "x"}, // bad code
		{"revoke", "--ca", caDir, "--serial", "12x"},                   // bad serial
		{"revoke", "--ca", caDir, "--serial", "1", "--cert", "f"},      // both
		{"issue", "--ca", caDir, "--participant", "KZ", "--host", "x", "--days", "0"},
	} {
		if _, err := cli(t, runCert, append(args, "--data", t.TempDir())...); err == nil {
			t.Errorf("cert %v succeeded", args)
		}
	}
}

func TestPeerCommands(t *testing.T) {
	data := nodeData(t)
	keys, _, err := trust.Init(t.TempDir(), time.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := json.Marshal(keys.Document(trust.NodeIdentityID("UZ"), "UZ"))
	docFile := filepath.Join(t.TempDir(), "uz-keys.json")
	if err := os.WriteFile(docFile, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	add := func(args ...string) (string, error) {
		return cli(t, runPeer, append([]string{"add"}, append(args, "--data", data)...)...)
	}
	if out, err := add("uz-node", "--url", "tls://127.0.0.1:7422", "--participant", "UZ", "--key", docFile); err != nil || !strings.Contains(out, "added peer uz-node") {
		t.Fatalf("peer add = %q, %v", out, err)
	}
	b64 := strings.TrimSpace(strings.Split(strings.Split(string(doc), `"public_key":"`)[1], `"`)[0])
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"taken", []string{"uz-node", "--url", "tls://127.0.0.1:7422", "--participant", "KG", "--key", b64}, "--replace"},
		{"same participant", []string{"uz2", "--url", "tls://127.0.0.1:7422", "--participant", "UZ", "--key", b64}, "--replace"},
		{"bad url", []string{"kg-node", "--url", "http://x", "--participant", "KG", "--key", b64}, "--url"},
		{"unknown participant", []string{"xx-node", "--url", "tls://h:1", "--participant", "XX", "--key", b64}, "--participant"},
		{"no key", []string{"kg-node", "--url", "tls://h:1", "--participant", "KG"}, "--key"},
		{"bad key", []string{"kg-node", "--url", "tls://h:1", "--participant", "KG", "--key", "notakey"}, "--key"},
		{"key of another", []string{"kg-node", "--url", "tls://h:1", "--participant", "KG", "--key", docFile}, "not KG"},
		{"bad name", []string{"KG Node", "--url", "tls://h:1", "--participant", "KG", "--key", b64}, "NAME"},
		{"bad dial", []string{"kg-node", "--url", "tls://h:1", "--participant", "KG", "--key", b64, "--dial", "maybe"}, "--dial"},
		{"taxii without direction", []string{"tr-taxii", "--kind", "taxii", "--url", "https://x/c/", "--participant", "TR"}, "--pull"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := add(tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("peer add %v = %v, want an error mentioning %q", tt.args, err, tt.want)
			}
		})
	}
	if _, err := add("kg-node", "--url", "tls://127.0.0.1:7423", "--participant", "KG", "--key", b64, "--dial", "yes"); err == nil {
		// A bare key of UZ's given for KG is a valid key: it is KG's now.
		t.Log("kg-node added with a bare key")
	}
	if out, err := add("uz-node", "--url", "tls://10.0.0.2:7422", "--participant", "UZ", "--key", docFile, "--replace"); err != nil || !strings.Contains(out, "updated") {
		t.Errorf("peer add --replace = %q, %v", out, err)
	}
	if _, err := add("tr-taxii", "--kind", "taxii", "--url", "https://taxii.example/api/collections/c/", "--participant", "TR", "--pull", "--user", "u", "--password-env", "TR_PW"); err != nil {
		t.Errorf("taxii peer: %v", err)
	}
	out, err := cli(t, runPeer, "list", "--data", data)
	if err != nil || !strings.Contains(out, "uz-node") || !strings.Contains(out, "tls://10.0.0.2:7422") || !strings.Contains(out, "tr-taxii") || !strings.Contains(out, keys.Current().ID) {
		t.Errorf("peer list = %q, %v", out, err)
	}
	out, err = cli(t, runPeer, "status", "--data", data)
	if err != nil || !strings.Contains(out, "not running") || !strings.Contains(out, "uz-node") {
		t.Errorf("peer status = %q, %v", out, err)
	}
	if out, err := cli(t, runPeer, "remove", "uz-node", "--data", data); err != nil || !strings.Contains(out, "removed") {
		t.Errorf("peer remove = %q, %v", out, err)
	}
	if _, err := cli(t, runPeer, "remove", "uz-node", "--data", data); err == nil || !strings.Contains(err.Error(), "no such peer") {
		t.Errorf("second remove = %v", err)
	}
	if _, err := cli(t, runPeer, "frobnicate"); err != errUsage {
		t.Errorf("unknown subcommand = %v, want usage", err)
	}
}
