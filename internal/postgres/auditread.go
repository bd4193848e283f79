package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kurultai/kurultai/internal/auditlog"
	"github.com/kurultai/kurultai/internal/kurultai"
)

var _ auditlog.Store = (*Store)(nil)

// querier is what the audit reads need: the pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// maxAuditRows caps one AuditRows call.
const maxAuditRows = 10_000

// clampInt64 converts an index from the auditlog API to a column value.
func clampInt64(u uint64) int64 { return int64(min(u, 1<<63-1)) }

// readAuditRows returns up to limit rows from leaf index from on.
func readAuditRows(ctx context.Context, q querier, from uint64, limit int) ([]auditlog.Row, error) {
	rows, err := q.Query(ctx, `SELECT seq, time, username, participant, action, objects, query, decision, detail, leaf
		FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2`, clampInt64(from), limit)
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
func (s *Store) AuditRows(ctx context.Context, from uint64, limit int) ([]auditlog.Row, error) {
	rows, err := readAuditRows(ctx, s.pool, from, min(max(limit, 1), maxAuditRows))
	if err != nil {
		return nil, fmt.Errorf("postgres: audit rows: %w", err)
	}
	return rows, nil
}

// TreeHead implements auditlog.LogReader.
func (s *Store) TreeHead(ctx context.Context) (auditlog.TreeHead, error) {
	var h auditlog.TreeHead
	var size int64
	if err := s.pool.QueryRow(ctx, `SELECT size, root FROM audit_tree`).Scan(&size, &h.Root); err != nil {
		return h, fmt.Errorf("postgres: tree head: %w", mapErr(err))
	}
	h.Size = uint64(size)
	return h, nil
}

// NodeHashes implements auditlog.NodeReader: the hashes of complete
// subtrees, which exist once the tree has grown over them. Leaves are in
// their audit_log rows, interior nodes in audit_nodes by post-order number.
func (s *Store) NodeHashes(ctx context.Context, ids []auditlog.NodeID) ([][]byte, error) {
	out := make([][]byte, len(ids))
	for i, id := range ids {
		var err error
		if id.Level == 0 {
			err = s.pool.QueryRow(ctx, `SELECT leaf FROM audit_log WHERE seq = $1`, int64(min(id.Index, 1<<62))+1).Scan(&out[i])
		} else {
			err = s.pool.QueryRow(ctx, `SELECT hash FROM audit_nodes WHERE id = $1`, clampInt64(auditlog.PostOrder(id))).Scan(&out[i])
		}
		if errNoRows(err) || err == nil && out[i] == nil {
			return nil, fmt.Errorf("postgres: audit node (%d, %d): %w", id.Level, id.Index, notFound("audit tree node"))
		}
		if err != nil {
			return nil, fmt.Errorf("postgres: audit node: %w", mapErr(err))
		}
	}
	return out, nil
}

// LeafIndex returns the index of the leaf with the hash, or CodeNotFound.
func (s *Store) LeafIndex(ctx context.Context, leafHash []byte) (uint64, error) {
	var seq int64
	err := s.pool.QueryRow(ctx, `SELECT seq FROM audit_log WHERE leaf = $1`, leafHash).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("postgres: leaf index: %w", rowErr(err, "leaf"))
	}
	return uint64(seq - 1), nil
}

const checkpointCols = `size, root, time, note`

func scanCheckpoint(row pgx.Row) (auditlog.CheckpointRecord, error) {
	var c auditlog.CheckpointRecord
	var size, t int64
	if err := row.Scan(&size, &c.Root, &t, &c.Note); err != nil {
		return c, err
	}
	c.Size, c.Time = uint64(size), time.Unix(0, t).UTC()
	return c, nil
}

// Checkpoints implements auditlog.LogReader.
func (s *Store) Checkpoints(ctx context.Context, after uint64, limit int) ([]auditlog.CheckpointRecord, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+checkpointCols+` FROM audit_checkpoints WHERE size > $1 ORDER BY size LIMIT $2`,
		clampInt64(after), min(max(limit, 1), maxAuditRows))
	if err != nil {
		return nil, fmt.Errorf("postgres: checkpoints: %w", mapErr(err))
	}
	defer rows.Close()
	var out []auditlog.CheckpointRecord
	for rows.Next() {
		c, err := scanCheckpoint(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: checkpoints: %w", mapErr(err))
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: checkpoints: %w", mapErr(err))
	}
	return out, nil
}

// LatestCheckpoint returns the checkpoint of the largest size, or
// CodeNotFound.
func (s *Store) LatestCheckpoint(ctx context.Context) (auditlog.CheckpointRecord, error) {
	c, err := scanCheckpoint(s.pool.QueryRow(ctx, `SELECT `+checkpointCols+` FROM audit_checkpoints ORDER BY size DESC LIMIT 1`))
	if err != nil {
		return c, fmt.Errorf("postgres: latest checkpoint: %w", rowErr(err, "checkpoint"))
	}
	return c, nil
}

// CheckpointAt returns the checkpoint of the size, or CodeNotFound.
func (s *Store) CheckpointAt(ctx context.Context, size uint64) (auditlog.CheckpointRecord, error) {
	c, err := scanCheckpoint(s.pool.QueryRow(ctx, `SELECT `+checkpointCols+` FROM audit_checkpoints WHERE size = $1`, clampInt64(size)))
	if err != nil {
		return c, fmt.Errorf("postgres: checkpoint: %w", rowErr(err, "checkpoint"))
	}
	return c, nil
}

