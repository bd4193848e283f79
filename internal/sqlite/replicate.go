package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// msgWithdrawn is the status failure of a version its originator withdrew
// after sending it.
const msgWithdrawn = "withdrawn by its originator: a later tombstone covers this version"

// AddReplicated stores versions received from a peer, as AddObjects does
// with w.Principal as the writer (the originator is the peer's
// participant), in one transaction that also records the peer's progress.
// seqs[i] is the outbox seq at the peer of w.Objects[i]. A version that a
// tombstone with a greater seq covers is refused (a replay cannot bring
// back what its originator withdrew). The versions make no outbox entries:
// a node sends only what it wrote.
func (s *Store) AddReplicated(ctx context.Context, peer string, w kurultai.Write, seqs []int64) (kurultai.Status, error) {
	if w.StatusID == "" {
		return kurultai.Status{}, fmt.Errorf("sqlite: add replicated: %w", kurultai.Errorf(kurultai.CodeInvalid, "empty status id"))
	}
	if len(seqs) != len(w.Objects) {
		return kurultai.Status{}, fmt.Errorf("sqlite: add replicated: %d seqs for %d objects", len(seqs), len(w.Objects))
	}
	if w.Time.IsZero() {
		w.Time = s.clock()
	}
	var st kurultai.Status
	err := s.submit(ctx, len(w.Objects), func(ctx context.Context, tx *sql.Tx) error {
		var err error
		st, err = s.addReplicated(ctx, tx, peer, w, seqs)
		return err
	})
	if err != nil {
		return kurultai.Status{}, fmt.Errorf("sqlite: add replicated: %w", err)
	}
	return st, nil
}

func (s *Store) addReplicated(ctx context.Context, tx *sql.Tx, peer string, w kurultai.Write, seqs []int64) (kurultai.Status, error) {
	done, err := replicating(ctx, tx)
	if err != nil {
		return kurultai.Status{}, err
	}
	me := w.Principal.Participant
	coll, err := collectionSeq(ctx, tx, w.Collection)
	if err != nil {
		return kurultai.Status{}, err
	}
	// Filter on a copy: the job may run again (see commitBatch).
	kept := make([]*kurultai.ObjectVersion, 0, len(w.Objects))
	keptSeq := make([]int64, 0, len(w.Objects))
	rejected := append([]kurultai.StatusDetail(nil), w.Rejected...)
	maxSeq := int64(0)
	// Most writes meet no tombstone at all: one query says so.
	var anyTomb bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM fed_tombstones WHERE participant = ? AND collection_seq = ?)`,
		me, coll).Scan(&anyTomb); err != nil {
		return kurultai.Status{}, mapErr(err)
	}
	for i, v := range w.Objects {
		maxSeq = max(maxSeq, seqs[i])
		if !anyTomb {
			kept = append(kept, v)
			keptSeq = append(keptSeq, seqs[i])
			continue
		}
		var n int
		err := tx.QueryRowContext(ctx, `SELECT count(*) FROM fed_tombstones
			WHERE participant = ? AND collection_seq = ? AND id = ? AND seq > ?
			AND ((exact = 0 AND version_key >= ?) OR (exact = 1 AND version_key = ?))`,
			me, coll, v.ID, seqs[i], v.VersionKey, v.VersionKey).Scan(&n)
		if err != nil {
			return kurultai.Status{}, mapErr(err)
		}
		if n > 0 {
			rejected = append(rejected, kurultai.StatusDetail{ID: v.ID, Version: v.Version, Message: msgWithdrawn})
			continue
		}
		kept = append(kept, v)
		keptSeq = append(keptSeq, seqs[i])
	}
	w.Objects, w.Rejected = kept, rejected
	st, err := s.addObjects(ctx, tx, &w)
	if err != nil {
		return kurultai.Status{}, err
	}
	// The versions just stored are not this node's: the outbox passes them.
	if _, err := tx.ExecContext(ctx, `UPDATE fed_outbox_hw SET added = max(added, (SELECT coalesce(max(added), 0) FROM objects)) WHERE id = 1`); err != nil {
		return kurultai.Status{}, mapErr(err)
	}
	ok := make(map[[2]string]bool, len(st.Successes))
	for _, d := range st.Successes {
		ok[[2]string{d.ID, d.Version}] = true
	}
	stored := int64(0)
	ins, err := tx.PrepareContext(ctx, `INSERT INTO fed_received (participant, collection_seq, id, version_key, seq) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT DO UPDATE SET seq = max(seq, excluded.seq)`)
	if err != nil {
		return kurultai.Status{}, mapErr(err)
	}
	defer ins.Close()
	for i, v := range kept {
		if v.DateAdded.IsZero() || !ok[[2]string{v.ID, refVersion(v)}] {
			continue
		}
		stored++
		if _, err := ins.ExecContext(ctx, me, coll, v.ID, v.VersionKey, keptSeq[i]); err != nil {
			return kurultai.Status{}, mapErr(err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE fed_peers SET recv_seq = max(recv_seq, ?), received = received + ? WHERE name = ?`,
		maxSeq, stored, peer); err != nil {
		return kurultai.Status{}, mapErr(err)
	}
	return st, done()
}

