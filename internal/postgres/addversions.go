package postgres

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
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
				r.eff = unionRefs(r.v.MarkingRefs, newer)
			} else {
				r.eff = unionRefs(r.eff, newer)
			}
			r.first, r.last = k == 0, k == len(rows)-1
			newer = r.eff
			if r.stored && (r.first != r.storedFirst || r.last != r.storedLast || encodeRefs(r.eff) != r.storedEff) {
				updates = append(updates, r)
			}
		}
		st.changed = false
	}
	return updates
}

// objectColumns are the columns writeVersions copies, in order.
var objectColumns = []string{"added", "collection_seq", "id", "type", "spec_version", "version", "version_key",
	"created_ns", "modified_ns", "revoked", "originator", "marking_refs", "eff_marking_refs", "is_first", "is_last", "raw"}

// writeVersions inserts the new versions with COPY (in date-added order,
// so each appends to the primary key) and updates the stored ones that
// changed, in one statement.
func writeVersions(ctx context.Context, tx pgx.Tx, seq int64, me string, added, updates []*versionRow) error {
	if len(added) > 0 {
		rows := make([][]any, len(added))
		for i, r := range added {
			v := r.v
			spec := v.SpecVersion
			if spec == "" {
				spec = "2.1"
			}
			rows[i] = []any{r.added, seq, v.ID, v.Type, spec, v.Version, v.VersionKey,
				nullTime(v.Created), nullTime(v.Modified), v.Revoked, me,
				r.own, effColumn(r.own, r.eff), r.first, r.last, v.Raw}
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"objects"}, objectColumns, pgx.CopyFromRows(rows)); err != nil {
			return fmt.Errorf("insert versions: %w", mapErr(err))
		}
	}
	if len(updates) > 0 {
		keys := make([]int64, len(updates))
		effs := make([]*string, len(updates))
		firsts := make([]bool, len(updates))
		lasts := make([]bool, len(updates))
		for i, r := range updates {
			keys[i], firsts[i], lasts[i] = r.added, r.first, r.last
			effs[i] = effColumn(r.own, r.eff)
		}
		_, err := tx.Exec(ctx, sqlUpdateObjects, seq, keys, effs, firsts, lasts)
		if err != nil {
			return fmt.Errorf("update versions: %w", mapErr(err))
		}
	}
	return nil
}

// effColumn is the eff_marking_refs value: NULL when it equals own.
func effColumn(own string, eff []string) *string {
	e := encodeRefs(eff)
	if e == own {
		return nil
	}
	return &e
}

// nullTime is a time column value: Unix ns, NULL for the zero time.
func nullTime(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	ns := t.UnixNano()
	return &ns
}

// loadVersions returns the stored versions of ids in the collection.
func loadVersions(ctx context.Context, tx pgx.Tx, seq int64, ids []string) (map[string]*objectState, error) {
	states := make(map[string]*objectState, len(ids))
	if len(ids) == 0 {
		return states, nil
	}
	rows, err := tx.Query(ctx, sqlVersions, seq, ids)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		r := &versionRow{stored: true}
		var id, originator string
		var eff *string
		if err := rows.Scan(&r.added, &id, &r.key, &originator, &r.own, &eff, &r.first, &r.last); err != nil {
			return nil, mapErr(err)
		}
		r.storedFirst, r.storedLast = r.first, r.last
		r.storedEff = r.own
		if eff != nil {
			r.storedEff = *eff
		}
		r.eff = decodeRefs(r.storedEff)
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
