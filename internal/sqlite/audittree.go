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

// The audit log is an RFC 6962 Merkle tree (package auditlog). insertAudit
// numbers each entry itself (the next seq after the committed tree and the
// transaction's pending leaves), stores its leaf hash in the row and
// remembers the hash in pendingLeaves. Before the transaction commits, the writer calls
// extendTree, which appends the pending leaves to a copy of the tree as
// last committed, stores the interior nodes that became complete (keyed
// by post-order number, so that every insert appends) and records the new
// head in audit_tree; once the commit succeeds the copy becomes the tree.
// A job whose savepoint is rolled back takes its pending leaves with it
// (runJobs), and a transaction that does not commit leaves the tree as it
// was. So the tree costs no extra statement per entry and a few per group
// commit, and a committed entry is always a leaf.

// pendingLeaf is a leaf appended by the current transaction.
type pendingLeaf struct {
	seq  int64
	hash []byte
}

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

// insertAudit inserts audit entries with their leaf hashes in tx. Only
// the writer goroutine calls it (from jobs).
func (s *Store) insertAudit(ctx context.Context, tx *sql.Tx, entries []kurultai.AuditEntry) error {
	if s.auditFault != nil {
		if err := s.auditFault(faultAppend, entries); err != nil {
			return unavailableAudit(err)
		}
	}
	if len(entries) == 0 {
		return nil
	}
	// Every committed row is a leaf of the tree, and the transaction's
	// own rows are pending: the next seq follows them.
	last := int64(s.tree.Size()) + int64(len(s.pendingLeaves))
	ins := tx.StmtContext(ctx, s.ws.insertAudit)
	for i, e := range entries {
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
		seq := last + 1 + int64(i)
		s.leafBuf, err = auditlog.AppendLeaf(s.leafBuf[:0], seq, e)
		if err != nil {
			return unavailableAudit(err)
		}
		leaf := auditlog.LeafHash(s.leafBuf)
		_, err = ins.ExecContext(ctx, seq, e.Time.UnixNano(), e.Username, e.Participant, e.Action, objs, e.Query, e.Decision, e.Detail, leaf)
		if err != nil {
			return unavailableAudit(fmt.Errorf("insert audit entry: %w", mapErr(err)))
		}
		s.pendingLeaves = append(s.pendingLeaves, pendingLeaf{seq, leaf})
	}
	return nil
}

// extendTree appends the transaction's pending leaves to a copy of the
// committed tree, stores the new interior nodes and head in tx, and
// returns the tree to keep once tx commits (the committed tree itself when
// the transaction appended nothing). Only the writer goroutine calls it.
func (s *Store) extendTree(ctx context.Context, tx *sql.Tx) (*auditlog.Tree, error) {
	if len(s.pendingLeaves) == 0 {
		return s.tree, nil
	}
	if s.auditFault != nil {
		if err := s.auditFault(faultTree, nil); err != nil {
			return nil, unavailableAudit(err)
		}
	}
	tree := s.tree.Clone()
	err := appendLeaves(ctx, tx.StmtContext(ctx, s.ws.insertNode), tx.StmtContext(ctx, s.ws.updateTree), tree, s.pendingLeaves)
	if err != nil {
		return nil, unavailableAudit(fmt.Errorf("sqlite: audit tree: %w", err))
	}
	return tree, nil
}

// appendLeaves appends leaves to tree, stores the interior nodes that
// became complete and the new head, and checks that the tree then counts
// every row of audit_log.
func appendLeaves(ctx context.Context, insertNode, updateTree *sql.Stmt, tree *auditlog.Tree, leaves []pendingLeaf) error {
	type node struct {
		id   uint64
		hash []byte
	}
	var nodes []node
	visit := func(id auditlog.NodeID, h []byte) {
		if id.Level > 0 { // leaves are in their rows
			nodes = append(nodes, node{auditlog.PostOrder(id), h})
		}
	}
	for _, l := range leaves {
		if uint64(l.seq) != tree.Size()+1 {
			return fmt.Errorf("audit_log seq %d follows a tree of %d leaves: the log has a gap", l.seq, tree.Size())
		}
		if err := tree.Append(l.hash, visit); err != nil {
			return fmt.Errorf("seq %d: %w", l.seq, err)
		}
	}
	for _, n := range nodes {
		if _, err := insertNode.ExecContext(ctx, int64(n.id), n.hash); err != nil {
			return mapErr(err)
		}
	}
	var compact []byte
	for _, h := range tree.RangeHashes() {
		compact = append(compact, h...)
	}
	// The returned max(seq) guards against rows written without leaves.
	var last int64
	if err := updateTree.QueryRowContext(ctx, tree.Size(), tree.Root(), compact).Scan(&last); err != nil {
		return mapErr(err)
	}
	if uint64(last) != tree.Size() {
		return fmt.Errorf("audit_log holds %d entries, the tree %d", last, tree.Size())
	}
	return nil
}

