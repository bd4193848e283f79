package attribution

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kurultai/kurultai/internal/ew"
	"github.com/kurultai/kurultai/internal/ew/gazetteer"
	"github.com/kurultai/kurultai/internal/ew/gazetteer/tok"
)

// window is how many words may separate a cue from its source.
const window = 8

// mention is a source named in a sentence: a known source (m) or a name
// read off the text next to a cue (raw).
type mention struct {
	lo, hi int // token indexes, inclusive
	m      *gazetteer.Mention
	raw    string
}

// unit is a fragment of a chain, outermost source first.
type unit struct {
	rank int // -1 wraps everything, 0 an inverted report ("— сообщает ТАСС"), 1 accord, 2 a speaker
	pos  int
	ms   []*mention
}

// sources_ returns the canonical sources one sentence cites, outermost
// first. With followupOnly it returns something only for a sentence that
// opens with a followup cue, and then every source it names.
func (a *Analyzer) sources_(article string, sp ew.Span, l ew.Lang, followupOnly bool) []string {
	s := article[sp.Start:sp.End]
	doc := tok.Tokenize(s, l, nil)
	if len(doc.Tokens) == 0 {
		return nil
	}
	cues := a.cues[l]
	if cues == nil {
		cues = a.cues[ew.English]
	}
	r := resolver{a: a, article: article, l: l, sentence: sp}
	mentions := a.mentions(s, sp, doc, l)
	if followupOnly {
		opens := false
		for i := range cues {
			c := &cues[i]
			if c.kind == followup && (c.matchAt(doc, 0) || (l == ew.Arabic && c.matchArabic(doc, 0))) {
				opens = true
			}
		}
		if !opens {
			return nil
		}
	}
	hits := findCues(doc, cues, l)
	if len(hits) == 0 && !followupOnly {
		return nil
	}
	used := map[*mention]bool{}
	var units []unit
	var pending []*mention
	clause := 0
	for _, h := range hits {
		if h.kind == followup {
			continue
		}
		var src *mention
		dir := h.dir
		if dir == both || dir == after {
			src = nearestAfter(mentions, used, h.hi, ifThen(dir == both, 3, window))
			if src == nil && dir == after {
				src = a.rawAfter(s, doc, h.hi, l)
			}
			if src != nil {
				dir = after
			} else {
				dir = before
			}
		}
		if src == nil && dir == before {
			if h.kind == speech && verbFinal(l) {
				src = firstIn(mentions, used, clause, h.lo)
			} else if h.kind == speech {
				src = nearestBefore(mentions, used, h.lo, h.lo-clause)
			} else {
				src = nearestBefore(mentions, used, h.lo, window)
			}
			if src == nil {
				src = a.rawBefore(s, doc, h.lo, clause, l)
			}
		}
		if h.kind != relay {
			clause = h.hi + 1
		}
		if src == nil {
			continue
		}
		used[src] = true
		switch h.kind {
		case relay:
			if len(units) > 0 {
				units[len(units)-1].ms = append(units[len(units)-1].ms, src)
				continue
			}
			// A relay named before its outlet (Turkic "X-ке сілтеме жасап
			// Y хабарлады") is the deepest source.
			pending = append(pending, src)
		case wrap:
			u := unit{rank: -1, pos: src.lo, ms: []*mention{src}}
			if inner := nearestBefore(mentions, used, h.lo, window); inner != nil {
				used[inner] = true
				u.ms = append(u.ms, inner)
				u.pos = inner.lo
			}
			units = append(units, u)
		case accord:
			rank := 1
			for _, u := range units {
				if u.rank == 0 && u.pos < src.lo {
					rank = -1
				}
			}
			units = append(units, unit{rank: rank, pos: src.lo, ms: []*mention{src}})
		case speech:
			rank := 2
			if dir == after {
				rank = 0
			}
			units = append(units, unit{rank: rank, pos: src.lo, ms: []*mention{src}})
		}
	}
	sortUnits(units)
	var out []string
	for _, u := range units {
		for _, m := range u.ms {
			out = append(out, r.name(m, mentions))
		}
	}
	for _, m := range pending {
		out = append(out, r.name(m, mentions))
	}
	if followupOnly && len(out) == 0 {
		for _, m := range mentions {
			out = append(out, r.name(m, mentions))
		}
	}
	return out
}

// verbFinal reports whether l puts the reporting verb at the end of its
// clause, after the source (Turkic languages): the source is then the
// first name of the clause, not the nearest.
func verbFinal(l ew.Lang) bool {
	switch l {
	case ew.Turkish, ew.Azerbaijani, ew.Kazakh, ew.Kyrgyz, ew.Uzbek:
		return true
	}
	return false
}

