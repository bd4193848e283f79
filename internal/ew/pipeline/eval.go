package pipeline

import (
	"fmt"
	"slices"
	"sort"

	"github.com/kurultai/kurultai/internal/ew"
	"github.com/kurultai/kurultai/internal/ew/corpus"
)

// Score is precision, recall and F1 of events matched on (type, date,
// country) within each article, with the share of correct chains.
type Score struct {
	Articles  int     `json:"articles"`
	Gold      int     `json:"gold"`
	Found     int     `json:"found"`
	TP        int     `json:"tp"`
	FP        int     `json:"fp"`
	FN        int     `json:"fn"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	// ChainsRight counts matched events whose attribution chain equals
	// the gold chain exactly; ChainShare is ChainsRight/TP.
	ChainsRight int     `json:"chains_right"`
	ChainShare  float64 `json:"chain_share"`
	// PlacesRight counts matched events whose place equals the gold
	// place (informative only: scoring ignores places).
	PlacesRight int `json:"places_right"`
}

// Miss is one disagreement with the gold events, for reading why.
type Miss struct {
	Article  string   `json:"article"`
	Kind     string   `json:"kind"` // "fp", "fn" or "chain"
	Type     string   `json:"type"`
	Date     string   `json:"date"`
	Country  string   `json:"country"`
	Got      []string `json:"got,omitempty"`  // chain found (kind chain)
	Want     []string `json:"want,omitempty"` // gold chain (kind chain)
	Evidence string   `json:"evidence,omitempty"`
}

// Report is the evaluation of the pipeline on a labelled corpus.
type Report struct {
	Languages map[ew.Lang]*Score `json:"languages"`
	Total     Score              `json:"total"`
	Misses    []Miss             `json:"misses"`
}

type evKey struct {
	article, country string
	typ              ew.EventType
	date             ew.Date
}

// Evaluate runs the pipeline over docs and scores the events against gold:
// an event is right when its article has a gold event of the same type,
// date (both null or the same day) and country. Scores are per language of
// the document's header.
func (p *Pipeline) Evaluate(docs []corpus.Doc, gold []corpus.Gold) Report {
	found := map[string][]ew.Event{}
	for _, d := range docs {
		found[d.Path] = p.Process(d.Article)
	}
	return Compare(docs, gold, found)
}

// Compare scores events found per article path against gold; see
// Pipeline.Evaluate.
func Compare(docs []corpus.Doc, gold []corpus.Gold, found map[string][]ew.Event) Report {
	r := Report{Languages: map[ew.Lang]*Score{}}
	langOf := map[string]ew.Lang{}
	for _, d := range docs {
		langOf[d.Path] = d.Lang
		s := r.score(d.Lang)
		s.Articles++
		r.Total.Articles++
	}
	want := map[evKey]corpus.Gold{}
	for _, g := range gold {
		if _, ok := langOf[g.Article]; !ok {
			continue
		}
		want[evKey{g.Article, g.Country, g.Type, g.Date}] = g
		r.score(langOf[g.Article]).Gold++
		r.Total.Gold++
	}
	matched := map[evKey]bool{}
	for _, d := range docs {
		s := r.score(d.Lang)
		for _, ev := range found[d.Path] {
			k := evKey{d.Path, ev.Country, ev.Type, ev.Date}
			if matched[k] {
				continue // a duplicate of an event already scored
			}
			s.Found++
			r.Total.Found++
			g, ok := want[k]
			if !ok {
				s.FP++
				r.Total.FP++
				r.Misses = append(r.Misses, miss(d.Path, "fp", k, ev.Evidence))
				continue
			}
			matched[k] = true
			s.TP++
			r.Total.TP++
			if slices.Equal(ev.Attribution, g.Attribution) {
				s.ChainsRight++
				r.Total.ChainsRight++
			} else {
				m := miss(d.Path, "chain", k, ev.Evidence)
				m.Got, m.Want = ev.Attribution, g.Attribution
				r.Misses = append(r.Misses, m)
			}
			if ev.Place == g.Place {
				s.PlacesRight++
				r.Total.PlacesRight++
			}
		}
	}
	for k := range want {
		if !matched[k] {
			s := r.score(langOf[k.article])
			s.FN++
			r.Total.FN++
			r.Misses = append(r.Misses, miss(k.article, "fn", k, ""))
		}
	}
	for _, s := range r.Languages {
		s.finish()
	}
	r.Total.finish()
	sort.Slice(r.Misses, func(i, j int) bool {
		a, b := r.Misses[i], r.Misses[j]
		if a.Article != b.Article {
			return a.Article < b.Article
		}
		if a.Type != b.Type {
			return a.Type < b.Type
		}
		return a.Date < b.Date
	})
	return r
}

func (r *Report) score(l ew.Lang) *Score {
	s := r.Languages[l]
	if s == nil {
		s = &Score{}
		r.Languages[l] = s
	}
	return s
}

func miss(article, kind string, k evKey, evidence string) Miss {
	d := "null"
	if !k.date.IsZero() {
		d = k.date.String()
	}
	return Miss{Article: article, Kind: kind, Type: string(k.typ), Date: d, Country: k.country, Evidence: evidence}
}

func (s *Score) finish() {
	s.Precision = ratio(s.TP, s.TP+s.FP)
	s.Recall = ratio(s.TP, s.TP+s.FN)
	if s.Precision+s.Recall > 0 {
		s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
	}
	s.ChainShare = ratio(s.ChainsRight, s.TP)
}

// ratio is n/d, or 1 when there is nothing to divide (no gold and nothing
// found is perfect agreement).
func ratio(n, d int) float64 {
	if d == 0 {
		return 1
	}
	return float64(n) / float64(d)
}

// String summarises the report in one line.
func (r Report) String() string {
	t := r.Total
	return fmt.Sprintf("P %.2f R %.2f F1 %.2f chains %.2f (tp %d fp %d fn %d)", t.Precision, t.Recall, t.F1, t.ChainShare, t.TP, t.FP, t.FN)
}
