package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/kurultai/kurultai/internal/ew/sources"
	"github.com/kurultai/kurultai/internal/kurultai"
)

// Peer is a federation peer as the admin page lists it: the settings and
// progress of a link, never its keys.
type Peer struct {
	Name        string
	Kind        string // "node" or "taxii"
	Participant string
	URL         string
	Dial        string
	Created     time.Time
	Sent        int64 // versions and tombstones the peer acknowledged
	Received    int64 // versions and tombstones this node committed from it
}

// adminData is the administration page (read-only).
type adminData struct {
	Participants []kurultai.Participant
	Users        []kurultai.User
	Tokens       []tokenRow
	Sources      []sources.Status
	SourcesOff   bool
	SourcesErr   bool
	Peers        []Peer
	NotFederated bool
}

// tokenRow is an API token without its secret or hash.
type tokenRow struct {
	ID, Label, Owner string
	Created, Expires time.Time
	Expired          bool
}

// admin shows the directory, tokens, sources and peers to administrators
// only.
func (s *Server) admin(w http.ResponseWriter, r *http.Request, rq *request) error {
	if rq.p.Role != kurultai.RoleAdmin {
		return kurultai.Errorf(kurultai.CodeForbidden, "administration is for administrators")
	}
	ctx := r.Context()
	parts, err := s.store.Participants(ctx)
	if err != nil {
		return fmt.Errorf("web: admin: %w", err)
	}
	users, err := s.store.Users(ctx)
	if err != nil {
		return fmt.Errorf("web: admin: %w", err)
	}
	names := map[int64]string{}
	for i := range users {
		users[i].PasswordHash = "" // never leaves the store's caller
		names[users[i].ID] = users[i].Username
	}
	d := adminData{Participants: parts, Users: users}
	if err := s.adminTokens(ctx, rq.now, names, &d); err != nil {
		return err
	}
	if s.cfg.Sources == nil {
		d.SourcesOff = true
	} else if d.Sources, err = s.cfg.Sources(ctx); err != nil {
		s.log.WarnContext(ctx, "web: admin: sources", "err", err)
		d.SourcesErr = true
	}
	if s.cfg.Peers == nil {
		d.NotFederated = true
	} else if d.Peers, err = s.cfg.Peers(ctx); err != nil {
		return fmt.Errorf("web: admin: peers: %w", err)
	}
	if err := s.auditRead(r, rq.p, kurultai.AuditEntry{Action: "web.admin.read",
		Detail: fmt.Sprintf("%d participants, %d users, %d tokens, %d sources, %d peers", len(parts), len(users), len(d.Tokens), len(d.Sources), len(d.Peers))}); err != nil {
		return err
	}
	return s.render(w, r, rq, http.StatusOK, "admin", rq.l.T("admin.title"), "admin", d)
}

func (s *Server) adminTokens(ctx context.Context, now time.Time, names map[int64]string, d *adminData) error {
	toks, err := s.store.Tokens(ctx)
	if err != nil {
		return fmt.Errorf("web: admin: tokens: %w", err)
	}
	for _, t := range toks {
		owner := names[t.UserID]
		if owner == "" {
			owner = fmt.Sprintf("#%d", t.UserID)
		}
		d.Tokens = append(d.Tokens, tokenRow{ID: t.ID, Label: t.Label, Owner: owner, Created: t.Created, Expires: t.Expires,
			Expired: !t.Expires.IsZero() && !now.Before(t.Expires)})
	}
	slices.SortFunc(d.Tokens, func(a, b tokenRow) int { return b.Created.Compare(a.Created) })
	return nil
}
