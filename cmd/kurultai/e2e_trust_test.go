package main

import (
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/seed"
)

// TestEndToEndSignatures posts an object through TAXII, reads it back and
// checks its signature offline with 'kurultai verify' against the key
// document the node publishes; one changed byte must fail verification.
func TestEndToEndSignatures(t *testing.T) { storeVariants(t, endToEndSignatures) }

func endToEndSignatures(t *testing.T, extra []string) {
	dir := t.TempDir()
	p := startBinary(t, append([]string{"demo", "--data", dir, "--listen", "127.0.0.1:0"}, extra...)...)
	a := readAccounts(t, dir)["kz-liaison"]
	kz := &taxiiClient{t: t, base: p.url, user: a.Username, pass: a.Password}

	id, obj := indicator("signed by the node", "2022-01-03T10:00:00.000Z", kurultai.TLP2GreenID, seed.AudienceMarkingID("KZ"))
	if code, _, body := kz.do(http.MethodPost, collPath+"/objects/", []byte(`{"objects":[`+obj+`]}`)); code != http.StatusAccepted || !strings.Contains(string(body), `"success_count":1`) {
		t.Fatalf("POST = %d %s", code, body)
	}
	// The same object again, formatted differently: the node signs it to
	// other bytes, yet it is the same content, so the re-send succeeds.
	reformatted := strings.ReplaceAll(obj, `","`, `", "`)
	if code, _, body := kz.do(http.MethodPost, collPath+"/objects/", []byte(`{"objects":[`+reformatted+`]}`)); code != http.StatusAccepted || !strings.Contains(string(body), `"success_count":1`) {
		t.Fatalf("re-POST of the same content = %d %s, want an idempotent success", code, body)
	}
	code, _, env := kz.do(http.MethodGet, collPath+"/objects/"+id+"/", nil)
	if code != http.StatusOK || !strings.Contains(string(env), kurultai.SignatureExtensionID) {
		t.Fatalf("GET = %d, want the object with its signature extension: %s", code, env)
	}
	resp, err := http.Get(p.url + "/.well-known/kurultai/keys")
	if err != nil {
		t.Fatal(err)
	}
	keys, err := readAll(resp)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("keys document: %d %v", resp.StatusCode, err)
	}
	tmp := t.TempDir()
	keysFile, envFile, badFile := filepath.Join(tmp, "keys.json"), filepath.Join(tmp, "env.json"), filepath.Join(tmp, "bad.json")
	write := func(path string, b []byte) {
		t.Helper()
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(keysFile, keys)
	write(envFile, env)
	write(badFile, []byte(strings.Replace(string(env), "signed by the node", "signed by the nodE", 1)))

	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "verify", "--keys", keysFile, envFile).CombinedOutput()
	if err != nil || !strings.Contains(string(out), id) || !strings.Contains(string(out), "OK") {
		t.Fatalf("verify of the served object: %v\n%s", err, out)
	}
	out, err = exec.Command(bin, "verify", "--keys", keysFile, badFile).CombinedOutput()
	if err == nil || !strings.Contains(string(out), id) || !strings.Contains(string(out), "bad signature") {
		t.Fatalf("verify of a changed object: err=%v, want a failure naming %s\n%s", err, id, out)
	}
}

func readAll(resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}
