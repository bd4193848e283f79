package signals

import (
	"math"
	"slices"
	"sort"
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

// occurrences maps a term id to the token indexes where it occurs.
type occurrences map[int32][]int32

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
	doc := tok.Tokenize(sentence, l, nil)
	occ := c.occurrences(doc)
	if len(occ) == 0 {
		return nil
	}
	// Rules to evaluate: those with a positive term in the sentence.
	var cand []int32
	for id := range occ {
		cand = append(cand, c.byTerm[id]...)
	}
	sort.Slice(cand, func(i, j int) bool { return cand[i] < cand[j] })

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
		ok, spans := eval(&r.expr, occ)
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
				a.best, a.cameo, a.rule = r.Weight, r.CAMEO, r.File+":"+itoa(r.Line)
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

// occurrences finds which terms occur at which tokens.
func (c *compiled) occurrences(doc *tok.Doc) occurrences {
	occ := occurrences{}
	add := func(id int32, pos int32) {
		l := occ[id]
		if len(l) == 0 || l[len(l)-1] != pos {
			occ[id] = append(l, pos)
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
	return occ
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

// eval reports whether n matches and where its words are.
func eval(n *cnode, occ occurrences) (bool, []span) {
	switch n.op {
	case 't':
		ps := occ[n.terms[0]]
		if len(ps) == 0 {
			return false, nil
		}
		out := make([]span, len(ps))
		for i, p := range ps {
			out[i] = span{p, p}
		}
		return true, out
	case 'p':
		var out []span
		for _, p := range occ[n.terms[0]] {
			ok := true
			for k, id := range n.terms[1:] {
				if !has(occ[id], p+int32(k)+1) {
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
			if ok, s := eval(&n.args[i], occ); ok {
				out = append(out, s...)
			}
		}
		return len(out) > 0, out
	case '&':
		var out []span
		for i := range n.args {
			ok, s := eval(&n.args[i], occ)
			if !ok {
				return false, nil
			}
			out = append(out, s...)
		}
		return true, out
	case '!':
		ok, _ := eval(&n.args[0], occ)
		return !ok, nil
	case 'n':
		okA, a := eval(&n.args[0], occ)
		if !okA {
			return false, nil
		}
		okB, b := eval(&n.args[1], occ)
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

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
