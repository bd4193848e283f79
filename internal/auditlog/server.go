package auditlog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/trust"
)

// Audit actions of this surface.
const (
	ActionEntriesRead = "audit.entries.read"
	ActionCosign      = "audit.cosign"
)

// Authenticator identifies the caller of a request.
type Authenticator interface {
	// Authenticate returns the principal for r, or an error with
	// kurultai.CodeUnauthenticated when credentials are missing or wrong.
	Authenticate(*http.Request) (kurultai.Principal, error)
}

// Config holds the dependencies of a Server.
type Config struct {
	Store    Store               // required
	Auth     Authenticator       // required
	Markings kurultai.MarkingSet // required: for the access decision on entries
	// Participant is the node's participant code; the log's origin is
	// Origin(Participant).
	Participant string
	// Witnesses are the key documents of the participants whose witnesses
	// may cosign checkpoints. A cosignature counts towards "witnessed"
	// when its participant is a member.
	Witnesses []trust.KeysDocument
	Clock     kurultai.Clock // nil: time.Now
	Logger    *slog.Logger   // nil: discard
}

// Server serves the audit log: checkpoints, proofs, entries and
// cosignatures. Its handlers are safe for concurrent use.
type Server struct {
	store       Store
	auth        Authenticator
	markings    kurultai.MarkingSet
	origin      string
	witnessKeys []witnessKey
	clock       kurultai.Clock
	log         *slog.Logger
}

// witnessKey is a note key with the participant it belongs to.
type witnessKey struct {
	NoteKey
	participant string
}

// maxCosignBody bounds a POSTed cosigned checkpoint.
const maxCosignBody = MaxNoteSize

// New returns a server for cfg.
func New(cfg Config) (*Server, error) {
	switch {
	case cfg.Store == nil:
		return nil, errors.New("auditlog: config: Store is required")
	case cfg.Auth == nil:
		return nil, errors.New("auditlog: config: Auth is required")
	case cfg.Markings == nil:
		return nil, errors.New("auditlog: config: Markings is required")
	case cfg.Participant == "":
		return nil, errors.New("auditlog: config: Participant is required")
	}
	s := &Server{store: cfg.Store, auth: cfg.Auth, markings: cfg.Markings, origin: Origin(cfg.Participant), clock: cfg.Clock, log: cfg.Logger}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	for _, d := range cfg.Witnesses {
		for _, k := range WitnessNoteKeys(d) {
			s.witnessKeys = append(s.witnessKeys, witnessKey{NoteKey: k, participant: d.Participant})
		}
	}
	return s, nil
}

// Routes registers the audit endpoints on mux, all under /audit/v1/ and
// all for authenticated principals.
func (s *Server) Routes(mux *http.ServeMux) {
	mux.Handle("GET /audit/v1/checkpoint", s.handle(s.getCheckpoint))
	mux.Handle("GET /audit/v1/status", s.handle(s.getStatus))
	mux.Handle("GET /audit/v1/checkpoints", s.handle(s.getCheckpoints))
	mux.Handle("GET /audit/v1/proof/inclusion", s.handle(s.getInclusion))
	mux.Handle("GET /audit/v1/proof/consistency", s.handle(s.getConsistency))
	mux.Handle("GET /audit/v1/entries", s.handle(s.getEntries))
	mux.Handle("GET /audit/v1/cosignatures", s.handle(s.getCosignatures))
	mux.Handle("POST /audit/v1/cosignatures", s.handle(s.postCosignatures))
}

// principalHandler runs after authentication; it writes nothing when it
// returns an error.
type principalHandler func(w http.ResponseWriter, r *http.Request, p kurultai.Principal) error

func (s *Server) handle(h principalHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.ErrorContext(r.Context(), "auditlog: panic in handler", "path", r.URL.Path, "panic", v)
				s.writeError(w, r, errors.New("auditlog: panic"))
			}
		}()
		p, err := s.auth.Authenticate(r)
		if err != nil {
			if kurultai.ErrorCode(err) == kurultai.CodeUnauthenticated {
				s.log.InfoContext(r.Context(), "auditlog: authentication failed", "path", r.URL.Path, "err", err)
				err = kurultai.Errorf(kurultai.CodeUnauthenticated, "authentication required")
			}
			s.writeError(w, r, err)
			return
		}
		if err := h(w, r, p); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// httpStatus maps an error to its HTTP status: the one place where domain
// codes become statuses on this surface.
func httpStatus(err error) int {
	return kurultai.ErrorCode(err).HTTPStatus()
}

// errorBody is the JSON of an error response.
type errorBody struct {
	Error string `json:"error"`
	Code  string `json:"code"`
	Field string `json:"field,omitempty"`
}

func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status := httpStatus(err)
	body := errorBody{Error: kurultai.ErrorMessage(err), Code: string(kurultai.ErrorCode(err))}
	var de *kurultai.Error
	if errors.As(err, &de) {
		body.Field = de.Field
	}
	switch status {
	case http.StatusInternalServerError:
		body = errorBody{Error: "internal error", Code: string(kurultai.CodeInternal)}
		s.log.ErrorContext(r.Context(), "auditlog: internal error", "path", r.URL.Path, "err", err)
	case http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", kurultai.RetryAfter)
		s.log.WarnContext(r.Context(), "auditlog: unavailable", "path", r.URL.Path, "err", err)
	case http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Basic realm="kurultai"`)
	}
	data, _ := json.Marshal(body) // only strings: cannot fail
	writeBody(w, status, "application/json", data)
}

func writeBody(w http.ResponseWriter, status int, contentType string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func writeJSON(w http.ResponseWriter, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("auditlog: encode response: %w", err)
	}
	writeBody(w, http.StatusOK, "application/json", append(data, '\n'))
	return nil
}

// audit appends an entry for p; a failure is CodeUnavailable so that the
// request fails closed with 503.
func (s *Server) audit(ctx context.Context, p kurultai.Principal, e kurultai.AuditEntry) error {
	e.Time = s.clock()
	e.Username = p.Username
	e.Participant = p.Participant
	if err := s.store.AppendAudit(ctx, e); err != nil {
		return &kurultai.Error{Code: kurultai.CodeUnavailable, Message: "audit log unavailable", Err: fmt.Errorf("auditlog: audit: %w", err)}
	}
	return nil
}

// treeSize returns the current tree size.
func (s *Server) treeSize(ctx context.Context) (uint64, error) {
	head, err := s.store.TreeHead(ctx)
	if err != nil {
		return 0, fmt.Errorf("auditlog: tree head: %w", err)
	}
	return head.Size, nil
}

// checkSize refuses a size larger than the tree.
func checkSize(field string, size, tree uint64) error {
	if size > tree {
		return kurultai.FieldError(field, "%d is larger than the tree (%d entries)", size, tree)
	}
	return nil
}
