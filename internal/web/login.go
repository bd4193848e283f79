package web

import (
	"crypto/subtle"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// loginData is the sign-in form.
type loginData struct {
	Next     string
	Username string
	Error    string
	Token    string // the double-submit token
}

// maxCredential bounds the username and password read from the form.
const maxCredential = 1024

// loginForm shows the sign-in form with a fresh double-submit token.
func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	l := s.localizer(r)
	if _, state, _ := s.sessions.lookup(r.Context(), sessionID(r), s.clock()); state == sessionLive {
		http.Redirect(w, r, localPath(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	s.showLogin(w, r, l, http.StatusOK, loginData{Next: localPath(r.URL.Query().Get("next"))})
}

func (s *Server) showLogin(w http.ResponseWriter, r *http.Request, l *localizer, status int, d loginData) {
	d.Token = randomToken()
	s.setCookie(w, r, loginCookie, d.Token, 0)
	v := view{L: l, Title: l.T("login.title"), Node: s.cfg.Title, Data: d}
	if err := s.execute(w, status, "login", v); err != nil {
		s.log.Error("web: render login", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

// login checks the form's token and the credentials, then starts a new
// session (a fresh id: a session id set before sign-in is never kept)
// carrying over the draft of the user's expired session, if any.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	l := s.localizer(r)
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, l, http.StatusBadRequest, l.T("error.form"))
		return
	}
	c, err := r.Cookie(loginCookie)
	token := r.PostForm.Get(csrfField)
	if err != nil || token == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(token)) != 1 {
		s.renderError(w, r, l, http.StatusForbidden, l.T("error.csrf"))
		return
	}
	user, pw := strings.TrimSpace(r.PostForm.Get("username")), r.PostForm.Get("password")
	d := loginData{Next: localPath(r.PostForm.Get("next")), Username: user}
	if user == "" || pw == "" || len(user) > maxCredential || len(pw) > maxCredential || strings.ContainsAny(user, ":\r\n") {
		d.Error = l.T("login.invalid")
		s.showLogin(w, r, l, http.StatusUnauthorized, d)
		return
	}
	now := s.clock()
	if ok, wait := s.limiter.allow(now, s.limiterKeys(r, user)...); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait/time.Second)+1))
		d.Error = l.T("login.limited")
		s.showLogin(w, r, l, http.StatusTooManyRequests, d)
		return
	}
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, "/", nil)
	if err != nil {
		s.renderError(w, r, l, http.StatusInternalServerError, l.T("error.internal"))
		return
	}
	req.SetBasicAuth(user, pw)
	p, err := s.cfg.Auth.Authenticate(req)
	if err != nil {
		if code := kurultai.ErrorCode(err); code != kurultai.CodeUnauthenticated {
			s.renderErr(w, r, l, err)
			return
		}
		s.log.InfoContext(r.Context(), "web: sign-in failed", "ip", clientIP(r), "err", err)
		d.Error = l.T("login.invalid")
		s.showLogin(w, r, l, http.StatusUnauthorized, d)
		return
	}
	sess, err := s.sessions.create(r.Context(), p, now)
	if err != nil {
		s.renderErr(w, r, l, err)
		return
	}
	if old, state, _ := s.sessions.lookup(r.Context(), sessionID(r), now); state != sessionNone && old.principal.UserID == p.UserID {
		old.mu.Lock()
		sess.draft = old.draft
		old.mu.Unlock()
		if err := s.sessions.remove(r.Context(), old.id); err != nil {
			s.log.WarnContext(r.Context(), "web: end the previous session", "err", err)
		}
	}
	s.audit(r, p, kurultai.AuditEntry{Action: kurultai.ActionLogin, Detail: "web sign-in"})
	s.setCookie(w, r, sessionCookie, sess.id, 0)
	s.setCookie(w, r, loginCookie, "", -1)
	http.Redirect(w, r, d.Next, http.StatusSeeOther)
}

// logout ends the session, on every process of the node.
func (s *Server) logout(w http.ResponseWriter, r *http.Request, rq *request) error {
	if err := s.sessions.remove(r.Context(), rq.sess.id); err != nil {
		return err
	}
	s.setCookie(w, r, sessionCookie, "", -1)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

// audit appends an entry for p; a failure is logged (a sign-in is not
// refused because the log is full, but every read that needs an entry
// goes through auditRead, which fails closed).
func (s *Server) audit(r *http.Request, p kurultai.Principal, e kurultai.AuditEntry) {
	if err := s.auditRead(r, p, e); err != nil {
		s.log.WarnContext(r.Context(), "web: audit", "action", e.Action, "err", err)
	}
}

// auditRead appends e for p and fails closed with CodeUnavailable.
func (s *Server) auditRead(r *http.Request, p kurultai.Principal, e kurultai.AuditEntry) error {
	e.Time = s.clock()
	e.Username, e.Participant = p.Username, p.Participant
	if e.Decision == "" {
		e.Decision = kurultai.DecisionAllow
	}
	if err := s.store.AppendAudit(r.Context(), e); err != nil {
		return &kurultai.Error{Code: kurultai.CodeUnavailable, Message: "audit log unavailable", Err: err}
	}
	return nil
}

// settingsData is the settings form.
type settingsData struct {
	Languages []string
	Lang      string
	Zone      string
}

func (s *Server) settingsForm(w http.ResponseWriter, r *http.Request, rq *request) error {
	return s.render(w, r, rq, http.StatusOK, "settings", rq.l.T("settings.title"), "settings",
		settingsData{Languages: languages, Lang: rq.l.Lang, Zone: rq.l.Zone()})
}

// saveSettings keeps the language and time zone in cookies.
func (s *Server) saveSettings(w http.ResponseWriter, r *http.Request, rq *request) error {
	lang := r.PostForm.Get("lang")
	if !slices.Contains(languages, lang) {
		return kurultai.FieldError("lang", "%q is not one of %s", clip(lang), strings.Join(languages, ", "))
	}
	zone := strings.TrimSpace(r.PostForm.Get("tz"))
	if zone != "" {
		if _, err := time.LoadLocation(zone); err != nil || len(zone) > 63 {
			return kurultai.FieldError("tz", "%q is not a time zone", clip(zone))
		}
	}
	s.setCookie(w, r, langCookie, lang, 365*24*3600)
	if zone != "" {
		http.SetCookie(w, &http.Cookie{Name: tzCookie, Value: zone, Path: "/", MaxAge: 365 * 24 * 3600,
			Secure: s.secureCookie(r), SameSite: http.SameSiteStrictMode})
	}
	http.Redirect(w, r, "/settings", http.StatusSeeOther)
	return nil
}

// clip shortens user input quoted back in a message.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
