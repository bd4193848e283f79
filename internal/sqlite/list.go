package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// Query limits.
const (
	maxLimit        = 10_000 // items per page
	maxFilterValues = 100    // values per match[...] list
)

// ListObjects returns one page of q, keeping the versions allow accepts (see
// kurultai.ObjectStore). allow sees each version without Raw; Raw is set
// only on the versions kept, and only when q.WithRaw. allow runs while a
// read connection is held: it must be quick, must not call the store and
// must not keep the version it is given (a refused one is reused).
//
// The scan walks an index in date-added order from the cursor, so every
// page costs the same wherever it is in the collection. It stops once the
// page is full and one more acceptable version has been seen (More), or
// after examining s.scanBudget rows, in which case the page may be short
// (even empty) with More set. Next is a position up to which every version
// has been returned or withheld: the next page starts after it.
//
// The MarkingRefs and EffectiveMarkingRefs slices of the returned versions
// may be shared between versions: callers must not modify them in place.
func (s *Store) ListObjects(ctx context.Context, q kurultai.Query, allow func(*kurultai.ObjectVersion) bool) (kurultai.Page, error) {
	page, err := s.listObjects(ctx, q, allow)
	if err != nil {
		return kurultai.Page{}, fmt.Errorf("sqlite: list objects: %w", err)
	}
	return page, nil
}

func (s *Store) listObjects(ctx context.Context, q kurultai.Query, allow func(*kurultai.ObjectVersion) bool) (kurultai.Page, error) {
	if err := checkQuery(q); err != nil {
		return kurultai.Page{}, err
	}
	seq, err := collectionSeq(ctx, s.rdb, q.Collection)
	if err != nil {
		return kurultai.Page{}, err
	}
	if len(q.SpecVersions) > 0 && !slices.Contains(q.SpecVersions, "2.1") {
		return kurultai.Page{Items: []*kurultai.ObjectVersion{}}, nil
	}
	limit := min(max(q.Limit, 1), maxLimit)
	lower := int64(q.After)
	if !q.AddedAfter.IsZero() {
		lower = max(lower, q.AddedAfter.UnixMicro())
	}
	query, args := listQuery(seq, lower, q)
	rows, err := s.rdb.QueryContext(ctx, query, args...)
	if err != nil {
		return kurultai.Page{}, mapErr(err)
	}
	defer rows.Close()

	page := kurultai.Page{Items: make([]*kurultai.ObjectVersion, 0, min(limit, 1024))}
	sc := newScanner(q.WithRaw)
	var al pageAlloc
	cand := al.version()
	scanned := 0
	for rows.Next() {
		if err := sc.scan(rows); err != nil {
			return kurultai.Page{}, mapErr(err)
		}
		sc.fill(cand, q.Collection)
		scanned++
		if !allow(cand) {
			page.Withheld++
			*cand = kurultai.ObjectVersion{}
		} else if len(page.Items) == limit {
			// One more acceptable version: everything before it is done.
			page.More, page.Next = true, kurultai.Cursor(sc.added-1)
			return page, closeRows(rows)
		} else {
			if q.WithRaw {
				cand.Raw = al.bytes(sc.raw)
			}
			page.Items = append(page.Items, cand)
			cand = al.version()
		}
		if scanned >= s.scanBudget {
			page.More, page.Next = true, kurultai.Cursor(sc.added)
			return page, closeRows(rows)
		}
	}
	if err := rows.Err(); err != nil {
		return kurultai.Page{}, mapErr(err)
	}
	return page, nil
}

func closeRows(rows *sql.Rows) error {
	if err := rows.Close(); err != nil {
		return mapErr(err)
	}
	return mapErr(rows.Err())
}

// checkQuery rejects filter lists too long to bind.
func checkQuery(q kurultai.Query) error {
	for _, f := range []struct {
		field string
		n     int
	}{
		{"match[id]", len(q.IDs)},
		{"match[type]", len(q.Types)},
		{"match[version]", len(q.Versions.Keys)},
		{"match[spec_version]", len(q.SpecVersions)},
	} {
		if f.n > maxFilterValues {
			return kurultai.FieldError(f.field, "at most %d values", maxFilterValues)
		}
	}
	return nil
}

