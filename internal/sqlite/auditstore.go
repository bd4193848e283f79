package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"

	"github.com/kurultai/kurultai/internal/auditlog"
	"github.com/kurultai/kurultai/internal/kurultai"
)

var (
	_ auditlog.Store     = (*Store)(nil)
	_ auditlog.LogReader = (*AuditLog)(nil)
)

// jsonList encodes strings as a JSON array for json_each.
func jsonList(ss []string) (string, error) {
	if ss == nil {
		ss = []string{}
	}
	data, err := json.Marshal(ss)
	return string(data), err
}

// The audit reads of the Store go through its read pool.
func (s *Store) reader() auditReader { return auditReader{db: s.rdb} }

// AuditRows implements auditlog.LogReader.
func (s *Store) AuditRows(ctx context.Context, from uint64, limit int) ([]auditlog.Row, error) {
	return s.reader().AuditRows(ctx, from, limit)
}

// TreeHead implements auditlog.LogReader.
func (s *Store) TreeHead(ctx context.Context) (auditlog.TreeHead, error) {
	return s.reader().TreeHead(ctx)
}

// NodeHashes implements auditlog.NodeReader.
func (s *Store) NodeHashes(ctx context.Context, ids []auditlog.NodeID) ([][]byte, error) {
	return s.reader().NodeHashes(ctx, ids)
}

// LeafIndex implements auditlog.Store.
func (s *Store) LeafIndex(ctx context.Context, leafHash []byte) (uint64, error) {
	return s.reader().LeafIndex(ctx, leafHash)
}

// Checkpoints implements auditlog.LogReader.
func (s *Store) Checkpoints(ctx context.Context, after uint64, limit int) ([]auditlog.CheckpointRecord, error) {
	return s.reader().Checkpoints(ctx, after, limit)
}

// LatestCheckpoint implements auditlog.CheckpointStore.
func (s *Store) LatestCheckpoint(ctx context.Context) (auditlog.CheckpointRecord, error) {
	return s.reader().LatestCheckpoint(ctx)
}

// CheckpointAt implements auditlog.Store.
func (s *Store) CheckpointAt(ctx context.Context, size uint64) (auditlog.CheckpointRecord, error) {
	return s.reader().CheckpointAt(ctx, size)
}

// Cosignatures implements auditlog.Store.
func (s *Store) Cosignatures(ctx context.Context, size uint64) ([]auditlog.CosignatureRecord, error) {
	return s.reader().Cosignatures(ctx, size)
}

// LatestCosigned implements auditlog.Store.
func (s *Store) LatestCosigned(ctx context.Context, participants []string, need int) (auditlog.CheckpointRecord, error) {
	return s.reader().LatestCosigned(ctx, participants, need)
}

// AuditObjectVersions implements auditlog.Store.
func (s *Store) AuditObjectVersions(ctx context.Context, refs []kurultai.ObjectRef) (map[kurultai.ObjectRef]*kurultai.ObjectVersion, error) {
	return s.reader().AuditObjectVersions(ctx, refs)
}

// AddCheckpoint stores a signed checkpoint. It refuses one larger than the
// tree (CodeInvalid) and one of a size already stored (CodeConflict).
func (s *Store) AddCheckpoint(ctx context.Context, c auditlog.CheckpointRecord) error {
	err := s.submit(ctx, 1, func(ctx context.Context, tx *sql.Tx) error {
		var size int64
		if err := tx.QueryRowContext(ctx, `SELECT size FROM audit_tree WHERE id = 1`).Scan(&size); err != nil {
			return mapErr(err)
		}
		if c.Size > uint64(size) {
			return kurultai.FieldError("size", "%d is larger than the tree (%d)", c.Size, size)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO audit_checkpoints (size, root, time, note) VALUES (?, ?, ?, ?)`,
			int64(c.Size), c.Root, c.Time.UnixNano(), c.Note)
		return mapErr(err)
	})
	if err != nil {
		return fmt.Errorf("sqlite: add checkpoint: %w", err)
	}
	return nil
}

// AddCosignature stores a witness's cosignature of a stored checkpoint;
// when the participant's witness already cosigned that size, it keeps the
// first and returns nil.
func (s *Store) AddCosignature(ctx context.Context, c auditlog.CosignatureRecord) error {
	_, err := s.exec(ctx, `INSERT INTO audit_cosignatures (size, participant, line, time) VALUES (?, ?, ?, ?)
		ON CONFLICT (size, participant) DO NOTHING`, int64(c.Size), c.Participant, c.Line, c.Time.UnixNano())
	if err != nil {
		return fmt.Errorf("sqlite: add cosignature: %w", err)
	}
	return nil
}

// maxIndexBatch bounds the leaves one IndexLeaves call indexes.
const maxIndexBatch = 50_000

// IndexLeaves adds the leaf hashes of entries appended since the last call
// to the index that LeafIndex reads (at most maxIndexBatch of them), in
// one write sorted by hash. The checkpoint worker calls it; lookups are
// right without it, only slower.
func (s *Store) IndexLeaves(ctx context.Context) error {
	err := s.submit(ctx, 1, func(ctx context.Context, tx *sql.Tx) error {
		var from, to int64
		err := tx.QueryRowContext(ctx, `SELECT indexed, min(size, indexed + ?) FROM audit_tree WHERE id = 1`, maxIndexBatch).Scan(&from, &to)
		if err != nil || to <= from {
			return mapErr(err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO audit_leaf_index (leaf, seq)
			SELECT leaf, seq FROM audit_log WHERE seq > ? AND seq <= ? AND leaf IS NOT NULL ORDER BY leaf
			ON CONFLICT (leaf) DO NOTHING`, from, to)
		if err != nil {
			return mapErr(err)
		}
		_, err = tx.ExecContext(ctx, `UPDATE audit_tree SET indexed = ? WHERE id = 1`, to)
		return mapErr(err)
	})
	if err != nil {
		return fmt.Errorf("sqlite: index leaves: %w", err)
	}
	return nil
}

// AuditLog reads a node's audit log from its database file without
// writing to it, for verification ('kurultai audit verify'). It
// implements auditlog.LogReader.
type AuditLog struct {
	auditReader
	db *sql.DB
}

// OpenAuditLog opens the database at path read-only. It refuses a file
// whose schema this binary does not know, or that has no audit tree.
func OpenAuditLog(ctx context.Context, path string) (*AuditLog, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open audit log: %w", err)
	}
	dsn := "file:" + (&url.URL{Path: filepath.ToSlash(abs)}).EscapedPath() + "?mode=ro&_pragma=query_only(1)&_pragma=busy_timeout(10000)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open audit log %s: %w", path, err)
	}
	ms, err := loadMigrations(migrationFiles)
	if err == nil {
		var v int
		if err = db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v); err == nil {
			switch {
			case v > len(ms):
				err = fmt.Errorf("%w: the database is at version %d, this binary knows up to %d", ErrSchemaNewer, v, len(ms))
			case v < 2:
				err = fmt.Errorf("the database is at version %d and has no audit tree yet; start the node once to build it", v)
			}
		}
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open audit log %s: %w", path, mapErr(err))
	}
	return &AuditLog{auditReader: auditReader{db: db}, db: db}, nil
}

// Close closes the file.
func (l *AuditLog) Close() error { return l.db.Close() }
