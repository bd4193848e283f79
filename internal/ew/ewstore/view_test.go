package ewstore

import (
	"slices"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/ew"
	"github.com/kurultai/kurultai/internal/ew/story"
)

func TestParseStoryAndEvent(t *testing.T) {
	t0 := time.Date(2022, 1, 2, 10, 0, 0, 0, time.UTC)
	st := story.Story{ID: "KZ-protest-2022-01-02", Country: "KZ", Type: "protest", FirstDate: ew.DateOf(t0), LastDate: ew.DateOf(t0.Add(24 * time.Hour)),
		FirstSeen: t0, LastSeen: t0.Add(3 * time.Hour), Articles: 6, Languages: map[ew.Lang]int{"ru": 4, "kk": 2},
		Hourly: map[time.Time]int{t0: 1, t0.Add(3 * time.Hour): 5}}
	raw := groupingJSON(st, []string{"x-kurultai-ew-event--1"}, "identity--x", nil, t0)
	v, err := ParseStory(raw)
	if err != nil {
		t.Fatal(err)
	}
	if v.ID != GroupingID(st.ID) || v.StoryID != st.ID || v.Articles != 6 || v.Languages["ru"] != 4 || len(v.Hourly) != 2 || !v.LastSeen.Equal(st.LastSeen) {
		t.Errorf("story view: %+v", v)
	}
	if got := v.Series(t0.Add(5*time.Hour), 24); !slices.Equal(got, []int{1, 0, 0, 5, 0, 0}) {
		t.Errorf("series: %v", got)
	}
	if got := v.Series(t0.Add(47*time.Hour), 24); len(got) != 24 || got[0] != 1 || got[1] != 5 {
		t.Errorf("series over two days: %v", got)
	}
	if _, err := ParseStory([]byte(`{"type":"grouping","context":"suspicious-activity"}`)); err == nil {
		t.Error("another grouping parses as a story")
	}
	e := ew.Event{Type: "protest", Country: "KZ", Language: "ru", ArticleURL: "https://a.example/1", Attribution: []string{"Outlet", "Ministry"}, Evidence: "Crowds gathered."}
	ev, err := ParseEvent(eventJSON(e, t0, "identity--x", nil))
	if err != nil {
		t.Fatal(err)
	}
	if ev.ID != EventID(e) || !slices.Equal(ev.Attribution, e.Attribution) || ev.Article != ReportID(e.ArticleURL) || ev.Evidence != e.Evidence {
		t.Errorf("event view: %+v", ev)
	}
	if _, err := ParseEvent(raw); err == nil {
		t.Error("a grouping parses as an event")
	}
}
