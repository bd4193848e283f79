package crisis

import (
	"context"
	"fmt"

	"github.com/kurultai/kurultai/internal/charter"
	"github.com/kurultai/kurultai/internal/kurultai"
)

// Load reads every version of every crisis record in a collection that
// allow accepts (pass the access decision for the reader), for Derive.
// Versions that do not parse as records are returned as Ignored, not as
// an error: one bad object from a peer must not hide a situation.
func (m *Mechanism) Load(ctx context.Context, st kurultai.ObjectStore, collection string, allow func(*kurultai.ObjectVersion) bool) ([]Record, []Ignored, error) {
	types := make([]string, len(charter.RecordKinds))
	for i, k := range charter.RecordKinds {
		types[i] = TypeName(k)
	}
	q := kurultai.Query{Collection: collection, Types: types, Versions: kurultai.VersionFilter{All: true}, Limit: 1000, WithRaw: true}
	var recs []Record
	var bad []Ignored
	for {
		page, err := st.ListObjects(ctx, q, allow)
		if err != nil {
			return nil, nil, fmt.Errorf("crisis: load records: %w", err)
		}
		for _, v := range page.Items {
			r, err := m.Parse(v)
			if err != nil {
				k, _ := KindOf(v.Type)
				bad = append(bad, Ignored{ID: v.ID, Version: v.Version, Kind: k, By: v.Originator, Reason: kurultai.ErrorMessage(err)})
				continue
			}
			recs = append(recs, r)
		}
		if !page.More {
			return recs, bad, nil
		}
		q.After = page.Next
	}
}
