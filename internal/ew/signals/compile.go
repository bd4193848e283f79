package signals

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/kurultai/kurultai/internal/ew"
)

//go:embed rules/*.rules
var rulesFS embed.FS

// Matcher finds crisis signals in sentences. Build it once with Compile or
// New; it is safe for concurrent use.
type Matcher struct {
	langs   map[ew.Lang]*compiled
	scratch sync.Pool // of *scratch: buffers reused across calls
}

// compiled is the rule set of one language, indexed for matching.
type compiled struct {
	lang       ew.Lang
	terms      []Term
	exact      map[string][]int32 // word -> exact term ids
	prefixes   prefixTrie         // prefix and stem terms
	rules      []crule
	byTerm     [][]int32 // term id -> rules that use it positively
	thresholds map[ew.EventType]float64
	proclitics []string // Arabic prefixes tried off words, so rules name the bare word
}

type crule struct {
	Rule
	expr cnode
	loc  string // file:line, for Hit.Rule
}

// cnode is a compiled expression node.
type cnode struct {
	op    byte    // 't' term, 'p' phrase, '|' or, '&' and, '!' not, 'n' near
	terms []int32 // term ids of a term or phrase
	args  []cnode
	dist  int
}

// New compiles the embedded rule files (rules/LANG.rules).
func New() (*Matcher, error) {
	return Load(rulesFS, "rules")
}

// Load compiles the rule files LANG.rules in dir of fsys.
func Load(fsys fs.FS, dir string) (*Matcher, error) {
	files, err := fs.Glob(fsys, path.Join(dir, "*.rules"))
	if err != nil {
		return nil, fmt.Errorf("signals: %w", err)
	}
	var sets []*RuleSet
	for _, f := range files {
		l := ew.Lang(strings.TrimSuffix(path.Base(f), ".rules"))
		if !l.Valid() {
			return nil, fmt.Errorf("signals: %s: file name is not a supported language code", f)
		}
		src, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, fmt.Errorf("signals: %w", err)
		}
		rs, err := ParseRules(src, f, l)
		if err != nil {
			return nil, err
		}
		sets = append(sets, rs)
	}
	return Compile(sets...)
}

// Compile indexes rule sets for matching; a language may appear once.
func Compile(sets ...*RuleSet) (*Matcher, error) {
	m := &Matcher{langs: map[ew.Lang]*compiled{}}
	for _, rs := range sets {
		if _, dup := m.langs[rs.Lang]; dup {
			return nil, fmt.Errorf("signals: two rule sets for language %q", rs.Lang)
		}
		c := &compiled{lang: rs.Lang, exact: map[string][]int32{}, thresholds: map[ew.EventType]float64{}}
		if rs.Lang == ew.Arabic {
			c.proclitics = strings.Fields("وال فال بال كال لل ال و ف ب ل")
		}
		for _, t := range ew.EventTypes {
			c.thresholds[t] = 1
		}
		for t, v := range rs.Thresholds {
			c.thresholds[t] = v
		}
		ids := map[Term]int32{}
		for _, r := range rs.Rules {
			cr := crule{Rule: r, expr: c.compile(r.Expr, ids), loc: fmt.Sprintf("%s:%d", r.File, r.Line)}
			c.rules = append(c.rules, cr)
		}
		c.byTerm = make([][]int32, len(c.terms))
		for ri, r := range c.rules {
			for _, id := range c.triggers(r.expr) {
				if l := c.byTerm[id]; len(l) == 0 || l[len(l)-1] != int32(ri) {
					c.byTerm[id] = append(c.byTerm[id], int32(ri))
				}
			}
		}
		var pt []prefixEntry
		for id, t := range c.terms {
			switch t.Kind {
			case Exact:
				c.exact[t.Word] = append(c.exact[t.Word], int32(id))
			default:
				pt = append(pt, prefixEntry{t.Word, int32(id)})
			}
		}
		c.prefixes = buildPrefixTrie(pt)
		m.langs[rs.Lang] = c
	}
	return m, nil
}

func (c *compiled) compile(e Expr, ids map[Term]int32) cnode {
	id := func(t Term) int32 {
		if i, ok := ids[t]; ok {
			return i
		}
		i := int32(len(c.terms))
		ids[t] = i
		c.terms = append(c.terms, t)
		return i
	}
	switch e := e.(type) {
	case Term:
		return cnode{op: 't', terms: []int32{id(e)}}
	case Phrase:
		n := cnode{op: 'p'}
		for _, t := range e.Terms {
			n.terms = append(n.terms, id(t))
		}
		return n
	case Or:
		n := cnode{op: '|'}
		for _, a := range e.Args {
			n.args = append(n.args, c.compile(a, ids))
		}
		return n
	case And:
		n := cnode{op: '&'}
		for _, a := range e.Args {
			n.args = append(n.args, c.compile(a, ids))
		}
		return n
	case Not:
		return cnode{op: '!', args: []cnode{c.compile(e.Arg, ids)}}
	case Near:
		return cnode{op: 'n', args: []cnode{c.compile(e.A, ids), c.compile(e.B, ids)}, dist: e.Dist}
	}
	panic(fmt.Sprintf("signals: unknown expression %T", e))
}

