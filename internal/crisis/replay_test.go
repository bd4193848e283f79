package crisis

import (
	"bytes"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/charter"
)

func TestTimeline2022(t *testing.T) {
	tl := Timeline2022()
	if !tl[0].From.Equal(Onset2022) {
		t.Errorf("the timeline starts %s, want the onset", tl[0].From)
	}
	var ots []time.Duration
	for i, e := range tl {
		if e.To.Before(e.From) || i > 0 && e.From.Before(tl[i-1].From) {
			t.Errorf("event %d out of order: %+v", i, e)
		}
		if e.ByOrganization {
			ots = append(ots, e.From.Sub(Onset2022))
		}
	}
	if len(ots) != 2 || ots[0] != 4*24*time.Hour || ots[1] != 9*24*time.Hour {
		t.Errorf("the organization acted at %v, want T0+4d and T0+9d", ots)
	}
}

func TestCompare2022(t *testing.T) {
	m := New(charter.Default(), nil)
	rows := map[string]ClockRow{}
	for _, r := range m.Compare2022() {
		rows[r.Deadline] = r
	}
	want := map[string]struct{ historical, required time.Duration }{
		"consultation":      {0, 12 * time.Hour},
		"first_statement":   {4 * 24 * time.Hour, 24 * time.Hour},
		"senior_officials":  {0, 36 * time.Hour},
		"foreign_ministers": {9 * 24 * time.Hour, 84 * time.Hour},
	}
	for id, w := range want {
		r, ok := rows[id]
		if !ok {
			t.Errorf("no row for %s", id)
			continue
		}
		if got := r.Required.Sub(Onset2022); got != w.required {
			t.Errorf("%s required at T0+%s, want T0+%s", id, got, w.required)
		}
		if w.historical == 0 && !r.Historical.IsZero() || w.historical != 0 && r.Historical.Sub(Onset2022) != w.historical {
			t.Errorf("%s historical %s", id, r.Historical)
		}
		if r.HistoricalNote == "" || r.RequiredNote == "" {
			t.Errorf("%s without notes", id)
		}
	}
	if r := rows["assistance_answer"]; !r.Required.IsZero() || r.RequiredNote != "24h after each request" {
		t.Errorf("assistance row %+v", r)
	}
}

func TestDemo2022(t *testing.T) {
	m := New(charter.Default(), nil)
	res, err := m.Demo2022()
	if err != nil {
		t.Fatal(err)
	}
	again, _ := m.Demo2022()
	if len(res.Objects) != 1 || !bytes.Equal(res.Objects[0], again.Objects[0]) {
		t.Fatal("the demo records are not fixed: seeding twice would store two situations")
	}
	sit := res.Records[0].(*Situation)
	if sit.Title != DemoTitle || !sit.Onset.Equal(Onset2022) || sit.By != "SEC" || sit.Affected[0] != "KZ" {
		t.Errorf("demo situation %+v", sit)
	}
	// Left alone, the situation misses what the charter requires, as the
	// organization did in 2022.
	st, err := m.Derive(sit.ID, res.Records, Onset2022.Add(9*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode != "monitoring" || st.Score.Met != 0 || st.Score.Missed < 2 {
		t.Errorf("untouched demo: mode %s score %+v", st.Mode, st.Score)
	}
}
