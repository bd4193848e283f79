package signals

import (
	"math"
	"slices"
	"strings"

	"github.com/kurultai/kurultai/internal/ew"
	"github.com/kurultai/kurultai/internal/ew/gazetteer/tok"
)

// Hit is one event type signalled by a sentence.
type Hit struct {
	Type       ew.EventType
	CAMEO      string  // the most specific code of the strongest rule
	Score      float64 // sum of the weights of the rules that matched
	Confidence float64 // Score/(Score+threshold): 0.5 at the threshold
	Span       ew.Span // the trigger words of the strongest rule
	Rule       string  // file:line of the strongest rule
}

// span is a range of token indexes, both ends included.
type span struct{ lo, hi int32 }

// occurrences holds, by term id, the token indexes where the term occurs;
// touched lists the ids with any, so a reset costs only what was used.
type occurrences struct {
	pos     [][]int32
	touched []int32
}

func (o *occurrences) reset(n int) {
	for _, id := range o.touched {
		o.pos[id] = o.pos[id][:0]
	}
	o.touched = o.touched[:0]
	if len(o.pos) < n {
		o.pos = append(o.pos, make([][]int32, n-len(o.pos))...)
	}
}

func (o *occurrences) at(id int32) []int32 { return o.pos[id] }

// Match returns the event types a sentence signals in language l, in the
// order of ew.EventTypes. A type is signalled when the weights of its
// matching rules, plus those of matching modifier ("*") rules such as
// negation or speculation, reach its threshold. Languages without rules
// give no hits.
func (m *Matcher) Match(sentence string, l ew.Lang) []Hit {
	c := m.langs[l]
	if c == nil {
		return nil
	}
	sc, _ := m.scratch.Get().(*scratch)
	if sc == nil {
		sc = &scratch{occ: map[ew.Lang]*occurrences{}}
	}
	defer m.scratch.Put(sc)
	sc.doc = tok.Tokenize(sentence, l, sc.doc)
	doc := sc.doc
	occ := sc.occ[l]
	if occ == nil {
		occ = &occurrences{}
		sc.occ[l] = occ
	}
	occ.reset(len(c.terms))
	c.occurrences(doc, occ)
	if len(occ.touched) == 0 {
		return nil
	}
	sc.arena = sc.arena[:0]
	ev := evaluator{occ: occ, arena: sc.arena}
	defer func() { sc.arena = ev.arena[:0] }()
	// Rules to evaluate: those with a positive term in the sentence.
	cand := sc.cand[:0]
	defer func() { sc.cand = cand[:0] }()
	for _, id := range occ.touched {
		cand = append(cand, c.byTerm[id]...)
	}
	slices.Sort(cand)

	type acc struct {
		score  float64
		best   float64 // weight of the strongest positive rule
		cameo  string
		span   span
		rule   string
		active bool
	}
	var scores [16]acc // by index in ew.EventTypes
	var modifiers []*crule
	anyPositive := false
	last := int32(-1)
	for _, ri := range cand {
		if ri == last {
			continue
		}
		last = ri
		r := &c.rules[ri]
		ok, spans := ev.eval(&r.expr)
		if !ok {
			continue
		}
		if r.Type == "" {
			modifiers = append(modifiers, r)
			continue
		}
		a := &scores[typeIndex(r.Type)]
		a.score += r.Weight
		if r.Weight > 0 {
			anyPositive = true
			a.active = true
			if r.Weight > a.best || (r.Weight == a.best && len(r.CAMEO) > len(a.cameo)) {
				a.best, a.cameo, a.rule = r.Weight, r.CAMEO, r.loc
				a.span = firstSpan(spans)
			}
		}
	}
	if !anyPositive {
		return nil
	}
	var hits []Hit
	for i, t := range ew.EventTypes {
		a := scores[i]
		if !a.active {
			continue
		}
		score := a.score
		for _, r := range modifiers {
			if !slices.Contains(r.Except, t) {
				score += r.Weight
			}
		}
		th := c.thresholds[t]
		if score < th {
			continue
		}
		lo, hi := a.span.lo, a.span.hi
		hits = append(hits, Hit{
			Type:       t,
			CAMEO:      a.cameo,
			Score:      math.Round(score*1000) / 1000,
			Confidence: math.Round(score/(score+th)*1000) / 1000,
			Span:       ew.Span{Start: doc.Tokens[lo].Start, End: doc.Tokens[hi].End},
			Rule:       a.rule,
		})
	}
	return mostSpecific(hits)
}

// mostSpecific drops a statement hit when the same sentence signals a
// more specific utterance (solidarity, an appeal for assistance): the
// coding rule is one event of the most specific type.
func mostSpecific(hits []Hit) []Hit {
	specific := false
	for _, h := range hits {
		if h.Type == ew.Solidarity || h.Type == ew.AssistanceRequest {
			specific = true
		}
	}
	if !specific {
		return hits
	}
	out := hits[:0]
	for _, h := range hits {
		if h.Type != ew.Statement {
			out = append(out, h)
		}
	}
	return out
}

