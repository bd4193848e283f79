package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/kurultai/kurultai/internal/charter"
	"github.com/kurultai/kurultai/internal/crisis"
	"github.com/kurultai/kurultai/internal/crisis/clock"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/stix"
)

// publishTimeout bounds the notifications after a commit.
const publishTimeout = 5 * time.Second

// actView is the answer to an action.
type actView struct {
	Action    string      `json:"action"`
	Situation string      `json:"situation"`
	Records   []recordRef `json:"records"`
	// Notified counts the notifications the action produced.
	Notified int        `json:"notified"`
	State    *stateView `json:"state,omitempty"`
}

type recordRef struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Version string `json:"version"`
}

// perform takes the named action on a situation ("" to raise one): the
// checks that need no situation, then, under the situation's lock, derive,
// act, audit, store in one write, publish, answer 201. The lock is the
// index's, so every surface of the process that shares the index (the web
// pages) takes its turn with the API. Every refusal is audited before it
// is answered.
func (s *Server) perform(w http.ResponseWriter, r *http.Request, p kurultai.Principal, sit, name string) error {
	ctx := r.Context()
	query := "action=" + clip(name)
	if sit != "" {
		query = "situation=" + clip(sit) + "&" + query
	}
	deny := func(err error) error {
		if httpStatus(err) == http.StatusInternalServerError {
			return err // a bug, logged as such; not a decision
		}
		aerr := s.audit(ctx, p, kurultai.AuditEntry{Action: AuditAct, Query: query, Decision: kurultai.DecisionDeny,
			Detail: fmt.Sprintf("%d %s", httpStatus(err), kurultai.ErrorMessage(err))})
		if aerr != nil {
			return aerr
		}
		return err
	}
	a, err := s.prepare(w, r, p, sit, name)
	if err != nil {
		return deny(err)
	}
	if sit != "" {
		unlock, err := s.idx.Lock(ctx, sit)
		if err != nil {
			return err
		}
		defer unlock()
	}
	if err := s.refresh(ctx); err != nil {
		return err
	}
	now := s.clock()
	var st *crisis.State
	if sit != "" {
		if st, _, err = s.situationState(p, sit, now); err != nil {
			return deny(err)
		}
	}
	res, err := s.m.Act(st, p, a, now)
	if err != nil {
		return deny(err)
	}
	out := actView{Action: name, Situation: sit, Notified: len(res.Notifications)}
	for _, v := range res.Versions {
		out.Records = append(out.Records, recordRef{ID: v.ID, Type: v.Type, Version: v.Version})
	}
	if sit == "" {
		out.Situation = res.Records[0].Base().Situation
	}
	refs := make([]kurultai.ObjectRef, len(out.Records))
	for i, rr := range out.Records {
		refs[i] = kurultai.ObjectRef{ID: rr.ID, Version: rr.Version}
	}
	err = s.audit(ctx, p, kurultai.AuditEntry{Action: AuditAct, Query: query, Objects: refs, Detail: name + " on " + out.Situation})
	if err != nil {
		return err
	}
	stored, err := s.store1(ctx, p, res, now)
	if err != nil {
		return err
	}
	s.publish(ctx, stored, res.Notifications)
	s.wake()
	if err := s.refresh(ctx); err != nil {
		s.log.WarnContext(ctx, "api: refresh after write", "err", err)
	} else if sv, _, err := s.stateView(p, out.Situation, s.clock()); err != nil {
		s.log.WarnContext(ctx, "api: state after write", "situation", out.Situation, "err", err)
	} else {
		out.State = sv
	}
	return s.render(w, http.StatusCreated, out)
}

