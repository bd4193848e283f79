package ewstore

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/kurultai/kurultai/internal/stix"
)

// StoryView is a story as its grouping records it, for readers of the
// store (the web pages). It holds only what the grouping says; the caller
// has already decided that the reader may see the grouping.
type StoryView struct {
	ID        string // the grouping's id
	StoryID   string // the tracker's id, e.g. KZ-protest-2022-01-02
	Country   string
	EventType string
	FirstDate string // YYYY-MM-DD
	LastDate  string
	FirstSeen time.Time
	LastSeen  time.Time
	Articles  int
	Languages map[string]int
	Hourly    []HourCount // by hour, oldest first
	Events    []string    // the event ids the grouping refers to
}

// HourCount is the articles of a story in one hour.
type HourCount struct {
	Hour     time.Time // start of the hour, UTC
	Articles int
}

// EventView is an early-warning event as its SDO records it.
type EventView struct {
	ID          string
	EventType   string
	CAMEO       string
	Country     string
	Place       string
	Date        string // YYYY-MM-DD; empty when the article gives none
	Language    string
	Actors      []string
	Attribution []string // outlets and authors, nearest first
	Evidence    string
	Confidence  int    // 0-100
	Article     string // the report's id
}

// ParseStory reads the grouping of a story. A grouping of another context
// is an error naming the field.
func ParseStory(raw []byte) (StoryView, error) {
	var g struct {
		ID      string   `json:"id"`
		Type    string   `json:"type"`
		Context string   `json:"context"`
		Refs    []string `json:"object_refs"`
		Story   *struct {
			StoryID   string         `json:"story_id"`
			Country   string         `json:"country"`
			EventType string         `json:"event_type"`
			FirstDate string         `json:"first_date"`
			LastDate  string         `json:"last_date"`
			FirstSeen string         `json:"first_seen"`
			LastSeen  string         `json:"last_seen"`
			Articles  int            `json:"articles"`
			Languages map[string]int `json:"languages"`
			Hourly    []struct {
				Hour     string `json:"hour"`
				Articles int    `json:"articles"`
			} `json:"hourly"`
		} `json:"x_kurultai_ew_story"`
	}
	if err := json.Unmarshal(raw, &g); err != nil {
		return StoryView{}, fmt.Errorf("ewstore: story: %w", err)
	}
	switch {
	case g.Type != "grouping":
		return StoryView{}, fmt.Errorf("ewstore: story: type: %q is not a grouping", g.Type)
	case g.Context != StoryContext:
		return StoryView{}, fmt.Errorf("ewstore: story: context: %q is not %s", g.Context, StoryContext)
	case g.Story == nil:
		return StoryView{}, fmt.Errorf("ewstore: story: x_kurultai_ew_story: missing")
	}
	s := g.Story
	v := StoryView{ID: g.ID, StoryID: s.StoryID, Country: s.Country, EventType: s.EventType, FirstDate: s.FirstDate,
		LastDate: s.LastDate, Articles: s.Articles, Languages: s.Languages, Events: g.Refs}
	var err error
	if v.FirstSeen, err = stix.ParseTime(s.FirstSeen); err != nil {
		return StoryView{}, fmt.Errorf("ewstore: story: first_seen: %w", err)
	}
	if v.LastSeen, err = stix.ParseTime(s.LastSeen); err != nil {
		return StoryView{}, fmt.Errorf("ewstore: story: last_seen: %w", err)
	}
	for i, h := range s.Hourly {
		t, err := stix.ParseTime(h.Hour)
		if err != nil {
			return StoryView{}, fmt.Errorf("ewstore: story: hourly[%d].hour: %w", i, err)
		}
		v.Hourly = append(v.Hourly, HourCount{Hour: t.UTC(), Articles: h.Articles})
	}
	sort.Slice(v.Hourly, func(i, j int) bool { return v.Hourly[i].Hour.Before(v.Hourly[j].Hour) })
	return v, nil
}

// Series returns the story's articles per step from the first hour
// recorded to end, at most n points (the last n steps); hours without
// articles count 0. Steps are whole hours, widened so that the span fits.
func (v StoryView) Series(end time.Time, n int) []int {
	if len(v.Hourly) == 0 || n < 2 {
		return nil
	}
	start := v.Hourly[0].Hour
	last := v.Hourly[len(v.Hourly)-1].Hour
	if end.Before(last) {
		end = last
	}
	hours := int(end.Sub(start)/time.Hour) + 1
	step := max(1, (hours+n-1)/n)
	out := make([]int, (hours+step-1)/step)
	for _, h := range v.Hourly {
		i := int(h.Hour.Sub(start)/time.Hour) / step
		if i >= 0 && i < len(out) {
			out[i] += h.Articles
		}
	}
	return out
}

// ParseEvent reads an early-warning event SDO.
func ParseEvent(raw []byte) (EventView, error) {
	var e struct {
		ID          string   `json:"id"`
		Type        string   `json:"type"`
		EventType   string   `json:"event_type"`
		CAMEO       string   `json:"cameo"`
		Country     string   `json:"country"`
		Place       string   `json:"place"`
		Date        string   `json:"event_date"`
		Language    string   `json:"language"`
		Actors      []string `json:"actors"`
		Attribution []string `json:"attribution"`
		Evidence    string   `json:"evidence"`
		Confidence  int      `json:"confidence"`
		Article     string   `json:"article_ref"`
	}
	if err := json.Unmarshal(raw, &e); err != nil {
		return EventView{}, fmt.Errorf("ewstore: event: %w", err)
	}
	if e.Type != EventType {
		return EventView{}, fmt.Errorf("ewstore: event: type: %q is not %s", e.Type, EventType)
	}
	return EventView{ID: e.ID, EventType: e.EventType, CAMEO: e.CAMEO, Country: e.Country, Place: e.Place, Date: e.Date,
		Language: e.Language, Actors: e.Actors, Attribution: e.Attribution, Evidence: e.Evidence, Confidence: e.Confidence,
		Article: e.Article}, nil
}
