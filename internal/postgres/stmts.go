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
	// one query per write.
	sqlVersions = `SELECT added, id, version_key, originator, marking_refs, eff_marking_refs, is_first, is_last
		FROM objects WHERE collection_seq = (SELECT seq FROM collections WHERE id = $1) AND id = ANY($2::text[])`
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
