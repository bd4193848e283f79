package gazetteer

import (
	"unicode/utf8"

	"github.com/kurultai/kurultai/internal/ew"
	"github.com/kurultai/kurultai/internal/ew/gazetteer/tok"
)

// Find returns the places and organizations named in text, in text order,
// without overlaps: where names overlap, the one that starts first wins,
// then the longest. l selects case folding and the endings a name may
// carry; ew.Unknown allows the endings of every language.
func (g *Gazetteer) Find(text string, l ew.Lang) []Mention {
	doc := tok.Tokenize(text, l, nil)
	toks := doc.Tokens
	sfx := g.suffixes[l]
	if sfx == nil {
		sfx = g.suffixes[ew.Unknown]
	}
	arabic := l == ew.Arabic || l == ew.Unknown
	// cands[candLo[i]:candLo[i+1]] are the word references token i can be.
	candLo := make([]int32, len(toks)+1)
	var cands []int32
	for i, t := range toks {
		candLo[i] = int32(len(cands))
		cands = g.candidates(cands, text, t, doc.Key(i), sfx, arabic)
	}
	candLo[len(toks)] = int32(len(cands))
	if len(cands) == 0 {
		return nil
	}
	var out []Mention
	for i := 0; i < len(toks); {
		if candLo[i] == candLo[i+1] {
			i++
			continue
		}
		end, entry := g.longest(text, toks, cands, candLo, i, 0)
		if entry < 0 {
			i++
			continue
		}
		e := &g.entries[entry]
		out = append(out, Mention{
			Span:    ew.Span{Start: toks[i].Start, End: toks[end-1].End},
			Kind:    e.Kind,
			Name:    e.Name,
			Country: e.Country,
			Org:     e.Org,
		})
		i = end
	}
	return out
}

// longest follows the phrase trie from node over tokens i.., returning the
// end (exclusive token index) and entry of the longest name, or -1.
func (g *Gazetteer) longest(text string, toks []tok.Token, cands, candLo []int32, i int, node int32) (int, int32) {
	bestEnd, best := -1, int32(-1)
	if i >= len(toks) {
		return bestEnd, best
	}
	if node != 0 && !joinable(text[toks[i-1].End:toks[i].Start]) {
		return bestEnd, best
	}
	for _, ref := range cands[candLo[i]:candLo[i+1]] {
		next, ok := g.phrase[uint64(node)<<32|uint64(ref)]
		if !ok {
			continue
		}
		if e, ok := g.terminal[next]; ok && i+1 > bestEnd {
			bestEnd, best = i+1, e
		}
		if end, e := g.longest(text, toks, cands, candLo, i+1, next); e >= 0 && end > bestEnd {
			bestEnd, best = end, e
		}
	}
	return bestEnd, best
}

// joinable reports whether the gap between two words lets them form one
// name: spaces and hyphens, or a lone dot (U.S., U.N.).
func joinable(gap string) bool {
	if gap == "." {
		return true
	}
	for _, r := range gap {
		switch r {
		case ' ', '\u00a0', '-', '‐', '–', '\t':
		default:
			return false
		}
	}
	return true
}

// candidates appends the word references token t can be.
func (g *Gazetteer) candidates(dst []int32, text string, t tok.Token, key string, sfx map[string]bool, arabic bool) []int32 {
	lo := len(dst)
	dst = g.stemMatches(dst, lo, text, t, key, sfx)
	if !arabic || !isArabic(key) {
		return dst
	}
	for _, p := range g.proclitics {
		if len(key) > len(p)+3 && key[:len(p)] == p {
			dst = g.stemMatches(dst, lo, text, t, key[len(p):], sfx)
		}
	}
	return dst
}

// stemMatches appends the references whose stem, endings and case fit key;
// dst[lo:] are the token's references so far.
func (g *Gazetteer) stemMatches(dst []int32, lo int, text string, t tok.Token, key string, sfx map[string]bool) []int32 {
	g.stems.walk(key, func(refs []int32, rest string) {
		if rest != "" {
			// Stems of one or two letters (U.S., ОДКБ's о, BM) take an
			// ending only after an apostrophe: BM'nin, AB'ye.
			if short := len(key)-len(rest) < 5 && utf8.RuneCountInString(key[:len(key)-len(rest)]) < 3; short && rest[0] != '\'' {
				return
			}
			if !tok.TrimSuffixes(rest, sfx, maxSuffixes) {
				return
			}
		}
		for _, ref := range refs {
			w := g.stems.words[ref]
			if w.title && !t.Title {
				continue
			}
			if w.caps && !capsPrefix(text[t.Start:t.End], utf8.RuneCountInString(w.stem)) {
				continue
			}
			if !contains(dst[lo:], ref) {
				dst = append(dst, ref)
			}
		}
	})
	return dst
}

func contains(s []int32, v int32) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
