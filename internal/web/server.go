package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/kurultai/kurultai/internal/access"
	"github.com/kurultai/kurultai/internal/crisis"
	"github.com/kurultai/kurultai/internal/ew/sources"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/ops"
)

// Defaults of a Server.
const (
	DefaultIdleTimeout = 30 * time.Minute
	DefaultMaxAge      = 12 * time.Hour
)

// Default sign-in limits: an office behind one address gets more room
// than one account, which gets five tries and then one every 12 seconds.
var (
	DefaultLoginPerIP   = Limit{Burst: 30, Every: 2 * time.Second}
	DefaultLoginPerUser = Limit{Burst: 5, Every: 12 * time.Second}
)

// Authenticator checks the credentials of a request (*auth.Authenticator):
// the sign-in form hands it the username and password as HTTP Basic
// credentials, so that sign-in gets the same argon2id check, timing and
// concurrency bound as every other surface.
type Authenticator interface {
	Authenticate(*http.Request) (kurultai.Principal, error)
}

// Config holds the dependencies and settings of a Server.
type Config struct {
	Store     kurultai.Store    // required
	Markings  *access.Markings  // required
	Auth      Authenticator     // required
	Mechanism *crisis.Mechanism // required: the node's charter
	// Crisis takes actions and derives situations; required. Pass the
	// same service the JSON API uses (or NewService's).
	Crisis Crisis
	// Bus carries objects.added and notify.<participant> for the live
	// updates; nil: the event stream only keeps the connection open.
	Bus kurultai.Bus
	// Sources reads the early-warning sources with their health
	// (sources.DirStatus of the data directory); nil: the pages say the
	// node reads no sources.
	Sources func(context.Context) ([]sources.Status, error)
	// Audit reads the audit log (*auditlog.Server); nil: the audit page
	// says the log is not readable here.
	Audit AuditLog
	// Peers lists the federation peers; nil: the node is not federated.
	Peers func(context.Context) ([]Peer, error)
	// Title names the node in the page header; empty: "Kurultai".
	Title string
	// SecureCookies sets the Secure flag on every cookie even for plain
	// HTTP requests (a proxy terminates TLS). Requests over TLS always
	// get it.
	SecureCookies bool
	// LoginPerIP and LoginPerUser limit sign-in attempts per client
	// address and per username; zero: DefaultLoginPerIP, DefaultLoginPerUser.
	LoginPerIP, LoginPerUser Limit
	IdleTimeout              time.Duration  // zero: DefaultIdleTimeout
	MaxAge                   time.Duration  // zero: DefaultMaxAge
	Clock                    kurultai.Clock // nil: time.Now
	Logger                   *slog.Logger   // nil: discard
}

// Server renders the pages. Its handlers are safe for concurrent use.
type Server struct {
	cfg      Config
	store    kurultai.Store
	markings *access.Markings
	m        *crisis.Mechanism
	crisis   Crisis
	clock    kurultai.Clock
	log      *slog.Logger
	tmpl     *templates
	cat      *catalogs
	sessions *sessionStore
	limiter  *loginLimiter
	static   http.Handler
}

