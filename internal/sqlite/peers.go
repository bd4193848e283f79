package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Peer kinds.
const (
	PeerNode  = "node"  // another Kurultai node, linked over NATS
	PeerTAXII = "taxii" // a foreign TAXII 2.1 server
)

// Peer is a node or TAXII server this node exchanges objects with (see
// internal/federation).
type Peer struct {
	Name        string
	Kind        string // PeerNode or PeerTAXII
	Participant string // the participant whose objects the peer sends and receives
	URL         string
	Keys        string // the peer's key document (JSON); empty for TAXII peers
	Dial        string // "auto", "yes" or "no": whether this node opens the link
	Options     string // JSON object, kind-specific
	Created     time.Time

	// Progress, kept by the federation.
	Cursor   int64  // last outbox seq the peer acknowledged
	Sent     int64  // versions and tombstones it acknowledged
	RecvSeq  int64  // last outbox seq of the peer's that this node committed
	Received int64  // versions and tombstones this node committed from it
	State    string // kind-specific resume state
}

const peerCols = `name, kind, participant, url, keys, dial, options, created, cursor, sent, recv_seq, received, state`

// AddPeer stores a new peer; CodeConflict if its name, or for a node its
// participant, is taken. Its cursor starts at 0: the peer is sent every
// version written here that it may see.
func (s *Store) AddPeer(ctx context.Context, p Peer) error {
	if p.Options == "" {
		p.Options = "{}"
	}
	if p.Created.IsZero() {
		p.Created = s.clock()
	}
	err := s.submit(ctx, 1, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO fed_peers (name, kind, participant, url, keys, dial, options, created)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, p.Name, p.Kind, p.Participant, p.URL, p.Keys, p.Dial, p.Options, p.Created.UnixNano())
		return mapErr(err)
	})
	if err != nil {
		return fmt.Errorf("sqlite: add peer: %w", err)
	}
	return nil
}

// UpdatePeer replaces the settings of a peer (not its progress);
// CodeNotFound if there is none by that name.
func (s *Store) UpdatePeer(ctx context.Context, p Peer) error {
	if p.Options == "" {
		p.Options = "{}"
	}
	err := s.submit(ctx, 1, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE fed_peers SET kind = ?, participant = ?, url = ?, keys = ?, dial = ?, options = ?
			WHERE name = ?`, p.Kind, p.Participant, p.URL, p.Keys, p.Dial, p.Options, p.Name)
		if err != nil {
			return mapErr(err)
		}
		return oneRow(res, "peer")
	})
	if err != nil {
		return fmt.Errorf("sqlite: update peer: %w", err)
	}
	return nil
}

// RemovePeer deletes a peer and what it was sent; CodeNotFound if there is
// none by that name.
func (s *Store) RemovePeer(ctx context.Context, name string) error {
	err := s.submit(ctx, 1, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM fed_sent WHERE peer = ?`, name); err != nil {
			return mapErr(err)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM fed_peers WHERE name = ?`, name)
		if err != nil {
			return mapErr(err)
		}
		return oneRow(res, "peer")
	})
	if err != nil {
		return fmt.Errorf("sqlite: remove peer: %w", err)
	}
	return nil
}

// Peers returns every peer, by name.
func (s *Store) Peers(ctx context.Context) ([]Peer, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT `+peerCols+` FROM fed_peers ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: peers: %w", mapErr(err))
	}
	defer rows.Close()
	var out []Peer
	for rows.Next() {
		p, err := scanPeer(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: peers: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: peers: %w", mapErr(err))
	}
	return out, nil
}

// Peer returns the peer with the name, or CodeNotFound.
func (s *Store) Peer(ctx context.Context, name string) (Peer, error) {
	p, err := scanPeer(s.rdb.QueryRowContext(ctx, `SELECT `+peerCols+` FROM fed_peers WHERE name = ?`, name))
	if err == sql.ErrNoRows {
		return Peer{}, fmt.Errorf("sqlite: peer: %w", notFound("peer"))
	}
	if err != nil {
		return Peer{}, fmt.Errorf("sqlite: peer: %w", err)
	}
	return p, nil
}

func scanPeer(row interface{ Scan(...any) error }) (Peer, error) {
	var p Peer
	var created int64
	err := row.Scan(&p.Name, &p.Kind, &p.Participant, &p.URL, &p.Keys, &p.Dial, &p.Options, &created,
		&p.Cursor, &p.Sent, &p.RecvSeq, &p.Received, &p.State)
	if err == sql.ErrNoRows {
		return p, err
	}
	if err != nil {
		return p, mapErr(err)
	}
	p.Created = time.Unix(0, created).UTC()
	return p, nil
}

// SetPeerState stores a peer's kind-specific resume state.
func (s *Store) SetPeerState(ctx context.Context, name, state string) error {
	err := s.submit(ctx, 1, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE fed_peers SET state = ? WHERE name = ?`, state, name)
		if err != nil {
			return mapErr(err)
		}
		return oneRow(res, "peer")
	})
	if err != nil {
		return fmt.Errorf("sqlite: set peer state: %w", err)
	}
	return nil
}

func oneRow(res sql.Result, what string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return mapErr(err)
	}
	if n == 0 {
		return notFound(what)
	}
	return nil
}
