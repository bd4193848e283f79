package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// binary builds the kurultai binary once per test process.
var binary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "kurultai-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "kurultai")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// proc is the real binary running as a child process.
type proc struct {
	cmd    *exec.Cmd
	url    string
	stderr *bytes.Buffer
	exited chan error
}

var urlLine = regexp.MustCompile(`running at (http://\S+)`)

// startBinary runs `kurultai args...` and waits for the line with its URL.
func startBinary(t *testing.T, args ...string) *proc {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test builds and runs the binary; skipped with -short")
	}
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: exec.Command(bin, args...), stderr: &bytes.Buffer{}, exited: make(chan error, 1)}
	p.cmd.Stderr = &lockedWriter{w: p.stderr}
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := urlLine.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
		p.exited <- p.cmd.Wait()
	}()
	select {
	case p.url = <-found:
	case err := <-p.exited:
		t.Fatalf("kurultai %s exited early: %v\n%s", strings.Join(args, " "), err, p.stderr)
	case <-time.After(60 * time.Second):
		p.cmd.Process.Kill()
		t.Fatalf("kurultai %s printed no URL within 60s\n%s", strings.Join(args, " "), p.stderr)
	}
	t.Cleanup(func() { p.stop(t) })
	return p
}

// stop sends SIGINT and waits for a clean exit.
func (p *proc) stop(t *testing.T) {
	t.Helper()
	if p.cmd.ProcessState != nil {
		return
	}
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		p.cmd.Process.Kill()
		<-p.exited
		t.Errorf("kurultai did not stop within 30s of SIGINT")
	}
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// taxiiClient speaks TAXII 2.1 as one user.
type taxiiClient struct {
	t          *testing.T
	base       string
	user, pass string
	token      string
}

const taxiiType = "application/taxii+json;version=2.1"

func (c *taxiiClient) do(method, path string, body []byte) (int, http.Header, []byte) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	} else {
		req.SetBasicAuth(c.user, c.pass)
	}
	req.Header.Set("Accept", taxiiType)
	if body != nil {
		req.Header.Set("Content-Type", taxiiType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

// getJSON GETs path, expects 200 and decodes into v.
func (c *taxiiClient) getJSON(path string, v any) http.Header {
	c.t.Helper()
	code, h, body := c.do(http.MethodGet, path, nil)
	if code != http.StatusOK {
		c.t.Fatalf("%s GET %s = %d: %s", c.user, path, code, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		c.t.Fatalf("%s GET %s: %v: %s", c.user, path, err, body)
	}
	return h
}

type envelope struct {
	More    bool             `json:"more"`
	Next    string           `json:"next"`
	Objects []map[string]any `json:"objects"`
}

type manifest struct {
	More    bool `json:"more"`
	Next    string
	Objects []struct {
		ID        string `json:"id"`
		DateAdded string `json:"date_added"`
		Version   string `json:"version"`
		MediaType string `json:"media_type"`
	} `json:"objects"`
}

type account struct {
	Username    string `json:"username"`
	Password    string `json:"password"`
	Participant string `json:"participant"`
	Role        string `json:"role"`
}

func readAccounts(t *testing.T, dir string) map[string]account {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "demo-accounts.json"))
	if err != nil {
		t.Fatal(err)
	}
	var list []account
	if err := json.Unmarshal(b, &list); err != nil {
		t.Fatal(err)
	}
	out := map[string]account{}
	for _, a := range list {
		out[a.Username] = a
	}
	return out
}