// prepare does the checks that need no situation: p may act at all, the
// action exists, a role p can hold may take it (so an observer learns
// that it may not object without learning whether the situation exists),
// and the body decodes.
func (s *Server) prepare(w http.ResponseWriter, r *http.Request, p kurultai.Principal, sit, name string) (crisis.Action, error) {
	if sit != "" && name == string(charter.ActRaiseAlert) {
		return nil, kurultai.FieldError("action", "raise an alert with POST /api/v1/situations")
	}
	if !p.CanWrite() {
		return nil, kurultai.Errorf(kurultai.CodeForbidden, "a user with role %s takes no action in the crisis mechanism", p.Role)
	}
	act := charter.Action(name)
	if !act.Valid() {
		return nil, &kurultai.Error{Code: kurultai.CodeNotFound, Field: "action", Message: fmt.Sprintf("%q is not an action of the crisis mechanism", clip(name))}
	}
	// The roles p could hold in some situation: a member's liaison may be
	// affected by it.
	could := s.m.RolesOf(p, []string{p.Participant})
	if !anyRoleAllows(s.m.Charter, could, act) {
		return nil, &kurultai.Error{Code: kurultai.CodeForbidden, Message: fmt.Sprintf("charter roles: %s is for %s; %s acting as %s may not",
			name, roleNames(s.m.Charter.RolesFor(act)), p.Participant, roleNames(could))}
	}
	body, err := s.readBody(w, r)
	if err != nil {
		return nil, err
	}
	return crisis.DecodeAction(name, body)
}

func roleNames(rs []charter.Role) string {
	if len(rs) == 0 {
		return "no role"
	}
	ss := make([]string, len(rs))
	for i, r := range rs {
		ss[i] = string(r)
	}
	return strings.Join(ss, ", ")
}

// store1 signs the records of an action and stores them in one write. A
// version the store refuses fails the action: 409 when it clashes with
// what is stored, 500 when the node lacks a marking it should have.
func (s *Server) store1(ctx context.Context, p kurultai.Principal, res *crisis.Result, now time.Time) ([]*kurultai.ObjectVersion, error) {
	// Nothing is stored while the bus is down: the records' notifications
	// and live updates would be lost (the client gets 503 and retries).
	if err := kurultai.BusReady(s.bus); err != nil {
		return nil, err
	}
	wr := kurultai.Write{Principal: p, Collection: s.collection, StatusID: s.newID(), Time: now}
	for _, v := range res.Versions {
		cp := *v
		if s.signer != nil {
			signed, err := s.signer.Sign(v.Raw)
			if err != nil {
				return nil, fmt.Errorf("api: sign %s: %w", v.ID, err) // our own JSON: a bug
			}
			cp.Raw = signed
		}
		wr.Objects = append(wr.Objects, &cp)
	}
	status, err := s.store.AddObjects(ctx, wr)
	if err != nil {
		return nil, fmt.Errorf("api: store: %w", err)
	}
	for _, f := range status.Failures {
		if strings.Contains(f.Message, "marking") {
			return nil, fmt.Errorf("api: store refused %s: %s", f.ID, f.Message)
		}
		return nil, kurultai.Errorf(kurultai.CodeConflict, "the store refused %s: %s", f.ID, f.Message)
	}
	return wr.Objects, nil
}

// publish announces stored records on objects.added (as TAXII does, so the
// clock workers of every process look again) and sends the notifications.
// The commit is done: a failure is logged, not returned.
func (s *Server) publish(ctx context.Context, stored []*kurultai.ObjectVersion, notes []crisis.Notification) {
	if s.bus == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), publishTimeout)
	defer cancel()
	added := make([]clock.Added, len(stored))
	for i, v := range stored {
		added[i] = clock.Added{Collection: s.collection, ID: v.ID, Version: v.Version}
		if !v.DateAdded.IsZero() {
			added[i].DateAdded = stix.FormatTime(v.DateAdded)
		}
	}
	if data, err := json.Marshal(added); err == nil {
		if err := s.bus.Publish(ctx, clock.SubjectObjectsAdded, data); err != nil {
			s.log.WarnContext(ctx, "api: publish objects.added", "err", err)
		}
	}
	if err := clock.PublishAll(ctx, s.bus, notes); err != nil {
		s.log.WarnContext(ctx, "api: publish notifications", "count", len(notes), "err", err)
	}
}
