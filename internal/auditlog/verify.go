package auditlog

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"slices"
)

// The kinds of problem VerifyLog reports.
const (
	ProblemChanged      = "changed"                  // an entry differs from the one the tree recorded
	ProblemMissing      = "missing"                  // an entry the tree recorded is gone
	ProblemReordered    = "reordered"                // an entry sits at another entry's place
	ProblemTruncated    = "truncated"                // entries a signed checkpoint or the tree counts are gone
	ProblemNotInTree    = "not in the tree"          // an entry the tree never recorded
	ProblemSignature    = "checkpoint signature bad" // a checkpoint that the node's keys did not sign
	ProblemCheckpoint   = "checkpoint mismatch"      // a checkpoint whose root the entries do not give
	ProblemStoredTree   = "stored tree mismatch"     // the recorded tree head disagrees with the entries
	verifyPage          = 1000
	reorderLookahead    = 10_000
	defaultMaxProblems  = 20
	checkpointPageLimit = 1000
)

// Problem is one finding of VerifyLog.
type Problem struct {
	Kind string
	// Index is the leaf index of the entry concerned (its seq is Index+1),
	// or for checkpoint problems the checkpoint's tree size.
	Index      uint64
	Checkpoint bool
	Detail     string
}

// String names the entry or checkpoint, the kind and the detail.
func (p Problem) String() string {
	if p.Checkpoint {
		return fmt.Sprintf("checkpoint at size %d: %s: %s", p.Index, p.Kind, p.Detail)
	}
	return fmt.Sprintf("entry %d (seq %d): %s: %s", p.Index, p.Index+1, p.Kind, p.Detail)
}

// Report is the outcome of VerifyLog.
type Report struct {
	Origin      string
	Entries     uint64 // rows read
	TreeSize    uint64 // the size the store recorded
	Checkpoints int    // checkpoints whose signature and root verified
	Problems    []Problem
}

// OK reports whether the log verified.
func (r Report) OK() bool { return len(r.Problems) == 0 }

// VerifyOptions configures VerifyLog.
type VerifyOptions struct {
	// Keys are the node's public keys, current and retired.
	Keys []ed25519.PublicKey
	// Origin is the expected checkpoint origin; empty takes the origin
	// of the first stored checkpoint.
	Origin string
	// MaxProblems stops the check after that many problems (0: 20).
	MaxProblems int
}

// VerifyLog recomputes the tree from the stored entries, re-encoding each
// row canonically, and checks it against the leaf hashes and tree head the
// store recorded and against every stored checkpoint, whose signatures it
// verifies. Problems come in the order found; an error means the store
// could not be read.
func VerifyLog(ctx context.Context, lr LogReader, opts VerifyOptions) (Report, error) {
	v := &verifier{lr: lr, opts: opts}
	if v.opts.MaxProblems <= 0 {
		v.opts.MaxProblems = defaultMaxProblems
	}
	if err := v.loadCheckpoints(ctx); err != nil {
		return v.rep, err
	}
	head, err := lr.TreeHead(ctx)
	if err != nil {
		return v.rep, fmt.Errorf("auditlog: verify: %w", err)
	}
	v.rep.TreeSize = head.Size
	if err := v.entries(ctx, head); err != nil && !errors.Is(err, errEnough) {
		return v.rep, err
	}
	return v.rep, nil
}

// errEnough stops the walk once MaxProblems are found.
var errEnough = errors.New("enough problems")

type verifier struct {
	lr   LogReader
	opts VerifyOptions
	rep  Report
	cps  []Checkpoint // signed, by size
	// explained is the index of the first entry problem, if any: a
	// checkpoint after it cannot match and need not be reported.
	explained bool
}

func (v *verifier) add(p Problem) error {
	v.rep.Problems = append(v.rep.Problems, p)
	if !p.Checkpoint {
		v.explained = true
	}
	if len(v.rep.Problems) >= v.opts.MaxProblems {
		return errEnough
	}
	return nil
}

