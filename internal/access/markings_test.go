package access

import (
	"fmt"
	"sync"
	"testing"

	"github.com/kurultai/kurultai/internal/kurultai"
)

func TestNewMarkingsKnowsStandardTLP(t *testing.T) {
	ms := NewMarkings()
	if got, want := ms.Len(), len(kurultai.StandardTLP); got != want {
		t.Fatalf("Len = %d, want %d", got, want)
	}
	for id, level := range kurultai.StandardTLP {
		m, ok := ms.Marking(id)
		if !ok {
			t.Fatalf("%s unknown", id)
		}
		if m.TLP != level || m.Releasability || m.Name == "" {
			t.Errorf("%s = %+v, want level %s", id, m, level)
		}
	}
	if m, _ := ms.Marking(kurultai.TLP1WhiteID); m.Name != "TLP:WHITE" {
		t.Errorf("TLP 1.0 white named %q", m.Name)
	}
	if m, _ := ms.Marking(kurultai.TLP2AmberStrictID); m.Name != "TLP:AMBER+STRICT" {
		t.Errorf("amber+strict named %q", m.Name)
	}
}

func TestMarkingsAdd(t *testing.T) {
	ms := NewMarkings()
	audience := []string{"KZ"}
	ms.Add(
		kurultai.Marking{ID: relKZ, Releasability: true, Audience: audience},
		kurultai.Marking{ID: ""}, // ignored
		kurultai.Marking{ID: kurultai.TLP2RedID, TLP: kurultai.TLPClear, Releasability: true, Audience: []string{"public"}},
	)
	audience[0] = "TR" // the caller's slice is not shared

	m, ok := ms.Marking(relKZ)
	if !ok || m.Audience[0] != "KZ" {
		t.Fatalf("Marking(relKZ) = %+v, %v", m, ok)
	}
	if _, ok := ms.Marking(""); ok {
		t.Error("empty id stored")
	}
	red, _ := ms.Marking(kurultai.TLP2RedID)
	if red.TLP != kurultai.TLPRed || red.Releasability || red.Audience != nil {
		t.Errorf("standard id not normalised: %+v", red)
	}
	if Decide(member, object(originatorTR, kurultai.TLP2RedID), ms) {
		t.Error("a standard TLP id turned into a releasability marking")
	}

	// Replacing a marking publishes a new value; a reader holding the old
	// one keeps a consistent view.
	ms.Add(kurultai.Marking{ID: relKZ, Releasability: true, Audience: []string{"KZ", "HU"}})
	if len(m.Audience) != 1 {
		t.Errorf("old marking changed: %+v", m)
	}
	if m2, _ := ms.Marking(relKZ); len(m2.Audience) != 2 {
		t.Errorf("marking not replaced: %+v", m2)
	}
	if got, want := ms.Len(), len(kurultai.StandardTLP)+1; got != want {
		t.Errorf("Len = %d, want %d", got, want)
	}
}

func TestMarkingsZeroAndNil(t *testing.T) {
	var zero Markings
	if _, ok := zero.Marking(kurultai.TLP2RedID); ok {
		t.Error("zero value knows TLP")
	}
	zero.Add(kurultai.Marking{ID: relPublic, Releasability: true, Audience: []string{"public"}})
	if _, ok := zero.Marking(relPublic); !ok {
		t.Error("Add on the zero value lost the marking")
	}
	var nilSet *Markings
	if _, ok := nilSet.Marking(relPublic); ok || nilSet.Len() != 0 {
		t.Error("nil set knows something")
	}
}

// TestMarkingsConcurrent is meant for -race: readers decide while writers add.
func TestMarkingsConcurrent(t *testing.T) {
	ms := NewMarkings(fixtureMarkings()...)
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Go(func() {
			for i := range 200 {
				ms.Add(kurultai.Marking{ID: fmt.Sprintf("marking-definition--w%d-%d", w, i), Releasability: true, Audience: []string{"KZ"}})
			}
		})
	}
	for range 4 {
		wg.Go(func() {
			for range 2000 {
				if !Decide(member, object(originatorTR, relPublic, kurultai.TLP2GreenID), ms) {
					t.Error("decision changed while adding unrelated markings")
					return
				}
			}
		})
	}
	wg.Wait()
	if got, want := ms.Len(), len(kurultai.StandardTLP)+len(fixtureMarkings())+400; got != want {
		t.Errorf("Len = %d, want %d (lost writes)", got, want)
	}
}
