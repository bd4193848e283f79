package postgres

import (
	"github.com/kurultai/kurultai/internal/markingrefs"

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
	e := markingrefs.Encode(eff)
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

// loadWriteState reads what a write needs, in one round trip: the
// collection's seq (CodeNotFound if there is none), the stored versions
// of ids in it and the stored markings among refs.
func loadWriteState(ctx context.Context, tx pgx.Tx, coll string, ids, refs []string) (int64, map[string]*objectState, map[string]storedMarking, error) {
	b := &pgx.Batch{}
	b.Queue(sqlCollSeq, coll)
	b.Queue(sqlVersions, coll, ids)
	b.Queue(sqlMarkingsIn, refs)
	br := tx.SendBatch(ctx, b)
	defer br.Close()
	var seq int64
	if err := br.QueryRow().Scan(&seq); err != nil {
		if errNoRows(err) || badText(err) {
			return 0, nil, nil, notFound("collection")
		}
		return 0, nil, nil, mapErr(err)
	}
	rows, err := br.Query()
	if err != nil {
		return 0, nil, nil, mapErr(err)
	}
	states, err := loadVersions(rows, len(ids))
	if err != nil {
		return 0, nil, nil, err
	}
	if rows, err = br.Query(); err != nil {
		return 0, nil, nil, mapErr(err)
	}
	markings, err := loadMarkings(rows, len(refs))
	if err != nil {
		return 0, nil, nil, err
	}
	return seq, states, markings, mapErr(br.Close())
}

// loadVersions reads the stored versions of a write's ids from rows of
// sqlVersions.
func loadVersions(rows pgx.Rows, n int) (map[string]*objectState, error) {
	states := make(map[string]*objectState, n)
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