// loadCheckpoints reads every stored checkpoint and keeps those the node's
// keys signed.
func (v *verifier) loadCheckpoints(ctx context.Context) error {
	var after uint64
	for {
		recs, err := v.lr.Checkpoints(ctx, after, checkpointPageLimit)
		if err != nil {
			return fmt.Errorf("auditlog: verify: checkpoints: %w", err)
		}
		for _, rec := range recs {
			after = rec.Size
			v.checkpoint(rec)
		}
		if len(recs) < checkpointPageLimit {
			return nil
		}
	}
}

func (v *verifier) checkpoint(rec CheckpointRecord) {
	bad := func(kind, format string, args ...any) {
		v.rep.Problems = append(v.rep.Problems, Problem{Kind: kind, Index: rec.Size, Checkpoint: true, Detail: fmt.Sprintf(format, args...)})
	}
	n, err := ParseNote(rec.Note)
	if err != nil {
		bad(ProblemSignature, "%v", err)
		return
	}
	c, err := ParseCheckpoint(n.Text)
	if err != nil {
		bad(ProblemSignature, "%v", err)
		return
	}
	if v.rep.Origin == "" {
		v.rep.Origin = v.opts.Origin
		if v.rep.Origin == "" {
			v.rep.Origin = c.Origin
		}
	}
	keys := make([]NoteKey, len(v.opts.Keys))
	for i, k := range v.opts.Keys {
		keys[i] = NoteKey{Name: v.rep.Origin, Type: sigTypeEd25519, Public: k}
	}
	if _, _, err := OpenCheckpoint(rec.Note, v.rep.Origin, keys); err != nil {
		bad(ProblemSignature, "%v", err)
		return
	}
	if c.Size != rec.Size || !sameHash(c.Root, rec.Root) {
		bad(ProblemSignature, "the stored size and root (%d, %s) are not those the note signs (%d, %s)",
			rec.Size, b64.EncodeToString(rec.Root), c.Size, b64.EncodeToString(c.Root))
		return
	}
	v.cps = append(v.cps, c)
}

