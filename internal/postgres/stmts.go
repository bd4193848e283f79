package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// The columns ListObjects and DeleteObject read, in scan order (see
// scanner).
const versionCols = `added, id, type, spec_version, version, version_key, created_ns, modified_ns,
	revoked, originator, marking_refs, eff_marking_refs`

const (
	sqlCollSeq = `SELECT seq FROM collections WHERE id = $1`
	// sqlVersions loads the stored versions of the ids a write touches, in
	// one query per write. Each id is a separate probe of objects_version
	// (the LATERAL subquery, kept apart from the join by its ORDER BY), so
	// the plan does not depend on the table's statistics. Written as
	// "id = ANY($2)", the planner judged 1000 ids unselective whenever the
	// statistics were older than the table (they lag behind a growing
	// table all through a bulk ingest) and scanned the whole collection for
	// every write instead: ingest slowed down as the collection grew.
	sqlVersions = `SELECT o.added, u.id, o.version_key, o.originator, o.marking_refs, o.eff_marking_refs, o.is_first, o.is_last
		FROM (SELECT DISTINCT unnest($2::text[])) AS u(id)
		CROSS JOIN LATERAL (
			SELECT added, version_key, originator, marking_refs, eff_marking_refs, is_first, is_last FROM objects
			WHERE collection_seq = (SELECT seq FROM collections WHERE id = $1) AND id = u.id ORDER BY version_key) AS o`
	sqlMarkingsIn = `SELECT id, tlp, audience, releasability FROM markings WHERE id = ANY($1::text[])`
	sqlRaw        = `SELECT raw FROM objects WHERE collection_seq = $1 AND added = $2`
	// sqlUpdateObjects updates the derived columns of several versions at
	// once.
	sqlUpdateObjects = `UPDATE objects o SET eff_marking_refs = u.eff, is_first = u.f, is_last = u.l
		FROM unnest($2::bigint[], $3::text[], $4::boolean[], $5::boolean[]) AS u(added, eff, f, l)
		WHERE o.collection_seq = $1 AND o.added = u.added`
	sqlInsertMarking = `INSERT INTO markings (id, name, tlp, audience, releasability) VALUES ($1, $2, $3, $4, $5)`
	sqlInsertStatus  = `INSERT INTO statuses (id, collection, owner, status, request_time, successes, failures, pendings)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`
)

// collectionSeq returns the compact key of the collection with the id, or
// CodeNotFound.
func collectionSeq(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, id string) (int64, error) {
	var seq int64
	err := q.QueryRow(ctx, sqlCollSeq, id).Scan(&seq)
	if errNoRows(err) || badText(err) {
		return 0, notFound("collection")
	}
	if err != nil {
		return 0, mapErr(err)
	}
	return seq, nil
}
