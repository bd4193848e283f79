package auditlog

import (
	"context"
	"fmt"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// Entries returns the entries from leaf index from on that p may see, at
// most limit (1 to MaxEntriesLimit), for other surfaces of the node (the
// web pages): the same rule, scan budget and audit entry as GET
// /audit/v1/entries. Only auditors read entries; anyone else is refused
// with CodeForbidden, and the refusal is recorded.
func (s *Server) Entries(ctx context.Context, p kurultai.Principal, from uint64, limit int) (EntriesResponse, error) {
	limit = min(max(limit, 1), MaxEntriesLimit)
	query := fmt.Sprintf("from=%d&limit=%d", from, limit)
	if p.Role != kurultai.RoleAuditor {
		if err := s.audit(ctx, p, kurultai.AuditEntry{Action: ActionEntriesRead, Query: query, Decision: kurultai.DecisionDeny, Detail: "not an auditor"}); err != nil {
			return EntriesResponse{}, err
		}
		return EntriesResponse{}, kurultai.Errorf(kurultai.CodeForbidden, "only auditors read audit entries")
	}
	resp := EntriesResponse{Entries: []EntryJSON{}, Next: from}
	scanned := 0
	for len(resp.Entries) < limit && scanned < entriesScanBudget {
		rows, err := s.store.AuditRows(ctx, resp.Next, min(MaxEntriesLimit, entriesScanBudget-scanned))
		if err != nil {
			return EntriesResponse{}, err
		}
		if len(rows) == 0 {
			break
		}
		views, err := s.views(ctx, p, rows)
		if err != nil {
			return EntriesResponse{}, err
		}
		for i, v := range views {
			resp.Next = rows[i].Index() + 1
			scanned++
			if v != nil {
				resp.Entries = append(resp.Entries, *v)
				if len(resp.Entries) == limit {
					break
				}
			}
		}
	}
	more, err := s.store.AuditRows(ctx, resp.Next, 1)
	if err != nil {
		return EntriesResponse{}, err
	}
	resp.More = len(more) > 0
	err = s.audit(ctx, p, kurultai.AuditEntry{Action: ActionEntriesRead, Query: query, Decision: kurultai.DecisionAllow,
		Detail: fmt.Sprintf("returned %d, withheld %d", len(resp.Entries), scanned-len(resp.Entries))})
	if err != nil {
		return EntriesResponse{}, err
	}
	return resp, nil
}

// Status returns what GET /audit/v1/status serves: the tree size, the
// latest checkpoint and the latest one a majority of members' witnesses
// cosigned.
func (s *Server) Status(ctx context.Context) (StatusResponse, error) {
	size, err := s.treeSize(ctx)
	if err != nil {
		return StatusResponse{}, err
	}
	members, err := s.members(ctx)
	if err != nil {
		return StatusResponse{}, err
	}
	resp := StatusResponse{Origin: s.origin, TreeSize: size, Members: len(members), Majority: len(members)/2 + 1}
	latest, err := s.store.LatestCheckpoint(ctx)
	switch {
	case err == nil:
		if resp.Latest, err = s.checkpointStatus(ctx, latest, members, resp.Majority); err != nil {
			return StatusResponse{}, err
		}
	case kurultai.ErrorCode(err) != kurultai.CodeNotFound:
		return StatusResponse{}, err
	}
	if resp.Latest != nil && resp.Latest.Witnessed {
		resp.Witnessed = resp.Latest
	} else if len(members) > 0 {
		wit, err := s.store.LatestCosigned(ctx, memberCodes(members), resp.Majority)
		switch {
		case err == nil:
			if resp.Witnessed, err = s.checkpointStatus(ctx, wit, members, resp.Majority); err != nil {
				return StatusResponse{}, err
			}
		case kurultai.ErrorCode(err) != kurultai.CodeNotFound:
			return StatusResponse{}, err
		}
	}
	return resp, nil
}
