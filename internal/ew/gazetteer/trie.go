package gazetteer

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// stemBuilder collects the distinct words of all names.
type stemBuilder struct {
	ids   map[word]int32
	words []word
}

func newStemBuilder() *stemBuilder { return &stemBuilder{ids: map[word]int32{}} }

// add returns the reference of w, adding it when new.
func (b *stemBuilder) add(w word) int32 {
	if id, ok := b.ids[w]; ok {
		return id
	}
	id := int32(len(b.words))
	b.ids[w] = id
	b.words = append(b.words, w)
	return id
}

// stemTrie is a byte trie of word stems, frozen into flat arrays: the
// children of a node are a sorted run of edges, found by binary search.
type stemTrie struct {
	nodes []snode
	edges []sedge
	refs  []int32 // word references, grouped by node
	words []word  // by reference
}

type snode struct {
	edgeLo, edgeHi int32
	refLo, refHi   int32
}

type sedge struct {
	b    byte
	next int32
}

func (b *stemBuilder) build() stemTrie {
	// Build with maps, then freeze breadth-first.
	type mnode struct {
		kids map[byte]*mnode
		refs []int32
	}
	root := &mnode{}
	for id, w := range b.words {
		n := root
		for i := 0; i < len(w.stem); i++ {
			if n.kids == nil {
				n.kids = map[byte]*mnode{}
			}
			k, ok := n.kids[w.stem[i]]
			if !ok {
				k = &mnode{}
				n.kids[w.stem[i]] = k
			}
			n = k
		}
		n.refs = append(n.refs, int32(id))
	}
	t := stemTrie{words: b.words}
	queue := []*mnode{root}
	t.nodes = append(t.nodes, snode{})
	for qi := 0; qi < len(queue); qi++ {
		n := queue[qi]
		sn := &t.nodes[qi]
		sn.refLo = int32(len(t.refs))
		t.refs = append(t.refs, n.refs...)
		sn.refHi = int32(len(t.refs))
		keys := make([]int, 0, len(n.kids))
		for k := range n.kids {
			keys = append(keys, int(k))
		}
		sort.Ints(keys)
		sn.edgeLo = int32(len(t.edges))
		for _, k := range keys {
			t.edges = append(t.edges, sedge{b: byte(k), next: int32(len(queue))})
			queue = append(queue, n.kids[byte(k)])
			t.nodes = append(t.nodes, snode{})
			sn = &t.nodes[qi] // append may have moved the slice
		}
		sn.edgeHi = int32(len(t.edges))
	}
	return t
}

func (t *stemTrie) child(n int32, b byte) int32 {
	lo, hi := t.nodes[n].edgeLo, t.nodes[n].edgeHi
	for lo < hi {
		m := (lo + hi) / 2
		switch e := t.edges[m]; {
		case e.b == b:
			return e.next
		case e.b < b:
			lo = m + 1
		default:
			hi = m
		}
	}
	return -1
}

// walk calls fn for every stem that is a prefix of key ending on a rune
// boundary, with the rest of key after it.
func (t *stemTrie) walk(key string, fn func(refs []int32, rest string)) {
	n := int32(0)
	for i := 0; i < len(key); i++ {
		c := key[i]
		if c == 0xC4 && i+1 < len(key) && key[i+1] == 0xB1 { // ı walks as i
			c = 'i'
			i++
		}
		if n = t.child(n, c); n < 0 {
			return
		}
		if i+1 < len(key) && !utf8.RuneStart(key[i+1]) {
			continue
		}
		if sn := t.nodes[n]; sn.refHi > sn.refLo {
			fn(t.refs[sn.refLo:sn.refHi], key[i+1:])
		}
	}
}

// capsPrefix reports whether the first n letters of s are all capitals.
func capsPrefix(s string, n int) bool {
	for _, r := range s {
		if n == 0 {
			break
		}
		if r == '\'' || r == '’' {
			continue
		}
		if strings.ToUpper(string(r)) != string(r) || strings.ToLower(string(r)) == string(r) {
			return false
		}
		n--
	}
	return n == 0
}
