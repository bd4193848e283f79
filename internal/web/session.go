package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// Cookie and form names.
const (
	sessionCookie = "kurultai_session"
	loginCookie   = "kurultai_login" // double-submit token of the sign-in form
	langCookie    = "kurultai_lang"
	tzCookie      = "kurultai_tz"
	csrfField     = "csrf"
	backField     = "back" // the page a form was on, to return to after sign-in
)

// tombstoneFor is how long an expired session is remembered, so that a
// form posted after expiry can be stashed and restored after sign-in.
const tombstoneFor = time.Hour

// recheckEvery is how often a session's user is looked up again.
const recheckEvery = time.Minute

// maxSessions bounds the sessions a process keeps in memory; beyond it
// the oldest go first.
const maxSessions = 100000

// session is one signed-in browser. With a store that keeps sessions
// (kurultai.SessionStore) it is this process's copy of the stored row,
// with what only this process needs: its draft, flash and user check.
type session struct {
	id        string
	hash      []byte // SHA-256 of id: the store's key
	csrf      string // derived from id (csrfToken)
	principal kurultai.Principal
	created   time.Time

	mu       sync.Mutex // guards the fields below
	lastSeen time.Time
	stored   time.Time // the last activity the store holds, as far as this process knows
	fetched  time.Time // when the row was last read from the store
	lastUser time.Time // when the user was last looked up
	draft    *draft    // a form stashed when it arrived after expiry
	flash    string    // a message shown once on the next page
}

// newSession returns the session with the id, seen last at created.
func newSession(id string, p kurultai.Principal, created time.Time) *session {
	return &session{id: id, hash: hashID(id), csrf: csrfToken(id), principal: p, created: created, lastSeen: created, stored: created}
}

// hashID is the key of a session in the store: SHA-256 of its id.
func hashID(id string) []byte {
	h := sha256.Sum256([]byte(id))
	return h[:]
}

// csrfToken derives a session's synchronizer token from its id, so that
// every process of a node knows it without storing it: the token is
// shown in pages, the id never leaves the cookie, and neither can be
// found from the token or from the hash the store keeps.
func csrfToken(id string) string {
	m := hmac.New(sha256.New, []byte(id))
	m.Write([]byte("kurultai web csrf token"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// draft is a form's text kept across a sign-in.
type draft struct {
	path   string
	fields map[string]string
}

// checkCSRF reports whether token is the session's synchronizer token.
func (s *session) checkCSRF(token string) bool {
	return token != "" && subtle.ConstantTimeCompare([]byte(token), []byte(s.csrf)) == 1
}

func (s *session) dueForCheck(now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return now.Sub(s.lastUser) >= recheckEvery || now.Before(s.lastUser)
}

func (s *session) checked(now time.Time) {
	s.mu.Lock()
	s.lastUser = now
	s.mu.Unlock()
}

// takeDraft returns and forgets the draft stashed for path.
func (s *session) takeDraft(path string) map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.draft == nil || s.draft.path != path {
		return nil
	}
	f := s.draft.fields
	s.draft = nil
	return f
}

// setFlash keeps a message for the next page.
func (s *session) setFlash(msg string) {
	s.mu.Lock()
	s.flash = msg
	s.mu.Unlock()
}

func (s *session) takeFlash() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.flash
	s.flash = ""
	return f
}

func sessionID(r *http.Request) string {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return ""
	}
	return c.Value
}

// secureCookie reports whether cookies on r's response get the Secure flag.
func (s *Server) secureCookie(r *http.Request) bool { return r.TLS != nil || s.cfg.SecureCookies }

// setCookie sets a cookie that scripts cannot read and other sites never
// send. maxAge 0 makes it last until the browser closes; negative deletes.
func (s *Server) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: s.secureCookie(r), SameSite: http.SameSiteStrictMode})
}

// localPath returns p if it is a path on this site, else "/".
func localPath(p string) string {
	if p == "" || p[0] != '/' || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") || strings.ContainsAny(p, "\r\n") {
		return "/"
	}
	u, err := url.Parse(p)
	if err != nil || u.IsAbs() || u.Host != "" {
		return "/"
	}
	return p
}

// toLogin sends the browser to the sign-in page, to come back to next.
func (s *Server) toLogin(w http.ResponseWriter, r *http.Request, next string) {
	target := "/login"
	if next = localPath(next); next != "/" {
		target += "?next=" + url.QueryEscape(next)
	}
	if r.Header.Get("Accept") == "text/event-stream" {
		http.Error(w, "sign in again", http.StatusUnauthorized)
		return
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// draftFields are the form fields worth keeping across a sign-in: the
// text a user types.
var draftFields = []string{"text", "reason", "note", "title", "agenda", "summary", "outcome", "briefer"}

// expired handles a request that carries an expired session: a form
// posted with the session's valid token is stashed on the tombstone, and
// the user signs in again, coming back to the page.
func (s *Server) expired(w http.ResponseWriter, r *http.Request, sess *session, l *localizer) {
	next := r.URL.RequestURI()
	if r.Method == http.MethodPost {
		if !sess.checkCSRF(r.PostFormValue(csrfField)) {
			s.renderError(w, r, l, http.StatusForbidden, l.T("error.csrf"))
			return
		}
		next = localPath(r.PostFormValue(backField))
		d := &draft{path: strings.SplitN(next, "?", 2)[0], fields: map[string]string{}}
		for _, f := range draftFields {
			if v := r.PostFormValue(f); v != "" {
				d.fields[f] = v
			}
		}
		if len(d.fields) > 0 {
			sess.mu.Lock()
			sess.draft = d
			sess.mu.Unlock()
		}
	}
	s.toLogin(w, r, next)
}

func urlUnescape(s string) (string, error) { return url.QueryUnescape(s) }
