package postgres

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/kurultai/kurultai/internal/auditlog"
	"github.com/kurultai/kurultai/internal/kurultai"
)

// The audit log is an RFC 6962 Merkle tree (package auditlog), kept as
// the SQLite store keeps it. insertAudit numbers each entry (the next seq
// under the write_state lock), stores its leaf hash in the row and keeps
// it in the transaction; before the transaction commits, the writer
// appends those leaves to the tree read with the lock (growTree), stores
// the interior nodes that became complete (keyed by post-order number)
// and records the new head in audit_tree, with the counters, in one
// statement. Because every write transaction of every process holds the
// write_state lock, the tree grows one transaction at a time, in commit
// order.

// unavailableAudit makes an audit failure fail closed: the request that
// needed the entry fails with 503 and its writes roll back.
func unavailableAudit(err error) error {
	if kurultai.ErrorCode(err) == kurultai.CodeUnavailable {
		return err
	}
	return &kurultai.Error{Code: kurultai.CodeUnavailable, Message: "audit log unavailable", Err: err}
}

// grown is the audit tree after a transaction's appends: its new
// interior nodes (post-order ids and hashes) and its head.
type grown struct {
	ids           []int64
	hashes        [][]byte
	size          int64
	root, compact []byte
}

// growTree appends leaves to the tree of size with the compact range
// compact. The leaves have the seqs after seq, which must be the size:
// the log and the tree grow together.
func growTree(size int64, compact []byte, seq int64, leaves [][]byte) (grown, error) {
	var g grown
	if size != seq {
		return g, fmt.Errorf("the tree has %d leaves and the log %d entries", size, seq)
	}
	tree, err := treeOf(size, compact)
	if err != nil {
		return g, err
	}
	visit := func(id auditlog.NodeID, h []byte) {
		if id.Level > 0 { // leaves are in their rows
			g.ids = append(g.ids, int64(auditlog.PostOrder(id)))
			g.hashes = append(g.hashes, h)
		}
	}
	for i, leaf := range leaves {
		if err := tree.Append(leaf, visit); err != nil {
			return g, fmt.Errorf("seq %d: %w", seq+int64(i)+1, err)
		}
	}
	g.size, g.root = int64(tree.Size()), tree.Root()
	for _, h := range tree.RangeHashes() {
		g.compact = append(g.compact, h...)
	}
	return g, nil
}

// treeOf returns the tree of size with the compact range compact.
func treeOf(size int64, compact []byte) (*auditlog.Tree, error) {
	if len(compact)%auditlog.HashSize != 0 {
		return nil, fmt.Errorf("compact range of %d bytes", len(compact))
	}
	hashes := make([][]byte, 0, len(compact)/auditlog.HashSize)
	for i := 0; i < len(compact); i += auditlog.HashSize {
		hashes = append(hashes, compact[i:i+auditlog.HashSize])
	}
	return auditlog.NewTree(uint64(size), hashes)
}

// extendTree appends the rows with a seq above the tree's size to the
// tree, reading them back (catchUpAudit: the writer uses growTree).
func extendTree(ctx context.Context, tx pgx.Tx) error {
	var size int64
	var compact []byte
	if err := tx.QueryRow(ctx, `SELECT size, compact FROM audit_tree`).Scan(&size, &compact); err != nil {
		return mapErr(err)
	}
	tree, err := treeOf(size, compact)
	if err != nil {
		return err
	}
	rows, err := tx.Query(ctx, `SELECT seq, leaf FROM audit_log WHERE seq > $1 ORDER BY seq`, size)
	if err != nil {
		return mapErr(err)
	}
	var ids []int64
	var nodes [][]byte
	visit := func(id auditlog.NodeID, h []byte) {
		if id.Level > 0 { // leaves are in their rows
			ids = append(ids, int64(auditlog.PostOrder(id)))
			nodes = append(nodes, h)
		}
	}
	for rows.Next() {
		var seq int64
		var leaf []byte
		if err := rows.Scan(&seq, &leaf); err != nil {
			rows.Close()
			return mapErr(err)
		}
		if uint64(seq) != tree.Size()+1 {
			rows.Close()
			return fmt.Errorf("audit_log seq %d follows a tree of %d leaves: the log has a gap", seq, tree.Size())
		}
		if err := tree.Append(leaf, visit); err != nil {
			rows.Close()
			return fmt.Errorf("seq %d: %w", seq, err)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return mapErr(err)
	}
	if uint64(size) == tree.Size() {
		return nil
	}
	if len(ids) > 0 {
		_, err := tx.Exec(ctx, `INSERT INTO audit_nodes (id, hash) SELECT * FROM unnest($1::bigint[], $2::bytea[])`, ids, nodes)
		if err != nil {
			return mapErr(err)
		}
	}
	compact = compact[:0]
	for _, h := range tree.RangeHashes() {
		compact = append(compact, h...)
	}
	_, err = tx.Exec(ctx, `UPDATE audit_tree SET size = $1, root = $2, compact = $3`, int64(tree.Size()), tree.Root(), compact)
	return mapErr(err)
}

// catchUpAudit gives leaves to audit rows that have none (rows written
// before the tree existed) and extends the tree over them. Open runs it,
// under the write_state lock. It refuses a log with a gap in its sequence
// numbers: rows were deleted, and the node must not go on as if not.
func catchUpAudit(ctx context.Context, s *Store) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("audit catch-up: %w", mapErr(err))
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, `SELECT 1 FROM write_state FOR UPDATE`); err != nil {
		return fmt.Errorf("audit catch-up: %w", mapErr(err))
	}
	var size, last int64
	err = tx.QueryRow(ctx, `SELECT size, (SELECT coalesce(max(seq), 0) FROM audit_log) FROM audit_tree`).Scan(&size, &last)
	if err != nil {
		return fmt.Errorf("audit catch-up: %w", mapErr(err))
	}
	if last == size {
		return nil
	}
	for from := uint64(size); ; {
		rows, err := readAuditRows(ctx, tx, from, 1000)
		if err != nil {
			return fmt.Errorf("audit catch-up: %w", err)
		}
		if len(rows) == 0 {
			break
		}
		for _, r := range rows {
			if r.Seq != int64(from)+1 {
				return fmt.Errorf("audit catch-up: audit_log has seq %d where %d was expected: entries were deleted", r.Seq, from+1)
			}
			from++
			if r.Leaf != nil {
				continue
			}
			h, err := auditlog.RowLeafHash(lenientRow(r))
			if err != nil {
				return fmt.Errorf("audit catch-up: seq %d: %w", r.Seq, err)
			}
			if _, err := tx.Exec(ctx, `UPDATE audit_log SET leaf = $1 WHERE seq = $2`, h, r.Seq); err != nil {
				return fmt.Errorf("audit catch-up: %w", mapErr(err))
			}
		}
	}
	if err := extendTree(ctx, tx); err != nil {
		return fmt.Errorf("audit catch-up: %w", err)
	}
	return mapErr(tx.Commit(ctx))
}

// lenientRow makes the text of a row valid UTF-8, as insertAudit stores
// it. Verification still sees the stored row.
func lenientRow(r auditlog.Row) auditlog.Row {
	for _, f := range []*string{&r.Username, &r.Participant, &r.Action, &r.Query, &r.Decision, &r.Detail} {
		if !utf8.ValidString(*f) {
			*f = strings.ToValidUTF8(*f, "\uFFFD")
		}
	}
	return r
}