func typeIndex(t ew.EventType) int {
	for i, k := range ew.EventTypes {
		if k == t {
			return i
		}
	}
	return len(ew.EventTypes)
}

func firstSpan(spans []span) span {
	best := spans[0]
	for _, s := range spans[1:] {
		if s.lo < best.lo || (s.lo == best.lo && s.hi > best.hi) {
			best = s
		}
	}
	return best
}

// scratch is reused between Match calls through Matcher.scratch.
type scratch struct {
	doc   *tok.Doc
	occ   map[ew.Lang]*occurrences
	cand  []int32
	arena []span
}

// occurrences records in occ which terms occur at which tokens.
func (c *compiled) occurrences(doc *tok.Doc, occ *occurrences) {
	add := func(id int32, pos int32) {
		l := occ.pos[id]
		if len(l) == 0 {
			occ.touched = append(occ.touched, id)
		}
		if len(l) == 0 || l[len(l)-1] != pos {
			occ.pos[id] = append(l, pos)
		}
	}
	arabic := c.lang == ew.Arabic
	for i := range doc.Tokens {
		key := doc.Key(i)
		pos := int32(i)
		c.lookup(key, pos, add)
		if arabic {
			for _, p := range c.proclitics {
				if len(key) > len(p)+2 && strings.HasPrefix(key, p) {
					c.lookup(key[len(p):], pos, add)
				}
			}
		}
	}
}

func (c *compiled) lookup(key string, pos int32, add func(int32, int32)) {
	for _, id := range c.exact[key] {
		add(id, pos)
	}
	var keyStem string
	c.prefixes.walk(key, func(ids []int32) {
		for _, id := range ids {
			t := c.terms[id]
			if t.Kind == Stem {
				if keyStem == "" {
					keyStem = stem(c.lang, key)
				}
				if keyStem != t.Word {
					continue
				}
			}
			add(id, pos)
		}
	})
}

// evaluator evaluates expressions over one sentence's occurrences. Span
// lists are carved from arena, which only grows during one Match: a list
// handed out is never written again.
type evaluator struct {
	occ   *occurrences
	arena []span
}

// alloc returns an empty span list with room for n, from the arena.
func (e *evaluator) alloc(n int) []span {
	if cap(e.arena)-len(e.arena) < n {
		e.arena = make([]span, 0, max(2*cap(e.arena), n, 64))
	}
	out := e.arena[len(e.arena) : len(e.arena) : len(e.arena)+n]
	e.arena = e.arena[:len(e.arena)+n]
	return out
}

// eval reports whether n matches and where its words are.
func (e *evaluator) eval(n *cnode) (bool, []span) {
	occ := e.occ
	switch n.op {
	case 't':
		ps := occ.at(n.terms[0])
		if len(ps) == 0 {
			return false, nil
		}
		out := e.alloc(len(ps))
		for _, p := range ps {
			out = append(out, span{p, p})
		}
		return true, out
	case 'p':
		var out []span
		for _, p := range occ.at(n.terms[0]) {
			ok := true
			for k, id := range n.terms[1:] {
				if !has(occ.at(id), p+int32(k)+1) {
					ok = false
					break
				}
			}
			if ok {
				out = append(out, span{p, p + int32(len(n.terms)) - 1})
			}
		}
		return len(out) > 0, out
	case '|':
		var out []span
		for i := range n.args {
			if ok, s := e.eval(&n.args[i]); ok {
				out = append(out, s...)
			}
		}
		return len(out) > 0, out
	case '&':
		var out []span
		for i := range n.args {
			ok, s := e.eval(&n.args[i])
			if !ok {
				return false, nil
			}
			out = append(out, s...)
		}
		return true, out
	case '!':
		ok, _ := e.eval(&n.args[0])
		return !ok, nil
	case 'n':
		okA, a := e.eval(&n.args[0])
		if !okA {
			return false, nil
		}
		okB, b := e.eval(&n.args[1])
		if !okB {
			return false, nil
		}
		var out []span
		for _, x := range a {
			for _, y := range b {
				if gap(x, y) <= int32(n.dist) {
					out = append(out, span{min(x.lo, y.lo), max(x.hi, y.hi)})
				}
			}
		}
		return len(out) > 0, out
	}
	return false, nil
}

// gap is the number of words between two spans, counting the one that
// follows (adjacent words are 1 apart); overlapping spans are 0 apart.
func gap(x, y span) int32 {
	switch {
	case y.lo > x.hi:
		return y.lo - x.hi
	case x.lo > y.hi:
		return x.lo - y.hi
	}
	return 0
}

func has(ps []int32, p int32) bool {
	for _, q := range ps {
		if q == p {
			return true
		}
	}
	return false
}
