package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumPath finds Debian's Chromium. Without it the browser test skips
// loudly on a developer's machine and fails in CI, which installs it.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "/usr/bin/chromium"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "\n" + strings.Repeat("!", 72) + "\n!! Chromium is not installed: the browser end-to-end test does NOT run.\n" +
		"!! Install it with: apt-get install -y chromium\n" + strings.Repeat("!", 72)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	fmt.Fprintln(os.Stderr, msg)
	t.Skip(msg)
	return ""
}

// browser is one headless Chromium tab, with a fresh profile.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string
	pass map[string]string
}

func newBrowser(t *testing.T, base string, pass map[string]string) *browser {
	t.Helper()
	exe := chromiumPath(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.Headless, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1440, 1000),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("lang", "en-US"),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	ctx, cancelTime := context.WithTimeout(ctx, 4*time.Minute)
	t.Cleanup(func() { cancelTime(); cancelCtx(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return &browser{t: t, ctx: ctx, base: base, pass: pass}
}

func (b *browser) run(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.fail(what, err)
	}
}

// get runs one action that returns a value.
func get[T any](b *browser, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, a)
	if err != nil {
		b.fail(what, err)
	}
	return v
}

func (b *browser) fail(what string, err error) {
	b.t.Helper()
	loc, _ := chromedp.Run(b.ctx, chromedp.Location())
	body, _ := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS("body")))
	b.t.Fatalf("%s: %v\nat %s:\n%s", what, err, loc, body)
}

// login signs in through the form as user.
func (b *browser) login(user string) {
	b.t.Helper()
	b.run("sign in as "+user,
		chromedp.Navigate(b.base+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), user),
		chromedp.SendKeys(chromedp.CSS("#password"), b.pass[user]),
	)
	b.clickAndWait("sign in as "+user, `#login-form button[type=submit]`, `document.querySelector('form[action="/logout"]') !== null`)
}

func (b *browser) logout() {
	b.t.Helper()
	b.clickAndWait("sign out", `form[action="/logout"] button`, `document.querySelector("#username") !== null`)
}

// text returns the text of the first element matching sel.
func (b *browser) text(sel string) string {
	b.t.Helper()
	return strings.TrimSpace(get(b, "read "+sel, chromedp.Text(chromedp.CSS(sel))))
}

func (b *browser) body() string { return b.text("body") }

// submit clicks a form's button and waits for the page it leads to.
func (b *browser) submit(form string) {
	b.t.Helper()
	b.clickAndWait("submit "+form, form+` button[type=submit]`, `document.querySelector("p.flash") !== null`)
}

