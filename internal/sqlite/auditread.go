package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/kurultai/kurultai/internal/auditlog"
	"github.com/kurultai/kurultai/internal/kurultai"
)

// querier is what the audit reads need: a pool or a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// auditReader reads the audit log, its tree and its checkpoints. The
// Store reads through its read pool; AuditLog through a read-only file.
type auditReader struct{ db querier }

// maxAuditRows caps one AuditRows call.
const maxAuditRows = 10_000

// readAuditRows returns up to limit rows from leaf index from on (limit
// < 0: no cap).
func readAuditRows(ctx context.Context, q querier, from uint64, limit int) ([]auditlog.Row, error) {
	rows, err := q.QueryContext(ctx, `SELECT seq, time, username, participant, action, objects, query, decision, detail, leaf
		FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?`, int64(min(from, 1<<63-1)), limit)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []auditlog.Row
	for rows.Next() {
		var r auditlog.Row
		if err := rows.Scan(&r.Seq, &r.Time, &r.Username, &r.Participant, &r.Action, &r.Objects, &r.Query, &r.Decision, &r.Detail, &r.Leaf); err != nil {
			return nil, mapErr(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err)
	}
	return out, nil
}

// AuditRows implements auditlog.LogReader.
func (a auditReader) AuditRows(ctx context.Context, from uint64, limit int) ([]auditlog.Row, error) {
	rows, err := readAuditRows(ctx, a.db, from, min(max(limit, 1), maxAuditRows))
	if err != nil {
		return nil, fmt.Errorf("sqlite: audit rows: %w", err)
	}
	return rows, nil
}

// TreeHead implements auditlog.LogReader.
func (a auditReader) TreeHead(ctx context.Context) (auditlog.TreeHead, error) {
	var h auditlog.TreeHead
	var size int64
	if err := a.db.QueryRowContext(ctx, `SELECT size, root FROM audit_tree WHERE id = 1`).Scan(&size, &h.Root); err != nil {
		return h, fmt.Errorf("sqlite: tree head: %w", mapErr(err))
	}
	h.Size = uint64(size)
	return h, nil
}

// NodeHashes implements auditlog.NodeReader: the hashes of complete
// subtrees, which exist once the tree has grown over them. Leaves are in
// their audit_log rows, interior nodes in audit_nodes by post-order number.
func (a auditReader) NodeHashes(ctx context.Context, ids []auditlog.NodeID) ([][]byte, error) {
	out := make([][]byte, len(ids))
	for i, id := range ids {
		var err error
		if id.Level == 0 {
			err = a.db.QueryRowContext(ctx, `SELECT leaf FROM audit_log WHERE seq = ?`, int64(min(id.Index, 1<<62))+1).Scan(&out[i])
		} else {
			err = a.db.QueryRowContext(ctx, `SELECT hash FROM audit_nodes WHERE id = ?`, int64(min(auditlog.PostOrder(id), 1<<63-1))).Scan(&out[i])
		}
		if err == sql.ErrNoRows || err == nil && out[i] == nil {
			return nil, fmt.Errorf("sqlite: audit node (%d, %d): %w", id.Level, id.Index, notFound("audit tree node"))
		}
		if err != nil {
			return nil, fmt.Errorf("sqlite: audit node: %w", mapErr(err))
		}
	}
	return out, nil
}

// LeafIndex returns the index of the leaf with the hash, or CodeNotFound:
// from audit_leaf_index, else among the rows not indexed yet.
func (a auditReader) LeafIndex(ctx context.Context, leafHash []byte) (uint64, error) {
	var seq int64
	err := a.db.QueryRowContext(ctx, `SELECT seq FROM audit_leaf_index WHERE leaf = ?
		UNION ALL SELECT seq FROM audit_log WHERE seq > (SELECT indexed FROM audit_tree WHERE id = 1) AND leaf = ?
		LIMIT 1`, leafHash, leafHash).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("sqlite: leaf index: %w", rowErr(err, "leaf"))
	}
	return uint64(seq - 1), nil
}

const checkpointCols = `size, root, time, note`

func scanCheckpoint(sc interface{ Scan(...any) error }) (auditlog.CheckpointRecord, error) {
	var c auditlog.CheckpointRecord
	var size, t int64
	if err := sc.Scan(&size, &c.Root, &t, &c.Note); err != nil {
		return c, err
	}
	c.Size, c.Time = uint64(size), timeOf(sql.NullInt64{Int64: t, Valid: true})
	return c, nil
}

