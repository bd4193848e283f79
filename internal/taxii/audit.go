package taxii

import (
	"context"
	"fmt"

	"github.com/kurultai/kurultai/internal/access"
	"github.com/kurultai/kurultai/internal/kurultai"
)

// audit appends e for p before a response is written. A failure is
// CodeUnavailable, so the request fails closed with 503.
func (s *Server) audit(ctx context.Context, p kurultai.Principal, e kurultai.AuditEntry) error {
	e.Time = s.clock()
	e.Username = p.Username
	e.Participant = p.Participant
	if err := s.store.AppendAudit(ctx, e); err != nil {
		return &kurultai.Error{Code: kurultai.CodeUnavailable, Message: "audit log unavailable", Err: fmt.Errorf("taxii: audit: %w", err)}
	}
	return nil
}

// counts is the audit detail of a read.
func counts(returned, withheld int) string {
	return fmt.Sprintf("returned %d, withheld %d", returned, withheld)
}

// decision returns the audit decision for a read that was served or not.
func decision(served bool) string {
	if served {
		return kurultai.DecisionAllow
	}
	return kurultai.DecisionDeny
}

// allow returns the access decision for p as a store filter.
func (s *Server) allow(p kurultai.Principal) func(*kurultai.ObjectVersion) bool {
	return func(v *kurultai.ObjectVersion) bool { return access.Decide(p, v, s.markings) }
}

// refs names the versions of a page for the audit log.
func refs(items []*kurultai.ObjectVersion) []kurultai.ObjectRef {
	out := make([]kurultai.ObjectRef, len(items))
	for i, v := range items {
		out[i] = kurultai.ObjectRef{ID: v.ID, Version: version(v)}
	}
	return out
}
