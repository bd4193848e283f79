package auditlog

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/bits"
	"testing"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// mth is the Merkle tree hash of RFC 6962 section 2.1, written from the
// definition: the reference the compact-range code is checked against.
func mth(leaves [][]byte) []byte {
	switch len(leaves) {
	case 0:
		h := sha256.Sum256(nil)
		return h[:]
	case 1:
		h := sha256.Sum256(append([]byte{0}, leaves[0]...))
		return h[:]
	}
	k := 1 << (bits.Len(uint(len(leaves)-1)) - 1) // largest power of two below n
	h := sha256.New()
	h.Write([]byte{1})
	h.Write(mth(leaves[:k]))
	h.Write(mth(leaves[k:]))
	return h.Sum(nil)
}

// memNodes is a NodeReader over a map, filled by Tree.Append's visitor.
type memNodes map[NodeID][]byte

func (m memNodes) NodeHashes(_ context.Context, ids []NodeID) ([][]byte, error) {
	out := make([][]byte, len(ids))
	for i, id := range ids {
		h, ok := m[id]
		if !ok {
			return nil, kurultai.Errorf(kurultai.CodeNotFound, "node %v", id)
		}
		out[i] = h
	}
	return out, nil
}

func leafData(i int) []byte { return fmt.Appendf(nil, "leaf %d", i) }

// buildTree appends n leaves, checking the root after each against the
// reference, and returns the stored nodes and the root of every size.
func buildTree(t *testing.T, n int) (memNodes, [][]byte) {
	t.Helper()
	tree, err := NewTree(0, nil)
	if err != nil {
		t.Fatal(err)
	}
	nodes := memNodes{}
	var data [][]byte
	roots := [][]byte{EmptyRoot()}
	if !bytes.Equal(tree.Root(), mth(nil)) {
		t.Fatalf("empty root")
	}
	for i := range n {
		data = append(data, leafData(i))
		if err := tree.Append(LeafHash(leafData(i)), func(id NodeID, h []byte) { nodes[id] = h }); err != nil {
			t.Fatal(err)
		}
		root := tree.Root()
		if want := mth(data); !bytes.Equal(root, want) {
			t.Fatalf("size %d: root %x, want %x", i+1, root, want)
		}
		// Reloading the tree from its compact range gives the same root.
		again, err := NewTree(tree.Size(), tree.RangeHashes())
		if err != nil || !bytes.Equal(again.Root(), root) {
			t.Fatalf("size %d: reloaded tree differs (%v)", i+1, err)
		}
		roots = append(roots, root)
	}
	return nodes, roots
}

func TestTreeMatchesRFC6962(t *testing.T) {
	buildTree(t, 70)
}

// TestProofs: every inclusion and consistency proof from stored nodes
// verifies, and fails for a wrong leaf or root.
func TestProofs(t *testing.T) {
	ctx := context.Background()
	const n = 33
	nodes, roots := buildTree(t, n)
	for size := uint64(1); size <= n; size++ {
		root, err := RootAt(ctx, nodes, size)
		if err != nil || !bytes.Equal(root, roots[size]) {
			t.Fatalf("RootAt(%d) = %x, %v", size, root, err)
		}
		head := TreeHead{Size: size, Root: roots[size]}
		for i := range size {
			p, err := InclusionProof(ctx, nodes, i, size)
			if err != nil {
				t.Fatalf("InclusionProof(%d, %d): %v", i, size, err)
			}
			if err := VerifyInclusion(i, LeafHash(leafData(int(i))), head, p); err != nil {
				t.Fatalf("VerifyInclusion(%d, %d): %v", i, size, err)
			}
			if err := VerifyInclusion(i, LeafHash([]byte("other")), head, p); !errors.Is(err, ErrProof) {
				t.Fatalf("inclusion of a wrong leaf: %v", err)
			}
		}
		for from := uint64(0); from <= size; from++ {
			p, err := ConsistencyProof(ctx, nodes, from, size)
			if err != nil {
				t.Fatalf("ConsistencyProof(%d, %d): %v", from, size, err)
			}
			old := TreeHead{Size: from, Root: roots[from]}
			if err := VerifyConsistency(old, head, p); err != nil {
				t.Fatalf("VerifyConsistency(%d, %d): %v", from, size, err)
			}
			if from > 0 && from < size {
				forged := TreeHead{Size: from, Root: mth([][]byte{[]byte("forged")})}
				if err := VerifyConsistency(forged, head, p); !errors.Is(err, ErrProof) {
					t.Fatalf("consistency with a forged root %d→%d: %v", from, size, err)
				}
			}
		}
	}
	if _, err := InclusionProof(ctx, nodes, 5, 5); kurultai.ErrorCode(err) != kurultai.CodeInvalid {
		t.Errorf("index = size: %v, want invalid", err)
	}
	if _, err := ConsistencyProof(ctx, nodes, 6, 5); kurultai.ErrorCode(err) != kurultai.CodeInvalid {
		t.Errorf("from > to: %v, want invalid", err)
	}
	if _, err := RootAt(ctx, nodes, n+1); err == nil {
		t.Errorf("RootAt beyond the tree: no error")
	}
}

func TestNewTreeRefuses(t *testing.T) {
	if _, err := NewTree(3, [][]byte{make([]byte, 32)}); err == nil {
		t.Error("size 3 with one range hash accepted")
	}
	if _, err := NewTree(1, [][]byte{make([]byte, 31)}); err == nil {
		t.Error("a 31-byte hash accepted")
	}
	tr, _ := NewTree(0, nil)
	if err := tr.Append(make([]byte, 5), nil); err == nil {
		t.Error("a 5-byte leaf hash accepted")
	}
}

func TestRootOf(t *testing.T) {
	var leaves, data [][]byte
	for i := range 9 {
		data = append(data, leafData(i))
		leaves = append(leaves, LeafHash(leafData(i)))
	}
	if !bytes.Equal(RootOf(leaves), mth(data)) {
		t.Error("RootOf differs from the RFC 6962 definition")
	}
}

// TestPostOrder: numbering nodes as Tree.Append completes them gives
// PostOrder's numbers.
func TestPostOrder(t *testing.T) {
	tree, _ := NewTree(0, nil)
	next := uint64(0)
	for i := range 300 {
		err := tree.Append(LeafHash(leafData(i)), func(id NodeID, _ []byte) {
			if got := PostOrder(id); got != next {
				t.Fatalf("PostOrder(%+v) = %d, want %d", id, got, next)
			}
			next++
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
