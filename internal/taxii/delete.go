package taxii

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// deleteObject deletes versions of an object (TAXII 2.1 section 5.6). Only
// versions written by the caller's participant are deleted.
func (s *Server) deleteObject(w http.ResponseWriter, r *http.Request, p kurultai.Principal) error {
	ctx := r.Context()
	id, err := objectID(r)
	if err != nil {
		return err
	}
	f, err := parseFilter(r.URL.Query(), deleteParams)
	if err != nil {
		return err
	}
	if !f.versions.All && !f.versions.First && !f.versions.Last && len(f.versions.Keys) == 0 {
		// Deleting an object without naming versions deletes all of
		// them, not just the last.
		f.versions.All = true
	}
	coll := r.PathValue("id")
	if _, err := s.collection(ctx, coll); err != nil {
		return err
	}
	entry := kurultai.AuditEntry{
		Action:  kurultai.ActionObjectDelete,
		Objects: []kurultai.ObjectRef{{ID: id}},
		Query:   auditQuery(read{collection: coll, objectID: id, filter: f}),
	}
	if !p.CanWrite() {
		s.metrics.AccessDenied.Inc()
		entry.Decision, entry.Detail = kurultai.DecisionDeny, "no write permission"
		if err := s.audit(ctx, p, entry); err != nil {
			return err
		}
		return kurultai.Errorf(kurultai.CodeForbidden, "no write permission on this collection")
	}
	spec := func(v *kurultai.ObjectVersion) bool {
		return len(f.specVersions) == 0 || slices.Contains(f.specVersions, v.SpecVersion)
	}
	owned := func(v *kurultai.ObjectVersion) bool { return v.Originator == p.Participant && spec(v) }
	done := entry
	done.Time, done.Username, done.Participant = s.clock(), p.Username, p.Participant
	done.Decision, done.Detail = kurultai.DecisionAllow, "versions written by the caller"
	_, err = s.store.DeleteObject(ctx, coll, id, f.versions, owned, done)
	if err == nil {
		writeJSON(w, http.StatusOK, nil)
		return nil
	}
	if kurultai.ErrorCode(err) != kurultai.CodeNotFound {
		return err
	}
	// Nothing of the caller's matched. Whether someone else's version
	// matched may be said only if the caller can see it.
	q := f.query(coll, false)
	q.IDs, q.Limit = []string{id}, 1
	page, err := s.store.ListObjects(ctx, q, s.allow(p))
	if err != nil {
		return err
	}
	visible := len(page.Items) > 0
	s.metrics.AccessDenied.Add(float64(page.Withheld))
	entry.Decision = kurultai.DecisionDeny
	entry.Detail = "not found, withheld " + strconv.Itoa(page.Withheld)
	if visible {
		s.metrics.AccessDenied.Inc()
		entry.Detail = "not the originator"
	}
	if err := s.audit(ctx, p, entry); err != nil {
		return err
	}
	if visible {
		return kurultai.Errorf(kurultai.CodeForbidden, "only the originator may delete an object")
	}
	return kurultai.Errorf(kurultai.CodeNotFound, "object not found")
}
