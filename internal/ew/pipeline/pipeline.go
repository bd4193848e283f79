package pipeline

import (
	"fmt"
	"sort"
	"time"

	"github.com/kurultai/kurultai/internal/ew"
	"github.com/kurultai/kurultai/internal/ew/attribution"
	"github.com/kurultai/kurultai/internal/ew/dates"
	"github.com/kurultai/kurultai/internal/ew/gazetteer"
	"github.com/kurultai/kurultai/internal/ew/lang"
	"github.com/kurultai/kurultai/internal/ew/signals"
	"github.com/kurultai/kurultai/internal/ew/text"
)

// Pipeline extracts events from articles. Build it once with New; it holds
// only immutable tables and is safe for concurrent use.
type Pipeline struct {
	det   *lang.Detector
	sig   *signals.Matcher
	gaz   *gazetteer.Gazetteer
	attr  *attribution.Analyzer
	links map[ew.Lang][][]string // folded words of the "same day" cues
	meets map[ew.Lang][][]string // and of the "at the meeting" cues
	dates map[ew.Lang]*dateWords
	// foreign holds the folded words for foreign affairs per language.
	foreign map[ew.Lang][]string
}

// New compiles the language models, signal rules, gazetteer and source
// names embedded in the binary.
func New() (*Pipeline, error) {
	sig, err := signals.New()
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	gaz, err := gazetteer.New()
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	attr, err := attribution.New(gaz)
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	return &Pipeline{det: lang.Default(), sig: sig, gaz: gaz, attr: attr, links: compileLinks(linkCues), meets: compileLinks(meetingCues), dates: compileDateWords(), foreign: compileWords(foreignWords)}, nil
}

// MaxTextBytes bounds the normalised text analysed per article; a news
// item is a few kilobytes, and the rest of a larger text is not read.
const MaxTextBytes = 256 << 10

// Result is everything Analyze learns about one article.
type Result struct {
	Lang    ew.Lang // the language the article was read in
	Text    string  // the normalised text that every span refers to
	Country string  // the country the article is mostly about ("" if none)
	Events  []ew.Event
}

// Process returns the events of article a, in the order of the sentences
// that first mention them. a.Text is normalised first (a no-op for text
// that already is), and evidence offsets refer to text.Normalize(a.Text).
func (p *Pipeline) Process(a ew.Article) []ew.Event { return p.Analyze(a).Events }

// overrideConfidence is the detector confidence at which a detected
// language overrides the article's language hint. A hint comes from the
// source's configuration and is right for most items, but outlets that
// publish in two languages (Kazakh and Russian, say) share one feed.
const overrideConfidence = 0.9

// detectBytes bounds the text given to the language detector: a few
// kilobytes decide the language as well as the whole article.
const detectBytes = 4096

// Language settles the language of an article whose normalised body is
// body: the hint a.Lang unless the detector disagrees with confidence at
// least overrideConfidence; without a valid hint, the detector's answer.
func (p *Pipeline) Language(a ew.Article, body string) ew.Lang {
	sample := body
	if len(sample) > detectBytes {
		sample = cutRunes(sample, detectBytes)
	}
	if sample == "" {
		sample = text.Normalize(a.Title)
	}
	got, conf := p.det.Detect(sample)
	if !a.Lang.Valid() {
		return got
	}
	if got != ew.Unknown && got != a.Lang && conf >= overrideConfidence {
		return got
	}
	return a.Lang
}

