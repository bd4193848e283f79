package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// storedMarking is a markings row.
type storedMarking struct {
	tlp           string
	audience      []string
	releasability bool
}

// loadMarkings reads the stored markings among a write's refs from rows of
// sqlMarkingsIn.
func loadMarkings(rows pgx.Rows, n int) (map[string]storedMarking, error) {
	ms := make(map[string]storedMarking, n)
	defer rows.Close()
	for rows.Next() {
		var id string
		var m storedMarking
		var audience *string
		if err := rows.Scan(&id, &m.tlp, &audience, &m.releasability); err != nil {
			return nil, mapErr(err)
		}
		if audience != nil {
			if err := json.Unmarshal([]byte(*audience), &m.audience); err != nil {
				return nil, fmt.Errorf("marking %s: audience: %w", id, err)
			}
		}
		ms[id] = m
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err)
	}
	return ms, nil
}

// markingRow is the markings row of a marking.
func markingRow(m *kurultai.Marking) storedMarking {
	return storedMarking{tlp: string(m.TLP), audience: m.Audience, releasability: m.Releasability}
}

// sameMarking reports whether a stored marking and m define the same thing
// (names are for display and are not compared).
func sameMarking(a storedMarking, m *kurultai.Marking) bool {
	b := markingRow(m)
	if a.tlp != b.tlp || a.releasability != b.releasability {
		return false
	}
	x, y := slices.Clone(a.audience), slices.Clone(b.audience)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

func insertMarkingRow(ctx context.Context, tx pgx.Tx, v *kurultai.ObjectVersion) error {
	m := v.Marking
	var audience *string
	if m.Releasability || m.Audience != nil {
		a := m.Audience
		if a == nil {
			a = []string{}
		}
		data, err := json.Marshal(a)
		if err != nil {
			return err
		}
		text := string(data)
		audience = &text
	}
	if _, err := tx.Exec(ctx, sqlInsertMarking, v.ID, m.Name, string(m.TLP), audience, m.Releasability); err != nil {
		return fmt.Errorf("insert marking %s: %w", v.ID, mapErr(err))
	}
	return nil
}
