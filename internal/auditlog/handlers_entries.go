package auditlog

import (
	"context"
	"errors"
	"io"
	"net/http"

	"github.com/kurultai/kurultai/internal/access"
	"github.com/kurultai/kurultai/internal/kurultai"
)

// entriesScanBudget bounds the rows one entries request examines, so that
// an auditor who may see little cannot make one request read the whole log.
const entriesScanBudget = 10 * MaxEntriesLimit

// getEntries lists the entries the caller, an auditor, may see: those of
// principals of its own participant, and those that concern object
// versions its participant may see (the access decision on each version
// an entry names). Other participants' entries that name visible and
// invisible versions are shown without the invisible ones and without
// their query, and marked incomplete.
func (s *Server) getEntries(w http.ResponseWriter, r *http.Request, p kurultai.Principal) error {
	ctx := r.Context()
	q := r.URL.Query()
	from, err := uintParam(q, "from", false)
	if err != nil {
		return err
	}
	limit, err := parseLimit(q, DefaultEntriesLimit, MaxEntriesLimit)
	if err != nil {
		return err
	}
	resp, err := s.Entries(ctx, p, from, limit)
	if err != nil {
		return err
	}
	return writeJSON(w, resp)
}

// views returns what p may see of each row (nil: nothing).
func (s *Server) views(ctx context.Context, p kurultai.Principal, rows []Row) ([]*EntryJSON, error) {
	entries := make([]kurultai.AuditEntry, len(rows))
	readable := make([]bool, len(rows))
	var refs []kurultai.ObjectRef
	for i, row := range rows {
		e, err := row.Entry()
		if err != nil {
			// A row the store could not have written: leave it to
			// 'kurultai audit verify', which names it.
			s.log.WarnContext(ctx, "auditlog: unreadable audit row", "seq", row.Seq, "err", err)
			continue
		}
		entries[i], readable[i] = e, true
		if e.Participant != p.Participant {
			refs = append(refs, e.Objects...)
		}
	}
	var versions map[kurultai.ObjectRef]*kurultai.ObjectVersion
	if len(refs) > 0 {
		var err error
		if versions, err = s.store.AuditObjectVersions(ctx, refs); err != nil {
			return nil, err
		}
	}
	out := make([]*EntryJSON, len(rows))
	for i, row := range rows {
		if !readable[i] {
			continue
		}
		e := entries[i]
		shown, withheld := e, 0
		if e.Participant != p.Participant {
			shown.Objects = nil
			for _, ref := range e.Objects {
				if v := versions[ref]; v != nil && access.Decide(p, v, s.markings) {
					shown.Objects = append(shown.Objects, ref)
				}
			}
			if len(shown.Objects) == 0 {
				continue
			}
			if withheld = len(e.Objects) - len(shown.Objects); withheld > 0 {
				shown.Query = ""
			}
		}
		full, err := AppendLeaf(nil, row.Seq, e)
		if err != nil {
			return nil, err
		}
		view := &EntryJSON{Index: row.Index(), LeafHash: LeafHash(full), Complete: withheld == 0, Entry: full, WithheldObjects: withheld}
		if withheld > 0 {
			if view.Entry, err = AppendLeaf(nil, row.Seq, shown); err != nil {
				return nil, err
			}
		}
		out[i] = view
	}
	return out, nil
}

// readLimited reads a request body of at most max bytes.
func readLimited(w http.ResponseWriter, r *http.Request, max int64) ([]byte, error) {
	if r.ContentLength > max {
		return nil, kurultai.Errorf(kurultai.CodeTooLarge, "body exceeds %d bytes", max)
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, kurultai.Errorf(kurultai.CodeTooLarge, "body exceeds %d bytes", max)
		}
		return nil, kurultai.FieldError("body", "cannot read the request body")
	}
	return data, nil
}
