package api

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/kurultai/kurultai/internal/access"
	"github.com/kurultai/kurultai/internal/crisis"
	"github.com/kurultai/kurultai/internal/crisis/clock"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/ops"
)

// DefaultMaxBody is the largest request body accepted when
// Config.MaxBody is zero: the largest action (a draft of 64 KiB of text)
// with room to spare.
const DefaultMaxBody = 256 << 10

// Authenticator identifies the caller of a request (as for TAXII:
// *auth.Authenticator implements it).
type Authenticator interface {
	// Authenticate returns the principal for r, or an error with
	// kurultai.CodeUnauthenticated when credentials are missing or wrong.
	Authenticate(*http.Request) (kurultai.Principal, error)
}

// Signer signs an object's JSON for this node (*trust.Signer).
type Signer interface {
	Sign(raw []byte) ([]byte, error)
}

// Config holds the dependencies and settings of a Server.
type Config struct {
	Store     kurultai.Store    // required
	Markings  *access.Markings  // required; the marking-definitions the node knows
	Auth      Authenticator     // required
	Mechanism *crisis.Mechanism // required; runs the node's charter
	// Index mirrors the crisis records; nil makes one over Store. Share
	// the worker's index to read the store once.
	Index *clock.Index
	// Bus carries notifications and objects.added; nil publishes nothing.
	Bus clock.Bus
	// Wake is called after each write (the clock worker's Wake); may be nil.
	Wake func()
	// Signer signs each record written; nil stores records unsigned.
	Signer Signer
	// Collection is the crisis collection; empty means crisis.CollectionID.
	Collection string
	Clock      kurultai.Clock // nil: time.Now
	Logger     *slog.Logger   // nil: discard
	// MaxBody is the largest request body in bytes; zero means
	// DefaultMaxBody.
	MaxBody int64
}

// Server is the JSON API. Its handlers are safe for concurrent use.
type Server struct {
	store      kurultai.Store
	markings   *access.Markings
	auth       Authenticator
	m          *crisis.Mechanism
	idx        *clock.Index
	bus        clock.Bus
	wake       func()
	signer     Signer
	collection string
	clock      kurultai.Clock
	log        *slog.Logger
	maxBody    int64
	newID      func() string
}

// New returns a server for cfg, filling defaults.
func New(cfg Config) (*Server, error) {
	switch {
	case cfg.Store == nil:
		return nil, errors.New("api: config: Store is required")
	case cfg.Markings == nil:
		return nil, errors.New("api: config: Markings is required")
	case cfg.Auth == nil:
		return nil, errors.New("api: config: Auth is required")
	case cfg.Mechanism == nil:
		return nil, errors.New("api: config: Mechanism is required")
	case cfg.MaxBody < 0:
		return nil, errors.New("api: config: MaxBody is negative")
	}
	s := &Server{
		store: cfg.Store, markings: cfg.Markings, auth: cfg.Auth, m: cfg.Mechanism, idx: cfg.Index,
		bus: cfg.Bus, wake: cfg.Wake, signer: cfg.Signer, collection: cfg.Collection,
		clock: cfg.Clock, log: cfg.Logger, maxBody: cfg.MaxBody, newID: uuid.NewString,
	}
	if s.collection == "" {
		s.collection = crisis.CollectionID
	}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.maxBody == 0 {
		s.maxBody = DefaultMaxBody
	}
	if s.idx == nil {
		s.idx = clock.NewIndex(s.store, s.m, s.collection, clock.IndexOptions{Clock: s.clock, Logger: s.log})
	}
	if s.wake == nil {
		s.wake = func() {}
	}
	return s, nil
}

// principalHandler runs after authentication. It writes nothing when it
// returns an error; the caller renders the error.
type principalHandler func(w http.ResponseWriter, r *http.Request, p kurultai.Principal) error

// handle wraps h with panic recovery and authentication and renders the
// error h returns.
func (s *Server) handle(h principalHandler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w := &ops.Writer{ResponseWriter: rw}
		defer ops.Recover(w, r, s.log, "api", func() { s.writeError(w, r, errors.New("api: panic")) })
		p, err := s.auth.Authenticate(r)
		if err != nil {
			if kurultai.ErrorCode(err) == kurultai.CodeUnauthenticated {
				// Why it failed stays in the server log.
				s.log.InfoContext(r.Context(), "api: authentication failed", "path", r.URL.Path, "err", err)
				err = kurultai.Errorf(kurultai.CodeUnauthenticated, "authentication required")
			}
			s.writeError(w, r, err)
			return
		}
		if !p.CanRead() {
			s.writeError(w, r, kurultai.Errorf(kurultai.CodeForbidden, "the account %s acts for no participant", p.Username))
			return
		}
		if err := h(w, r, p); err != nil {
			if w.Wrote { // a handler bug: it must not write and fail
				s.log.ErrorContext(r.Context(), "api: error after the response started", "path", r.URL.Path, "err", err)
				return
			}
			s.writeError(w, r, err)
		}
	})
}
