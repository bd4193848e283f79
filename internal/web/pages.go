package web

import (
	"fmt"
	"net/http"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// earlyWarning is a placeholder until the early-warning store lands: it
// says so, rather than show stories that do not exist.
func (s *Server) earlyWarning(w http.ResponseWriter, r *http.Request, rq *request) error {
	return s.render(w, r, rq, http.StatusOK, "ew", rq.l.T("ew.title"), "ew", nil)
}

// auditPage is a placeholder until the audit log's reader lands.
func (s *Server) auditPage(w http.ResponseWriter, r *http.Request, rq *request) error {
	return s.render(w, r, rq, http.StatusOK, "audit", rq.l.T("audit.title"), "audit", nil)
}

// adminData lists the node's participants and users (read-only).
type adminData struct {
	Participants []kurultai.Participant
	Users        []kurultai.User
}

// admin shows the directory to administrators only.
func (s *Server) admin(w http.ResponseWriter, r *http.Request, rq *request) error {
	if rq.p.Role != kurultai.RoleAdmin {
		return kurultai.Errorf(kurultai.CodeForbidden, "administration is for administrators")
	}
	parts, err := s.store.Participants(r.Context())
	if err != nil {
		return fmt.Errorf("web: admin: %w", err)
	}
	users, err := s.store.Users(r.Context())
	if err != nil {
		return fmt.Errorf("web: admin: %w", err)
	}
	for i := range users {
		users[i].PasswordHash = "" // never leaves the store's caller
	}
	if err := s.auditRead(r, rq.p, kurultai.AuditEntry{Action: "web.admin.read", Detail: fmt.Sprintf("%d participants, %d users", len(parts), len(users))}); err != nil {
		return err
	}
	return s.render(w, r, rq, http.StatusOK, "admin", rq.l.T("admin.title"), "admin", adminData{Participants: parts, Users: users})
}
