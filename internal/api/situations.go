package api

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/kurultai/kurultai/internal/access"
	"github.com/kurultai/kurultai/internal/charter"
	"github.com/kurultai/kurultai/internal/kurultai"
)

// listView is the answer of GET /api/v1/situations.
type listView struct {
	Now        time.Time     `json:"now"`
	Situations []summaryView `json:"situations"`
	// Next, when set, is the ?after= of the next page.
	Next string `json:"next,omitempty"`
}

// listSituations lists the situations p may see, newest first.
// Parameters: limit, after (a situation id from the previous page's next),
// open=true to leave out closed situations.
func (s *Server) listSituations(w http.ResponseWriter, r *http.Request, p kurultai.Principal) error {
	ctx := r.Context()
	q := r.URL.Query()
	limit, err := limitParam(q)
	if err != nil {
		return err
	}
	after, onlyOpen := q.Get("after"), q.Get("open") == "true"
	if o := q.Get("open"); o != "" && o != "true" && o != "false" {
		return kurultai.FieldError("open", "%q is not true or false", clip(o))
	}
	if err := s.refresh(ctx); err != nil {
		return err
	}
	now := s.clock()
	ids := s.idx.Situations()
	slices.Reverse(ids)
	if after != "" {
		i := slices.Index(ids, after)
		if i >= 0 && !s.seesSituation(p, after) {
			i = -1 // say nothing of situations p may not see
		}
		if i < 0 {
			return kurultai.FieldError("after", "%q is not a situation of this listing", clip(after))
		}
		ids = ids[i+1:]
	}
	out := listView{Now: now.UTC(), Situations: []summaryView{}}
	var refs []kurultai.ObjectRef
	read, withheld := 0, 0
	for _, id := range ids {
		st, v, err := s.situationState(p, id, now)
		read += len(v.refs)
		withheld += v.withheld
		if kurultai.ErrorCode(err) == kurultai.CodeNotFound {
			continue // p may not see the situation
		}
		if err != nil {
			return err
		}
		if onlyOpen && st.Final {
			continue
		}
		if len(out.Situations) == limit {
			out.Next = out.Situations[limit-1].ID
			break
		}
		out.Situations = append(out.Situations, summaryOf(st))
		refs = append(refs, kurultai.ObjectRef{ID: id})
	}
	err = s.audit(ctx, p, kurultai.AuditEntry{
		Action: AuditSituationsRead, Objects: refs, Query: r.URL.RawQuery,
		Detail: fmt.Sprintf("%d situations listed: %d versions read, %d withheld", len(out.Situations), read, withheld),
	})
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, out)
}

// getSituation derives one situation as p sees it, with the actions p
// may take now.
func (s *Server) getSituation(w http.ResponseWriter, r *http.Request, p kurultai.Principal) error {
	ctx := r.Context()
	id := r.PathValue("id")
	if err := s.refresh(ctx); err != nil {
		return err
	}
	sv, v, err := s.stateView(p, id, s.clock())
	if err := s.auditRead(ctx, p, AuditSituationRead, id, v, err); err != nil {
		return err
	}
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, sv)
}

// stateView derives a situation as p sees it at now and builds its view.
func (s *Server) stateView(p kurultai.Principal, id string, now time.Time) (*stateView, view, error) {
	st, v, err := s.situationState(p, id, now)
	if err != nil {
		return nil, v, err
	}
	sv := stateOf(st)
	for _, role := range s.m.RolesOf(p, st.Affected()) {
		sv.Roles = append(sv.Roles, string(role))
	}
	sv.Actions = s.available(st, p, now)
	return &sv, v, nil
}

// auditRead records a read of one situation: allowed with the versions
// read, or denied when p may not see it (err is the derivation's error).
func (s *Server) auditRead(ctx context.Context, p kurultai.Principal, action, id string, v view, err error) error {
	e := kurultai.AuditEntry{Action: action, Objects: v.refs, Query: "situation=" + id, Detail: detail("situation", v)}
	if err != nil {
		e.Decision, e.Objects = kurultai.DecisionDeny, nil
		e.Detail = "not visible: " + e.Detail
	}
	return s.audit(ctx, p, e)
}

// raiseAlert opens a situation (the raise_alert action).
func (s *Server) raiseAlert(w http.ResponseWriter, r *http.Request, p kurultai.Principal) error {
	return s.perform(w, r, p, "", string(charter.ActRaiseAlert))
}

// act takes an action on a situation.
func (s *Server) act(w http.ResponseWriter, r *http.Request, p kurultai.Principal) error {
	return s.perform(w, r, p, r.PathValue("id"), r.PathValue("action"))
}

// seesSituation reports whether p may see a situation's own record.
func (s *Server) seesSituation(p kurultai.Principal, id string) bool {
	entries, _ := s.idx.Entries(id)
	for _, e := range entries {
		if e.Version.ID == id && access.Decide(p, e.Version, s.markings) {
			return true
		}
	}
	return false
}
