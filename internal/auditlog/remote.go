package auditlog

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kurultai/kurultai/internal/jcs"
	"github.com/kurultai/kurultai/internal/trust"
)

// RemoteCheck is what a remote auditor established about a node's log.
type RemoteCheck struct {
	// Previous is the earlier checkpoint checked against; nil when there
	// was none (first sight: nothing to be consistent with).
	Previous *Checkpoint
	Current  Checkpoint
	// Note is the current checkpoint note as fetched, to keep for the
	// next check.
	Note []byte
	// Included lists the entries whose inclusion in Current verified.
	Included []uint64
}

// CheckRemote fetches the node's latest checkpoint and verifies, with the
// node's key document doc, that the node signed it; that it extends prev,
// an earlier checkpoint note of the same log (nil: none); and that each of
// entries is in it: the entry as the node shows it hashes to the leaf
// whose inclusion proof verifies. Any failure is an error saying what did
// not hold.
func CheckRemote(ctx context.Context, c *Client, doc trust.KeysDocument, prev []byte, entries []uint64) (RemoteCheck, error) {
	var rc RemoteCheck
	origin := Origin(doc.Participant)
	keys := NodeNoteKeys(doc)
	if prev != nil {
		old, _, err := OpenCheckpoint(prev, origin, keys)
		if err != nil {
			return rc, fmt.Errorf("the earlier checkpoint: %w", err)
		}
		rc.Previous = &old
	}
	note, err := c.Checkpoint(ctx)
	if err != nil {
		return rc, err
	}
	cur, _, err := OpenCheckpoint(note, origin, keys)
	if err != nil {
		return rc, fmt.Errorf("the node's current checkpoint: %w", err)
	}
	rc.Current, rc.Note = cur, note
	if old := rc.Previous; old != nil {
		switch {
		case cur.Size < old.Size:
			return rc, fmt.Errorf("%w: the node's checkpoint has %d entries, fewer than the earlier one (%d): the log was truncated or rewritten", ErrProof, cur.Size, old.Size)
		case cur.Size == old.Size:
			if !sameHash(cur.Root, old.Root) {
				return rc, fmt.Errorf("%w: two checkpoints of size %d with different roots: the log was rewritten", ErrProof, cur.Size)
			}
		default:
			hashes, err := c.Consistency(ctx, old.Size, cur.Size)
			if err != nil {
				return rc, err
			}
			if err := VerifyConsistency(old.Head(), cur.Head(), hashes); err != nil {
				return rc, err
			}
		}
	}
	for _, i := range entries {
		if err := checkIncluded(ctx, c, cur, i); err != nil {
			return rc, err
		}
		rc.Included = append(rc.Included, i)
	}
	return rc, nil
}

// checkIncluded verifies that entry i, as the node shows it, is in the
// tree of cur.
func checkIncluded(ctx context.Context, c *Client, cur Checkpoint, i uint64) error {
	if i >= cur.Size {
		return fmt.Errorf("entry %d: beyond the checkpoint (%d entries)", i, cur.Size)
	}
	resp, err := c.Entries(ctx, i, 1)
	if err != nil {
		return fmt.Errorf("entry %d: %w", i, err)
	}
	if len(resp.Entries) == 0 || resp.Entries[0].Index != i {
		return fmt.Errorf("entry %d: %w (or not visible to this account)", i, ErrNotIncluded)
	}
	e := resp.Entries[0]
	leaf := e.LeafHash
	if e.Complete {
		data, err := jcs.Canonicalize(e.Entry)
		if err != nil {
			return fmt.Errorf("entry %d: %w", i, err)
		}
		if h := LeafHash(data); !sameHash(h, e.LeafHash) {
			return fmt.Errorf("%w: entry %d as shown does not hash to the leaf hash the node gives", ErrProof, i)
		}
	}
	p, err := c.Inclusion(ctx, i, cur.Size)
	if err != nil {
		return fmt.Errorf("entry %d: %w", i, err)
	}
	if !sameHash(p.LeafHash, leaf) {
		return fmt.Errorf("%w: entry %d: the proof is for another leaf", ErrProof, i)
	}
	return VerifyInclusion(i, leaf, cur.Head(), p.Hashes)
}

// Witness checks the node's log as CheckRemote does (without entries) and
// then cosigns the current checkpoint with cosigner and sends the
// cosignature to the node. It returns the check and the node's
// cosignatures of that checkpoint.
func Witness(ctx context.Context, c *Client, doc trust.KeysDocument, prev []byte, cosigner *Cosigner, now time.Time) (RemoteCheck, CosignaturesResponse, error) {
	rc, err := CheckRemote(ctx, c, doc, prev, nil)
	if err != nil {
		return rc, CosignaturesResponse{}, err
	}
	n, err := ParseNote(rc.Note)
	if err != nil { // cannot happen: CheckRemote parsed it
		return rc, CosignaturesResponse{}, err
	}
	// Only the witness's own line goes to the node: then the node's
	// acceptance is about this cosignature, not one it already had.
	sig := cosigner.Cosign(n.Text, now)
	resp, err := c.PostCosignature(ctx, []byte(Note{Text: n.Text, Sigs: []NoteSignature{sig}}.String()))
	if err != nil {
		return rc, resp, err
	}
	if len(resp.Accepted) == 0 {
		return rc, resp, fmt.Errorf("the node did not accept the cosignature of %s", cosigner.name)
	}
	n.Sigs = append(n.Sigs, sig)
	rc.Note = []byte(n.String())
	return rc, resp, nil
}

// IsProofFailure reports whether err says the log is not what its
// checkpoints promised (as opposed to, say, a network failure).
func IsProofFailure(err error) bool { return errors.Is(err, ErrProof) }
