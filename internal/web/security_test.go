package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestSecurityHeaders(t *testing.T) {
	s := newScenario(t)
	c := s.w.login("kz-liaison")
	for _, path := range []string{"/", "/login", "/static/app.css", "/intel", "/situations/" + s.sit} {
		resp, err := c.http.Get(s.w.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		for k, want := range map[string]string{
			"Content-Security-Policy": "default-src 'self'; script-src 'self'",
			"X-Frame-Options":         "DENY",
			"X-Content-Type-Options":  "nosniff",
			"Referrer-Policy":         "no-referrer",
		} {
			if got := resp.Header.Get(k); !strings.HasPrefix(got, want) {
				t.Errorf("%s: %s = %q, want %q", path, k, got, want)
			}
		}
	}
}

func TestSessionCookieFlags(t *testing.T) {
	s := newScenario(t)
	c := s.w.login("kz-liaison")
	u, _ := url.Parse(s.w.srv.URL)
	if len(c.http.Jar.Cookies(u)) == 0 {
		t.Fatal("no session cookie")
	}
	// The jar hides the flags: sign in by hand and read Set-Cookie.
	_, _, doc := c.get("/login") // signed in: redirected, so use a fresh client
	_ = doc
	fresh := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := fresh.Get(s.w.srv.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var token string
	for _, ck := range resp.Cookies() {
		if ck.Name == loginCookie {
			token = ck.Value
		}
	}
	req, _ := http.NewRequest("POST", s.w.srv.URL+"/login", strings.NewReader(url.Values{"csrf": {token}, "username": {"kz-liaison"}, "password": {testPassword}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: loginCookie, Value: token})
	resp, err = fresh.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var found bool
	for _, h := range resp.Header.Values("Set-Cookie") {
		if strings.HasPrefix(h, sessionCookie+"=") {
			found = true
			for _, want := range []string{"HttpOnly", "SameSite=Strict", "Path=/"} {
				if !strings.Contains(h, want) {
					t.Errorf("session cookie %q lacks %s", h, want)
				}
			}
			if strings.Contains(h, "Secure") {
				t.Errorf("plain-HTTP session cookie is Secure: %q", h)
			}
			if v := strings.TrimPrefix(strings.SplitN(h, ";", 2)[0], sessionCookie+"="); len(v) < 43 {
				t.Errorf("session id %q is shorter than 256 bits", v)
			}
		}
	}
	if !found {
		t.Fatalf("sign-in set no session cookie: %v", resp.Header)
	}
}

func TestCSRFRefused(t *testing.T) {
	s := newScenario(t)
	c := s.w.login("kz-liaison")
	page := "/situations/" + s.sit
	action := "/situations/" + s.sit + "/actions/post_report"
	count := func() int {
		st, err := s.w.svc.Situation(s.w.ctx, s.w.users["kz-liaison"], s.sit, s.w.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		return len(st.Reports)
	}
	before := count()
	for name, token := range map[string]string{"missing": "", "forged": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"} {
		form := url.Values{"text": {"forged report"}, "back": {page}}
		if token != "" {
			form.Set("csrf", token)
		}
		if resp := c.post(action, form); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s token: %d, want 403", name, resp.StatusCode)
		}
	}
	// Another session's token does not do either.
	other := s.w.login("kz-liaison")
	_, _, doc := other.get(page)
	form := url.Values{"text": {"forged report"}, "back": {page}, "csrf": {attr(find(doc, byAttr("name", "csrf")), "value")}}
	if resp := c.post(action, form); resp.StatusCode != http.StatusForbidden {
		t.Errorf("another session's token: %d, want 403", resp.StatusCode)
	}
	if got := count(); got != before {
		t.Fatalf("refused forms wrote %d reports", got-before)
	}
	if resp := c.postPage(page, action, url.Values{"text": {"a real report"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("genuine form: %d", resp.StatusCode)
	}
	if got := count(); got != before+1 {
		t.Fatalf("genuine form wrote %d reports, want 1", got-before)
	}
}

func TestLoginCSRFAndRateLimit(t *testing.T) {
	s := newScenario(t)
	c := s.w.login("kz-liaison")
	// The sign-in form without its double-submit token.
	if resp := c.post("/login", url.Values{"username": {"uz-liaison"}, "password": {testPassword}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("sign-in without token: %d, want 403", resp.StatusCode)
	}
	// Wrong passwords for one user: five tries, then 429.
	var last int
	for i := range 7 {
		_, _, doc := c.get("/login?x=" + time.Duration(i).String())
		_ = doc
		fresh := s.w.loginForm(t)
		resp := fresh.post("/login", url.Values{"csrf": {fresh.token}, "username": {"uz-liaison"}, "password": {"wrong"}})
		last = resp.StatusCode
		if i < 5 && last != http.StatusUnauthorized {
			t.Errorf("try %d: %d, want 401", i+1, last)
		}
	}
	if last != http.StatusTooManyRequests {
		t.Errorf("7th try: %d, want 429", last)
	}
	// Another user from the same address still signs in.
	s.w.login("az-liaison")
}

// loginClient is a browser that has loaded the sign-in form.
type loginClient struct {
	*client
	token string
}

func (w *world) loginForm(t *testing.T) *loginClient {
	t.Helper()
	jar, _ := newJar()
	c := &client{t: t, w: w, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	_, _, doc := c.get("/login")
	return &loginClient{client: c, token: attr(find(doc, byAttr("name", "csrf")), "value")}
}

func TestExpiredSessionKeepsText(t *testing.T) {
	s := newScenario(t)
	page := "/situations/" + s.sit + "/statements/" + s.draft
	uz := s.w.login("uz-liaison")
	_, _, doc := uz.get(page)
	token := attr(find(doc, byAttr("name", "csrf")), "value")
	// The session expires while the user types.
	s.w.clock.Advance(DefaultIdleTimeout + time.Minute)
	resp := uz.post("/situations/"+s.sit+"/actions/break_silence", url.Values{"csrf": {token}, "back": {page},
		"silence": {s.silent}, "kind": {"objection"}, "text": {"Paragraph 3 must name the appeal."}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("post after expiry: %d, want 303", resp.StatusCode)
	}
	loc := resp.Header.Get("Location")
	if want := "/login?next=" + url.QueryEscape(page); loc != want {
		t.Fatalf("redirect to %q, want %q", loc, want)
	}
	// A page after expiry goes to sign-in too, keeping the URL.
	resp2, err := uz.http.Get(s.w.srv.URL + "/intel?type=report")
	if err != nil {
		t.Fatal(err)
	}
	resp2.Body.Close()
	if got := resp2.Header.Get("Location"); resp2.StatusCode != http.StatusSeeOther || got != "/login?next="+url.QueryEscape("/intel?type=report") {
		t.Errorf("GET after expiry: %d to %q", resp2.StatusCode, got)
	}
	// Nothing was written.
	st, err := s.w.svc.Situation(s.w.ctx, s.w.users["uz-liaison"], s.sit, s.w.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if n := len(st.Silences[0].Breaks); n != 0 {
		t.Fatalf("expired session broke silence (%d breaks)", n)
	}
	// Signing in again (same browser) brings the text back in the form.
	_, _, doc = uz.get("/login?next=" + url.QueryEscape(page))
	lt := attr(find(doc, byAttr("name", "csrf")), "value")
	resp = uz.post("/login", url.Values{"csrf": {lt}, "username": {"uz-liaison"}, "password": {testPassword}, "next": {page}})
	if got := resp.Header.Get("Location"); got != page {
		t.Fatalf("after sign-in to %q, want %q", got, page)
	}
	_, _, doc = uz.get(page)
	ta := find(doc, byAttr("id", "bs-text"))
	if ta == nil || textOf(ta) != "Paragraph 3 must name the appeal." {
		t.Fatalf("objection text not restored: %q", textOf(ta))
	}
	// Only once.
	_, _, doc = uz.get(page)
	if got := textOf(find(doc, byAttr("id", "bs-text"))); got != "" {
		t.Errorf("draft shown twice: %q", got)
	}
}

func TestOpenRedirectRefused(t *testing.T) {
	for _, in := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", "", "/x\r\nSet-Cookie: a=b"} {
		if got := localPath(in); got != "/" {
			t.Errorf("localPath(%q) = %q, want /", in, got)
		}
	}
	for _, in := range []string{"/", "/situations/x?y=1", "/intel?type=report"} {
		if got := localPath(in); got != in {
			t.Errorf("localPath(%q) = %q", in, got)
		}
	}
}

func TestAdminOnlyForAdmins(t *testing.T) {
	s := newScenario(t)
	if status, _, _ := s.w.login("kz-liaison").getText("/admin"); status != http.StatusForbidden {
		t.Errorf("liaison GET /admin: %d, want 403", status)
	}
	status, text, raw := s.w.login("admin").getText("/admin")
	if status != http.StatusOK || !strings.Contains(text, "kz-liaison") {
		t.Fatalf("admin GET /admin: %d\n%s", status, text)
	}
	if strings.Contains(raw, "$argon2id$") {
		t.Fatal("admin page shows a password hash")
	}
}