func ifThen(c bool, a, b int) int {
	if c {
		return a
	}
	return b
}

// mentions finds the known sources of sentence s (at sp in the article).
func (a *Analyzer) mentions(s string, sp ew.Span, doc *tok.Doc, l ew.Lang) []*mention {
	var out []*mention
	for _, gm := range a.sources.Find(s, l) {
		gm := gm
		lo, hi := tokenRange(doc, gm.Start, gm.End)
		gm.Start += sp.Start
		gm.End += sp.Start
		out = append(out, &mention{lo: lo, hi: hi, m: &gm})
	}
	return out
}

func tokenRange(doc *tok.Doc, start, end int) (int, int) {
	lo, hi := -1, -1
	for i, t := range doc.Tokens {
		if lo < 0 && t.End > start {
			lo = i
		}
		if t.Start < end {
			hi = i
		}
	}
	if lo < 0 {
		lo = 0
	}
	if hi < lo {
		hi = lo
	}
	return lo, hi
}

type cueHit struct {
	kind   cueKind
	dir    cueDir
	lo, hi int
}

// findCues returns the cues of a sentence in text order, longest first
// where they overlap.
func findCues(doc *tok.Doc, cues []cue, l ew.Lang) []cueHit {
	var hits []cueHit
	taken := make([]bool, len(doc.Tokens))
	for i := 0; i < len(doc.Tokens); i++ {
		best := -1
		for k := range cues {
			c := &cues[k]
			if c.matchAt(doc, i) || (l == ew.Arabic && c.matchArabic(doc, i)) {
				if best < 0 || len(c.words) > len(cues[best].words) {
					best = k
				}
			}
		}
		if best < 0 || taken[i] {
			continue
		}
		c := &cues[best]
		h := cueHit{kind: c.kind, dir: c.dir, lo: i, hi: i + len(c.words) - 1}
		for k := h.lo; k <= h.hi; k++ {
			taken[k] = true
		}
		hits = append(hits, h)
		i = h.hi
	}
	return hits
}

// matchArabic matches c after a conjunction و or ف on its first word.
func (c *cue) matchArabic(d *tok.Doc, i int) bool {
	k := d.Key(i)
	for _, p := range []string{"و", "ف"} {
		if strings.HasPrefix(k, p) && strings.TrimPrefix(k, p) == c.words[0].key {
			rest := *c
			rest.words = c.words[1:]
			return len(rest.words) == 0 || rest.matchAt(d, i+1)
		}
	}
	return false
}

func nearestAfter(ms []*mention, used map[*mention]bool, hi, w int) *mention {
	for _, m := range ms {
		if !used[m] && m.lo > hi && m.lo-hi <= w {
			return m
		}
	}
	return nil
}

func nearestBefore(ms []*mention, used map[*mention]bool, lo, w int) *mention {
	var best *mention
	for _, m := range ms {
		if !used[m] && m.hi < lo && lo-m.hi <= w {
			best = m
		}
	}
	return best
}

// firstIn returns the first free mention in tokens [from, to): the subject
// of a reporting verb, which comes first in its clause.
func firstIn(ms []*mention, used map[*mention]bool, from, to int) *mention {
	for _, m := range ms {
		if !used[m] && m.lo >= from && m.hi < to {
			return m
		}
	}
	return nil
}

// rawAfter reads an unknown source name after a cue ending at token hi.
func (a *Analyzer) rawAfter(s string, doc *tok.Doc, hi int, l ew.Lang) *mention {
	lo := hi + 1
	end := lo
	for end < len(doc.Tokens) && end-lo < 5 {
		if end > lo && breaks(s[doc.Tokens[end-1].End:doc.Tokens[end].Start]) {
			break
		}
		end++
	}
	return a.raw(s, doc, lo, end-1, l)
}

// rawBefore reads an unknown source name before a cue starting at lo.
func (a *Analyzer) rawBefore(s string, doc *tok.Doc, lo, from int, l ew.Lang) *mention {
	start := lo
	for start > from && lo-start < 5 {
		if start < lo && breaks(s[doc.Tokens[start-1].End:doc.Tokens[start].Start]) {
			break
		}
		start--
	}
	if start < lo && start > 0 && breaks(s[doc.Tokens[start-1].End:doc.Tokens[start].Start]) {
		// start is at a clause boundary already
	}
	return a.raw(s, doc, start, lo-1, l)
}

