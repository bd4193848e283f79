package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runEWCmd(t *testing.T, f func(context.Context, []string, func(string) string, *bytes.Buffer, *bytes.Buffer) error, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := f(context.Background(), args, noEnv, &out, &errOut)
	return out.String(), errOut.String(), err
}

func ingestCmd(ctx context.Context, args []string, env func(string) string, out, errOut *bytes.Buffer) error {
	return runIngest(ctx, args, env, out, errOut)
}

func evalCmd(ctx context.Context, args []string, env func(string) string, out, errOut *bytes.Buffer) error {
	return runEval(ctx, args, env, out, errOut)
}

func sourcesCmd(ctx context.Context, args []string, env func(string) string, out, errOut *bytes.Buffer) error {
	return runSources(ctx, args, env, out, errOut)
}

const ewCorpusDir = "../../data/corpus"

func TestIngestJSON(t *testing.T) {
	out, errOut, err := runEWCmd(t, ingestCmd, "--format", "json", filepath.Join(ewCorpusDir, "en/02-almaty-riots.txt"))
	if err != nil {
		t.Fatalf("%v: %s", err, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d events, want 3:\n%s", len(lines), out)
	}
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"type", "cameo", "date", "country", "place", "actors", "attribution", "language", "evidence"} {
			if _, ok := m[k]; !ok {
				t.Errorf("no %q in %s", k, l)
			}
		}
	}
	var first struct {
		Type        string   `json:"type"`
		Date        *string  `json:"date"`
		Attribution []string `json:"attribution"`
	}
	json.Unmarshal([]byte(lines[0]), &first)
	if first.Type != "riot" || first.Date == nil || *first.Date != "2022-01-05" ||
		strings.Join(first.Attribution, "|") != "Caspian Ledger|Tengrinews|Almaty Police Department" {
		t.Errorf("first event %+v", first)
	}
	// Flags may follow the target too.
	out2, _, err := runEWCmd(t, ingestCmd, filepath.Join(ewCorpusDir, "en/02-almaty-riots.txt"), "--format", "json")
	if err != nil || out2 != out {
		t.Errorf("flags after the target: %v", err)
	}
}

func TestIngestTableDir(t *testing.T) {
	out, _, err := runEWCmd(t, ingestCmd, filepath.Join(ewCorpusDir, "kk"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "DATE") || !strings.Contains(out, "events in 9 articles") || !strings.Contains(out, "2022-01-05") {
		t.Errorf("table:\n%s", out)
	}
}

func TestIngestURL(t *testing.T) {
	feed := `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Steppe Wire</title><language>en</language>
<item><title>Protests</title><link>https://steppe-wire.example/1</link><pubDate>Mon, 03 Jan 2022 08:30:00 +0000</pubDate>
<description>Hundreds of people protested on the main square of Zhanaozen on 2 January, according to Kazinform.</description></item></channel></rss>`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, feed)
	}))
	defer srv.Close()
	out, errOut, err := runEWCmd(t, ingestCmd, "--format", "json", "--source", "Steppe Wire", srv.URL+"/rss")
	if err != nil {
		t.Fatalf("%v: %s", err, errOut)
	}
	if !strings.Contains(out, `"type":"protest"`) || !strings.Contains(out, `"date":"2022-01-02"`) || !strings.Contains(out, `"attribution":["Steppe Wire","Kazinform"]`) {
		t.Errorf("got %s", out)
	}
	_, _, err = runEWCmd(t, ingestCmd, srv.URL+"/missing")
	if err == nil || !strings.Contains(err.Error(), "HTTP 404") {
		t.Errorf("missing page: %v", err)
	}
}

