package sqlite

import (
	"github.com/kurultai/kurultai/internal/markingrefs"

	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// settle sorts the versions of every changed object, recomputes first,
// last and the effective refs, and returns the stored versions whose row
// must be updated. A version's effective refs are its own (or, stored, its
// current effective ones) plus the effective refs of the next newer
// version, so a newer version's refs reach every older one.
func settle(states map[string]*objectState) []*versionRow {
	var updates []*versionRow
	for _, st := range states {
		if !st.changed {
			continue
		}
		rows := st.rows
		slices.SortFunc(rows, func(a, b *versionRow) int { return cmp.Compare(a.key, b.key) })
		var newer []string
		for k := len(rows) - 1; k >= 0; k-- {
			r := rows[k]
			if r.v != nil {
				r.eff = markingrefs.Union(r.v.MarkingRefs, newer)
			} else {
				r.eff = markingrefs.Union(r.eff, newer)
			}
			r.first, r.last = k == 0, k == len(rows)-1
			newer = r.eff
			if r.stored && (r.first != r.storedFirst || r.last != r.storedLast || markingrefs.Encode(r.eff) != r.storedEff) {
				updates = append(updates, r)
			}
		}
		st.changed = false
	}
	return updates
}

// writeVersions inserts the new versions (in date-added order, so each
// insert appends to the table) and updates the stored ones that changed.
func (s *Store) writeVersions(ctx context.Context, tx *sql.Tx, seq int64, me string, added, updates []*versionRow) error {
	if len(added) > 0 {
		ins := tx.StmtContext(ctx, s.ws.insertObject)
		for _, r := range added {
			v := r.v
			spec := v.SpecVersion
			if spec == "" {
				spec = "2.1"
			}
			_, err := ins.ExecContext(ctx, r.added, seq, v.ID, v.Type, spec, v.Version, v.VersionKey,
				nullTime(v.Created), nullTime(v.Modified), v.Revoked, me,
				r.own, effColumn(r.own, r.eff), r.first, r.last, v.Raw)
			if err != nil {
				return fmt.Errorf("insert %s: %w", v.ID, mapErr(err))
			}
		}
	}
	if len(updates) > 0 {
		up := tx.StmtContext(ctx, s.ws.updateObject)
		for _, r := range updates {
			if _, err := up.ExecContext(ctx, effColumn(r.own, r.eff), r.first, r.last, r.added); err != nil {
				return fmt.Errorf("update version: %w", mapErr(err))
			}
		}
	}
	return nil
}

// effColumn is the eff_marking_refs value: NULL when it equals own.
func effColumn(own string, eff []string) any {
	e := markingrefs.Encode(eff)
	if e == own {
		return nil
	}
	return e
}

// nullTime is a time column value: Unix ns, NULL for the zero time.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixNano()
}

// loadVersions returns the stored versions of ids in the collection.
func (s *Store) loadVersions(ctx context.Context, tx *sql.Tx, seq int64, ids []string) (map[string]*objectState, error) {
	states := make(map[string]*objectState, len(ids))
	if len(ids) == 0 {
		return states, nil
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	rows, err := tx.StmtContext(ctx, s.ws.versions).QueryContext(ctx, seq, string(list))
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		r := &versionRow{stored: true}
		var id, originator string
		var eff sql.NullString
		if err := rows.Scan(&r.added, &id, &r.key, &originator, &r.own, &eff, &r.first, &r.last); err != nil {
			return nil, mapErr(err)
		}
		r.storedFirst, r.storedLast = r.first, r.last
		r.storedEff = r.own
		if eff.Valid {
			r.storedEff = eff.String
		}
		r.eff = markingrefs.Decode(r.storedEff)
		st := states[id]
		if st == nil {
			st = &objectState{originator: originator}
			states[id] = st
		}
		st.rows = append(st.rows, r)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err)
	}
	return states, nil
}
