package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserEarlyWarning reads the sample corpus as news on a demo node
// and looks at the early-warning page in Chromium: KZ's liaison sees the
// stories about Kazakhstan with their growth drawn, the events of a story
// with their source chains and the sources with their health; Hungary's
// liaison (an observer, outside the stories' "members" audience) sees no
// story at all.
func TestBrowserEarlyWarning(t *testing.T) {
	chromiumPath(t)
	dir := t.TempDir()
	corpus, err := filepath.Abs(filepath.Join("..", "..", demoCorpus))
	if err != nil {
		t.Fatal(err)
	}
	// The demo reads the corpus when run from the repository's root;
	// the test runs in cmd/kurultai, so it writes the same file itself.
	t.Chdir(filepath.Join("..", ".."))
	var discard strings.Builder
	if err := demoSources(dir, &discard); err != nil || !strings.Contains(discard.String(), "sample news") {
		t.Fatalf("demo sources: %v %q", err, discard.String())
	}
	t.Chdir(filepath.Join("cmd", "kurultai"))
	p := startBinary(t, "demo", "--data", dir, "--listen", "127.0.0.1:0")
	raw, err := os.ReadFile(filepath.Join(dir, "demo-accounts.json"))
	if err != nil {
		t.Fatal(err)
	}
	var accounts []struct{ Username, Password string }
	if err := json.Unmarshal(raw, &accounts); err != nil {
		t.Fatal(err)
	}
	pass := map[string]string{}
	for _, a := range accounts {
		pass[a.Username] = a.Password
	}
	b := newBrowser(t, p.url, pass)

	b.login("kz-liaison")
	deadline := time.Now().Add(90 * time.Second)
	for {
		b.run("open early warning", chromedp.Navigate(p.url+"/early-warning"), chromedp.WaitVisible(chromedp.CSS("#ew-stories-h")))
		n := get(b, "count stories", chromedp.Evaluate[int](`document.querySelectorAll("tr[data-story]").length`))
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no story on the early-warning page after 90 s of reading %s:\n%s", corpus, b.body())
		}
		time.Sleep(time.Second)
	}
	stories := b.text("table.stories")
	if !strings.Contains(stories, "KZ") {
		t.Errorf("KZ's liaison sees no story about Kazakhstan:\n%s", stories)
	}
	if n := get(b, "count sparklines", chromedp.Evaluate[int](`document.querySelectorAll("tr[data-story] svg").length`)); n == 0 {
		t.Error("the stories have no growth chart")
	}
	if n := get(b, "count events", chromedp.Evaluate[int](`document.querySelectorAll("li[data-event]").length`)); n == 0 {
		t.Errorf("the current story lists no event:\n%s", b.body())
	}
	if body := b.body(); !strings.Contains(body, "sample-corpus-ru") || !strings.Contains(body, "healthy") {
		t.Errorf("the sources are not listed with their health:\n%s", body)
	}
	png := get(b, "screenshot", chromedp.FullScreenshot(100))
	if out := os.Getenv("KURULTAI_SCREENSHOTS"); out != "" {
		if err := os.WriteFile(filepath.Join(out, "early-warning.png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b.logout()

	b.login("hu-liaison")
	b.run("open early warning as HU", chromedp.Navigate(p.url+"/early-warning"), chromedp.WaitVisible(chromedp.CSS("#ew-stories-h")))
	if n := get(b, "count stories", chromedp.Evaluate[int](`document.querySelectorAll("tr[data-story]").length`)); n != 0 {
		t.Errorf("Hungary's liaison sees %d stories released to members only:\n%s", n, b.text("table.stories"))
	}
}