// breaks reports whether the text between two words ends a name.
func breaks(gap string) bool {
	return strings.ContainsAny(gap, ",.;:!?()[]—–\"«»\n")
}

// raw keeps tokens lo..hi as a source name only when they plainly name an
// outlet or an institution: an institution word, an acronym or a web
// address. A capitalised name alone may be a private person, so it is
// left out.
func (a *Analyzer) raw(s string, doc *tok.Doc, lo, hi int, l ew.Lang) *mention {
	if lo > hi || lo < 0 || hi >= len(doc.Tokens) {
		return nil
	}
	ok := false
	for i := lo; i <= hi; i++ {
		k := doc.Key(i)
		if generic(k) || spokesman(k) {
			return nil
		}
		if doc.Tokens[i].Caps {
			ok = true
		}
		for _, w := range a.inst[l] {
			if strings.HasPrefix(k, w) {
				ok = true
			}
		}
		if i < hi && s[doc.Tokens[i].End:doc.Tokens[i+1].Start] == "." {
			ok = true // a web address: Orda.kz
		}
	}
	if !ok {
		return nil
	}
	name := display(s[doc.Tokens[lo].Start:doc.Tokens[hi].End])
	for _, p := range []string{"the ", "The ", "a ", "an "} {
		name = strings.TrimPrefix(name, p)
	}
	if i := strings.IndexAny(name, "'’"); i > 0 && tok.Turkic(l) {
		name = name[:i] // Orda.kz'in: the outlet, not its case
	}
	if name == "" {
		return nil
	}
	return &mention{lo: lo, hi: hi, raw: name}
}

