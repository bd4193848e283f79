package api

import (
	"context"
	"fmt"
	"time"

	"github.com/kurultai/kurultai/internal/access"
	"github.com/kurultai/kurultai/internal/crisis"
	"github.com/kurultai/kurultai/internal/kurultai"
)

// The audit actions of the API. Writes are also recorded by the store as
// kurultai.ActionObjectsAdd, in the transaction that stores them.
const (
	AuditCharterRead       = "crisis.charter.read"
	AuditSituationsRead    = "crisis.situations.read"
	AuditSituationRead     = "crisis.situation.read"
	AuditKPIRead           = "crisis.kpi" // as the kpi command records it
	AuditClockRead         = "crisis.clock.read"
	AuditNotificationsRead = "crisis.notifications.read"
	AuditReplayRead        = "crisis.replay.read"
	// AuditAct records each action's decision: allow (then the store
	// records the write) or deny, with the reason.
	AuditAct = "crisis.act"
)

// audit appends e for p. A failure is CodeUnavailable: the request fails
// closed with 503.
func (s *Server) audit(ctx context.Context, p kurultai.Principal, e kurultai.AuditEntry) error {
	e.Time = s.clock()
	e.Username = p.Username
	e.Participant = p.Participant
	if e.Decision == "" {
		e.Decision = kurultai.DecisionAllow
	}
	if err := s.store.AppendAudit(ctx, e); err != nil {
		return &kurultai.Error{Code: kurultai.CodeUnavailable, Message: "audit log unavailable", Err: fmt.Errorf("api: audit: %w", err)}
	}
	return nil
}

// view is what a principal may see of one situation.
type view struct {
	records  []crisis.Record
	refs     []kurultai.ObjectRef // the versions read, for the audit log
	withheld int
	problems []crisis.Ignored // versions seen that do not parse
}

// refresh brings the index up to date with the store.
func (s *Server) refresh(ctx context.Context) error {
	if err := s.idx.Refresh(ctx); err != nil {
		return fmt.Errorf("api: %w", err)
	}
	return nil
}

// visible returns the records of a situation that p may see. The index
// must have been refreshed.
func (s *Server) visible(p kurultai.Principal, situation string) view {
	entries, _ := s.idx.Entries(situation)
	v := view{records: make([]crisis.Record, 0, len(entries)), refs: make([]kurultai.ObjectRef, 0, len(entries))}
	for _, e := range entries {
		if !access.Decide(p, e.Version, s.markings) {
			v.withheld++
			continue
		}
		v.refs = append(v.refs, kurultai.ObjectRef{ID: e.Version.ID, Version: e.Version.Version})
		if e.Record == nil {
			k, _ := crisis.KindOf(e.Version.Type)
			v.problems = append(v.problems, crisis.Ignored{ID: e.Version.ID, Version: e.Version.Version, Kind: k, By: e.Version.Originator, Reason: e.Problem})
			continue
		}
		v.records = append(v.records, e.Record)
	}
	return v
}

// situationState derives a situation as p sees it at now. A situation p
// may not see is not found.
func (s *Server) situationState(p kurultai.Principal, id string, now time.Time) (*crisis.State, view, error) {
	v := s.visible(p, id)
	st, err := s.m.Derive(id, v.records, now)
	if err != nil {
		return nil, v, err
	}
	st.Ignored = append(st.Ignored, v.problems...)
	return st, v, nil
}

// detail is the audit detail of a read.
func detail(what string, v view) string {
	return fmt.Sprintf("%s: %d versions read, %d withheld", what, len(v.refs), v.withheld)
}
