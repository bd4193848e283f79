// Package attribution reads the chain of sources through which a news item
// knows what it reports: the publishing outlet, the agency it cites, the
// institution that agency quotes. Chains are nearest first, publisher
// first ("Regional Portal citing Kazinform, which quotes the interior
// ministry" gives [Regional Portal, Kazinform, Ministry of Internal Affairs
// of Kazakhstan]).
//
// Sources are found next to per-language cues ("according to", "по
// данным", "X'e göre", "хабарлауынша", "szerint", "نقلا عن", reporting
// verbs) and named canonically from a data file of outlets and
// institutions (sources/sources.yaml); other names are kept as written
// when they are clearly an outlet or an institution. Situations, not
// persons: a public official appears only as the institution he speaks
// for, and unnamed or private sources (eyewitnesses, residents, a named
// private person) are left out.
package attribution

import (
	"embed"
	"fmt"
	"sort"
	"strings"

	"github.com/kurultai/kurultai/internal/ew"
	"github.com/kurultai/kurultai/internal/ew/gazetteer"
	"github.com/kurultai/kurultai/internal/ew/gazetteer/tok"
	"github.com/kurultai/kurultai/internal/ew/text"
)

//go:embed sources/*.yaml
var sourcesFS embed.FS

// Analyzer finds attribution chains. It is safe for concurrent use.
type Analyzer struct {
	sources *gazetteer.Gazetteer
	places  *gazetteer.Gazetteer
	cues    map[ew.Lang][]cue
	inst    map[ew.Lang][]string // words that mark an institution or outlet
}

// New returns an analyzer using the embedded source names and places for
// resolving "the city police" and "the foreign ministry" to a place.
func New(places *gazetteer.Gazetteer) (*Analyzer, error) {
	if places == nil {
		return nil, fmt.Errorf("attribution: no gazetteer")
	}
	src, err := gazetteer.Load(sourcesFS, "sources")
	if err != nil {
		return nil, fmt.Errorf("attribution: %w", err)
	}
	a := &Analyzer{sources: src, places: places, cues: map[ew.Lang][]cue{}, inst: map[ew.Lang][]string{}}
	for _, l := range ew.Languages {
		cs, err := parseCues(l, cueText(l))
		if err != nil {
			return nil, err
		}
		a.cues[l] = cs
		for _, w := range strings.Fields(institutionWords(l)) {
			a.inst[l] = append(a.inst[l], tok.Fold(w, l))
		}
	}
	return a, nil
}

// Chain returns the article-level chain: the publisher, then the sources
// of the first sentence that cites any. With no cited source it is the
// publisher alone (the item speaks in its own voice).
func (a *Analyzer) Chain(article string, l ew.Lang, publisher string) []string {
	sents := text.Sentences(article)
	for i := range sents {
		if ch := a.sentenceChain(article, sents, i, l); len(ch) > 0 {
			return withPublisher(publisher, ch)
		}
	}
	return withPublisher(publisher, nil)
}

// ForSentence returns the chain for one evidence sentence of article: the
// publisher, the sources the sentence cites, and those of a following
// sentence that only names its source ("Об этом сообщает ТАСС"). When the
// sentence cites nobody it falls back to the article-level chain only if
// fallback is set; the corpus coding rules prefer the publisher alone.
func (a *Analyzer) ForSentence(article string, sentence ew.Span, l ew.Lang, publisher string, fallback bool) []string {
	sents := text.Sentences(article)
	i := sentenceIndex(sents, sentence)
	var ch []string
	if i >= 0 {
		ch = a.sentenceChain(article, sents, i, l)
	} else if sentence.Start >= 0 && sentence.End <= len(article) && sentence.Start < sentence.End {
		ch = a.sentenceChain(article, []ew.Span{sentence}, 0, l)
	}
	if len(ch) == 0 && fallback {
		return a.Chain(article, l, publisher)
	}
	return withPublisher(publisher, ch)
}