// cutRunes returns the longest prefix of s of at most n bytes that ends
// on a rune boundary.
func cutRunes(s string, n int) string {
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// mention is one sentence's signal of one event type, before merging.
type mention struct {
	typ      ew.EventType
	cameo    string
	score    float64
	conf     float64
	date     ew.Date
	country  string
	place    string
	rank     int // specificity of place: 0 country, 1 region, 2 city
	sentence ew.Span
	trigger  ew.Span
	order    int
	meetLink bool // undated, in a sentence that refers to the meeting
}

// sentence is one sentence with signals, while an article is analysed.
type sentence struct {
	span   ew.Span
	hits   []signals.Hit
	dates  []dates.Mention // its date mentions, article offsets
	usable []dates.Mention // those that date an event (not "until ...")
	words  words           // its words, sentence offsets
}

// Analyze is Process that also returns the language, the normalised text
// and the article's main country.
func (p *Pipeline) Analyze(a ew.Article) Result {
	body := text.Normalize(a.Text)
	if len(body) > MaxTextBytes {
		body = cutRunes(body, MaxTextBytes)
	}
	l := p.Language(a, body)
	res := Result{Lang: l, Text: body}
	if body == "" || l == ew.Unknown {
		return res
	}
	var sents []sentence
	for _, sp := range text.Sentences(body) {
		if hits := p.sig.Match(body[sp.Start:sp.End], l); len(hits) > 0 {
			sents = append(sents, sentence{span: sp, hits: hits})
		}
	}
	if len(sents) == 0 {
		return res // most articles signal nothing: skip dates and places
	}
	when := dates.Extract(body, l, a.Published)
	places := p.gaz.Find(body, l)
	res.Country = p.mainCountry(body, l, sents, places, text.Normalize(a.Title))
	dw := p.dates[l]
	var ms []mention
	for i := range sents {
		s := &sents[i]
		s.dates = within(when, s.span)
		s.words = newWords(body[s.span.Start:s.span.End], l)
		for _, m := range s.dates {
			r := m
			r.Span = ew.Span{Start: m.Span.Start - s.span.Start, End: m.Span.End - s.span.Start}
			if !s.words.until(r, dw, l) {
				s.usable = append(s.usable, m)
			}
		}
		sentPlaces := placesIn(places, s.span)
		for _, h := range s.hits {
			if !h.Type.Valid() {
				continue
			}
			trig := ew.Span{Start: s.span.Start + h.Span.Start, End: s.span.Start + h.Span.End}
			m := mention{typ: h.Type, cameo: h.CAMEO, score: h.Score, conf: h.Confidence,
				sentence: s.span, trigger: trig, order: len(ms)}
			m.date = p.dateOf(body, s, trig, when, dw, l, a.Published)
			m.meetLink = m.date.IsZero() && h.Type != ew.Meeting && anyPhrase(s.words.folds, p.meets[l])
			m.country, m.place, m.rank = p.locate(h.Type, sentPlaces, trig, res.Country)
			ms = append(ms, m)
		}
		ms = append(ms, p.clauseMentions(body, s, l, dw, sentPlaces, res.Country, len(ms))...)
	}
	meetingDates(ms)
	res.Events = p.merge(a, body, l, ms, places)
	return res
}

// meetingDates gives the mentions that refer back to the meeting the date
// of the first dated meeting mention.
func meetingDates(ms []mention) {
	var day ew.Date
	for _, m := range ms {
		if m.typ == ew.Meeting && !m.date.IsZero() {
			day = m.date
			break
		}
	}
	if day.IsZero() {
		return
	}
	for i := range ms {
		if ms[i].meetLink {
			ms[i].date = day
		}
	}
}

// dateOf dates the event whose trigger is trig in sentence s (coding rule
// 4): "N days after" counted back from the sentence's or the preceding
// date; else the date written nearest the trigger, unless it stands in
// another clause that has a trigger of its own ("agreed on Thursday to
// send troops, hours after Tokayev asked for help" does not date the
// request); else a date carried over by a link ("the same day"); else the
// day before publication for Russian "накануне вечером"; else none.
func (p *Pipeline) dateOf(body string, s *sentence, trig ew.Span, when []dates.Mention, dw *dateWords, l ew.Lang, published time.Time) ew.Date {
	rel := func(sp ew.Span) ew.Span { return ew.Span{Start: sp.Start - s.span.Start, End: sp.End - s.span.Start} }
	usable := s.usable
	if n, at, ok := s.words.daysAfter(dw); ok && p.nearestBoundTrigger(s, at) == rel(trig) {
		anchor, ok := nearestDate(usable, trig)
		if !ok {
			anchor = lastBefore(when, s.span.Start)
		}
		if !anchor.IsZero() {
			return ew.DateOf(anchor.Time().AddDate(0, 0, -n))
		}
	}
	if i := nearestIndex(usable, trig); i >= 0 {
		d := usable[i]
		sent := body[s.span.Start:s.span.End]
		dlo, dhi := clause(sent, d.Span.Start-s.span.Start)
		t := rel(trig)
		inside := t.Start >= dlo && t.End <= dhi
		if inside || !p.otherTriggerIn(s, t, dlo, dhi) {
			return d.Date
		}
	}
	if d := p.linkedDate(body, s.span, l, when); !d.IsZero() {
		return d
	}
	if s.words.eve(l) && !published.IsZero() {
		return ew.DateOf(published.AddDate(0, 0, -1))
	}
	return ew.Date{}
}

// nearestBoundTrigger is the trigger span (sentence offsets) of the hit
// of s nearest at among the events that happen where they are reported:
// "N days after" counts from a protest or riot to a statement or meeting,
// never the other way.
func (p *Pipeline) nearestBoundTrigger(s *sentence, at ew.Span) ew.Span {
	best, bg := ew.Span{Start: -1, End: -1}, -1
	for _, h := range s.hits {
		if !placeBound(h.Type) {
			continue
		}
		if g := gap(h.Span, at); bg < 0 || g < bg {
			best, bg = h.Span, g
		}
	}
	return best
}

// otherTriggerIn reports whether a hit of s other than the one at trig has
// its trigger entirely within [lo, hi) of the sentence.
func (p *Pipeline) otherTriggerIn(s *sentence, trig ew.Span, lo, hi int) bool {
	for _, h := range s.hits {
		if h.Span != trig && h.Span.Start >= lo && h.Span.End <= hi {
			return true
		}
	}
	return false
}

// lastBefore is the date of the last mention ending before off; when is
// in text order.
func lastBefore(when []dates.Mention, off int) ew.Date {
	i := sort.Search(len(when), func(i int) bool { return when[i].Span.End > off })
	if i == 0 {
		return ew.Date{}
	}
	return when[i-1].Date
}

// within returns the date mentions inside span sp; ms is in text order.
func within(ms []dates.Mention, sp ew.Span) []dates.Mention {
	i := sort.Search(len(ms), func(i int) bool { return ms[i].Span.Start >= sp.Start })
	j := i
	for j < len(ms) && ms[j].Span.End <= sp.End {
		j++
	}
	return ms[i:j]
}

// placesIn returns the place (not organization) mentions inside sp.
func placesIn(ms []gazetteer.Mention, sp ew.Span) []gazetteer.Mention {
	var out []gazetteer.Mention
	for _, m := range ms {
		if m.Start >= sp.Start && m.End <= sp.End && m.Kind != gazetteer.KindOrg {
			out = append(out, m)
		}
	}
	return out
}

// gap is the distance in bytes between two spans, 0 when they overlap.
func gap(a, b ew.Span) int {
	switch {
	case a.End <= b.Start:
		return b.Start - a.End
	case b.End <= a.Start:
		return a.Start - b.End
	}
	return 0
}

// nearestIndex is the index of the date mention nearest the trigger, or
// -1.
func nearestIndex(ms []dates.Mention, trig ew.Span) int {
	best, bestGap := -1, 0
	for i, m := range ms {
		if g := gap(m.Span, trig); best < 0 || g < bestGap {
			best, bestGap = i, g
		}
	}
	return best
}

// nearestDate is the date mentioned nearest the trigger.
func nearestDate(ms []dates.Mention, trig ew.Span) (ew.Date, bool) {
	if i := nearestIndex(ms, trig); i >= 0 {
		return ms[i].Date, true
	}
	return ew.Date{}, false
}
