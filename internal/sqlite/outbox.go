package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// Outbox operations.
const (
	OutboxPut    = "put"    // a version was stored
	OutboxDelete = "delete" // a version was deleted
)

// maxOutboxRead caps one Outbox call.
const maxOutboxRead = 10_000

// OutboxEntry is one change this node made to an object version. The
// entries are written by triggers in the transaction that made the change
// (migration 0003), so an entry exists exactly when its change committed.
// Versions received from peers make none.
type OutboxEntry struct {
	Seq        int64
	Op         string // OutboxPut or OutboxDelete
	Collection string // collection id
	ID         string
	VersionKey int64
	Added      time.Time // the version's date added
	// Version is the version as stored now, with Raw and its current
	// effective marking refs, for a put whose version still exists; nil
	// otherwise.
	Version *kurultai.ObjectVersion
}

// Outbox returns up to limit entries with a seq greater than after, in
// seq order.
func (s *Store) Outbox(ctx context.Context, after int64, limit int) ([]OutboxEntry, error) {
	limit = min(max(limit, 1), maxOutboxRead)
	rows, err := s.rdb.QueryContext(ctx, `SELECT o.seq, o.op, o.added, c.id, o.id, o.version_key,
			ob.added, ob.type, ob.spec_version, ob.version, ob.created_ns, ob.modified_ns, ob.revoked,
			ob.originator, ob.marking_refs, ob.eff_marking_refs, ob.raw
		FROM fed_outbox o
		JOIN collections c ON c.seq = o.collection_seq
		LEFT JOIN objects ob ON o.op = 'put' AND ob.added = o.added
		WHERE o.seq > ? ORDER BY o.seq LIMIT ?`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: outbox: %w", mapErr(err))
	}
	defer rows.Close()
	var out []OutboxEntry
	cache := refCache{}
	for rows.Next() {
		var e OutboxEntry
		var added int64
		var obAdded, created, modified sql.NullInt64
		var typ, spec, version, orig, refs sql.NullString
		var eff sql.NullString
		var revoked sql.NullBool
		var raw []byte
		if err := rows.Scan(&e.Seq, &e.Op, &added, &e.Collection, &e.ID, &e.VersionKey,
			&obAdded, &typ, &spec, &version, &created, &modified, &revoked, &orig, &refs, &eff, &raw); err != nil {
			return nil, fmt.Errorf("sqlite: outbox: %w", mapErr(err))
		}
		e.Added = time.UnixMicro(added).UTC()
		if obAdded.Valid {
			v := &kurultai.ObjectVersion{
				ID: e.ID, Type: typ.String, SpecVersion: spec.String, Version: version.String, VersionKey: e.VersionKey,
				Created: timeOf(created), Modified: timeOf(modified), Revoked: revoked.Bool,
				Collection: e.Collection, Originator: orig.String, DateAdded: e.Added, Raw: raw,
			}
			v.MarkingRefs = cache.get(refs.String)
			v.EffectiveMarkingRefs = v.MarkingRefs
			if eff.Valid {
				v.EffectiveMarkingRefs = cache.get(eff.String)
			}
			if v.EffectiveMarkingRefs == nil {
				v.EffectiveMarkingRefs = []string{}
			}
			e.Version = v
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: outbox: %w", mapErr(err))
	}
	return out, nil
}

// OutboxHead returns the seq of the last outbox entry (0 when empty).
func (s *Store) OutboxHead(ctx context.Context) (int64, error) {
	var seq int64
	if err := s.rdb.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM fed_outbox`).Scan(&seq); err != nil {
		return 0, fmt.Errorf("sqlite: outbox head: %w", mapErr(err))
	}
	return seq, nil
}

// ObjectKey names an object of a collection.
type ObjectKey struct {
	Collection string // collection id
	ID         string
}

// PeerAck is what a peer acknowledged: every outbox entry up to Cursor
// has been handled for it.
type PeerAck struct {
	Cursor int64
	Count  int64       // versions and tombstones the peer acknowledged
	Holds  []ObjectKey // objects the peer now holds
	Drops  []ObjectKey // objects it no longer holds
}

// AckPeer records a peer's acknowledgement in one transaction: its cursor
// (which never goes back), its counter and the objects it holds.
func (s *Store) AckPeer(ctx context.Context, name string, a PeerAck) error {
	err := s.submit(ctx, 1+len(a.Holds)/64, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE fed_peers SET cursor = max(cursor, ?), sent = sent + ? WHERE name = ?`, a.Cursor, a.Count, name)
		if err != nil {
			return mapErr(err)
		}
		if err := oneRow(res, "peer"); err != nil {
			return err
		}
		seqs := map[string]int64{}
		for _, k := range a.Holds {
			seq, err := cachedSeq(ctx, tx, seqs, k.Collection)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO fed_sent (peer, collection_seq, id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, name, seq, k.ID); err != nil {
				return mapErr(err)
			}
		}
		for _, k := range a.Drops {
			seq, err := cachedSeq(ctx, tx, seqs, k.Collection)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM fed_sent WHERE peer = ? AND collection_seq = ? AND id = ?`, name, seq, k.ID); err != nil {
				return mapErr(err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: ack peer: %w", err)
	}
	return nil
}

func cachedSeq(ctx context.Context, tx *sql.Tx, cache map[string]int64, coll string) (int64, error) {
	if seq, ok := cache[coll]; ok {
		return seq, nil
	}
	seq, err := collectionSeq(ctx, tx, coll)
	if err != nil {
		return 0, err
	}
	cache[coll] = seq
	return seq, nil
}

// PeerHolds returns which of ids (objects of collection) the peer holds
// from this node.
func (s *Store) PeerHolds(ctx context.Context, name, collection string, ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, fmt.Errorf("sqlite: peer holds: %w", err)
	}
	rows, err := s.rdb.QueryContext(ctx, `SELECT id FROM fed_sent WHERE peer = ?
		AND collection_seq = (SELECT seq FROM collections WHERE id = ?)
		AND id IN (SELECT value FROM json_each(?))`, name, collection, string(list))
	if err != nil {
		return nil, fmt.Errorf("sqlite: peer holds: %w", mapErr(err))
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("sqlite: peer holds: %w", mapErr(err))
		}
		out[id] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: peer holds: %w", mapErr(err))
	}
	return out, nil
}

// ObjectVersions returns every stored version of the object id in any
// collection, oldest first, with Raw. Federation uses it to send the
// marking-definitions an object refers to along with it.
func (s *Store) ObjectVersions(ctx context.Context, id string) ([]*kurultai.ObjectVersion, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT `+versionCols+`, raw,
			(SELECT c.id FROM collections c WHERE c.seq = collection_seq)
		FROM objects INDEXED BY objects_version
		WHERE collection_seq IN (SELECT seq FROM collections) AND id = ?
		ORDER BY version_key, added`, id)
	if err != nil {
		return nil, fmt.Errorf("sqlite: object versions: %w", mapErr(err))
	}
	defer rows.Close()
	sc := newScanner(true)
	var coll string
	sc.dest = append(sc.dest, &coll)
	var out []*kurultai.ObjectVersion
	for rows.Next() {
		if err := sc.scan(rows); err != nil {
			return nil, fmt.Errorf("sqlite: object versions: %w", mapErr(err))
		}
		v := new(kurultai.ObjectVersion)
		sc.fill(v, coll)
		v.Raw = append([]byte(nil), sc.raw...)
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: object versions: %w", mapErr(err))
	}
	return out, nil
}
