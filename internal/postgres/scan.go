package postgres

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kurultai/kurultai/internal/kurultai"
)

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