func TestIngestErrors(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "good.txt"), []byte("Protesters clashed with riot police in Almaty on 4 January 2022."), 0o644)
	os.WriteFile(filepath.Join(dir, "bad.txt"), []byte("url: x\n\nbody"), 0o644)
	tests := []struct {
		args []string
		want string
		code int
	}{
		{[]string{filepath.Join(dir, "nope.txt")}, "no such file", 1},
		{[]string{"--format", "xml", dir}, "--format", 1},
		{[]string{"--lang", "fr", dir}, "--lang", 1},
		{[]string{}, "usage", 2},
		{[]string{dir}, "some input could not be read", 1},
	}
	for _, tt := range tests {
		out, errOut, err := runEWCmd(t, ingestCmd, tt.args...)
		if err == nil || !strings.Contains(err.Error(), tt.want) || exitCode(err) != tt.code {
			t.Errorf("%v: got %v (exit %d), want %q", tt.args, err, exitCode(err), tt.want)
		}
		if len(tt.args) == 1 && tt.args[0] == dir {
			if !strings.Contains(errOut, "bad.txt") || !strings.Contains(out, "riot") {
				t.Errorf("partial read: out %q err %q", out, errOut)
			}
		}
	}
}

func TestEval(t *testing.T) {
	out, _, err := runEWCmd(t, evalCmd, "--format", "json", ewCorpusDir)
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Languages map[string]struct {
			F1 float64 `json:"f1"`
		} `json:"languages"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Languages) != 9 {
		t.Errorf("%d languages", len(r.Languages))
	}
	for l, s := range r.Languages {
		if s.F1 < 0.8 {
			t.Errorf("%s: F1 %.2f", l, s.F1)
		}
	}
	out, _, err = runEWCmd(t, evalCmd, "--misses", ewCorpusDir)
	if err != nil || !strings.Contains(out, "precision") || !strings.Contains(out, "all") {
		t.Errorf("table: %v\n%s", err, out)
	}
	if _, _, err := runEWCmd(t, evalCmd, t.TempDir()); err == nil {
		t.Error("eval of an empty folder succeeded")
	}
}

func TestSourcesCommands(t *testing.T) {
	data := t.TempDir()
	local := t.TempDir()
	ok := func(args ...string) string {
		t.Helper()
		out, errOut, err := runEWCmd(t, sourcesCmd, args...)
		if err != nil {
			t.Fatalf("%v: %v %s", args, err, errOut)
		}
		return out
	}
	ok("add", "--data", data, "--name", "Steppe Wire", "--url", "https://steppe-wire.example/rss", "--lang", "en")
	ok("add", "--data", data, "--name", "Archive", "--url", local, "--interval", "1h")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"add", "--data", data, "--name", "Steppe Wire", "--url", "https://x.example/"}, "exists"},
		{[]string{"add", "--data", data, "--name", "X", "--url", "ftp://x.example/"}, "scheme"},
		{[]string{"add", "--data", data, "--name", "X", "--url", "https://x.example/", "--interval", "10s"}, "interval: 10s is shorter than 1m0s"},
		{[]string{"add", "--data", data, "--name", "X", "--url", "https://x.example/", "--lang", "de"}, "lang"},
		{[]string{"add", "--data", data, "--name", "X", "--url", filepath.Join(local, "nope")}, "no such file or folder"},
		{[]string{"add", "--data", data, "--url", "https://x.example/"}, "name: empty"},
		{[]string{"remove", "--data", data, "--name", "Nope"}, "no source named"},
		{[]string{"frobnicate"}, "usage"},
	} {
		if _, _, err := runEWCmd(t, sourcesCmd, tt.args...); err == nil || !strings.Contains(err.Error()+fmt.Sprint(exitCode(err)), tt.want) && !(tt.want == "usage" && exitCode(err) == 2) {
			t.Errorf("%v: got %v, want %q", tt.args, err, tt.want)
		}
	}
	out := ok("list", "--data", data)
	if !strings.Contains(out, "Steppe Wire") || !strings.Contains(out, "Archive") || !strings.Contains(out, "never") {
		t.Errorf("list:\n%s", out)
	}
	ok("remove", "--data", data, "--name", "Archive")
	out = ok("list", "--data", data, "--format", "json")
	var list []map[string]any
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list) != 1 || list[0]["name"] != "Steppe Wire" || list[0]["interval"] != "15m0s" {
		t.Errorf("json list: %v\n%s", err, out)
	}
}