// loadTree reads the tree head and compact range recorded in audit_tree.
func loadTree(ctx context.Context, q querier) (*auditlog.Tree, error) {
	var size int64
	var compact []byte
	if err := q.QueryRowContext(ctx, `SELECT size, compact FROM audit_tree WHERE id = 1`).Scan(&size, &compact); err != nil {
		return nil, mapErr(err)
	}
	if len(compact)%auditlog.HashSize != 0 {
		return nil, fmt.Errorf("compact range of %d bytes", len(compact))
	}
	hashes := make([][]byte, 0, len(compact)/auditlog.HashSize)
	for i := 0; i < len(compact); i += auditlog.HashSize {
		hashes = append(hashes, compact[i:i+auditlog.HashSize])
	}
	return auditlog.NewTree(uint64(size), hashes)
}

// catchUpAudit gives leaves to audit rows that have none (rows written
// before the tree existed), extends the tree over them and returns the
// tree. Open runs it before the writer starts. It refuses a log with a gap
// in its sequence numbers: rows were deleted, and the node must not go on
// as if not.
func catchUpAudit(ctx context.Context, db *sql.DB) (*auditlog.Tree, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("audit catch-up: %w", mapErr(err))
	}
	defer tx.Rollback()
	tree, err := loadTree(ctx, tx)
	if err != nil {
		return nil, fmt.Errorf("audit catch-up: %w", err)
	}
	var last int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM audit_log`).Scan(&last); err != nil {
		return nil, fmt.Errorf("audit catch-up: %w", mapErr(err))
	}
	if uint64(last) == tree.Size() {
		return tree, nil
	}
	var leaves []pendingLeaf
	for from := tree.Size(); ; {
		rows, err := readAuditRows(ctx, tx, from, 1000)
		if err != nil {
			return nil, fmt.Errorf("audit catch-up: %w", err)
		}
		if len(rows) == 0 {
			break
		}
		for _, r := range rows {
			if r.Seq != int64(from)+1 {
				return nil, fmt.Errorf("audit catch-up: audit_log has seq %d where %d was expected: entries were deleted", r.Seq, from+1)
			}
			from++
			if r.Leaf == nil {
				if r.Leaf, err = auditlog.RowLeafHash(lenientRow(r)); err != nil {
					return nil, fmt.Errorf("audit catch-up: seq %d: %w", r.Seq, err)
				}
				if _, err := tx.ExecContext(ctx, `UPDATE audit_log SET leaf = ? WHERE seq = ?`, r.Leaf, r.Seq); err != nil {
					return nil, fmt.Errorf("audit catch-up: %w", mapErr(err))
				}
			}
			leaves = append(leaves, pendingLeaf{r.Seq, r.Leaf})
		}
	}
	ins, err := tx.PrepareContext(ctx, sqlInsertNode)
	if err != nil {
		return nil, fmt.Errorf("audit catch-up: %w", mapErr(err))
	}
	defer ins.Close()
	upd, err := tx.PrepareContext(ctx, sqlUpdateTree)
	if err != nil {
		return nil, fmt.Errorf("audit catch-up: %w", mapErr(err))
	}
	defer upd.Close()
	if err := appendLeaves(ctx, ins, upd, tree, leaves); err != nil {
		return nil, fmt.Errorf("audit catch-up: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("audit catch-up: %w", mapErr(err))
	}
	return tree, nil
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
