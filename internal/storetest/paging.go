package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// addMany stores n objects of the types in turn (numbered from first) in
// otherColl, in writes of at most 500, and returns their ids in order.
func addMany(t *testing.T, s kurultai.Store, first, n int, types ...string) []string {
	t.Helper()
	if len(types) == 0 {
		types = []string{"indicator"}
	}
	var out []string
	for start := 0; start < n; start += 500 {
		var vs []*kurultai.ObjectVersion
		for i := start; i < min(n, start+500); i++ {
			id := objectID(types[i%len(types)], first+i)
			vs = append(vs, newVersion(id, t0))
			out = append(out, id)
		}
		add(t, s, kz, otherColl, vs...)
	}
	return out
}

// checkOrder fails unless vs are in strictly increasing date-added order.
func checkOrder(t *testing.T, vs []*kurultai.ObjectVersion) {
	t.Helper()
	for i := 1; i < len(vs); i++ {
		if !vs[i].DateAdded.After(vs[i-1].DateAdded) {
			t.Fatalf("item %d added %v, not after item %d (%v)", i, vs[i].DateAdded, i-1, vs[i-1].DateAdded)
		}
	}
}

func testPagination(t *testing.T, s kurultai.Store) {
	ctx := t.Context()
	fixture(t, s)
	want := addMany(t, s, 0, 2500)
	q := kurultai.Query{Collection: otherColl, Limit: 1000, WithRaw: true}
	var got []*kurultai.ObjectVersion
	var sizes []int
	for page := 0; ; page++ {
		p, err := s.ListObjects(ctx, q, everyone)
		if err != nil {
			t.Fatalf("ListObjects: %v", err)
		}
		sizes = append(sizes, len(p.Items))
		got = append(got, p.Items...)
		if page == 0 {
			// Writes between pages show up at the end, once.
			want = append(want, addMany(t, s, 5000, 10)...)
		}
		if !p.More {
			break
		}
		if page > 5 {
			t.Fatal("too many pages")
		}
		q.After = p.Next
	}
	if !slices.Equal(sizes, []int{1000, 1000, 510}) {
		t.Errorf("page sizes %v, want [1000 1000 510]", sizes)
	}
	if !slices.Equal(ids(got), want) {
		t.Errorf("paged ids differ from the ids added (%d vs %d)", len(got), len(want))
	}
	checkOrder(t, got)
	for _, v := range got {
		if len(v.Raw) == 0 {
			t.Fatalf("%s has no raw", v.ID)
		}
	}
}

func testAddedAfter(t *testing.T, s kurultai.Store) {
	fixture(t, s)
	addMany(t, s, 0, 20)
	vs, _ := all(t, s, kurultai.Query{Collection: otherColl, Limit: 100}, everyone)
	if len(vs) != 20 {
		t.Fatalf("%d objects, want 20", len(vs))
	}
	for _, tc := range []struct {
		name  string
		after time.Time
		want  []string
	}{
		{"exact", vs[9].DateAdded, ids(vs[10:])},
		{"just before", vs[9].DateAdded.Add(-time.Nanosecond), ids(vs[9:])},
		{"before all", vs[0].DateAdded.Add(-time.Hour), ids(vs)},
		{"after all", vs[19].DateAdded, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := all(t, s, kurultai.Query{Collection: otherColl, Limit: 3, AddedAfter: tc.after}, everyone)
			if !slices.Equal(ids(got), tc.want) {
				t.Errorf("added after %v: %v, want %v", tc.after, ids(got), tc.want)
			}
		})
	}
}

func testFilters(t *testing.T, s kurultai.Store) {
	fixture(t, s)
	added := addMany(t, s, 0, 30, "indicator", "report", "malware")
	of := func(typs ...string) []string {
		var out []string
		for _, id := range added {
			for _, typ := range typs {
				if len(id) > len(typ) && id[:len(typ)+2] == typ+"--" {
					out = append(out, id)
				}
			}
		}
		return out
	}
	for _, tc := range []struct {
		name string
		q    kurultai.Query
		want []string
	}{
		{"no filter", kurultai.Query{}, added},
		{"one type", kurultai.Query{Types: []string{"report"}}, of("report")},
		{"two types", kurultai.Query{Types: []string{"malware", "indicator"}}, of("indicator", "malware")},
		{"repeated type", kurultai.Query{Types: []string{"report", "report"}}, of("report")},
		{"unknown type", kurultai.Query{Types: []string{"campaign"}}, nil},
		{"ids", kurultai.Query{IDs: []string{added[4], added[1], "indicator--00000000-0000-4000-8000-999999999999"}}, []string{added[1], added[4]}},
		{"ids and type", kurultai.Query{IDs: []string{added[0], added[1]}, Types: []string{"report"}}, []string{added[1]}},
		{"spec 2.1", kurultai.Query{SpecVersions: []string{"2.0", "2.1"}}, added},
		{"spec 2.0", kurultai.Query{SpecVersions: []string{"2.0"}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.q
			q.Collection, q.Limit = otherColl, 4
			got, _ := all(t, s, q, everyone)
			if !slices.Equal(ids(got), tc.want) {
				t.Errorf("got %v\nwant %v", ids(got), tc.want)
			}
			checkOrder(t, got)
		})
	}
}