// listQuery builds the SQL of a listing. Each shape names its index so the
// plan cannot drift (see TestQueryPlans):
//
//   - match[id]: the (collection, id) index, then a sort of those few
//     versions by date added;
//   - one match[type]: the (collection, type, added) index from the cursor;
//   - several types: one such range per type, merged by SQLite (MERGE
//     UNION ALL) without a sort;
//   - otherwise: the (collection, added) index from the cursor.
func listQuery(seq, lower int64, q kurultai.Query) (string, []any) {
	cols := versionCols
	if q.WithRaw {
		cols += ", raw"
	}
	vf, vfArgs := versionClause(q.Versions)
	types := uniq(q.Types)
	var b strings.Builder
	var args []any
	switch {
	case len(q.IDs) > 0:
		fmt.Fprintf(&b, "SELECT %s FROM objects INDEXED BY objects_version WHERE collection_seq = ? AND id IN (%s) AND added > ?",
			cols, placeholders(len(q.IDs)))
		args = append(args, seq)
		for _, id := range q.IDs {
			args = append(args, id)
		}
		args = append(args, lower)
		if len(types) > 0 {
			fmt.Fprintf(&b, " AND type IN (%s)", placeholders(len(types)))
			for _, t := range types {
				args = append(args, t)
			}
		}
		b.WriteString(vf)
		args = append(args, vfArgs...)
	case len(types) > 0:
		for i, t := range types {
			if i > 0 {
				b.WriteString(" UNION ALL ")
			}
			fmt.Fprintf(&b, "SELECT %s FROM objects INDEXED BY objects_type WHERE collection_seq = ? AND type = ? AND added > ?%s", cols, vf)
			args = append(args, seq, t, lower)
			args = append(args, vfArgs...)
		}
	default:
		fmt.Fprintf(&b, "SELECT %s FROM objects INDEXED BY objects_coll WHERE collection_seq = ? AND added > ?%s", cols, vf)
		args = append(args, seq, lower)
		args = append(args, vfArgs...)
	}
	b.WriteString(" ORDER BY added")
	return b.String(), args
}

// versionClause is the match[version] condition (with a leading " AND "),
// or "" for every version.
func versionClause(vf kurultai.VersionFilter) (string, []any) {
	if vf.All {
		return "", nil
	}
	var conds []string
	var args []any
	if vf.First {
		conds = append(conds, "is_first = 1")
	}
	if vf.Last || (!vf.First && len(vf.Keys) == 0) {
		conds = append(conds, "is_last = 1")
	}
	if keys := uniq(vf.Keys); len(keys) > 0 {
		conds = append(conds, "version_key IN ("+placeholders(len(keys))+")")
		for _, k := range keys {
			args = append(args, k)
		}
	}
	return " AND (" + strings.Join(conds, " OR ") + ")", args
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// uniq returns xs without repeats, in first-seen order.
func uniq[T comparable](xs []T) []T {
	out := make([]T, 0, len(xs))
	for _, x := range xs {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// scanner reads versionCols (and raw) rows into reused variables.
type scanner struct {
	added, key                   int64
	id, typ, spec, version, orig string
	created, modified            sql.NullInt64
	revoked                      bool
	refs                         string
	eff                          sql.NullString
	raw                          sql.RawBytes
	dest                         []any
	cache                        refCache
}

func newScanner(withRaw bool) *scanner {
	sc := &scanner{cache: refCache{}}
	sc.dest = []any{&sc.added, &sc.id, &sc.typ, &sc.spec, &sc.version, &sc.key, &sc.created, &sc.modified,
		&sc.revoked, &sc.orig, &sc.refs, &sc.eff}
	if withRaw {
		sc.dest = append(sc.dest, &sc.raw)
	}
	return sc
}

func (sc *scanner) scan(rows *sql.Rows) error { return rows.Scan(sc.dest...) }

// fill sets v from the last row scanned (Raw excepted).
func (sc *scanner) fill(v *kurultai.ObjectVersion, collection string) {
	v.ID, v.Type, v.SpecVersion, v.Version, v.VersionKey = sc.id, sc.typ, sc.spec, sc.version, sc.key
	v.Created, v.Modified = timeOf(sc.created), timeOf(sc.modified)
	v.Revoked = sc.revoked
	v.Originator = sc.orig
	v.MarkingRefs = sc.cache.get(sc.refs)
	v.EffectiveMarkingRefs = v.MarkingRefs
	if sc.eff.Valid {
		v.EffectiveMarkingRefs = sc.cache.get(sc.eff.String)
	}
	if v.EffectiveMarkingRefs == nil {
		v.EffectiveMarkingRefs = []string{} // set by the store, even when empty
	}
	v.Collection = collection
	v.DateAdded = time.UnixMicro(sc.added).UTC()
}

func timeOf(ns sql.NullInt64) time.Time {
	if !ns.Valid {
		return time.Time{}
	}
	return time.Unix(0, ns.Int64).UTC()
}

// pageAlloc hands out the versions and raw bytes of one page from a few
// large blocks instead of one allocation each. A page's items live and die
// together, so sharing blocks costs no memory that matters.
type pageAlloc struct {
	versions []kurultai.ObjectVersion
	raw      []byte
}

func (a *pageAlloc) version() *kurultai.ObjectVersion {
	if len(a.versions) == cap(a.versions) {
		a.versions = make([]kurultai.ObjectVersion, 0, 128)
	}
	a.versions = a.versions[:len(a.versions)+1]
	return &a.versions[len(a.versions)-1]
}

// bytes returns a copy of b, capped so that an append copies.
func (a *pageAlloc) bytes(b []byte) []byte {
	if cap(a.raw)-len(a.raw) < len(b) {
		a.raw = make([]byte, 0, max(len(b), 256<<10))
	}
	start := len(a.raw)
	a.raw = append(a.raw, b...)
	return a.raw[start:len(a.raw):len(a.raw)]
}
