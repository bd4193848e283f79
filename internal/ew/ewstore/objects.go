package ewstore

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/kurultai/kurultai/internal/ew"
	"github.com/kurultai/kurultai/internal/ew/story"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/stix"
)

// EventType is the STIX type of an early-warning event, a new SDO declared
// by the extension-definition ExtensionID.
const EventType = "x-kurultai-ew-event"

// ExtensionID is the fixed id of the extension-definition that declares
// EventType; it is the same on every node.
const ExtensionID = "extension-definition--6a0c8f1e-4b2d-5e7a-9c31-0d8e2f4b6a11"

// StoryContext is the grouping context of a story.
const StoryContext = "x-early-warning-story"

// DescriptionRunes bounds a report's description (the article's start).
const DescriptionRunes = 500

// namespace roots the UUIDv5 ids of early-warning objects.
var namespace = uuid.MustParse("3b7e9f10-5c2a-4d8e-b6f1-7a9c0e2d4f58")

func newID(typ, key string) string {
	return typ + "--" + uuid.NewSHA1(namespace, []byte(typ+":"+key)).String()
}

// ReportID is the id of the report of the article at url.
func ReportID(url string) string { return newID("report", url) }

// EventID is the id of an event: of its article, type, date and country.
func EventID(e ew.Event) string {
	return newID(EventType, strings.Join([]string{e.ArticleURL, string(e.Type), e.Date.String(), e.Country}, "|"))
}

// GroupingID is the id of the grouping of a story.
func GroupingID(storyID string) string { return newID("grouping", storyID) }

// ExtensionDefinition returns the extension-definition of EventType,
// visible to all (TLP:CLEAR, released to the public markings given).
func ExtensionDefinition(createdBy string, created time.Time, markings []string) []byte {
	ts := stix.FormatTime(created)
	return mustJSON(map[string]any{
		"type": "extension-definition", "spec_version": "2.1", "id": ExtensionID,
		"created_by_ref": createdBy, "created": ts, "modified": ts,
		"name":        EventType,
		"description": "A dated crisis event read from published news by Kurultai early warning.",
		"schema": "New SDO " + EventType + ": event_type (Kurultai event vocabulary), cameo, event_date (YYYY-MM-DD, absent when unknown), " +
			"country (ISO 3166 alpha-2), place, actors (list), attribution (outlets and authors, nearest first), language (ISO 639-1), " +
			"evidence (the sentence), evidence_offsets ([start, end) bytes in the article text), confidence (0-100), article_ref (the report).",
		"version":             "1.0",
		"extension_types":     []string{"new-sdo"},
		"object_marking_refs": markings,
	})
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("ewstore: marshal: %v", err)) // only maps of plain values reach here
	}
	return b
}

// stamp is the version time of an object: t, or fallback when t is zero,
// at millisecond precision.
func stamp(t, fallback time.Time) time.Time {
	if t.IsZero() {
		t = fallback
	}
	return t.UTC().Truncate(time.Millisecond)
}

func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for k := range s {
		if i == n {
			return strings.TrimSpace(s[:k]) + "…"
		}
		i++
	}
	return s
}

// reportJSON builds the report of an article that refers to its events.
func reportJSON(a ew.Article, eventIDs []string, createdBy string, markings []string, now time.Time) []byte {
	ts := stix.FormatTime(stamp(a.Published, now))
	title := a.Title
	if strings.TrimSpace(title) == "" {
		title = clip(a.Text, 80)
	}
	if title == "" {
		title = a.URL
	}
	ref := map[string]any{"source_name": nonEmpty(a.Source, "unknown"), "url": a.URL}
	obj := map[string]any{
		"type": "report", "spec_version": "2.1", "id": ReportID(a.URL),
		"created_by_ref": createdBy, "created": ts, "modified": ts,
		"name": title, "published": ts, "report_types": []string{"news-article"},
		"object_refs": eventIDs, "external_references": []any{ref},
		"object_marking_refs": markings,
	}
	if d := clip(a.Text, DescriptionRunes); d != "" {
		obj["description"] = d
	}
	if a.Lang != ew.Unknown {
		obj["lang"] = string(a.Lang)
		obj["labels"] = []string{"language:" + string(a.Lang)}
	}
	return mustJSON(obj)
}

// eventJSON builds the SDO of an event; published dates the version.
func eventJSON(e ew.Event, published time.Time, createdBy string, markings []string) []byte {
	ts := stix.FormatTime(published)
	obj := map[string]any{
		"type": EventType, "spec_version": "2.1", "id": EventID(e),
		"created_by_ref": createdBy, "created": ts, "modified": ts,
		"event_type": string(e.Type), "cameo": e.CAMEO, "country": e.Country,
		"language": string(e.Language), "evidence": e.Evidence,
		"evidence_offsets":    []int{e.EvidenceAt.Start, e.EvidenceAt.End},
		"confidence":          confidence(e.Confidence),
		"article_ref":         ReportID(e.ArticleURL),
		"extensions":          map[string]any{ExtensionID: map[string]string{"extension_type": "new-sdo"}},
		"object_marking_refs": markings,
	}
	if !e.Date.IsZero() {
		obj["event_date"] = e.Date.String()
	}
	if e.Place != "" {
		obj["place"] = e.Place
	}
	if len(e.Actors) > 0 {
		obj["actors"] = e.Actors
	}
	if len(e.Attribution) > 0 {
		obj["attribution"] = e.Attribution
	}
	return mustJSON(obj)
}

// confidence maps a 0-1 confidence to STIX's 0-100.
func confidence(c float64) int {
	v := int(c*100 + 0.5)
	return min(max(v, 0), 100)
}

// groupingJSON builds the grouping of a story over the given refs.
func groupingJSON(s story.Story, refs []string, createdBy string, markings []string, now time.Time) []byte {
	created := stamp(s.FirstSeen, now)
	modified := stamp(s.LastSeen, now)
	if modified.Before(created) {
		modified = created
	}
	langs := map[string]int{}
	for l, n := range s.Languages {
		langs[string(l)] = n
	}
	hourly := make([]map[string]any, 0, len(s.Hourly))
	for h, n := range s.Hourly {
		hourly = append(hourly, map[string]any{"hour": stix.FormatTime(h.UTC()), "articles": n})
	}
	sort.Slice(hourly, func(i, j int) bool { return hourly[i]["hour"].(string) < hourly[j]["hour"].(string) })
	obj := map[string]any{
		"type": "grouping", "spec_version": "2.1", "id": GroupingID(s.ID),
		"created_by_ref": createdBy, "created": stix.FormatTime(created), "modified": stix.FormatTime(modified),
		"name":    fmt.Sprintf("%s %s since %s", s.Country, s.Type, s.FirstDate),
		"context": StoryContext, "object_refs": refs,
		"x_kurultai_ew_story": map[string]any{
			"story_id": s.ID, "country": s.Country, "event_type": string(s.Type),
			"first_date": s.FirstDate.String(), "last_date": s.LastDate.String(),
			"first_seen": stix.FormatTime(created), "last_seen": stix.FormatTime(modified),
			"articles": s.Articles, "languages": langs, "hourly": hourly,
		},
		"object_marking_refs": markings,
	}
	return mustJSON(obj)
}

func nonEmpty(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

// parse checks raw as a STIX object.
func parse(raw []byte) (*kurultai.ObjectVersion, error) {
	v, err := stix.ParseObject(raw)
	if err != nil {
		return nil, fmt.Errorf("ewstore: %w", err)
	}
	return v, nil
}
