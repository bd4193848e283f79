package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// Query limits.
const (
	maxLimit        = 10_000 // items per page
	maxFilterValues = 100    // values per match[...] list
	// maxChunk bounds the rows one statement of a listing fetches.
	maxChunk = 20_000
)

// ListObjects returns one page of q, keeping the versions allow accepts (see
// kurultai.ObjectStore). allow sees each version without Raw; Raw is set
// only on the versions kept, and only when q.WithRaw. allow must be quick,
// must not call the store and must not keep the version it is given (a
// refused one is reused).
//
// The listing walks an index in date-added order from the cursor, in
// chunks: each statement fetches at most a chunk of rows after the last
// one examined (the first chunk is the page plus one; when allow refuses
// versions, the next chunk is sized by the rate it accepted, see
// nextChunk), so every page costs the same wherever it is
// in the collection and a connection never streams rows nobody reads. It
// stops once the page is full and one more acceptable version has been
// seen (More), or after examining s.scanBudget rows, in which case the page
// may be short (even empty) with More set. Next is a position up to which
// every version has been returned or withheld. Chunks are separate
// statements and may see versions committed meanwhile; those have larger
// dates added (see the package comment), so they only extend the walk.
//
// The MarkingRefs and EffectiveMarkingRefs slices of the returned versions
// may be shared between versions: callers must not modify them in place.
func (s *Store) ListObjects(ctx context.Context, q kurultai.Query, allow func(*kurultai.ObjectVersion) bool) (kurultai.Page, error) {
	page, err := s.listObjects(ctx, q, allow)
	if err != nil {
		return kurultai.Page{}, fmt.Errorf("postgres: list objects: %w", err)
	}
	return page, nil
}

