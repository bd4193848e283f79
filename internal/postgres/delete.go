package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// DeleteObject deletes the versions of the object that match vf and that
// allow accepts, fixes first and last of the remaining versions and appends
// entry, with Objects set to the deleted versions, in the same transaction.
// allow sees each version without Raw; it runs on the writer goroutine,
// inside the write transaction, so it must be quick and must not call the
// store.
// It returns CodeNotFound when no version matched and was accepted.
//
// The effective marking refs of the remaining versions are left as they
// are: a narrowing that reached older versions stays when the newer version
// goes, so a delete never widens what anyone sees.
func (s *Store) DeleteObject(ctx context.Context, collection, id string, vf kurultai.VersionFilter, allow func(*kurultai.ObjectVersion) bool, entry kurultai.AuditEntry) (int, error) {
	var n int
	if !storable(collection) || !storable(id) {
		return 0, fmt.Errorf("postgres: delete object: %w", notFound("object"))
	}
	err := s.submit(ctx, 1, func(ctx context.Context, tx *wtx) error {
		var err error
		n, err = s.deleteObject(ctx, tx, collection, id, vf, allow, entry)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("postgres: delete object: %w", err)
	}
	return n, nil
}

// deleteRow is one stored version as DeleteObject sees it.
type deleteRow struct {
	v           *kurultai.ObjectVersion
	added       int64
	first, last bool
	deleted     bool
}

func (s *Store) deleteObject(ctx context.Context, w *wtx, collection, id string, vf kurultai.VersionFilter, allow func(*kurultai.ObjectVersion) bool, entry kurultai.AuditEntry) (int, error) {
	tx := w.tx
	seq, err := collectionSeq(ctx, tx, collection)
	if err != nil {
		return 0, err
	}
	sc := newScanner(false, true)
	rows, err := tx.Query(ctx, `SELECT `+versionCols+`, is_first, is_last
		FROM objects WHERE collection_seq = $1 AND id = $2 ORDER BY version_key`, sc.resultFormats(), seq, id)
	if err != nil {
		return 0, mapErr(err)
	}
	defer rows.Close()
	var vs []*deleteRow
	for rows.Next() {
		if err := sc.scan(rows); err != nil {
			return 0, mapErr(err)
		}
		r := &deleteRow{v: new(kurultai.ObjectVersion), added: sc.added, first: sc.first, last: sc.last}
		sc.fill(r.v, collection)
		vs = append(vs, r)
	}
	if err := rows.Err(); err != nil {
		return 0, mapErr(err)
	}
	rows.Close()

	var refs []kurultai.ObjectRef
	for _, r := range vs {
		if matchVersion(vf, r) && allow(r.v) {
			r.deleted = true
			refs = append(refs, kurultai.ObjectRef{ID: r.v.ID, Version: refVersion(r.v)})
		}
	}
	if len(refs) == 0 {
		return 0, notFound("object")
	}
	var gone []int64
	for _, r := range vs {
		if r.deleted {
			gone = append(gone, r.added)
		}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM objects WHERE collection_seq = $1 AND added = ANY($2::bigint[])`, seq, gone); err != nil {
		return 0, mapErr(err)
	}
	remaining := slices.DeleteFunc(vs, func(r *deleteRow) bool { return r.deleted })
	for k, r := range remaining {
		first, last := k == 0, k == len(remaining)-1
		if first == r.first && last == r.last {
			continue
		}
		if _, err := tx.Exec(ctx, `UPDATE objects SET is_first = $1, is_last = $2 WHERE collection_seq = $3 AND added = $4`, first, last, seq, r.added); err != nil {
			return 0, mapErr(err)
		}
	}
	entry.Objects = refs
	if err := insertAudit(ctx, w, s.clock, []kurultai.AuditEntry{entry}); err != nil {
		return 0, err
	}
	return len(refs), nil
}

// matchVersion reports whether a stored version passes a version filter.
func matchVersion(vf kurultai.VersionFilter, r *deleteRow) bool {
	switch {
	case vf.All:
		return true
	case vf.First && r.first, vf.Last && r.last:
		return true
	case !vf.First && !vf.Last && len(vf.Keys) == 0:
		return r.last
	}
	return slices.Contains(vf.Keys, r.v.VersionKey)
}

// refVersion is the version an object ref names: the version string, or
// the date added for objects without one.
func refVersion(v *kurultai.ObjectVersion) string {
	if v.Version != "" {
		return v.Version
	}
	return v.DateAdded.Format(statusTimeFormat)
}

// Markings returns every marking-definition the node understands: the
// standard TLP ones and those stored since.
func (s *Store) Markings(ctx context.Context) ([]kurultai.Marking, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, name, tlp, audience, releasability FROM markings ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("postgres: markings: %w", mapErr(err))
	}
	defer rows.Close()
	var ms []kurultai.Marking
	for rows.Next() {
		var m kurultai.Marking
		var tlp string
		var audience *string
		if err := rows.Scan(&m.ID, &m.Name, &tlp, &audience, &m.Releasability); err != nil {
			return nil, fmt.Errorf("postgres: markings: %w", mapErr(err))
		}
		m.TLP = kurultai.TLP(tlp)
		if audience != nil {
			if err := json.Unmarshal([]byte(*audience), &m.Audience); err != nil {
				return nil, fmt.Errorf("postgres: markings: %s audience: %w", m.ID, err)
			}
		}
		ms = append(ms, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: markings: %w", mapErr(err))
	}
	return ms, nil
}

// CountObjects returns the number of stored versions.
func (s *Store) CountObjects(ctx context.Context) (int64, error) {
	var n int64
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM objects`).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: count objects: %w", mapErr(err))
	}
	return n, nil
}