// generic reports whether a folded word marks an unnamed or private source.
func generic(k string) bool {
	for _, p := range []string{"witness", "eyewitness", "resident", "source", "protester", "analyst", "expert",
		"очевид", "жител", "источник", "собеседник", "эксперт", "аналитик", "tanık", "sakin", "kaynak", "uzman",
		"şahid", "sakin", "mənbə", "ekspert", "куәгер", "тұрғын", "дереккөз", "сарапшы", "күбө", "тургун", "булак", "серепчи",
		"guvoh", "aholi", "manba", "гувоҳ", "манба", "شهود", "شاهد", "سكان", "مصدر", "مصادر", "محلل",
		"szemtanú", "lakos", "forrás", "elemző", "helyi"} {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}

// spokesman reports whether a folded word names someone who speaks for an
// institution; the institution is the source, named next to him or before.
func spokesman(k string) bool {
	for _, p := range []string{"spokes", "представител", "пресс-секретар", "sözcü", "sözçü", "хатшы", "өкілі", "өкүлү",
		"vakili", "вакили", "متحدث", "ناطق", "szóvivő", "официальный"} {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}

// institutionWords are words that mark a source name as an outlet or a
// public institution.
func institutionWords(l ew.Lang) string {
	switch l {
	case ew.English:
		return "agency ministry news portal service office police committee government administration akimat newspaper channel tv website department council"
	case ew.Russian:
		return "агентств министерств ведомств пресс-служб издани портал телеканал газет акимат полици правительств комитет департамент служб совет"
	case ew.Turkish:
		return "ajans bakanlı gazete kanal müdürlü valili haber sitesi portal"
	case ew.Azerbaijani:
		return "agentliy nazirliy qəzet kanal xidmət portal departament"
	case ew.Kazakh:
		return "агенттіг министрлі басылым портал әкімдіг қызмет департамент"
	case ew.Kyrgyz:
		return "агенттиг министрлиг басылма кызмат портал департамент"
	case ew.Uzbek:
		return "agentlig vazirlig nashr xizmat агентлиг вазирлиг нашр хизмат"
	case ew.Arabic:
		return "وكاله وزاره صحيفه قناه موقع شرطه مكتب"
	case ew.Hungarian:
		return "hírügynökség minisztérium portál lap szolgálat rendőrség hivatal"
	}
	return ""
}

// resolver names mentions canonically, filling place placeholders.
type resolver struct {
	a        *Analyzer
	article  string
	l        ew.Lang
	sentence ew.Span
}

func (r *resolver) name(m *mention, all []*mention) string {
	if m.raw != "" {
		return m.raw
	}
	if m.m.Org == "{president}" {
		// The chair of a council is the council's: "Tanácsának elnöke",
		// "رئيس مجلس الامن الجماعي".
		for _, o := range all {
			if o == m || o.m == nil || strings.HasPrefix(o.m.Org, "{") {
				continue
			}
			if (o.hi < m.lo && m.lo-o.hi <= 1) || (o.lo > m.hi && o.lo-m.hi <= 1) {
				return r.canonical(*o.m)
			}
		}
	}
	if m.m.Org == "{speaker}" {
		// "his press service": the institution named before it.
		for i := len(all) - 1; i >= 0; i-- {
			o := all[i]
			if o.m != nil && o.m.Start < m.m.Start && o.m.Org != "{speaker}" {
				if n := r.canonical(*o.m); n != "" && !isOutlet(n) {
					return n
				}
			}
		}
		return ""
	}
	return r.canonical(*m.m)
}

// canonical fills the placeholders of a known source's canonical name.
func (r *resolver) canonical(m gazetteer.Mention) string {
	name := m.Org
	if !strings.Contains(name, "{") {
		return name
	}
	if name == "{speaker}" {
		return ""
	}
	switch {
	case name == "{president}":
		switch cc := r.country(m, false); cc {
		case "KZ":
			return "Akorda"
		case "":
			return ""
		default:
			return "President of " + countryName(r.a.places, cc)
		}
	case strings.Contains(name, "{country}"):
		cc := r.country(m, true)
		if cc == "" {
			return strings.TrimSuffix(name, " of {country}")
		}
		return strings.ReplaceAll(name, "{country}", countryName(r.a.places, cc))
	case strings.Contains(name, "{region}"):
		p := r.place(m, gazetteer.KindRegion)
		if p == "" {
			return ""
		}
		return strings.ReplaceAll(name, "{region}", strings.TrimSuffix(p, " Region"))
	case strings.Contains(name, "{city}"):
		p := r.place(m, gazetteer.KindCity)
		if p == "" {
			return ""
		}
		return strings.ReplaceAll(name, "{city}", p)
	}
	return ""
}

// country is the country named within a few words of m, else the one a
// ministry of the text's language usually means, else the member state
// the article names most.
func (r *resolver) country(m gazetteer.Mention, langDefault bool) string {
	lo, hi := max(0, m.Start-40), min(len(r.article), m.End+40)
	if m.Start >= r.sentence.Start && m.End <= r.sentence.End {
		lo, hi = max(lo, r.sentence.Start), min(hi, r.sentence.End)
	}
	for lo > 0 && !utf8.RuneStart(r.article[lo]) {
		lo--
	}
	for hi < len(r.article) && !utf8.RuneStart(r.article[hi]) {
		hi++
	}
	if lo >= hi {
		return ""
	}
	near := r.a.places.Find(r.article[lo:hi], r.l)
	best, dist := "", 1<<30
	for _, p := range near {
		if p.Kind != gazetteer.KindCountry {
			continue
		}
		ps, pe := p.Start+lo, p.End+lo
		d := min(abs(ps-m.End), abs(m.Start-pe))
		if d < dist {
			best, dist = p.Country, d
		}
	}
	if best != "" {
		return best
	}
	switch {
	case !langDefault:
	case r.l == ew.Turkish:
		return "TR"
	case r.l == ew.Azerbaijani:
		return "AZ"
	case r.l == ew.Hungarian:
		return "HU"
	case r.l == ew.Kazakh:
		return "KZ"
	case r.l == ew.Kyrgyz:
		return "KG"
	case r.l == ew.Uzbek:
		return "UZ"
	}
	switch r.l {
	case ew.Turkish:
		return "TR"
	case ew.Azerbaijani:
		return "AZ"
	case ew.Hungarian:
		return "HU"
	}
	count := map[string]int{}
	top := ""
	for _, p := range r.a.places.Find(r.article, r.l) {
		if p.Country == "" {
			continue
		}
		count[p.Country]++
		if count[p.Country] > count[top] {
			top = p.Country
		}
	}
	return top
}

// place is the name of the first place of kind k in the sentence, else in
// the article.
func (r *resolver) place(m gazetteer.Mention, k gazetteer.Kind) string {
	for _, scope := range []string{r.article[r.sentence.Start:r.sentence.End], r.article} {
		for _, p := range r.a.places.Find(scope, r.l) {
			if p.Kind == k {
				return p.Name
			}
		}
	}
	return ""
}

func countryName(g *gazetteer.Gazetteer, cc string) string {
	if cc == "TR" {
		return "Türkiye"
	}
	if n, ok := g.Country(cc); ok {
		return n
	}
	return cc
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// display trims quotes and spaces from a name as written.
func display(s string) string {
	s = strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune("\"'«»“”„", r)
	})
	if !utf8.ValidString(s) {
		return ""
	}
	return s
}
