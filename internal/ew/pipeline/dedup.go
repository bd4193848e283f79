package pipeline

import (
	"hash/fnv"
	"strings"
	"sync"

	"github.com/kurultai/kurultai/internal/ew"
	"github.com/kurultai/kurultai/internal/ew/text"
)

// sketchSize is the number of MinHash values in a Sketch.
const sketchSize = 32

// Sketch is the MinHash signature of a text's word 3-shingles: for each
// of 32 hash functions, the least hash over the shingles. Two texts agree
// at each position with probability equal to the Jaccard similarity of
// their shingle sets, so comparing sketches estimates how much text two
// articles share without keeping the text.
type Sketch [sketchSize]uint32

// shingle is the number of words in a shingle.
const shingle = 3

// NewSketch returns the sketch of s (folded words, so case and letter
// variants do not count). A text of fewer than three words is one shingle.
func NewSketch(s string) Sketch {
	var sk Sketch
	for i := range sk {
		sk[i] = ^uint32(0)
	}
	toks := text.Tokens(text.Normalize(s))
	if len(toks) == 0 {
		return sk
	}
	words := make([]string, len(toks))
	for i, t := range toks {
		// Dotted and dotless i are one letter here: a copy that went
		// through an ASCII upper-caser must still match.
		words[i] = strings.ReplaceAll(text.Fold(t.Text, ew.Unknown), "ı", "i")
	}
	add := func(parts []string) {
		h := fnv.New64a()
		for _, p := range parts {
			h.Write([]byte(p))
			h.Write([]byte{0})
		}
		x := h.Sum64()
		for i := range sk {
			if v := uint32(mix(x + uint64(i)*0x9e3779b97f4a7c15)); v < sk[i] {
				sk[i] = v
			}
		}
	}
	if len(words) < shingle {
		add(words)
	} else {
		for i := 0; i+shingle <= len(words); i++ {
			add(words[i : i+shingle])
		}
	}
	return sk
}

// mix is the splitmix64 finaliser: it turns x+i·φ into the i-th hash.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// Similarity estimates the Jaccard similarity of the shingles of the two
// texts, in [0, 1].
func Similarity(a, b Sketch) float64 {
	n := 0
	for i := range a {
		if a[i] == b[i] {
			n++
		}
	}
	return float64(n) / sketchSize
}

// DefaultMinSimilarity is the least estimated share of shingles at which
// two articles count as near-duplicates. On the evaluation corpus,
// different articles share almost none (the tests print the largest
// estimate), and an article with a byline added or a few words changed
// keeps well above it.
const DefaultMinSimilarity = 0.6

// bandRows is the number of sketch values per LSH band: two texts become
// candidates when a band agrees whole, which happens for similarity J with
// probability 1-(1-J²)^16 (0.99 at J = 0.5).
const bandRows = 2

// Dedup remembers the sketches of the last articles it saw, up to a
// window, and tells whether a new article nearly duplicates one of them.
// Lookups probe an index of sketch bands rather than scan the window. It is
// safe for concurrent use.
type Dedup struct {
	min float64

	mu    sync.Mutex // guards everything below
	ring  []dedupEntry
	next  int                // the ring slot the next article takes
	index map[uint64][]int32 // band key → ring slots
}

type dedupEntry struct {
	sk   Sketch
	key  string
	used bool
}

// NewDedup returns a Dedup that remembers window articles (at least 1)
// and treats sketches at least minSim similar as duplicates (minSim in
// (0, 1]; DefaultMinSimilarity when out of range).
func NewDedup(window int, minSim float64) *Dedup {
	if minSim <= 0 || minSim > 1 {
		minSim = DefaultMinSimilarity
	}
	return &Dedup{min: minSim, ring: make([]dedupEntry, max(window, 1)), index: map[uint64][]int32{}}
}

// bandKey is band b of sk, with b mixed in so bands do not collide.
func bandKey(sk *Sketch, b int) uint64 {
	x := uint64(b) << 56
	for r := range bandRows {
		x = mix(x ^ uint64(sk[b*bandRows+r]))
	}
	return x
}

// Check reports whether an article with sketch sk nearly duplicates one in
// the window, and the key that one was added under, without adding it.
func (d *Dedup) Check(sk Sketch) (string, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.find(&sk)
}

func (d *Dedup) find(sk *Sketch) (string, bool) {
	best, bestSim := -1, 0.0
	for b := range sketchSize / bandRows {
		for _, slot := range d.index[bandKey(sk, b)] {
			if s := Similarity(*sk, d.ring[slot].sk); s >= d.min && s > bestSim {
				best, bestSim = int(slot), s
			}
		}
	}
	if best < 0 {
		return "", false
	}
	return d.ring[best].key, true
}

// Add checks an article's sketch like Check and, when it is new, adds it
// under key, evicting the oldest article when the window is full. A
// duplicate is not added, so a chain of small edits is measured against
// the first version.
func (d *Dedup) Add(key string, sk Sketch) (dupOf string, dup bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if k, ok := d.find(&sk); ok {
		return k, true
	}
	slot := d.next
	d.next = (d.next + 1) % len(d.ring)
	if old := &d.ring[slot]; old.used {
		for b := range sketchSize / bandRows {
			k := bandKey(&old.sk, b)
			s := d.index[k]
			for j, x := range s {
				if int(x) == slot {
					s = append(s[:j], s[j+1:]...)
					break
				}
			}
			if len(s) == 0 {
				delete(d.index, k)
			} else {
				d.index[k] = s
			}
		}
	}
	d.ring[slot] = dedupEntry{sk: sk, key: key, used: true}
	for b := range sketchSize / bandRows {
		k := bandKey(&sk, b)
		d.index[k] = append(d.index[k], int32(slot))
	}
	return "", false
}

// Len returns how many articles the window holds.
func (d *Dedup) Len() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	for _, e := range d.ring {
		if e.used {
			n++
		}
	}
	return n
}
