package sqlite

import (
	"context"
	"strings"
	"testing"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// explain returns the EXPLAIN QUERY PLAN lines of query.
func explain(t *testing.T, s *Store, query string, args ...any) string {
	t.Helper()
	rows, err := s.rdb.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatalf("explain %s: %v", query, err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

// TestQueryPlans pins the plans the speed targets depend on. Every listing
// seeks its index straight to the cursor ("rowid>?"), so the last page of a
// million versions costs what the first does, and none sorts except the
// match[id] one, which sorts only the versions of the ids asked for.
func TestQueryPlans(t *testing.T) {
	s := openTest(t)
	for _, tc := range []struct {
		name string
		q    kurultai.Query
		want []string
		not  []string
	}{
		{"collection", kurultai.Query{}, []string{"SEARCH objects USING INDEX objects_coll (collection_seq=? AND rowid>?)"}, []string{"TEMP B-TREE"}},
		{"collection all versions", kurultai.Query{Versions: kurultai.VersionFilter{All: true}, WithRaw: true},
			[]string{"SEARCH objects USING INDEX objects_coll (collection_seq=? AND rowid>?)"}, []string{"TEMP B-TREE"}},
		{"one type", kurultai.Query{Types: []string{"indicator"}}, []string{"SEARCH objects USING INDEX objects_type (collection_seq=? AND type=? AND rowid>?)"}, []string{"TEMP B-TREE"}},
		{"two types", kurultai.Query{Types: []string{"indicator", "report"}}, []string{"MERGE (UNION ALL)", "SEARCH objects USING INDEX objects_type (collection_seq=? AND type=? AND rowid>?)"}, []string{"TEMP B-TREE"}},
		{"ids", kurultai.Query{IDs: []string{"a", "b"}, Types: []string{"x"}}, []string{"SEARCH objects USING INDEX objects_version (collection_seq=? AND id=?)"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			query, args := listQuery(1, 0, tc.q)
			plan := explain(t, s, query, args...)
			for _, w := range tc.want {
				if !strings.Contains(plan, w) {
					t.Errorf("plan\n%s\nlacks %q", plan, w)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(plan, n) {
					t.Errorf("plan\n%s\nhas %q", plan, n)
				}
			}
		})
	}
	// The write path: the stored versions of a write's ids, by index.
	plan := explain(t, s, sqlVersions, 1, `["a","b"]`)
	if !strings.Contains(plan, "USING INDEX objects_version (collection_seq=? AND id=?)") {
		t.Errorf("versions plan\n%s", plan)
	}
}
