package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/kurultai/kurultai/internal/auditlog"
	"github.com/kurultai/kurultai/internal/kurultai"
)

// The audit log is an RFC 6962 Merkle tree (package auditlog). Each
// audit_log row inserted by insertAudit gets its leaf (audit_nodes level
// 0) in the same statement sequence; before the transaction commits, the
// writer calls extendTree, which appends the transaction's new leaves to
// the tree, stores the subtree hashes that became complete and records the
// new head in audit_tree. Leaves are thus hashed by the job that appends
// them, and the tree is extended once per group commit, from whatever the
// transaction holds at its end (jobs that failed and were rolled back
// left no leaves).

// Fault stages for the test hook Options.auditFault.
const (
	faultAppend = "append" // in insertAudit, once per job
	faultTree   = "tree"   // in extendTree, once per transaction
)

// unavailableAudit makes an audit failure fail closed: the request that
// needed the entry fails with 503 and its writes roll back.
func unavailableAudit(err error) error {
	return &kurultai.Error{Code: kurultai.CodeUnavailable, Message: "audit log unavailable", Err: err}
}

// insertAudit inserts audit entries and their leaves in tx. Only the
// writer goroutine calls it (from jobs).
func (s *Store) insertAudit(ctx context.Context, tx *sql.Tx, entries []kurultai.AuditEntry) error {
	if s.auditFault != nil {
		if err := s.auditFault(faultAppend, entries); err != nil {
			return unavailableAudit(err)
		}
	}
	ins := tx.StmtContext(ctx, s.ws.insertAudit)
	node := tx.StmtContext(ctx, s.ws.insertNode)
	for _, e := range entries {
		if e.Time.IsZero() {
			e.Time = s.clock()
		}
		// The row keeps what the leaf encodes: nanosecond UTC time and
		// valid UTF-8 text.
		e = auditlog.Sanitize(e)
		e.Time = e.Time.UTC()
		objs, err := auditlog.EncodeObjects(e.Objects)
		if err != nil {
			return unavailableAudit(err)
		}
		var seq int64
		err = ins.QueryRowContext(ctx, e.Time.UnixNano(), e.Username, e.Participant, e.Action, objs, e.Query, e.Decision, e.Detail).Scan(&seq)
		if err != nil {
			return unavailableAudit(fmt.Errorf("insert audit entry: %w", mapErr(err)))
		}
		s.leafBuf, err = auditlog.AppendLeaf(s.leafBuf[:0], seq, e)
		if err != nil {
			return unavailableAudit(err)
		}
		if _, err := node.ExecContext(ctx, 0, seq-1, auditlog.LeafHash(s.leafBuf)); err != nil {
			return unavailableAudit(fmt.Errorf("insert audit leaf: %w", mapErr(err)))
		}
		s.auditDirty = true
	}
	return nil
}

// extendTree appends the leaves tx added to the tree (see the comment at
// the top of the file). It does nothing when no job of the transaction
// appended an entry. Only the writer goroutine calls it.
func (s *Store) extendTree(ctx context.Context, tx *sql.Tx) error {
	if !s.auditDirty {
		return nil
	}
	if s.auditFault != nil {
		if err := s.auditFault(faultTree, nil); err != nil {
			return unavailableAudit(err)
		}
	}
	if err := extendTree(ctx, tx, tx.StmtContext(ctx, s.ws.insertNode)); err != nil {
		return unavailableAudit(fmt.Errorf("sqlite: audit tree: %w", err))
	}
	return nil
}

