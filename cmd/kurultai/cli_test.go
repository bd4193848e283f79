package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func noEnv(string) string { return "" }

func runCmd(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, noEnv, &out, &errOut)
	return out.String(), errOut.String(), err
}

// TestServeUserToken runs serve in process, adds a user and a token with the
// CLI and reads TAXII discovery with the token.
func TestServeUserToken(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut syncBuffer
	exited := make(chan error, 1)
	go func() {
		exited <- run(ctx, []string{"serve", "--data", dir, "--listen", "127.0.0.1:0", "--log-level", "warn"}, noEnv, &out, &errOut)
	}()
	var url string
	re := regexp.MustCompile(`running at (\S+)`)
	for deadline := time.Now().Add(30 * time.Second); url == ""; {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			url = m[1]
		}
		select {
		case err := <-exited:
			t.Fatalf("serve exited: %v\n%s", err, errOut.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve printed no URL\n%s", errOut.String())
		}
		time.Sleep(5 * time.Millisecond)
	}

	pwFile := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pwFile, []byte("correct horse battery staple\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if o, e, err := runCmd(t, "user", "add", "--data", dir, "--username", "kz-desk", "--participant", "KZ", "--role", "liaison", "--password-file", pwFile); err != nil || !strings.Contains(o, "created user kz-desk") {
		t.Fatalf("user add: %v %s %s", err, o, e)
	}
	if _, _, err := runCmd(t, "user", "add", "--data", dir, "--username", "kz-desk", "--participant", "KZ", "--role", "liaison"); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("duplicate user add: %v", err)
	}
	tok, e, err := runCmd(t, "token", "create", "--data", dir, "--username", "kz-desk", "--label", "test")
	if err != nil {
		t.Fatalf("token create: %v %s", err, e)
	}
	tok = strings.TrimSpace(tok)

	get := func(authz string) int {
		req, _ := http.NewRequest(http.MethodGet, url+"/taxii2/", nil)
		req.Header.Set("Accept", taxiiType)
		req.Header.Set("Authorization", authz)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := get("Bearer " + tok); code != http.StatusOK {
		t.Errorf("discovery with token = %d", code)
	}
	if code := get("Bearer " + tok + "x"); code != http.StatusUnauthorized {
		t.Errorf("discovery with a wrong token = %d, want 401", code)
	}
	req, _ := http.NewRequest(http.MethodGet, url+"/taxii2/", nil)
	req.SetBasicAuth("kz-desk", "correct horse battery staple")
	if code := get(req.Header.Get("Authorization")); code != http.StatusOK {
		t.Errorf("discovery with Basic = %d", code)
	}
	for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
		resp, err := http.Get(url + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %d", path, resp.StatusCode)
		}
	}
	cancel()
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("serve returned %v after cancel", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
}

func TestCLIErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"nonsense"}, "usage"},
		{[]string{"serve", "--listen", "nohost"}, "listen"},
		{[]string{"user", "add", "--data", dir, "--username", "x!", "--participant", "KZ", "--role", "liaison"}, "--username"},
		{[]string{"user", "add", "--data", dir, "--username", "abc", "--participant", "KZ", "--role", "king"}, "--role"},
		{[]string{"user", "add", "--data", dir, "--username", "abc", "--participant", "KZ", "--role", "liaison"}, "no node database"},
		{[]string{"token", "create", "--data", dir, "--username", "abc", "--expires", "-1h"}, "--expires"},
		{[]string{"bench", "taxii", "--url", "ftp://x"}, "--url"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, _, err := runCmd(t, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"serve", "--help"}, {"demo", "--help"}, {"user", "add", "--help"}, {"token", "create", "--help"}, {"bench", "taxii", "--help"}} {
		o, e, err := runCmd(t, args...)
		if err != nil {
			t.Errorf("%v: %v", args, err)
		}
		if !strings.Contains(o+e, "Usage: kurultai") {
			t.Errorf("%v printed no usage: %q", args, o+e)
		}
	}
}
