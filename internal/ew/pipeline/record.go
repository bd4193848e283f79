package pipeline

import (
	"time"

	"github.com/kurultai/kurultai/internal/ew"
)

// Record is an event as `kurultai ingest --format json` prints it and
// the API serves it: one JSON object, dates as YYYY-MM-DD or null.
type Record struct {
	Type        ew.EventType `json:"type"`
	CAMEO       string       `json:"cameo"`
	Date        *string      `json:"date"`
	Country     *string      `json:"country"`
	Place       string       `json:"place"`
	Actors      []string     `json:"actors"`
	Attribution []string     `json:"attribution"`
	Language    ew.Lang      `json:"language"`
	Evidence    string       `json:"evidence"`
	EvidenceAt  [2]int       `json:"evidence_at"` // byte offsets in the normalised text
	Confidence  float64      `json:"confidence"`
	Article     string       `json:"article,omitempty"`
	Source      string       `json:"source,omitempty"`
	Published   *time.Time   `json:"published,omitempty"`
}

// NewRecord returns the record of event e read from article a.
func NewRecord(e ew.Event, a ew.Article) Record {
	r := Record{
		Type: e.Type, CAMEO: e.CAMEO, Place: e.Place, Actors: e.Actors, Attribution: e.Attribution,
		Language: e.Language, Evidence: e.Evidence, EvidenceAt: [2]int{e.EvidenceAt.Start, e.EvidenceAt.End},
		Confidence: float64(int(e.Confidence*1000+0.5)) / 1000, Article: e.ArticleURL, Source: a.Source,
	}
	if !e.Date.IsZero() {
		d := e.Date.String()
		r.Date = &d
	}
	if e.Country != "" {
		c := e.Country
		r.Country = &c
	}
	if r.Actors == nil {
		r.Actors = []string{}
	}
	if r.Attribution == nil {
		r.Attribution = []string{}
	}
	if !a.Published.IsZero() {
		p := a.Published.UTC()
		r.Published = &p
	}
	return r
}