func extendTree(ctx context.Context, tx *sql.Tx, insertNode *sql.Stmt) error {
	var size int64
	var compact []byte
	if err := tx.QueryRowContext(ctx, `SELECT size, compact FROM audit_tree WHERE id = 1`).Scan(&size, &compact); err != nil {
		return mapErr(err)
	}
	if len(compact)%auditlog.HashSize != 0 {
		return fmt.Errorf("compact range of %d bytes", len(compact))
	}
	hashes := make([][]byte, 0, len(compact)/auditlog.HashSize)
	for i := 0; i < len(compact); i += auditlog.HashSize {
		hashes = append(hashes, compact[i:i+auditlog.HashSize])
	}
	tree, err := auditlog.NewTree(uint64(size), hashes)
	if err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT idx, hash FROM audit_nodes WHERE level = 0 AND idx >= ? ORDER BY idx`, size)
	if err != nil {
		return mapErr(err)
	}
	type node struct {
		level uint
		idx   uint64
		hash  []byte
	}
	var nodes []node
	visit := func(id auditlog.NodeID, h []byte) {
		if id.Level > 0 { // leaves are stored already
			nodes = append(nodes, node{id.Level, id.Index, h})
		}
	}
	for rows.Next() {
		var idx int64
		var h []byte
		if err := rows.Scan(&idx, &h); err != nil {
			rows.Close()
			return mapErr(err)
		}
		if uint64(idx) != tree.Size() {
			rows.Close()
			return fmt.Errorf("leaf %d follows a tree of %d leaves: the log has a gap", idx, tree.Size())
		}
		if err := tree.Append(h, visit); err != nil {
			rows.Close()
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return mapErr(err)
	}
	rows.Close()
	for _, n := range nodes {
		if _, err := insertNode.ExecContext(ctx, n.level, n.idx, n.hash); err != nil {
			return mapErr(err)
		}
	}
	compact = compact[:0]
	for _, h := range tree.RangeHashes() {
		compact = append(compact, h...)
	}
	_, err = tx.ExecContext(ctx, `UPDATE audit_tree SET size = ?, root = ?, compact = ? WHERE id = 1`, tree.Size(), tree.Root(), compact)
	return mapErr(err)
}

// catchUpAudit gives leaves to audit rows that have none (rows written
// before the tree existed) and extends the tree over them. Open runs it
// before the writer starts. It refuses a log with a gap in its sequence
// numbers: rows were deleted, and the node must not go on as if not.
func catchUpAudit(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("audit catch-up: %w", mapErr(err))
	}
	defer tx.Rollback()
	var next int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(idx) + 1, 0) FROM audit_nodes WHERE level = 0`).Scan(&next); err != nil {
		return fmt.Errorf("audit catch-up: %w", mapErr(err))
	}
	var tail int64
	if err := tx.QueryRowContext(ctx, `SELECT size FROM audit_tree WHERE id = 1`).Scan(&tail); err != nil {
		return fmt.Errorf("audit catch-up: %w", mapErr(err))
	}
	caught := false
	for {
		rows, err := readAuditRows(ctx, tx, uint64(next), 1000)
		if err != nil {
			return fmt.Errorf("audit catch-up: %w", err)
		}
		if len(rows) == 0 {
			break
		}
		caught = true
		for _, r := range rows {
			if r.Seq != next+1 {
				return fmt.Errorf("audit catch-up: audit_log has seq %d where %d was expected: entries were deleted", r.Seq, next+1)
			}
			h, err := auditlog.RowLeafHash(lenientRow(r))
			if err != nil {
				return fmt.Errorf("audit catch-up: seq %d: %w", r.Seq, err)
			}
			if _, err := tx.ExecContext(ctx, sqlInsertNode, 0, next, h); err != nil {
				return fmt.Errorf("audit catch-up: %w", mapErr(err))
			}
			next++
		}
	}
	if !caught && tail == next {
		return nil
	}
	ins, err := tx.PrepareContext(ctx, sqlInsertNode)
	if err != nil {
		return fmt.Errorf("audit catch-up: %w", mapErr(err))
	}
	defer ins.Close()
	if err := extendTree(ctx, tx, ins); err != nil {
		return fmt.Errorf("audit catch-up: %w", err)
	}
	return mapErr(tx.Commit())
}

// lenientRow makes the text of a row written before entries were
// sanitized valid UTF-8, as insertAudit now stores it. Verification still
// sees the stored row and reports it.
func lenientRow(r auditlog.Row) auditlog.Row {
	for _, f := range []*string{&r.Username, &r.Participant, &r.Action, &r.Query, &r.Decision, &r.Detail} {
		if !utf8.ValidString(*f) {
			*f = strings.ToValidUTF8(*f, "\uFFFD")
		}
	}
	return r
}
