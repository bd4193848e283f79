package taxii

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/kurultai/kurultai/internal/access"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/ops"
)

// The TAXII and STIX media types this server speaks.
const (
	MediaTypeTAXII = "application/taxii+json;version=2.1"
	MediaTypeSTIX  = "application/stix+json;version=2.1"
)

// Defaults and bounds.
const (
	// DefaultMaxContentLength is the largest POST body accepted when
	// Config.MaxContentLength is zero.
	DefaultMaxContentLength = 10 << 20
	// DefaultLimit is the page size when the client gives no limit.
	DefaultLimit = 1000
	// MaxLimit is the largest page size; larger limits are lowered to it.
	MaxLimit = 10000
	// DefaultTitle is the discovery and API root title when Config.Title
	// is empty.
	DefaultTitle = "Kurultai"
)

// Authenticator identifies the caller of a request.
type Authenticator interface {
	// Authenticate returns the principal for r, or an error with
	// kurultai.CodeUnauthenticated when credentials are missing or wrong.
	Authenticate(*http.Request) (kurultai.Principal, error)
}

// Config holds the dependencies and settings of a Server.
type Config struct {
	Store    kurultai.Store   // required
	Markings *access.Markings // required; marking-definitions the node knows
	Auth     Authenticator    // required
	Bus      kurultai.Bus     // may be nil: no notifications
	// Signer signs each object a local principal writes; nil stores
	// objects unsigned.
	Signer Signer
	// SameContent, if set, tells a re-sent version with the same content
	// as the stored one (re-signed, or formatted differently) from a
	// conflicting one; see kurultai.Write.
	SameContent func(stored, incoming []byte) bool
	Clock       kurultai.Clock // nil: time.Now
	Logger      *slog.Logger   // nil: discard
	Title       string         // empty: DefaultTitle
	// MaxContentLength is the largest POST body in bytes; zero means
	// DefaultMaxContentLength.
	MaxContentLength int64
	Metrics          *Metrics // may be nil: counters are kept but not exported
}

// Server is the TAXII 2.1 HTTP server. Its handlers are safe for
// concurrent use.
type Server struct {
	store       kurultai.Store
	markings    *access.Markings
	auth        Authenticator
	bus         kurultai.Bus
	signer      Signer
	sameContent func(stored, incoming []byte) bool
	clock       kurultai.Clock
	log         *slog.Logger
	title       string
	maxContent  int64
	metrics     *Metrics
	newID       func() string
}

// New returns a server for cfg, filling defaults.
func New(cfg Config) (*Server, error) {
	switch {
	case cfg.Store == nil:
		return nil, errors.New("taxii: config: Store is required")
	case cfg.Markings == nil:
		return nil, errors.New("taxii: config: Markings is required")
	case cfg.Auth == nil:
		return nil, errors.New("taxii: config: Auth is required")
	case cfg.MaxContentLength < 0:
		return nil, errors.New("taxii: config: MaxContentLength is negative")
	}
	s := &Server{
		store:       cfg.Store,
		markings:    cfg.Markings,
		auth:        cfg.Auth,
		bus:         cfg.Bus,
		signer:      cfg.Signer,
		sameContent: cfg.SameContent,
		clock:       cfg.Clock,
		log:         cfg.Logger,
		title:       cfg.Title,
		maxContent:  cfg.MaxContentLength,
		metrics:     cfg.Metrics,
		newID:       uuid.NewString,
	}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.title == "" {
		s.title = DefaultTitle
	}
	if s.maxContent == 0 {
		s.maxContent = DefaultMaxContentLength
	}
	if s.metrics == nil {
		s.metrics = NewMetrics(nil)
	}
	return s, nil
}

// principalHandler is a handler that runs after authentication. Handlers
// write nothing when they return an error; the caller renders it.
type principalHandler func(w http.ResponseWriter, r *http.Request, p kurultai.Principal) error

// handle wraps h with panic recovery, authentication and content
// negotiation, and renders the error h returns.
func (s *Server) handle(h principalHandler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w := &ops.Writer{ResponseWriter: rw}
		defer ops.Recover(w, r, s.log, "taxii", func() { s.writeError(w, r, errors.New("taxii: panic")) })
		p, err := s.auth.Authenticate(r)
		if err != nil {
			if kurultai.ErrorCode(err) == kurultai.CodeUnauthenticated {
				// Why it failed (unknown user, bad password,
				// expired token) stays in the server log.
				s.log.InfoContext(r.Context(), "taxii: authentication failed", "path", r.URL.Path, "err", err)
				err = kurultai.Errorf(kurultai.CodeUnauthenticated, "authentication required")
			}
			s.writeError(w, r, err)
			return
		}
		if err := checkAccept(r.Header.Get("Accept")); err != nil {
			s.writeError(w, r, err)
			return
		}
		if err := h(w, r, p); err != nil {
			if w.Wrote { // a handler bug: it must not write and fail
				s.log.ErrorContext(r.Context(), "taxii: error after response started", "path", r.URL.Path, "err", err)
				return
			}
			s.writeError(w, r, err)
		}
	})
}

// Signer signs an object's JSON for this node (see internal/trust).
type Signer interface {
	Sign(raw []byte) ([]byte, error)
}
