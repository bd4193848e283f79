package pipeline

import (
	"sort"

	"github.com/kurultai/kurultai/internal/ew"
	"github.com/kurultai/kurultai/internal/ew/gazetteer"
)

// groupKey is what identifies an event across mentions, less its date.
type groupKey struct {
	typ     ew.EventType
	country string
}

// merge turns mentions into events by coding rule 2: one event per (type,
// date, country); an undated mention joins the dated one of the same type
// and country when there is exactly one, and is dropped when there are
// several (it cannot say which it means); a type and country mentioned
// only undated give one undated event. The chain and evidence come from
// the first sentence that mentions the event (rule 7).
func (p *Pipeline) merge(a ew.Article, body string, l ew.Lang, ms []mention, places []gazetteer.Mention) []ew.Event {
	groups := map[groupKey][]mention{}
	var keys []groupKey
	for _, m := range ms {
		k := groupKey{m.typ, m.country}
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], m)
	}
	type built struct {
		first int
		ev    ew.Event
	}
	var out []built
	for _, k := range keys {
		g := groups[k]
		var days []ew.Date
		seen := map[ew.Date]bool{}
		for _, m := range g {
			if !m.date.IsZero() && !seen[m.date] {
				seen[m.date] = true
				days = append(days, m.date)
			}
		}
		if len(days) == 0 {
			out = append(out, built{g[0].order, p.event(a, body, l, g, places)})
			continue
		}
		for _, d := range days {
			var same []mention
			for _, m := range g {
				if m.date == d || (m.date.IsZero() && len(days) == 1) {
					same = append(same, m)
				}
			}
			out = append(out, built{same[0].order, p.event(a, body, l, same, places)})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].first < out[j].first })
	evs := make([]ew.Event, len(out))
	for i, b := range out {
		evs[i] = b.ev
	}
	return evs
}

// event builds one event from its mentions, in text order.
func (p *Pipeline) event(a ew.Article, body string, l ew.Lang, g []mention, places []gazetteer.Mention) ew.Event {
	first := g[0]
	strong, specific := first, first
	conf := 0.0
	for _, m := range g {
		if m.score > strong.score {
			strong = m
		}
		if m.rank > specific.rank {
			specific = m
		}
		if !m.date.IsZero() {
			first.date = m.date
		}
		// Independent mentions make the event likelier.
		conf = 1 - (1-conf)*(1-m.conf)
	}
	ev := ew.Event{
		Type:       first.typ,
		CAMEO:      strong.cameo,
		Date:       first.date,
		Country:    first.country,
		Place:      specific.place,
		Language:   l,
		Evidence:   body[first.sentence.Start:first.sentence.End],
		EvidenceAt: first.sentence,
		Confidence: conf,
		ArticleURL: a.URL,
	}
	if ev.CAMEO == "" {
		ev.CAMEO = ev.Type.CAMEO()
	}
	ev.Attribution = p.attr.ForEvent(body, first.sentence, first.trigger, l, a.Source, first.typ)
	ev.Actors = actors(ev, places, first.sentence, p.gaz)
	if ev.Date.IsZero() {
		// An undated event is weaker evidence of a new development.
		ev.Confidence *= 0.9
	}
	if ev.Country == "" {
		ev.Confidence *= 0.8
	}
	return ev
}

// utterance reports whether events of type t are things said, whose
// speaker ends the source chain (coding rule 7).
func utterance(t ew.EventType) bool {
	return t == ew.Statement || t == ew.Solidarity || t == ew.AssistanceRequest
}

// actors lists who takes part in an event: the organizations its sentence
// names (short names), for events that concern a country the other states
// it names, and for utterances the speaker. Situations, not persons: only
// states, organizations and institutions are actors.
func actors(ev ew.Event, places []gazetteer.Mention, sent ew.Span, gaz *gazetteer.Gazetteer) []string {
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	if utterance(ev.Type) && len(ev.Attribution) > 1 {
		add(ev.Attribution[len(ev.Attribution)-1])
	}
	for _, m := range places {
		if m.Start < sent.Start || m.End > sent.End {
			continue
		}
		switch {
		case m.Kind == gazetteer.KindOrg:
			add(m.Org)
		case m.Kind == gazetteer.KindCountry && m.Country != ev.Country && !placeBound(ev.Type):
			name, _ := gaz.Country(m.Country)
			add(name)
		}
	}
	if out == nil {
		out = []string{}
	}
	return out
}
