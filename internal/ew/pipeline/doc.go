// Package pipeline turns news articles into dated crisis events: it
// normalises the text, settles the language, splits sentences, finds
// signals (internal/ew/signals), and gives each signal a date
// (internal/ew/dates), a country and place (internal/ew/gazetteer), actors
// and a source chain (internal/ew/attribution). Mentions of one event are
// merged by the coding rules of the evaluation corpus
// (data/corpus/README.md): one event per (type, date, country), an undated
// mention joins the dated mention of the same type and country, and the
// chain comes from the first sentence that mentions the event.
//
// A Pipeline is built once, with its tables compiled, and is safe for
// concurrent use. Dedup recognises near-duplicate articles (wire copies
// republished with small edits) by SimHash over word shingles, within a
// bounded window. Evaluate scores the events against the gold events of the
// corpus.
package pipeline
