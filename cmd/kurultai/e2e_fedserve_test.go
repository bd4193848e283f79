package main

import (
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/seed"
)

// TestEndToEndFederationServe federates two real processes the way an
// operator does: a deployment CA, a certificate per node, 'serve
// --federation-listen', and peers added with 'kurultai peer add' while
// both nodes run. What KZ's node may pass to the hub arrives there; what
// only KZ may see does not.
func TestEndToEndFederationServe(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test builds and runs the binary; skipped with -short")
	}
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	kurultaiCmd := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(bin, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("kurultai %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	root := t.TempDir()
	ca := filepath.Join(root, "ca")
	kurultaiCmd("ca", "init", "--dir", ca)
	type side struct {
		code, data, fed string
		p               *proc
		keys            string
	}
	sides := []*side{{code: "SEC"}, {code: "KZ"}}
	pw := filepath.Join(root, "pw")
	if err := os.WriteFile(pw, []byte("correct horse battery\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, s := range sides {
		s.data = filepath.Join(root, strings.ToLower(s.code))
		s.fed = freeAddr(t)
		kurultaiCmd("cert", "issue", "--ca", ca, "--participant", s.code, "--host", "127.0.0.1", "--data", s.data)
		s.p = startBinary(t, "serve", "--data", s.data, "--participant", s.code, "--listen", "127.0.0.1:0",
			"--federation-listen", s.fed)
		s.keys = filepath.Join(root, s.code+"-keys.json")
		if err := os.WriteFile(s.keys, []byte(kurultaiCmd("key", "export", "--data", s.data, "--participant", s.code)), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	kurultaiCmd("user", "add", "--data", sides[0].data, "--username", "sec1", "--participant", "SEC", "--role", "secretariat", "--password-file", pw)
	kurultaiCmd("user", "add", "--data", sides[1].data, "--username", "kz1", "--participant", "KZ", "--role", "liaison", "--password-file", pw)
	for i, s := range sides {
		o := sides[1-i]
		kurultaiCmd("peer", "add", strings.ToLower(o.code)+"-node", "--data", s.data, "--url", "tls://"+o.fed,
			"--participant", o.code, "--key", o.keys)
	}
	sec := &taxiiClient{t: t, base: sides[0].p.url, user: "sec1", pass: "correct horse battery"}
	kz := &taxiiClient{t: t, base: sides[1].p.url, user: "kz1", pass: "correct horse battery"}

	rel := seed.AudienceMarkingID
	const v1 = "2022-01-05T10:00:00.000Z"
	idShared, shared := indicator("served to members", v1, kurultai.TLP2GreenID, rel("members"))
	idOwn, own := indicator("KZ only", v1, kurultai.TLP2AmberID, rel("KZ"))
	if code, _, resp := kz.do(http.MethodPost, collPath+"/objects/", []byte(`{"objects":[`+shared+","+own+`]}`)); code != http.StatusAccepted {
		t.Fatalf("POST on KZ's node = %d %s", code, resp)
	}
	waitFor(t, "the shared object on the hub", func() bool { return slices.Contains(ids(sec), idShared) })
	if slices.Contains(ids(sec), idOwn) {
		t.Errorf("%s (KZ only) reached the hub", idOwn)
	}
	waitFor(t, "'peer status' shows the link up", func() bool {
		for _, line := range strings.Split(kurultaiCmd("peer", "status", "--data", sides[1].data), "\n") {
			if f := strings.Fields(line); len(f) > 4 && f[0] == "sec-node" && f[2] == "up" && f[3] == "0" {
				return true // up, nothing behind
			}
		}
		return false
	})
}

// freeAddr returns a loopback address with a port that is free now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
