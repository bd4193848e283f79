package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
)

// webClient is a browser with a cookie jar. The jar keys cookies by host
// and not by port, so both processes of the test (127.0.0.1, two ports)
// get the same cookies, as behind one load balancer.
type webClient struct {
	t    *testing.T
	http *http.Client
}

func newWebClient(t *testing.T) *webClient {
	jar, _ := cookiejar.New(nil)
	return &webClient{t: t, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// get fetches a page and returns its status, Location and the CSRF token
// of its first form ("" when none).
func (b *webClient) get(u string) (int, string, string) {
	b.t.Helper()
	resp, err := b.http.Get(u)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	token := ""
	if m := csrfInput.FindSubmatch(page); m != nil {
		token = string(m[1])
	}
	return resp.StatusCode, resp.Header.Get("Location"), token
}

func (b *webClient) post(u string, form url.Values) (int, string) {
	b.t.Helper()
	resp, err := b.http.PostForm(u, form)
	if err != nil {
		b.t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

// signIn signs in through base's sign-in form.
func (b *webClient) signIn(base, user, password string) {
	b.t.Helper()
	_, _, token := b.get(base + "/login")
	if token == "" {
		b.t.Fatalf("%s/login has no csrf field", base)
	}
	if code, _ := b.post(base+"/login", url.Values{"username": {user}, "password": {password}, "csrf": {token}, "next": {"/"}}); code != http.StatusSeeOther {
		b.t.Fatalf("sign-in on %s = %d", base, code)
	}
}

// checkWebSessionShared signs in on A's web pages and uses the session on
// B: a page loads and its form posts with its CSRF token there. A sign-out
// on A then ends the session on B too.
func checkWebSessionShared(t *testing.T, a, b *node, user, password string) {
	t.Helper()
	br := newWebClient(t)
	br.signIn(a.URL(), user, password)
	code, _, tokenB := br.get(b.URL() + "/settings")
	if code != http.StatusOK || tokenB == "" {
		t.Fatalf("B GET /settings with A's session = %d (csrf %q)", code, tokenB)
	}
	if code, loc := br.post(b.URL()+"/settings", url.Values{"csrf": {tokenB}, "lang": {"en"}, "tz": {"UTC"}}); code != http.StatusSeeOther || loc != "/settings" {
		t.Fatalf("B POST /settings with its token = %d to %q", code, loc)
	}
	if code, _ := br.post(b.URL()+"/settings", url.Values{"csrf": {"forged"}, "lang": {"en"}}); code != http.StatusForbidden {
		t.Errorf("B POST /settings with a forged token = %d, want 403", code)
	}
	_, _, tokenA := br.get(a.URL() + "/settings")
	if tokenA != tokenB {
		t.Errorf("the session's token on A %q, on B %q", tokenA, tokenB)
	}
	// The sign-out deletes the cookie in this browser; a copy of it kept
	// elsewhere must stop working too, on every process.
	u, _ := url.Parse(b.URL())
	kept := newWebClient(t)
	kept.http.Jar.SetCookies(u, br.http.Jar.Cookies(u))
	if code, loc := br.post(a.URL()+"/logout", url.Values{"csrf": {tokenA}}); code != http.StatusSeeOther || loc != "/login" {
		t.Fatalf("A POST /logout = %d to %q", code, loc)
	}
	// B rereads the session within a few seconds (its copy's age).
	pollUntil(t, "B to end the session signed out on A", func() bool {
		code, loc, _ := kept.get(b.URL() + "/settings")
		return code == http.StatusSeeOther && strings.HasPrefix(loc, "/login")
	})
	if code, loc := kept.post(b.URL()+"/settings", url.Values{"csrf": {tokenB}, "lang": {"en"}}); code != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
		t.Errorf("B POST after sign-out = %d to %q, want the sign-in page", code, loc)
	}
}