// Cosignatures returns the cosignatures of the checkpoint of size, by
// participant.
func (s *Store) Cosignatures(ctx context.Context, size uint64) ([]auditlog.CosignatureRecord, error) {
	rows, err := s.pool.Query(ctx, `SELECT participant, line, time FROM audit_cosignatures WHERE size = $1 ORDER BY participant`, clampInt64(size))
	if err != nil {
		return nil, fmt.Errorf("postgres: cosignatures: %w", mapErr(err))
	}
	defer rows.Close()
	var out []auditlog.CosignatureRecord
	for rows.Next() {
		c := auditlog.CosignatureRecord{Size: size}
		var t int64
		if err := rows.Scan(&c.Participant, &c.Line, &t); err != nil {
			return nil, fmt.Errorf("postgres: cosignatures: %w", mapErr(err))
		}
		c.Time = time.Unix(0, t).UTC()
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: cosignatures: %w", mapErr(err))
	}
	return out, nil
}

// LatestCosigned returns the checkpoint of the largest size cosigned by
// the witnesses of at least need of the participants, or CodeNotFound.
func (s *Store) LatestCosigned(ctx context.Context, participants []string, need int) (auditlog.CheckpointRecord, error) {
	c, err := scanCheckpoint(s.pool.QueryRow(ctx, `SELECT `+checkpointCols+` FROM audit_checkpoints WHERE size = (
		SELECT size FROM audit_cosignatures WHERE participant = ANY($1::text[])
		GROUP BY size HAVING count(*) >= $2 ORDER BY size DESC LIMIT 1)`, storables(participants), need))
	if err != nil {
		return c, fmt.Errorf("postgres: latest cosigned: %w", rowErr(err, "cosigned checkpoint"))
	}
	return c, nil
}

// AuditObjectVersions returns the stored versions the refs name, by ref,
// without their JSON. An id is looked up in every collection (there are
// few), through the (collection, id, version) index.
func (s *Store) AuditObjectVersions(ctx context.Context, refs []kurultai.ObjectRef) (map[kurultai.ObjectRef]*kurultai.ObjectVersion, error) {
	want := make(map[kurultai.ObjectRef]bool, len(refs))
	var ids []string
	seen := map[string]bool{}
	for _, r := range refs {
		want[r] = true
		if !seen[r.ID] && storable(r.ID) {
			seen[r.ID] = true
			ids = append(ids, r.ID)
		}
	}
	out := make(map[kurultai.ObjectRef]*kurultai.ObjectVersion, len(refs))
	if len(ids) == 0 {
		return out, nil
	}
	sc := newScanner(false, false)
	rows, err := s.pool.Query(ctx, `SELECT `+versionCols+`, (SELECT c.id FROM collections c WHERE c.seq = objects.collection_seq)
		FROM objects WHERE id = ANY($1::text[])`, append(sc.resultFormats(), pgx.TextFormatCode), ids)
	if err != nil {
		return nil, fmt.Errorf("postgres: object versions: %w", mapErr(err))
	}
	defer rows.Close()
	sc.extra = 1
	for rows.Next() {
		if err := sc.scan(rows); err != nil {
			return nil, fmt.Errorf("postgres: object versions: %w", mapErr(err))
		}
		v := new(kurultai.ObjectVersion)
		sc.fill(v, string(rows.RawValues()[numVersionCols]))
		ref := kurultai.ObjectRef{ID: v.ID, Version: refVersion(v)}
		if want[ref] {
			out[ref] = v
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: object versions: %w", mapErr(err))
	}
	return out, nil
}

// AddCheckpoint stores a signed checkpoint. It refuses one larger than the
// tree (CodeInvalid) and one of a size already stored (CodeConflict).
func (s *Store) AddCheckpoint(ctx context.Context, c auditlog.CheckpointRecord) error {
	err := s.submit(ctx, 1, func(ctx context.Context, w *wtx) error {
		var size int64
		if err := w.tx.QueryRow(ctx, `SELECT size FROM audit_tree`).Scan(&size); err != nil {
			return mapErr(err)
		}
		if c.Size > uint64(size) {
			return kurultai.FieldError("size", "%d is larger than the tree (%d)", c.Size, size)
		}
		_, err := w.tx.Exec(ctx, `INSERT INTO audit_checkpoints (size, root, time, note) VALUES ($1, $2, $3, $4)`,
			int64(c.Size), c.Root, c.Time.UnixNano(), c.Note)
		return mapErr(err)
	})
	if err != nil {
		return fmt.Errorf("postgres: add checkpoint: %w", err)
	}
	return nil
}

// AddCosignature stores a witness's cosignature of a stored checkpoint;
// when the participant's witness already cosigned that size, it keeps the
// first and returns nil.
func (s *Store) AddCosignature(ctx context.Context, c auditlog.CosignatureRecord) error {
	_, err := s.exec(ctx, `INSERT INTO audit_cosignatures (size, participant, line, time) VALUES ($1, $2, $3, $4)
		ON CONFLICT (size, participant) DO NOTHING`, clampInt64(c.Size), c.Participant, c.Line, c.Time.UnixNano())
	if err != nil {
		return fmt.Errorf("postgres: add cosignature: %w", err)
	}
	return nil
}