// entries walks the rows, re-encoding each.
func (v *verifier) entries(ctx context.Context, head TreeHead) error {
	tree, _ := NewTree(0, nil)
	slices.SortFunc(v.cps, func(a, b Checkpoint) int { return cmpUint(a.Size, b.Size) })
	cp := 0 // next checkpoint to compare
	var lastGood uint64
	var headRoot []byte // the recomputed root at the recorded size
	checkRoots := func() error {
		for ; cp < len(v.cps) && v.cps[cp].Size <= tree.Size(); cp++ {
			c := v.cps[cp]
			if sameHash(tree.Root(), c.Root) {
				v.rep.Checkpoints++
				lastGood = c.Size
				continue
			}
			if v.explained {
				continue
			}
			err := v.add(Problem{Kind: ProblemCheckpoint, Index: c.Size, Checkpoint: true,
				Detail: fmt.Sprintf("its root is not the root of the stored entries: one of the entries %d to %d was changed, and its stored leaf hash with it", lastGood, c.Size-1)})
			if err != nil {
				return err
			}
		}
		if tree.Size() == head.Size {
			headRoot = tree.Root()
		}
		return nil
	}
	if err := checkRoots(); err != nil {
		return err
	}
	var next uint64 // the index the next row should have
	for {
		rows, err := v.lr.AuditRows(ctx, next, verifyPage)
		if err != nil {
			return fmt.Errorf("auditlog: verify: entries: %w", err)
		}
		for _, row := range rows {
			v.rep.Entries++
			if row.Seq > int64(next)+1 { // rows are gone
				p := Problem{Kind: ProblemMissing, Index: next, Detail: fmt.Sprintf("no row with seq %d; the next is seq %d", next+1, row.Seq)}
				if row.Seq == int64(next)+2 {
					p.Detail = fmt.Sprintf("no row with seq %d", next+1)
				}
				return v.add(p) // nothing to line the rest up with
			}
			h, herr := RowLeafHash(row)
			switch {
			case herr != nil:
				if err := v.add(Problem{Kind: ProblemChanged, Index: next, Detail: herr.Error()}); err != nil {
					return err
				}
				h = row.Leaf
			case row.Leaf == nil:
				if err := v.add(Problem{Kind: ProblemNotInTree, Index: next, Detail: "the row has no leaf hash"}); err != nil {
					return err
				}
			case !sameHash(h, row.Leaf):
				if err := v.add(v.mismatch(ctx, row)); err != nil {
					return err
				}
			}
			if len(h) != HashSize {
				h = make([]byte, HashSize) // unreadable and unrecorded: keep the indexes lined up
			}
			if err := tree.Append(h, nil); err != nil {
				return err
			}
			next++
			if err := checkRoots(); err != nil {
				return err
			}
		}
		if len(rows) < verifyPage {
			break
		}
	}
	if next < head.Size && !v.explained || len(v.cps) > 0 && v.cps[len(v.cps)-1].Size > next {
		return v.add(Problem{Kind: ProblemTruncated, Index: next, Detail: fmt.Sprintf("%d entries are stored, but %s", next, truncationWitness(head.Size, v.cps, next))})
	}
	if next > head.Size && !v.explained {
		return v.add(Problem{Kind: ProblemNotInTree, Index: head.Size, Detail: fmt.Sprintf("%d entries are stored, the tree records %d", next, head.Size)})
	}
	if headRoot != nil && !sameHash(headRoot, head.Root) && !v.explained {
		return v.add(Problem{Kind: ProblemStoredTree, Index: head.Size, Detail: "the recorded root of the tree is not the root of the stored entries"})
	}
	return nil
}

// mismatch explains a row whose re-encoding does not hash to its stored
// leaf: the row's content belongs at another index (its leaf hash with
// another seq is the stored one), another row's content belongs here, or
// the row was changed.
func (v *verifier) mismatch(ctx context.Context, row Row) Problem {
	i := row.Index()
	p := Problem{Kind: ProblemChanged, Index: i, Detail: "its canonical encoding does not hash to the leaf hash stored with it"}
	lo := max(int64(i)-reorderLookahead, 0)
	for from, seen := uint64(lo), 0; seen < 2*reorderLookahead; {
		rows, err := v.lr.AuditRows(ctx, from, verifyPage)
		if err != nil || len(rows) == 0 {
			return p
		}
		for _, r := range rows {
			if r.Seq == row.Seq {
				continue
			}
			// This row's content, stored with the leaf of another index.
			moved := row
			moved.Seq = r.Seq
			if h, err := RowLeafHash(moved); err == nil && sameHash(h, row.Leaf) {
				p.Kind = ProblemReordered
				p.Detail = fmt.Sprintf("the entry stored here is the one recorded at seq %d (index %d)", r.Seq, r.Seq-1)
				return p
			}
			// Another row's content, recorded at this index.
			moved = r
			moved.Seq = row.Seq
			if h, err := RowLeafHash(moved); err == nil && sameHash(h, row.Leaf) {
				p.Kind = ProblemReordered
				p.Detail = fmt.Sprintf("the entry recorded here is stored at seq %d (index %d)", r.Seq, r.Seq-1)
				return p
			}
		}
		seen += len(rows)
		from = rows[len(rows)-1].Index() + 1
	}
	return p
}

func truncationWitness(treeSize uint64, cps []Checkpoint, n uint64) string {
	if len(cps) > 0 && cps[len(cps)-1].Size > n {
		return fmt.Sprintf("a signed checkpoint counts %d", cps[len(cps)-1].Size)
	}
	if treeSize > n {
		return fmt.Sprintf("the tree records %d", treeSize)
	}
	return "the tree records more leaves"
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
