// Package ew holds the vocabulary of open-source early warning: languages,
// crisis event types with their CAMEO codes, articles, dated events with
// their evidence and source chain, and calendar dates. The packages under
// internal/ew (text, lang, dates, gazetteer, signals, attribution, pipeline)
// speak in these types. Early warning reads published news and official
// statements about situations; it has no notion of private persons.
package ew

import (
	"fmt"
	"time"
)

// Lang is an ISO 639-1 language code.
type Lang string

// The languages early warning reads.
const (
	Turkish     Lang = "tr"
	Azerbaijani Lang = "az"
	Kazakh      Lang = "kk"
	Kyrgyz      Lang = "ky"
	Uzbek       Lang = "uz" // Latin and Cyrillic
	Russian     Lang = "ru"
	Arabic      Lang = "ar"
	English     Lang = "en"
	Hungarian   Lang = "hu"
	Unknown     Lang = ""
)

// Languages lists every supported language in a stable order.
var Languages = []Lang{Turkish, Azerbaijani, Kazakh, Kyrgyz, Uzbek, Russian, Arabic, English, Hungarian}

// Valid reports whether l is a supported language.
func (l Lang) Valid() bool {
	for _, k := range Languages {
		if l == k {
			return true
		}
	}
	return false
}

// EventType is a crisis signal in Kurultai's event vocabulary.
type EventType string

// The event types.
const (
	Protest               EventType = "protest"
	Riot                  EventType = "riot"
	ViolenceCasualties    EventType = "violence_casualties"
	StateOfEmergency      EventType = "state_of_emergency"
	GovernmentResignation EventType = "government_resignation"
	AssistanceRequest     EventType = "assistance_request"
	AssistanceDeployment  EventType = "assistance_deployment"
	Withdrawal            EventType = "withdrawal"
	Statement             EventType = "statement"
	Solidarity            EventType = "solidarity"
	Meeting               EventType = "meeting"
)

// EventTypes lists every event type in a stable order.
var EventTypes = []EventType{Protest, Riot, ViolenceCasualties, StateOfEmergency, GovernmentResignation,
	AssistanceRequest, AssistanceDeployment, Withdrawal, Statement, Solidarity, Meeting}

// CAMEO returns the default CAMEO code of the type; rules may give a more
// specific one (curfew 1723 under state_of_emergency, for example).
func (t EventType) CAMEO() string {
	switch t {
	case Protest:
		return "140"
	case Riot:
		return "145"
	case ViolenceCasualties:
		return "180"
	case StateOfEmergency:
		return "1724"
	case GovernmentResignation:
		return "0831"
	case AssistanceRequest:
		return "023"
	case AssistanceDeployment:
		return "070"
	case Withdrawal:
		return "087"
	case Statement:
		return "010"
	case Solidarity:
		return "018"
	case Meeting:
		return "036"
	}
	return ""
}

// Valid reports whether t is a known event type.
func (t EventType) Valid() bool { return t.CAMEO() != "" }

// Date is a calendar date without a time zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// String formats the date as YYYY-MM-DD.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// IsZero reports whether the date is unset.
func (d Date) IsZero() bool { return d == Date{} }

// Time returns midnight UTC of the date.
func (d Date) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// DateOf returns the UTC calendar date of t.
func DateOf(t time.Time) Date {
	y, m, d := t.UTC().Date()
	return Date{y, m, d}
}

// ParseDate parses YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q is not YYYY-MM-DD", s)
	}
	return DateOf(t), nil
}

// Span is a half-open byte range [Start, End) in a text.
type Span struct {
	Start, End int
}

// Article is one news item or statement as read from a source.
type Article struct {
	URL       string
	Source    string // the publishing outlet's name, e.g. "Kazinform"
	Title     string
	Text      string // plain text, normalised
	Lang      Lang
	Published time.Time // zero when unknown
}

// Event is one crisis signal found in an article.
type Event struct {
	Type        EventType
	CAMEO       string
	Date        Date   // zero when the article gives none
	Country     string // ISO 3166 alpha-2 of where it happened
	Place       string // the most specific place named, in English
	Actors      []string
	Attribution []string // outlets and authors, nearest first: publisher, then who it cites
	Language    Lang
	Evidence    string // the sentence the event was read from
	EvidenceAt  Span   // its offsets in the article's Text
	Confidence  float64
	ArticleURL  string
}
