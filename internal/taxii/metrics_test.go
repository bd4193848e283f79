package taxii

import (
	"net/http"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// Two surfaces on one registry share kurultai_access_denied_total.
func TestNewMetricsShared(t *testing.T) {
	reg := prometheus.NewRegistry()
	a, b := NewMetrics(reg), NewMetrics(reg)
	a.AccessDenied.Inc()
	b.AccessDenied.Add(2)
	if got := counter(t, a.AccessDenied); got != 3 {
		t.Errorf("shared counter = %v, want 3", got)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, mf := range mfs {
		names[mf.GetName()] = true
	}
	for _, n := range []string{"kurultai_access_denied_total", "kurultai_taxii_objects_served_total", "kurultai_taxii_objects_stored_total"} {
		if !names[n] {
			t.Errorf("%s not registered", n)
		}
	}
}

func TestNewMetricsConflictPanics(t *testing.T) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(prometheus.NewGauge(prometheus.GaugeOpts{Name: "kurultai_taxii_objects_stored_total", Help: "x"}))
	defer func() {
		if recover() == nil {
			t.Error("no panic on a conflicting collector")
		}
	}()
	NewMetrics(reg)
}

// A stored version without JSON is a 500 before anything is written, not
// a broken envelope.
func TestEnvelopeWithoutRaw(t *testing.T) {
	e := newEnv(t)
	v := e.store.put(collID, "KZ", indicator(1, t0, relKZ))
	v.Raw = nil
	w := e.get("kz", objectsPath(collID))
	msg := wantError(t, w, http.StatusInternalServerError, "")
	if msg.Description != "internal error" {
		t.Errorf("description = %q", msg.Description)
	}
}
