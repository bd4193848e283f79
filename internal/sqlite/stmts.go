package sqlite

import (
	"context"
	"database/sql"
	"fmt"
)

// writeStmts are the writer's statements, prepared once on the write
// connection; jobs bind them to their transaction with tx.StmtContext,
// which reuses the preparation.
type writeStmts struct {
	versions      *sql.Stmt
	markingsIn    *sql.Stmt
	raw           *sql.Stmt
	insertObject  *sql.Stmt
	updateObject  *sql.Stmt
	insertMarking *sql.Stmt
	insertStatus  *sql.Stmt
	insertAudit   *sql.Stmt
	insertNode    *sql.Stmt
	updateTree    *sql.Stmt
}

// The columns ListObjects and DeleteObject read, in scan order (see
// scanner.scan).
const versionCols = `added, id, type, spec_version, version, version_key, created_ns, modified_ns,
	revoked, originator, marking_refs, eff_marking_refs`

const (
	sqlCollSeq = `SELECT seq FROM collections WHERE id = ?`
	// sqlVersions loads the stored versions of the ids a write touches (a
	// JSON array), in one query per write.
	sqlVersions = `SELECT added, id, version_key, originator, marking_refs, eff_marking_refs, is_first, is_last
		FROM objects INDEXED BY objects_version
		WHERE collection_seq = ? AND id IN (SELECT value FROM json_each(?))`
	sqlMarkingsIn = `SELECT id, tlp, audience, releasability FROM markings
		WHERE id IN (SELECT value FROM json_each(?))`
	sqlRaw          = `SELECT raw FROM objects WHERE added = ?`
	sqlInsertObject = `INSERT INTO objects (added, collection_seq, id, type, spec_version, version, version_key,
		created_ns, modified_ns, revoked, originator, marking_refs, eff_marking_refs, is_first, is_last, raw)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	sqlUpdateObject  = `UPDATE objects SET eff_marking_refs = ?, is_first = ?, is_last = ? WHERE added = ?`
	sqlInsertMarking = `INSERT INTO markings (id, name, tlp, audience, releasability) VALUES (?, ?, ?, ?, ?)`
	sqlInsertStatus  = `INSERT INTO statuses (id, collection, owner, status, request_time, successes, failures, pendings)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	sqlInsertAudit = `INSERT INTO audit_log (seq, time, username, participant, action, objects, query, decision, detail, leaf)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	sqlInsertNode = `INSERT INTO audit_nodes (id, hash) VALUES (?, ?)`
	// sqlUpdateTree records the tree head; the returned max(seq) lets
	// appendLeaves check that the tree counts every row.
	sqlUpdateTree = `UPDATE audit_tree SET size = ?, root = ?, compact = ? WHERE id = 1
		RETURNING (SELECT coalesce(max(seq), 0) FROM audit_log)`
)

func (w *writeStmts) prepare(ctx context.Context, db *sql.DB) error {
	for _, p := range []struct {
		dst **sql.Stmt
		sql string
	}{
		{&w.versions, sqlVersions},
		{&w.markingsIn, sqlMarkingsIn},
		{&w.raw, sqlRaw},
		{&w.insertObject, sqlInsertObject},
		{&w.updateObject, sqlUpdateObject},
		{&w.insertMarking, sqlInsertMarking},
		{&w.insertStatus, sqlInsertStatus},
		{&w.insertAudit, sqlInsertAudit},
		{&w.insertNode, sqlInsertNode},
		{&w.updateTree, sqlUpdateTree},
	} {
		st, err := db.PrepareContext(ctx, p.sql)
		if err != nil {
			return fmt.Errorf("prepare: %w", mapErr(err))
		}
		*p.dst = st
	}
	return nil
}

func (w *writeStmts) close() {
	for _, st := range []*sql.Stmt{w.versions, w.markingsIn, w.raw, w.insertObject,
		w.updateObject, w.insertMarking, w.insertStatus, w.insertAudit, w.insertNode, w.updateTree} {
		if st != nil {
			st.Close()
		}
	}
}

// collectionSeq returns the compact key of the collection with the id, or
// CodeNotFound.
func collectionSeq(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, id string) (int64, error) {
	var seq int64
	err := q.QueryRowContext(ctx, sqlCollSeq, id).Scan(&seq)
	if err == sql.ErrNoRows {
		return 0, notFound("collection")
	}
	if err != nil {
		return 0, mapErr(err)
	}
	return seq, nil
}
