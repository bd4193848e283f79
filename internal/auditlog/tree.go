package auditlog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/bits"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// hasher is RFC 6962 hashing with SHA-256. It keeps no state.
var hasher = rfc6962.DefaultHasher

// rangeFactory builds compact ranges with RFC 6962 node hashing. It keeps
// no state either: the factory only holds the hash function.
var rangeFactory = &compact.RangeFactory{Hash: hasher.HashChildren}

// EmptyRoot is the root hash of the empty tree: SHA-256 of nothing.
func EmptyRoot() []byte { return hasher.EmptyRoot() }

// NodeID names a node of the tree: level 0 holds the leaves, and node
// (level, index) covers leaves [index·2^level, (index+1)·2^level).
type NodeID = compact.NodeID

// TreeHead is the size and root hash of the tree.
type TreeHead struct {
	Size uint64
	Root []byte
}

// NodeReader reads the hashes of full subtrees (nodes whose leaves are all
// in the tree). A store keeps every such node once it is complete.
type NodeReader interface {
	// NodeHashes returns the hash of each node, in order, or an error
	// when one is missing.
	NodeHashes(ctx context.Context, ids []NodeID) ([][]byte, error)
}

// Tree is the state needed to append leaves: the tree head and the hashes
// of the compact range [0, size), the full subtrees along its right edge.
type Tree struct {
	rng *compact.Range
}

// NewTree returns the tree of the given size with the compact range
// hashes of [0, size) (as Tree.RangeHashes returns them).
func NewTree(size uint64, rangeHashes [][]byte) (*Tree, error) {
	for i, h := range rangeHashes {
		if len(h) != HashSize {
			return nil, fmt.Errorf("auditlog: tree: range hash %d has %d bytes", i, len(h))
		}
	}
	r, err := rangeFactory.NewRange(0, size, rangeHashes)
	if err != nil {
		return nil, fmt.Errorf("auditlog: tree: %w", err)
	}
	return &Tree{rng: r}, nil
}

// Size returns the number of leaves.
func (t *Tree) Size() uint64 { return t.rng.End() }

// RangeHashes returns the compact range hashes, to store beside the head.
func (t *Tree) RangeHashes() [][]byte { return t.rng.Hashes() }

// Root returns the root hash.
func (t *Tree) Root() []byte {
	if t.rng.End() == 0 {
		return EmptyRoot()
	}
	root, err := t.rng.GetRootHash(nil)
	if err != nil { // cannot happen: the range starts at 0
		panic(err)
	}
	return root
}

// Append adds a leaf hash and calls visit for every node that became
// complete, the leaf itself included (level 0).
func (t *Tree) Append(leafHash []byte, visit func(id NodeID, hash []byte)) error {
	if len(leafHash) != HashSize {
		return fmt.Errorf("auditlog: tree: leaf hash has %d bytes", len(leafHash))
	}
	return t.rng.Append(leafHash, visit)
}

// RootAt returns the root hash of the tree's first size leaves, from the
// stored full subtrees. size must not exceed the tree's size.
func RootAt(ctx context.Context, nr NodeReader, size uint64) ([]byte, error) {
	if size == 0 {
		return EmptyRoot(), nil
	}
	ids := compact.RangeNodes(0, size, nil)
	hashes, err := nr.NodeHashes(ctx, ids)
	if err != nil {
		return nil, err
	}
	r, err := rangeFactory.NewRange(0, size, hashes)
	if err != nil {
		return nil, fmt.Errorf("auditlog: root at %d: %w", size, err)
	}
	return r.GetRootHash(nil)
}

// InclusionProof returns the RFC 6962 inclusion proof of leaf index in the
// tree of size leaves (index < size ≤ the tree's size).
func InclusionProof(ctx context.Context, nr NodeReader, index, size uint64) ([][]byte, error) {
	nodes, err := proof.Inclusion(index, size)
	if err != nil {
		return nil, kurultai.FieldError("index", "%v", err)
	}
	return rehash(ctx, nr, nodes)
}

// ConsistencyProof returns the RFC 6962 consistency proof between the
// trees of size from and to (from ≤ to ≤ the tree's size).
func ConsistencyProof(ctx context.Context, nr NodeReader, from, to uint64) ([][]byte, error) {
	nodes, err := proof.Consistency(from, to)
	if err != nil {
		return nil, kurultai.FieldError("from", "%v", err)
	}
	return rehash(ctx, nr, nodes)
}

func rehash(ctx context.Context, nr NodeReader, nodes proof.Nodes) ([][]byte, error) {
	if len(nodes.IDs) == 0 {
		return [][]byte{}, nil
	}
	hashes, err := nr.NodeHashes(ctx, nodes.IDs)
	if err != nil {
		return nil, err
	}
	return nodes.Rehash(hashes, hasher.HashChildren)
}

// ErrProof means a proof does not show what it should: the log is not
// append-only between two checkpoints, or an entry is not in it.
var ErrProof = errors.New("proof does not verify")

// VerifyInclusion checks that leafHash is leaf index of the tree with the
// head.
func VerifyInclusion(index uint64, leafHash []byte, head TreeHead, hashes [][]byte) error {
	if err := proof.VerifyInclusion(hasher, index, head.Size, leafHash, hashes, head.Root); err != nil {
		return fmt.Errorf("%w: inclusion of entry %d in the tree of size %d: %v", ErrProof, index, head.Size, err)
	}
	return nil
}

// VerifyConsistency checks that the tree old is a prefix of the tree new.
func VerifyConsistency(old, new TreeHead, hashes [][]byte) error {
	if err := proof.VerifyConsistency(hasher, old.Size, new.Size, hashes, old.Root, new.Root); err != nil {
		return fmt.Errorf("%w: the tree of size %d does not extend the one of size %d: %v", ErrProof, new.Size, old.Size, err)
	}
	return nil
}

// RootOf computes the root hash of a list of leaf hashes from scratch.
func RootOf(leaves [][]byte) []byte {
	t, _ := NewTree(0, nil)
	for _, h := range leaves {
		if err := t.Append(h, nil); err != nil {
			panic(err) // a caller's bug: a leaf hash of the wrong size
		}
	}
	return t.Root()
}

// sameHash reports whether two hashes are equal.
func sameHash(a, b []byte) bool { return len(a) == HashSize && bytes.Equal(a, b) }

// PostOrder returns the number of node id in post-order: the order in
// which nodes become complete as leaves are appended. Storing nodes under
// it makes every insert an append. With m = (index+1)·2^level, the leaves
// when the node completes, it is 2m − popcount(m) − 1 − (ctz(m) − level):
// the nodes complete in a tree of m leaves, less those completed after it
// by that same leaf.
func PostOrder(id NodeID) uint64 {
	m := (id.Index + 1) << id.Level
	return 2*m - uint64(bits.OnesCount64(m)) - 1 - (uint64(bits.TrailingZeros64(m)) - uint64(id.Level))
}

// Clone returns a copy of t that appends independently of it.
func (t *Tree) Clone() *Tree {
	c, err := NewTree(t.Size(), append([][]byte(nil), t.RangeHashes()...))
	if err != nil { // cannot happen: t's own range is consistent
		panic(err)
	}
	return c
}