// Checkpoints implements auditlog.LogReader.
func (a auditReader) Checkpoints(ctx context.Context, after uint64, limit int) ([]auditlog.CheckpointRecord, error) {
	rows, err := a.db.QueryContext(ctx, `SELECT `+checkpointCols+` FROM audit_checkpoints WHERE size > ? ORDER BY size LIMIT ?`,
		int64(min(after, 1<<63-1)), min(max(limit, 1), maxAuditRows))
	if err != nil {
		return nil, fmt.Errorf("sqlite: checkpoints: %w", mapErr(err))
	}
	defer rows.Close()
	var out []auditlog.CheckpointRecord
	for rows.Next() {
		c, err := scanCheckpoint(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: checkpoints: %w", mapErr(err))
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: checkpoints: %w", mapErr(err))
	}
	return out, nil
}

// LatestCheckpoint returns the checkpoint of the largest size, or
// CodeNotFound.
func (a auditReader) LatestCheckpoint(ctx context.Context) (auditlog.CheckpointRecord, error) {
	c, err := scanCheckpoint(a.db.QueryRowContext(ctx, `SELECT `+checkpointCols+` FROM audit_checkpoints ORDER BY size DESC LIMIT 1`))
	if err != nil {
		return c, fmt.Errorf("sqlite: latest checkpoint: %w", rowErr(err, "checkpoint"))
	}
	return c, nil
}

// CheckpointAt returns the checkpoint of the size, or CodeNotFound.
func (a auditReader) CheckpointAt(ctx context.Context, size uint64) (auditlog.CheckpointRecord, error) {
	c, err := scanCheckpoint(a.db.QueryRowContext(ctx, `SELECT `+checkpointCols+` FROM audit_checkpoints WHERE size = ?`, int64(min(size, 1<<63-1))))
	if err != nil {
		return c, fmt.Errorf("sqlite: checkpoint: %w", rowErr(err, "checkpoint"))
	}
	return c, nil
}

// Cosignatures returns the cosignatures of the checkpoint of size, by
// participant.
func (a auditReader) Cosignatures(ctx context.Context, size uint64) ([]auditlog.CosignatureRecord, error) {
	rows, err := a.db.QueryContext(ctx, `SELECT participant, line, time FROM audit_cosignatures WHERE size = ? ORDER BY participant`, int64(min(size, 1<<63-1)))
	if err != nil {
		return nil, fmt.Errorf("sqlite: cosignatures: %w", mapErr(err))
	}
	defer rows.Close()
	var out []auditlog.CosignatureRecord
	for rows.Next() {
		c := auditlog.CosignatureRecord{Size: size}
		var t int64
		if err := rows.Scan(&c.Participant, &c.Line, &t); err != nil {
			return nil, fmt.Errorf("sqlite: cosignatures: %w", mapErr(err))
		}
		c.Time = timeOf(sql.NullInt64{Int64: t, Valid: true})
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: cosignatures: %w", mapErr(err))
	}
	return out, nil
}

// LatestCosigned returns the checkpoint of the largest size cosigned by
// the witnesses of at least need of the participants, or CodeNotFound.
func (a auditReader) LatestCosigned(ctx context.Context, participants []string, need int) (auditlog.CheckpointRecord, error) {
	list, err := jsonList(participants)
	if err != nil {
		return auditlog.CheckpointRecord{}, fmt.Errorf("sqlite: latest cosigned: %w", err)
	}
	c, err := scanCheckpoint(a.db.QueryRowContext(ctx, `SELECT `+checkpointCols+` FROM audit_checkpoints WHERE size = (
		SELECT size FROM audit_cosignatures WHERE participant IN (SELECT value FROM json_each(?))
		GROUP BY size HAVING count(*) >= ? ORDER BY size DESC LIMIT 1)`, list, need))
	if err != nil {
		return c, fmt.Errorf("sqlite: latest cosigned: %w", rowErr(err, "cosigned checkpoint"))
	}
	return c, nil
}

// AuditObjectVersions returns the stored versions the refs name, by ref,
// without their JSON. An id is looked up in every collection (there are
// few), through the (collection, id, version) index.
func (a auditReader) AuditObjectVersions(ctx context.Context, refs []kurultai.ObjectRef) (map[kurultai.ObjectRef]*kurultai.ObjectVersion, error) {
	want := make(map[kurultai.ObjectRef]bool, len(refs))
	var ids []string
	seen := map[string]bool{}
	for _, r := range refs {
		want[r] = true
		if !seen[r.ID] {
			seen[r.ID] = true
			ids = append(ids, r.ID)
		}
	}
	out := make(map[kurultai.ObjectRef]*kurultai.ObjectVersion, len(refs))
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), 500)]
		ids = ids[len(chunk):]
		list, err := jsonList(chunk)
		if err != nil {
			return nil, fmt.Errorf("sqlite: object versions: %w", err)
		}
		rows, err := a.db.QueryContext(ctx, `SELECT `+versionCols+`, (SELECT id FROM collections WHERE seq = objects.collection_seq)
			FROM objects INDEXED BY objects_version
			WHERE collection_seq IN (SELECT seq FROM collections) AND id IN (SELECT value FROM json_each(?))`, list)
		if err != nil {
			return nil, fmt.Errorf("sqlite: object versions: %w", mapErr(err))
		}
		sc := newScanner(false)
		var coll string
		sc.dest = append(sc.dest, &coll)
		for rows.Next() {
			if err := sc.scan(rows); err != nil {
				rows.Close()
				return nil, fmt.Errorf("sqlite: object versions: %w", mapErr(err))
			}
			v := new(kurultai.ObjectVersion)
			sc.fill(v, coll)
			ref := kurultai.ObjectRef{ID: v.ID, Version: refVersion(v)}
			if want[ref] {
				out[ref] = v
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("sqlite: object versions: %w", mapErr(err))
		}
	}
	return out, nil
}
