package pipeline

import (
	"sort"
	"strings"

	"github.com/kurultai/kurultai/internal/ew"
	"github.com/kurultai/kurultai/internal/ew/gazetteer"
	"github.com/kurultai/kurultai/internal/ew/text"
)

// mainCountry is the country an article is mostly about: the one its
// places name most, where a name counts 3 in a sentence that signals an
// event happening there (protest, riot, ...), 2 in one with another signal,
// 1 elsewhere and 2 in the title; a name in a list of two or more
// countries ("Azerbaijan, Kazakhstan, Kyrgyzstan, Türkiye and Uzbekistan",
// "observers Hungary and Turkmenistan") does not count, nor does the
// Turkic languages' "Türk", which mostly means Turkic ("Türk
// dövlətləri", the Turkic states), nor does one next to the words for foreign affairs
// ("Türkiye's foreign minister", "МИД Казахстана"): a foreign ministry
// acts abroad, so its country is an actor rather than the place of the
// situation. Ties go to the country named first.
func (p *Pipeline) mainCountry(body string, l ew.Lang, sents []sentence, places []gazetteer.Mention, title0 string) string {
	title := p.gaz.Find(title0, l)
	count := map[string]float64{}
	first := map[string]int{}
	n := 0
	add := func(cc string, w float64) {
		if _, ok := first[cc]; !ok {
			first[cc] = n
		}
		n++
		count[cc] += w
	}
	for _, m := range title {
		if m.Country != "" && !turkic(title0, m, l) {
			add(m.Country, 2)
		}
	}
	listed := inLists(body, places)
	var toks words
	for i, m := range places {
		if m.Country == "" || listed[i] {
			continue
		}
		if toks.toks == nil {
			toks = newWords(body, l)
		}
		if toks.near(m.Span, 3, p.foreign[l]) || turkic(body, m, l) {
			continue
		}
		w := 1.0
		for _, s := range sents {
			if m.Start >= s.span.Start && m.End <= s.span.End {
				w = 2
				for _, h := range s.hits {
					if placeBound(h.Type) {
						w = 3
					}
				}
				break
			}
		}
		add(m.Country, w)
	}
	best := ""
	for cc, c := range count {
		if best == "" || c > count[best] || (c == count[best] && first[cc] < first[best]) {
			best = cc
		}
	}
	return best
}

// listGap is the most bytes between two names of a list (", ", " and ",
// " və ", the Arabic " و").
const listGap = 8

// inLists marks the country names that stand in a list of two or more.
func inLists(body string, ms []gazetteer.Mention) []bool {
	out := make([]bool, len(ms))
	for i := 0; i < len(ms); {
		j := i + 1
		for j < len(ms) && ms[j].Kind == gazetteer.KindCountry && ms[j-1].Kind == gazetteer.KindCountry &&
			ms[j].Start-ms[j-1].End <= listGap {
			j++
		}
		if j-i >= 2 {
			for k := i; k < j; k++ {
				out[k] = true
			}
		}
		i = j
	}
	return out
}

// placeBound reports whether an event of type t happens where it is
// reported (a protest in Zhanaozen) rather than concerning a country from
// elsewhere (a statement in Ankara about Kazakhstan); coding rule 5.
func placeBound(t ew.EventType) bool {
	switch t {
	case ew.Protest, ew.Riot, ew.ViolenceCasualties, ew.StateOfEmergency, ew.GovernmentResignation:
		return true
	}
	return false
}

func rank(k gazetteer.Kind) int {
	switch k {
	case gazetteer.KindCity:
		return 2
	case gazetteer.KindRegion:
		return 1
	}
	return 0
}

// locate gives an event its country and place from the places its
// sentence names (sent) and the article's main country (main). An event
// that happens where it is reported takes the country of the sentence's
// places, preferring the article's country when the sentence names it;
// one that concerns a country (statement, meeting, assistance) takes the
// article's country. The place is the most specific one the sentence
// names in that country, nearest the trigger, else the country's name.
func (p *Pipeline) locate(t ew.EventType, sent []gazetteer.Mention, trig ew.Span, main string) (cc, place string, rk int) {
	cc = main
	if placeBound(t) || cc == "" {
		inMain := false
		for _, m := range sent {
			if m.Country == main {
				inMain = true
			}
		}
		if !inMain {
			best := -1
			for i, m := range sent {
				if m.Country == "" {
					continue
				}
				if best < 0 || rank(m.Kind) > rank(sent[best].Kind) ||
					(rank(m.Kind) == rank(sent[best].Kind) && gap(m.Span, trig) < gap(sent[best].Span, trig)) {
					best = i
				}
			}
			if best >= 0 {
				cc = sent[best].Country
			}
		}
	}
	if cc == "" {
		return "", "", 0
	}
	best := -1
	for i, m := range sent {
		if m.Country != cc {
			continue
		}
		if best < 0 || rank(m.Kind) > rank(sent[best].Kind) ||
			(rank(m.Kind) == rank(sent[best].Kind) && gap(m.Span, trig) < gap(sent[best].Span, trig)) {
			best = i
		}
	}
	if best >= 0 && sent[best].Kind != gazetteer.KindCountry {
		return cc, sent[best].Name, rank(sent[best].Kind)
	}
	name, _ := p.gaz.Country(cc)
	if name == "" {
		name = cc
	}
	return cc, name, 0
}

// turkic reports whether m is the bare word "Türk" (Turkic or Turkish)
// rather than a name of Türkiye.
func turkic(s string, m gazetteer.Mention, l ew.Lang) bool {
	if m.Country != "TR" {
		return false
	}
	f := text.Fold(s[m.Start:m.End], l)
	switch f {
	case "türk", "түрк", "түркі", "turkiy", "туркий":
		return true
	}
	// Arabic تركي/تركية is the adjective for both Turkish and Turkic
	// ("الدول التركية", the Turkic states); تركيا is the country.
	for _, p := range []string{"و", "ب", "ل", "ال"} {
		f = strings.TrimPrefix(f, p)
	}
	return f == "تركي" || f == "تركيه"
}

// foreignWords name foreign affairs, per language; * matches any ending,
// and Arabic matches the word inside a token (it carries the article).
var foreignWords = map[ew.Lang]string{
	ew.English: "foreign*", ew.Russian: "мид иностран* внешнеполит*", ew.Turkish: "dışişler*",
	ew.Azerbaijani: "xarici", ew.Kazakh: "сыртқы", ew.Kyrgyz: "тышкы", ew.Uzbek: "tashqi ташқи",
	ew.Arabic: "خارجي*", ew.Hungarian: "külügy* külgazdas*",
}

// near reports whether a word of list (folded; * matches any ending) is
// within n words of span sp.
func (w words) near(sp ew.Span, n int, list []string) bool {
	i := sort.Search(len(w.toks), func(i int) bool { return w.toks[i].Span.End > sp.Start })
	j := i
	for j < len(w.toks) && w.toks[j].Span.Start < sp.End {
		j++
	}
	for k := max(0, i-n); k < min(len(w.toks), j+n); k++ {
		if k >= i && k < j {
			continue
		}
		f := w.folds[k]
		if wordIn(f, list) {
			return true
		}
		for _, x := range list {
			// Arabic: the word may follow the article and proclitics.
			if x != "" && x[0] >= 0x80 && strings.HasSuffix(x, "*") && strings.Contains(f, x[:len(x)-1]) && isArabic(f) {
				return true
			}
		}
	}
	return false
}

func isArabic(s string) bool {
	for _, r := range s {
		return r >= 0x0600 && r <= 0x06FF
	}
	return false
}
