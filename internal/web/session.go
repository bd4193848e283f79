package web

import (
	"crypto/rand"
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

// maxSessions bounds the store; beyond it the oldest sessions go first.
const maxSessions = 100000

// session is one signed-in browser.
type session struct {
	id        string
	csrf      string
	principal kurultai.Principal
	created   time.Time

	mu       sync.Mutex // guards the fields below
	lastSeen time.Time
	lastUser time.Time // when the user was last looked up
	draft    *draft    // a form stashed when it arrived after expiry
	flash    string    // a message shown once on the next page
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

type sessionState int

const (
	sessionNone sessionState = iota
	sessionLive
	sessionExpired // a tombstone: known, but no longer signed in
)

// sessionStore keeps sessions in memory.
type sessionStore struct {
	idle, maxAge time.Duration

	mu   sync.Mutex // guards m and puts
	m    map[string]*session
	puts int
}

func newSessionStore(idle, maxAge time.Duration) *sessionStore {
	return &sessionStore{idle: idle, maxAge: maxAge, m: map[string]*session{}}
}

// randomToken returns 256 random bits, base64url.
func randomToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// create starts a session for p.
func (st *sessionStore) create(p kurultai.Principal, now time.Time) *session {
	s := &session{id: randomToken(), csrf: randomToken(), principal: p, created: now, lastSeen: now, lastUser: now}
	st.mu.Lock()
	defer st.mu.Unlock()
	st.puts++
	if st.puts%256 == 0 || len(st.m) >= maxSessions {
		st.sweep(now)
	}
	st.m[s.id] = s
	return s
}

// sweep drops sessions past their tombstone time; with the store still
// full, the least recently seen. The caller holds mu.
func (st *sessionStore) sweep(now time.Time) {
	var oldest *session
	for id, s := range st.m {
		s.mu.Lock()
		seen := s.lastSeen
		s.mu.Unlock()
		if st.deadline(s, seen).Add(tombstoneFor).Before(now) {
			delete(st.m, id)
			continue
		}
		if oldest == nil || seen.Before(oldest.lastSeen) {
			oldest = s
		}
	}
	if len(st.m) >= maxSessions && oldest != nil {
		delete(st.m, oldest.id)
	}
}

// deadline is when a session seen last at seen expires.
func (st *sessionStore) deadline(s *session, seen time.Time) time.Time {
	d := seen.Add(st.idle)
	if hard := s.created.Add(st.maxAge); hard.Before(d) {
		d = hard
	}
	return d
}

// lookup finds the session with the id and, if live, marks it seen.
func (st *sessionStore) lookup(id string, now time.Time) (*session, sessionState) {
	if id == "" {
		return nil, sessionNone
	}
	st.mu.Lock()
	s := st.m[id]
	st.mu.Unlock()
	if s == nil {
		return nil, sessionNone
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	end := st.deadline(s, s.lastSeen)
	switch {
	case now.Before(end):
		s.lastSeen = now
		return s, sessionLive
	case now.Before(end.Add(tombstoneFor)):
		return s, sessionExpired
	}
	return nil, sessionNone
}

func (st *sessionStore) remove(id string) {
	st.mu.Lock()
	delete(st.m, id)
	st.mu.Unlock()
}

// expire ends a session now, keeping it as a tombstone (tests use it to
// act out an idle timeout).
func (st *sessionStore) expire(id string, now time.Time) {
	st.mu.Lock()
	s := st.m[id]
	st.mu.Unlock()
	if s == nil {
		return
	}
	s.mu.Lock()
	s.lastSeen = now.Add(-st.idle)
	s.mu.Unlock()
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

// alive reports whether the session is still signed in, without counting
// the question as activity (an open event stream does not keep a session
// alive).
func (st *sessionStore) alive(id string, now time.Time) bool {
	st.mu.Lock()
	s := st.m[id]
	st.mu.Unlock()
	if s == nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return now.Before(st.deadline(s, s.lastSeen))
}