// ForEvent is ForSentence for an event of type t whose trigger words are
// at trigger (signals.Hit.Span, in article offsets; zero if unknown). For
// utterances (statement, solidarity, assistance request) the speaker ends
// the chain, so when no cue names one, the institution named last before
// the trigger (the subject that states or appeals), else the first one
// after it, is taken.
func (a *Analyzer) ForEvent(article string, sentence, trigger ew.Span, l ew.Lang, publisher string, t ew.EventType) []string {
	ch := a.ForSentence(article, sentence, l, publisher, false)
	switch t {
	case ew.Statement, ew.Solidarity, ew.AssistanceRequest:
	default:
		return ch
	}
	if len(ch) > 1 {
		return ch
	}
	if sentence.Start < 0 || sentence.End > len(article) || sentence.Start >= sentence.End {
		return ch
	}
	r := resolver{a: a, article: article, l: l, sentence: sentence}
	if trigger == (ew.Span{}) {
		trigger = ew.Span{Start: sentence.End, End: sentence.End}
	}
	var first, before, after string
	for _, m := range a.sources.Find(article[sentence.Start:sentence.End], l) {
		m.Start += sentence.Start
		m.End += sentence.Start
		name := r.canonical(m)
		if name == "" || isOutlet(name) {
			continue
		}
		switch {
		case m.Start < trigger.Start:
			before = name
			if first == "" {
				first = name
			}
		case m.Start < trigger.End && verbFinal(l):
			// The verb ends a Turkic clause: its subject comes first.
			if first == "" {
				first = name
			}
		case after == "":
			after = name
		}
	}
	switch {
	case verbFinal(l) && first != "":
		return append(ch, first)
	case before != "":
		return append(ch, before)
	case after != "":
		return append(ch, after)
	}
	// "The ministers expressed solidarity": the actor is the one the
	// article is about, named first.
	for _, m := range a.sources.Find(article, l) {
		if name := r.canonical(m); name != "" && !isOutlet(name) && !strings.Contains(m.Org, "{") {
			return append(ch, name)
		}
	}
	return ch
}

func withPublisher(publisher string, ch []string) []string {
	out := make([]string, 0, len(ch)+1)
	if publisher = strings.TrimSpace(publisher); publisher != "" {
		out = append(out, publisher)
	}
	for _, s := range ch {
		if len(out) > 0 && out[len(out)-1] == s {
			continue
		}
		if s == publisher {
			continue
		}
		out = append(out, s)
	}
	return out
}

func sentenceIndex(sents []ew.Span, s ew.Span) int {
	for i, x := range sents {
		if x.Start <= s.Start && s.Start < x.End {
			return i
		}
	}
	return -1
}

// sentenceChain is the chain of sentence i without the publisher: sources
// of a following followup sentence, then the sentence's own.
func (a *Analyzer) sentenceChain(article string, sents []ew.Span, i int, l ew.Lang) []string {
	own := a.sources_(article, sents[i], l, false)
	var outer []string
	if i+1 < len(sents) {
		outer = a.sources_(article, sents[i+1], l, true)
	}
	return dedupe(append(outer, own...))
}

func dedupe(s []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, x := range s {
		if x == "" || seen[x] {
			continue
		}
		seen[x] = true
		out = append(out, x)
	}
	return out
}

// isOutlet reports whether a canonical name is a news outlet rather than
// an institution, which matters for utterances: an outlet never speaks.
func isOutlet(name string) bool {
	switch name {
	case "Kazinform", "Tengrinews", "TASS", "RIA Novosti", "Interfax", "Anadolu Agency", "Reuters", "AFP", "Trend", "APA",
		"AKIpress", "Kabar", "24.kg", "UzA", "Dunyo", "Kun.uz", "MTI", "Sputnik", "Xinhua", "Al Jazeera", "Azattyq", "Orda.kz", "Report.az", "Gazeta.uz":
		return true
	}
	return false
}

// sortUnits orders chain fragments outermost first.
func sortUnits(us []unit) {
	sort.SliceStable(us, func(i, j int) bool {
		if us[i].rank != us[j].rank {
			return us[i].rank < us[j].rank
		}
		return us[i].pos < us[j].pos
	})
}