// triggers returns terms of which at least one occurs wherever n matches:
// a rule is evaluated only when one of them is in the sentence. For AND,
// NEAR and phrases one operand suffices, and the one with the longest
// (rarest) words is chosen, so that rules mentioning "on" or "in" are not
// evaluated on every sentence.
func (c *compiled) triggers(n cnode) []int32 {
	switch n.op {
	case 't':
		return n.terms
	case 'p':
		best := n.terms[0]
		for _, id := range n.terms[1:] {
			if len(c.terms[id].Word) > len(c.terms[best].Word) {
				best = id
			}
		}
		return []int32{best}
	case '|':
		var out []int32
		for _, a := range n.args {
			out = append(out, c.triggers(a)...)
		}
		return out
	case '!':
		return nil
	}
	var best []int32
	bestLen := -1
	for _, a := range n.args {
		t := c.triggers(a)
		if len(t) == 0 {
			continue
		}
		shortest := 1 << 30
		for _, id := range t {
			shortest = min(shortest, len(c.terms[id].Word))
		}
		if shortest > bestLen {
			best, bestLen = t, shortest
		}
	}
	return best
}

// Rules returns the number of rules per language, for reports.
func (m *Matcher) Rules() map[ew.Lang]int {
	out := map[ew.Lang]int{}
	for l, c := range m.langs {
		out[l] = len(c.rules)
	}
	return out
}

// Languages returns the languages that have rules, sorted.
func (m *Matcher) Languages() []ew.Lang {
	var out []ew.Lang
	for l := range m.langs {
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// prefixTrie finds the prefix and stem terms whose word starts a key.
type prefixTrie struct {
	nodes []pnode
	edges []pedge
	ids   []int32
}

type pnode struct{ edgeLo, edgeHi, idLo, idHi int32 }

type pedge struct {
	b    byte
	next int32
}

type prefixEntry struct {
	word string
	id   int32
}

func buildPrefixTrie(entries []prefixEntry) prefixTrie {
	type mnode struct {
		kids map[byte]*mnode
		ids  []int32
	}
	root := &mnode{}
	for _, e := range entries {
		n := root
		for i := 0; i < len(e.word); i++ {
			if n.kids == nil {
				n.kids = map[byte]*mnode{}
			}
			k := n.kids[e.word[i]]
			if k == nil {
				k = &mnode{}
				n.kids[e.word[i]] = k
			}
			n = k
		}
		n.ids = append(n.ids, e.id)
	}
	var t prefixTrie
	queue := []*mnode{root}
	t.nodes = append(t.nodes, pnode{})
	for qi := 0; qi < len(queue); qi++ {
		n := queue[qi]
		idLo := int32(len(t.ids))
		t.ids = append(t.ids, n.ids...)
		keys := make([]int, 0, len(n.kids))
		for k := range n.kids {
			keys = append(keys, int(k))
		}
		sort.Ints(keys)
		edgeLo := int32(len(t.edges))
		for _, k := range keys {
			t.edges = append(t.edges, pedge{b: byte(k), next: int32(len(queue))})
			queue = append(queue, n.kids[byte(k)])
			t.nodes = append(t.nodes, pnode{})
		}
		t.nodes[qi] = pnode{edgeLo: edgeLo, edgeHi: int32(len(t.edges)), idLo: idLo, idHi: int32(len(t.ids))}
	}
	return t
}

// walk calls fn with the term ids of every prefix of key.
func (t *prefixTrie) walk(key string, fn func(ids []int32)) {
	if len(t.nodes) == 0 {
		return
	}
	n := int32(0)
	for i := 0; i < len(key); i++ {
		lo, hi := t.nodes[n].edgeLo, t.nodes[n].edgeHi
		next := int32(-1)
		for lo < hi {
			m := (lo + hi) / 2
			switch e := t.edges[m]; {
			case e.b == key[i]:
				next = e.next
				lo = hi
			case e.b < key[i]:
				lo = m + 1
			default:
				hi = m
			}
		}
		if next < 0 {
			return
		}
		n = next
		if nd := t.nodes[n]; nd.idHi > nd.idLo {
			fn(t.ids[nd.idLo:nd.idHi])
		}
	}
}