// clickAndWait clicks the element and waits until a new document has
// loaded and cond (JavaScript) holds in it. Waiting for an element alone
// is not enough: the page being left may have one too (the flash of the
// previous action), and the next click would then hit a page that is
// going away.
func (b *browser) clickAndWait(what, sel, cond string) {
	b.t.Helper()
	b.run(what+": mark the page", chromedp.Evaluate[chromedp.Void](`window.__kurultaiLeft = true`))
	b.run(what, chromedp.Click(chromedp.CSS(sel)))
	deadline := time.Now().Add(30 * time.Second)
	for {
		// Errors while the old document goes away are expected: retry.
		done, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](
			`window.__kurultaiLeft !== true && document.readyState === "complete" && (`+cond+`)`))
		if err == nil && done {
			return
		}
		if time.Now().After(deadline) {
			b.fail(what+": no new page within 30s", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestBrowserCrisisFlow drives the pages in headless Chromium: the KZ
// liaison requests consultation; the chair moves to consultation and asks
// for consent, which KZ grants; the secretariat drafts a statement and the
// chair opens silence on it; the UZ liaison breaks it with an objection;
// each sees the right statuses, and an observer cannot see the draft.
func TestBrowserCrisisFlow(t *testing.T) {
	chromiumPath(t) // skip (or fail in CI) before starting the node
	dir := t.TempDir()
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

	// KZ, the affected state, asks for consultation from the situation room.
	b.login("kz-liaison")
	if !strings.Contains(b.body(), "Kazakhstan unrest") {
		t.Fatalf("KZ's desk lacks the demo situation:\n%s", b.body())
	}
	b.run("open the situation", chromedp.Click(chromedp.Search(`//a[text()="Kazakhstan unrest"]`)),
		chromedp.WaitVisible(chromedp.CSS("#act-h")))
	room := strings.TrimPrefix(get(b, "location", chromedp.Location()), p.url)
	b.run("type the reason", chromedp.SendKeys(chromedp.CSS("#rc-reason"), "Riots in Almaty; we ask the members to consult."))
	b.submit("#form-request_consultation")
	if got := b.text("ol.timeline"); !strings.Contains(got, "Consultation requested") {
		t.Errorf("timeline after the request lacks it:\n%s", got)
	}
	b.logout()

	// The chair opens consultation and asks for consent; KZ grants it.
	b.login("tr-chair")
	b.run("go to the room", chromedp.Navigate(p.url+room), chromedp.WaitVisible(chromedp.CSS("#form-change_mode")),
		chromedp.SetValue(chromedp.CSS("#cm-to"), "consultation"))
	b.submit("#form-change_mode")
	b.submit("#form-ask_consent")
	b.logout()
	b.login("kz-liaison")
	b.run("answer consent", chromedp.Navigate(p.url+room), chromedp.WaitVisible(chromedp.CSS("#form-answer_consent")),
		chromedp.Click(chromedp.CSS(`input[name=answer][value=granted]`)))
	b.submit("#form-answer_consent")
	b.logout()

	// The secretariat drafts the statement.
	b.login("sec-officer")
	b.run("draft", chromedp.Navigate(p.url+room), chromedp.WaitVisible(chromedp.CSS("#form-draft_statement")),
		chromedp.SendKeys(chromedp.CSS("#ds-title"), "Statement on the situation in Kazakhstan"),
		chromedp.SendKeys(chromedp.CSS("#ds-text"), "The member states express their solidarity with Kazakhstan."))
	b.submit("#form-draft_statement")
	statement := get(b, "find the statement", chromedp.AttributeValue(chromedp.CSS(`nav.tabs a[href*="/statements/"]`), "href")).Value
	b.logout()

	// The chair opens silence on it.
	b.login("tr-chair")
	b.run("open silence", chromedp.Navigate(p.url+statement), chromedp.WaitVisible(chromedp.CSS("#form-open_silence")),
		chromedp.SetValue(chromedp.CSS("#os-urgency"), "urgent"))
	b.submit("#form-open_silence")
	if got := b.text("#silence-status"); got != "open" {
		t.Errorf("chair sees silence %q, want open", got)
	}
	if got := b.text(`tr[data-member="UZ"] .status`); got != "silent" {
		t.Errorf("chair sees UZ %q, want silent", got)
	}
	b.logout()

	// UZ breaks it with an objection.
	b.login("uz-liaison")
	b.run("object", chromedp.Navigate(p.url+statement), chromedp.WaitVisible(chromedp.CSS("#form-break_silence")),
		chromedp.SendKeys(chromedp.CSS("#bs-text"), "We object: the text must mention the request for assistance."))
	b.submit("#form-break_silence")
	if got := b.text("#silence-status"); got != "broken" {
		t.Errorf("UZ sees silence %q, want broken", got)
	}
	if got := b.text(`tr[data-member="UZ"] .status`); got != "objected" {
		t.Errorf("UZ sees its own status %q, want objected", got)
	}
	b.logout()

	// KZ and the chair see the break; KZ itself stayed silent.
	for _, user := range []string{"kz-liaison", "tr-chair"} {
		b.login(user)
		b.run("read the statement", chromedp.Navigate(p.url+statement), chromedp.WaitVisible(chromedp.CSS("#silence-status")))
		if got := b.text("#silence-status"); got != "broken" {
			t.Errorf("%s sees silence %q, want broken", user, got)
		}
		if got := b.text(`tr[data-member="UZ"] .status`); got != "objected" {
			t.Errorf("%s sees UZ %q, want objected", user, got)
		}
		if got := b.text(`tr[data-member="KZ"] .status`); got != "silent" {
			t.Errorf("%s sees KZ %q, want silent", user, got)
		}
		b.logout()
	}

	// An observer sees neither the draft nor the situation.
	b.login("hu-liaison")
	if strings.Contains(b.body(), "Kazakhstan unrest") {
		t.Errorf("observer's desk shows the members-only situation:\n%s", b.body())
	}
	b.run("observer opens the statement", chromedp.Navigate(p.url+statement), chromedp.WaitVisible(chromedp.CSS("main h1")))
	if body := b.body(); !strings.Contains(body, "Not found") || strings.Contains(body, "solidarity") {
		t.Errorf("observer reaches the draft:\n%s", body)
	}
	b.logout()

	// The crisis desk as the chair sees it, for docs/screenshots.
	b.login("tr-chair")
	b.run("open the desk", chromedp.Navigate(p.url+"/"), chromedp.WaitVisible(chromedp.CSS("#sit-h")))
	png := get(b, "screenshot", chromedp.FullScreenshot(100))
	if len(png) < 1000 {
		t.Fatalf("screenshot of %d bytes", len(png))
	}
	out := filepath.Join(t.TempDir(), "crisis-desk.png")
	if os.Getenv("KURULTAI_SCREENSHOTS") != "" {
		out = filepath.Join(os.Getenv("KURULTAI_SCREENSHOTS"), "crisis-desk.png")
	}
	if err := os.WriteFile(out, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("crisis desk screenshot: %s", out)
}