// Removal withdraws versions of an object that a peer sent: every version
// up to VersionKey, or exactly that one.
type Removal struct {
	Participant string // the originator: only its versions are removed
	Collection  string
	ID          string
	VersionKey  int64
	Exact       bool
	Seq         int64 // the outbox seq at the peer of the removal
}

// ApplyRemoval removes the versions r covers that arrived in messages
// older than it, and records the tombstone so that older messages cannot
// bring them back, in one transaction with entry in the audit log (when
// versions were removed). It returns how many versions it removed.
func (s *Store) ApplyRemoval(ctx context.Context, peer string, r Removal, entry kurultai.AuditEntry) (int, error) {
	var n int
	err := s.submit(ctx, 1, func(ctx context.Context, tx *sql.Tx) error {
		var err error
		n, err = s.applyRemoval(ctx, tx, peer, r, entry)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("sqlite: apply removal: %w", err)
	}
	return n, nil
}

func (s *Store) applyRemoval(ctx context.Context, tx *sql.Tx, peer string, r Removal, entry kurultai.AuditEntry) (int, error) {
	done, err := replicating(ctx, tx)
	if err != nil {
		return 0, err
	}
	coll, err := collectionSeq(ctx, tx, r.Collection)
	if err != nil {
		return 0, err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO fed_tombstones (participant, collection_seq, id, version_key, exact, seq)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET seq = max(seq, excluded.seq)`,
		r.Participant, coll, r.ID, r.VersionKey, r.Exact, r.Seq)
	if err != nil {
		return 0, mapErr(err)
	}
	// The seq of the message that brought each version: a version sent
	// after the removal stays.
	rows, err := tx.QueryContext(ctx, `SELECT version_key, seq FROM fed_received
		WHERE participant = ? AND collection_seq = ? AND id = ?`, r.Participant, coll, r.ID)
	if err != nil {
		return 0, mapErr(err)
	}
	brought := map[int64]int64{}
	for rows.Next() {
		var key, seq int64
		if err := rows.Scan(&key, &seq); err != nil {
			rows.Close()
			return 0, mapErr(err)
		}
		brought[key] = seq
	}
	if err := rows.Err(); err != nil {
		return 0, mapErr(err)
	}
	rows.Close()
	covers := func(v *kurultai.ObjectVersion) bool {
		if v.Originator != r.Participant {
			return false
		}
		if r.Exact && v.VersionKey != r.VersionKey || !r.Exact && v.VersionKey > r.VersionKey {
			return false
		}
		seq, ok := brought[v.VersionKey]
		return !ok || seq < r.Seq
	}
	var deleted []kurultai.ObjectVersion
	allow := func(v *kurultai.ObjectVersion) bool {
		if covers(v) {
			deleted = append(deleted, *v)
			return true
		}
		return false
	}
	n, err := s.deleteObject(ctx, tx, r.Collection, r.ID, kurultai.VersionFilter{All: true}, allow, entry)
	if kurultai.ErrorCode(err) == kurultai.CodeNotFound {
		// Nothing to remove (the peer never sent it, or it is gone): the
		// tombstone alone is recorded. deleteObject wrote nothing.
		n, err = 0, nil
	}
	if err != nil {
		return 0, err
	}
	for _, v := range deleted {
		if _, err := tx.ExecContext(ctx, `DELETE FROM fed_received WHERE participant = ? AND collection_seq = ? AND id = ? AND version_key = ?`,
			r.Participant, coll, r.ID, v.VersionKey); err != nil {
			return 0, mapErr(err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE fed_peers SET recv_seq = max(recv_seq, ?), received = received + 1 WHERE name = ?`, r.Seq, peer); err != nil {
		return 0, mapErr(err)
	}
	return n, done()
}

// replicating marks the transaction as writing replicated versions, so
// that the outbox triggers skip them; done removes the mark. A failed job
// rolls the mark back with everything else.
func replicating(ctx context.Context, tx *sql.Tx) (done func() error, err error) {
	if _, err := tx.ExecContext(ctx, `INSERT INTO fed_replicating (x) VALUES (1)`); err != nil {
		return nil, mapErr(err)
	}
	return func() error {
		_, err := tx.ExecContext(ctx, `DELETE FROM fed_replicating`)
		return mapErr(err)
	}, nil
}