// New parses the templates and catalogs and returns a server; a broken
// template or catalog is an error here, not at the first request.
func New(cfg Config) (*Server, error) {
	switch {
	case cfg.Store == nil:
		return nil, errors.New("web: config: Store is required")
	case cfg.Markings == nil:
		return nil, errors.New("web: config: Markings is required")
	case cfg.Auth == nil:
		return nil, errors.New("web: config: Auth is required")
	case cfg.Mechanism == nil:
		return nil, errors.New("web: config: Mechanism is required")
	case cfg.Crisis == nil:
		return nil, errors.New("web: config: Crisis is required")
	case cfg.IdleTimeout < 0 || cfg.MaxAge < 0:
		return nil, errors.New("web: config: negative session timeout")
	}
	if cfg.Title == "" {
		cfg.Title = "Kurultai"
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.MaxAge == 0 {
		cfg.MaxAge = DefaultMaxAge
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.LoginPerIP.Burst <= 0 || cfg.LoginPerIP.Every <= 0 {
		cfg.LoginPerIP = DefaultLoginPerIP
	}
	if cfg.LoginPerUser.Burst <= 0 || cfg.LoginPerUser.Every <= 0 {
		cfg.LoginPerUser = DefaultLoginPerUser
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cat, err := loadCatalogs()
	if err != nil {
		return nil, err
	}
	tmpl, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	static, err := staticHandler()
	if err != nil {
		return nil, err
	}
	// Sessions are kept in the store when it can (every process of a
	// node behind one address then knows them), else in memory.
	shared, _ := cfg.Store.(kurultai.SessionStore)
	return &Server{
		cfg: cfg, store: cfg.Store, markings: cfg.Markings, m: cfg.Mechanism, crisis: cfg.Crisis,
		clock: cfg.Clock, log: cfg.Logger, tmpl: tmpl, cat: cat,
		sessions: newSessionStore(cfg.IdleTimeout, cfg.MaxAge, shared, cfg.Logger),
		limiter:  newLoginLimiter(),
		static:   static,
	}, nil
}

// pageHandler handles a request of a signed-in user. It writes nothing
// when it returns an error; the caller renders the error page.
type pageHandler func(w http.ResponseWriter, r *http.Request, rq *request) error

// request is what every page handler gets: the user's session, language
// and time zone, and the time of the request.
type request struct {
	sess *session
	p    kurultai.Principal
	l    *localizer
	now  time.Time
}

// page wraps h: security headers, a live session (else the sign-in page,
// keeping the URL), the CSRF check for POST, panic recovery and error
// pages.
func (s *Server) page(h pageHandler) http.Handler {
	return s.secure(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tw := &ops.Writer{ResponseWriter: w}
		defer ops.Recover(tw, r, s.log, "web", func() {
			l := s.localizer(r)
			s.renderError(tw, r, l, http.StatusInternalServerError, l.T("error.internal"))
		})
		now := s.clock()
		l := s.localizer(r)
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(tw, r.Body, maxForm)
			if err := r.ParseForm(); err != nil {
				s.renderError(tw, r, l, http.StatusRequestEntityTooLarge, l.T("error.form"))
				return
			}
		}
		sess, state, err := s.sessions.lookup(r.Context(), sessionID(r), now)
		if err != nil {
			s.renderErr(tw, r, l, err)
			return
		}
		switch state {
		case sessionLive:
		case sessionExpired:
			s.expired(tw, r, sess, l)
			return
		default:
			s.toLogin(tw, r, r.URL.RequestURI())
			return
		}
		if r.Method == http.MethodPost && !sess.checkCSRF(r.PostFormValue(csrfField)) {
			s.renderError(tw, r, l, http.StatusForbidden, l.T("error.csrf"))
			return
		}
		if err := s.recheck(r.Context(), sess, now); err != nil {
			if kurultai.ErrorCode(err) == kurultai.CodeUnavailable {
				s.renderErr(tw, r, l, err)
				return
			}
			if err := s.sessions.remove(r.Context(), sess.id); err != nil {
				s.log.WarnContext(r.Context(), "web: end session", "err", err)
			}
			s.toLogin(tw, r, r.URL.RequestURI())
			return
		}
		rq := &request{sess: sess, p: sess.principal, l: l, now: now}
		if err := h(tw, r, rq); err != nil {
			if tw.Wrote {
				s.log.ErrorContext(r.Context(), "web: error after the response started", "path", r.URL.Path, "err", err)
				return
			}
			s.renderErr(tw, r, l, err)
		}
	}))
}

// recheck makes sure the session's user still exists and is enabled, at
// most once a minute per session.
func (s *Server) recheck(ctx context.Context, sess *session, now time.Time) error {
	if !sess.dueForCheck(now) {
		return nil
	}
	u, err := s.store.UserByID(ctx, sess.principal.UserID)
	if err != nil {
		return fmt.Errorf("web: session user: %w", err)
	}
	if u.Disabled || u.Role != sess.principal.Role || u.Participant != sess.principal.Participant {
		return errors.New("web: session user changed")
	}
	sess.checked(now)
	return nil
}

// renderErr shows an error page with the status of its code; errors
// without a code are logged and shown as "internal error".
func (s *Server) renderErr(w http.ResponseWriter, r *http.Request, l *localizer, err error) {
	code := kurultai.ErrorCode(err)
	status := code.HTTPStatus()
	msg := kurultai.ErrorMessage(err)
	if status == http.StatusServiceUnavailable && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", kurultai.RetryAfter)
	}
	if status >= 500 {
		s.log.ErrorContext(r.Context(), "web: request failed", "path", r.URL.Path, "err", err)
		if code != kurultai.CodeUnavailable {
			msg = l.T("error.internal")
		}
	}
	if status == http.StatusNotFound {
		msg = l.T("error.notfound") // the same words for hidden and missing
	}
	s.renderError(w, r, l, status, msg)
}

// asError is errors.As for *kurultai.Error.
func asError(err error, target **kurultai.Error) bool { return errors.As(err, target) }