func testFilterLimits(t *testing.T, s kurultai.Store) {
	fixture(t, s)
	many := make([]string, 101)
	for i := range many {
		many[i] = objectID("indicator", i)
	}
	_, err := s.ListObjects(t.Context(), kurultai.Query{Collection: otherColl, Limit: 10, IDs: many}, everyone)
	wantCode(t, "ListObjects(101 ids)", err, kurultai.CodeInvalid)
	types := make([]string, 101)
	for i := range types {
		types[i] = fmt.Sprintf("x-type-%d", i)
	}
	_, err = s.ListObjects(t.Context(), kurultai.Query{Collection: otherColl, Limit: 10, Types: types}, everyone)
	wantCode(t, "ListObjects(101 types)", err, kurultai.CodeInvalid)
	// 100 of each is fine.
	_, err = s.ListObjects(t.Context(), kurultai.Query{Collection: otherColl, Limit: 10, IDs: many[:100], Types: types[:100]}, everyone)
	if err != nil {
		t.Errorf("ListObjects(100 ids, 100 types): %v", err)
	}
}

// testSparseVisibility pages through a collection of which the caller may
// see few versions. Stores may return short pages only after examining at
// least 10,000 versions, so here every page but the last is full.
func testSparseVisibility(t *testing.T, s kurultai.Store) {
	fixture(t, s)
	added := addMany(t, s, 0, 2000)
	visible := map[string]bool{}
	var want []string
	for i, id := range added {
		if i%7 == 0 {
			visible[id] = true
			want = append(want, id)
		}
	}
	allow := func(v *kurultai.ObjectVersion) bool { return visible[v.ID] }
	ctx := t.Context()
	q := kurultai.Query{Collection: otherColl, Limit: 50}
	var got []string
	withheld := 0
	for {
		p, err := s.ListObjects(ctx, q, allow)
		if err != nil {
			t.Fatalf("ListObjects: %v", err)
		}
		got = append(got, ids(p.Items)...)
		withheld += p.Withheld
		if p.More && len(p.Items) != q.Limit {
			t.Errorf("page with more has %d items, want %d", len(p.Items), q.Limit)
		}
		if !p.More {
			break
		}
		q.After = p.Next
	}
	if !slices.Equal(got, want) {
		t.Errorf("visible ids: got %d, want %d (%v...)", len(got), len(want), got[:min(5, len(got))])
	}
	if withheld < len(added)-len(want) {
		t.Errorf("withheld %d, want at least %d", withheld, len(added)-len(want))
	}

	// Exactly two pages visible, the rest hidden: the second page says
	// there is no more.
	firstHundred := map[string]bool{}
	for _, id := range added[:100] {
		firstHundred[id] = true
	}
	allow = func(v *kurultai.ObjectVersion) bool { return firstHundred[v.ID] }
	p1, err := s.ListObjects(ctx, kurultai.Query{Collection: otherColl, Limit: 50}, allow)
	if err != nil || len(p1.Items) != 50 || !p1.More {
		t.Fatalf("page 1: %d items, more %v, %v; want 50, true", len(p1.Items), p1.More, err)
	}
	p2, err := s.ListObjects(ctx, kurultai.Query{Collection: otherColl, Limit: 50, After: p1.Next}, allow)
	if err != nil || len(p2.Items) != 50 || p2.More {
		t.Fatalf("page 2: %d items, more %v, %v; want 50, false", len(p2.Items), p2.More, err)
	}
	if p2.Withheld != 1900 {
		t.Errorf("page 2 withheld %d, want 1900", p2.Withheld)
	}
	if !slices.Equal(append(ids(p1.Items), ids(p2.Items)...), added[:100]) {
		t.Errorf("the two pages are not the first hundred objects")
	}
}

func testNothingVisible(t *testing.T, s kurultai.Store) {
	fixture(t, s)
	addMany(t, s, 0, 300)
	seen := 0
	p, err := s.ListObjects(t.Context(), kurultai.Query{Collection: otherColl, Limit: 10, WithRaw: true}, func(v *kurultai.ObjectVersion) bool {
		seen++
		if v.ID == "" || v.Originator != "KZ" || v.DateAdded.IsZero() {
			t.Errorf("allow got an incomplete version %+v", v)
		}
		return false
	})
	if err != nil || len(p.Items) != 0 || p.More || p.Withheld != 300 || seen != 300 {
		t.Errorf("page %+v, %v after %d calls; want empty, no more, 300 withheld", p, err, seen)
	}
}
