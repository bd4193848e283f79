package postgres

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

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
// versions the chunks grow), so every page costs the same wherever it is
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
	for {
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
		chunk *= 4
	}
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
//     versions, sorted by date added (the ORDER BY is on an expression so
//     that the planner cannot prefer walking the collection in order);
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
		args = append(args, q.IDs)
		fmt.Fprintf(&b, "SELECT %s FROM objects WHERE collection_seq = $1 AND added > $2 AND id = ANY($%d::text[])%s", cols, len(args), vf)
		if len(q.Types) > 0 {
			args = append(args, q.Types)
			fmt.Fprintf(&b, " AND type = ANY($%d::text[])", len(args))
		}
		b.WriteString(" ORDER BY added + 0 LIMIT $3")
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

// scanner reads versionCols rows (then raw, or is_first and is_last, when
// asked) by decoding the binary values pgx receives, without its scan
// machinery: a listing decodes a million of them a second. Strings that
// repeat (type, spec version, originator, marking refs) are decoded once.
type scanner struct {
	added, key                   int64
	id, typ, spec, version, orig string
	created, modified            *int64
	createdNS, modifiedNS        int64
	revoked                      bool
	refs                         []string
	eff                          []string
	hasEff                       bool
	raw                          []byte // valid until the next row
	first, last                  bool

	withRaw, withFlags bool
	extra              int // further columns the caller reads itself
	names              map[string]string
	cache              refCache
}

// numVersionCols is the number of versionCols.
const numVersionCols = 12

func newScanner(withRaw, withFlags bool) *scanner {
	return &scanner{withRaw: withRaw, withFlags: withFlags, names: map[string]string{}, cache: refCache{}}
}

// resultFormats asks for every column in binary, which scan decodes.
func (sc *scanner) resultFormats() pgx.QueryResultFormats {
	n := numVersionCols
	if sc.withRaw {
		n++
	}
	if sc.withFlags {
		n += 2
	}
	f := make(pgx.QueryResultFormats, n)
	for i := range f {
		f[i] = pgx.BinaryFormatCode
	}
	return f
}

// scan reads the current row.
func (sc *scanner) scan(rows pgx.Rows) error {
	v := rows.RawValues()
	want := numVersionCols
	if sc.withRaw {
		want++
	}
	if sc.withFlags {
		want += 2
	}
	if len(v) != want+sc.extra {
		return fmt.Errorf("scan: %d columns, want %d", len(v), want+sc.extra)
	}
	var d decoder
	sc.added = d.int8(v[0])
	sc.id = d.text(v[1])
	sc.typ = sc.name(d.text0(v[2]))
	sc.spec = sc.name(d.text0(v[3]))
	sc.version = d.text(v[4])
	sc.key = d.int8(v[5])
	sc.created, sc.modified = nil, nil
	if v[6] != nil {
		sc.createdNS = d.int8(v[6])
		sc.created = &sc.createdNS
	}
	if v[7] != nil {
		sc.modifiedNS = d.int8(v[7])
		sc.modified = &sc.modifiedNS
	}
	sc.revoked = d.bool(v[8])
	sc.orig = sc.name(d.text0(v[9]))
	sc.refs = sc.cache.get(d.text0(v[10]))
	sc.hasEff = v[11] != nil
	if sc.hasEff {
		sc.eff = sc.cache.get(d.text0(v[11]))
	}
	if sc.withRaw {
		sc.raw = v[12]
	}
	if sc.withFlags {
		sc.first, sc.last = d.bool(v[want-2]), d.bool(v[want-1])
	}
	return d.err
}

// name returns b as a string, shared with earlier rows.
func (sc *scanner) name(b []byte) string {
	if s, ok := sc.names[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(sc.names) < 1024 {
		sc.names[s] = s
	}
	return s
}

// decoder decodes binary column values, remembering the first error.
type decoder struct{ err error }

func (d *decoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("scan: malformed %s value", what)
	}
}

func (d *decoder) int8(b []byte) int64 {
	if len(b) != 8 {
		d.fail("bigint")
		return 0
	}
	return int64(binary.BigEndian.Uint64(b))
}

func (d *decoder) bool(b []byte) bool {
	if len(b) != 1 {
		d.fail("boolean")
		return false
	}
	return b[0] != 0
}

// text0 returns a text value's bytes, without copying.
func (d *decoder) text0(b []byte) []byte {
	if b == nil {
		d.fail("text")
	}
	return b
}

func (d *decoder) text(b []byte) string { return string(d.text0(b)) }

// fill sets v from the last row scanned (Raw excepted).
func (sc *scanner) fill(v *kurultai.ObjectVersion, collection string) {
	v.ID, v.Type, v.SpecVersion, v.Version, v.VersionKey = sc.id, sc.typ, sc.spec, sc.version, sc.key
	v.Created, v.Modified = timeOf(sc.created), timeOf(sc.modified)
	v.Revoked = sc.revoked
	v.Originator = sc.orig
	v.MarkingRefs = sc.refs
	v.EffectiveMarkingRefs = v.MarkingRefs
	if sc.hasEff {
		v.EffectiveMarkingRefs = sc.eff
	}
	if v.EffectiveMarkingRefs == nil {
		v.EffectiveMarkingRefs = []string{} // set by the store, even when empty
	}
	v.Collection = collection
	v.DateAdded = time.UnixMicro(sc.added).UTC()
}

func timeOf(ns *int64) time.Time {
	if ns == nil {
		return time.Time{}
	}
	return time.Unix(0, *ns).UTC()
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