func (s *Store) listObjects(ctx context.Context, q kurultai.Query, allow func(*kurultai.ObjectVersion) bool) (kurultai.Page, error) {
	if err := checkQuery(q); err != nil {
		return kurultai.Page{}, err
	}
	empty := kurultai.Page{Items: []*kurultai.ObjectVersion{}}
	if !storable(q.Collection) {
		return kurultai.Page{}, notFound("collection")
	}
	seq, err := collectionSeq(ctx, s.pool, q.Collection)
	if err != nil {
		return kurultai.Page{}, err
	}
	if len(q.SpecVersions) > 0 && !slices.Contains(q.SpecVersions, "2.1") {
		return empty, nil
	}
	// Filter values the database cannot hold match nothing stored.
	idsFilter, typesFilter := storables(q.IDs), storables(uniq(q.Types))
	if len(idsFilter) < len(q.IDs) && len(idsFilter) == 0 || len(typesFilter) < len(uniq(q.Types)) && len(typesFilter) == 0 {
		return empty, nil
	}
	q.IDs, q.Types = idsFilter, typesFilter

	limit := min(max(q.Limit, 1), maxLimit)
	lower := int64(q.After)
	if !q.AddedAfter.IsZero() {
		lower = max(lower, q.AddedAfter.UnixMicro())
	}
	page := kurultai.Page{Items: make([]*kurultai.ObjectVersion, 0, min(limit, 1024))}
	sc := newScanner(q.WithRaw, false)
	var al pageAlloc
	cand := al.version()
	scanned := 0
	chunk := limit + 1
	for round := 1; ; round++ {
		chunk = min(chunk, s.scanBudget-scanned, maxChunk)
		query, args := listQuery(seq, lower, chunk, q)
		rows, err := s.pool.Query(ctx, query, append([]any{sc.resultFormats()}, args...)...)
		if err != nil {
			return kurultai.Page{}, mapErr(err)
		}
		got := 0
		for rows.Next() {
			if err := sc.scan(rows); err != nil {
				rows.Close()
				return kurultai.Page{}, mapErr(err)
			}
			got++
			lower = sc.added
			sc.fill(cand, q.Collection)
			scanned++
			if !allow(cand) {
				page.Withheld++
				*cand = kurultai.ObjectVersion{}
			} else if len(page.Items) == limit {
				// One more acceptable version: everything before it is done.
				page.More, page.Next = true, kurultai.Cursor(sc.added-1)
				rows.Close()
				return page, mapErr(rows.Err())
			} else {
				if q.WithRaw {
					cand.Raw = al.bytes(sc.raw)
				}
				page.Items = append(page.Items, cand)
				cand = al.version()
			}
			if scanned >= s.scanBudget {
				page.More, page.Next = true, kurultai.Cursor(sc.added)
				rows.Close()
				return page, mapErr(rows.Err())
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return kurultai.Page{}, mapErr(err)
		}
		if got < chunk {
			return page, nil // the walk reached the end
		}
		chunk = nextChunk(chunk, limit+1-len(page.Items), len(page.Items), scanned, round)
	}
}

// nextChunk sizes the next chunk of a listing that still needs need
// acceptable versions after accepting acc of the scanned rows examined, in
// round rounds so far. The chunk is what the acceptance rate seen so far
// predicts, with a margin, so that a page missing a few withheld versions
// fetches a few more rows, not four times the page (which made the first
// page of a collection, where the versions other participants may not see
// tend to be, cost several pages). Nothing accepted yet, or a rate that
// let a chunk down already, makes the chunks grow geometrically.
func nextChunk(chunk, need, acc, scanned, round int) int {
	if acc == 0 {
		return 4 * chunk
	}
	est := need*scanned/acc + need/4 + 64
	if round > 1 {
		est = max(est, 2*chunk)
	}
	return min(est, 4*chunk)
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

// listQuery builds the SQL of one chunk of a listing: at most n rows after
// lower, in date-added order.
//
//   - match[id]: the (collection, id, version_key) index finds the few
//     versions of each id, one probe per id, then sorted by date added;
//   - one match[type]: the (collection, type, added) index from the cursor;
//   - several types: one such range per type, each limited, then merged;
//   - otherwise: the (collection, added) index from the cursor.
func listQuery(seq, lower int64, n int, q kurultai.Query) (string, []any) {
	cols := versionCols
	if q.WithRaw {
		cols += ", raw"
	}
	args := []any{seq, lower, n}
	vf := versionClause(q.Versions, &args)
	var b strings.Builder
	switch {
	case len(q.IDs) > 0:
		// One probe of objects_version per id (a LATERAL subquery), so
		// that the plan does not depend on the table's statistics, which
		// lag behind a freshly filled table (see sqlVersions).
		args = append(args, q.IDs)
		fmt.Fprintf(&b, "SELECT %s FROM (SELECT DISTINCT unnest($%d::text[])) AS u(want) CROSS JOIN LATERAL (SELECT %s FROM objects WHERE collection_seq = $1 AND id = u.want AND added > $2%s", cols, len(args), cols, vf)
		if len(q.Types) > 0 {
			args = append(args, q.Types)
			fmt.Fprintf(&b, " AND type = ANY($%d::text[])", len(args))
		}
		b.WriteString(" ORDER BY added LIMIT $3) AS o ORDER BY added LIMIT $3")
	case len(q.Types) == 1:
		args = append(args, q.Types[0])
		fmt.Fprintf(&b, "SELECT %s FROM objects WHERE collection_seq = $1 AND type = $%d AND added > $2%s ORDER BY added LIMIT $3", cols, len(args), vf)
	case len(q.Types) > 1:
		b.WriteString("SELECT * FROM (")
		for i, t := range q.Types {
			if i > 0 {
				b.WriteString(" UNION ALL ")
			}
			args = append(args, t)
			fmt.Fprintf(&b, "(SELECT %s FROM objects WHERE collection_seq = $1 AND type = $%d AND added > $2%s ORDER BY added LIMIT $3)", cols, len(args), vf)
		}
		b.WriteString(") AS t ORDER BY added LIMIT $3")
	default:
		fmt.Fprintf(&b, "SELECT %s FROM objects WHERE collection_seq = $1 AND added > $2%s ORDER BY added LIMIT $3", cols, vf)
	}
	return b.String(), args
}

// versionClause is the match[version] condition (with a leading " AND "),
// or "" for every version; it appends its parameters to args.
func versionClause(vf kurultai.VersionFilter, args *[]any) string {
	if vf.All {
		return ""
	}
	var conds []string
	if vf.First {
		conds = append(conds, "is_first")
	}
	if vf.Last || (!vf.First && len(vf.Keys) == 0) {
		conds = append(conds, "is_last")
	}
	if len(vf.Keys) > 0 {
		*args = append(*args, uniq(vf.Keys))
		conds = append(conds, fmt.Sprintf("version_key = ANY($%d::bigint[])", len(*args)))
	}
	return " AND (" + strings.Join(conds, " OR ") + ")"
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
