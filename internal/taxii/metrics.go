package taxii

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics holds the TAXII server's Prometheus collectors. Request counts
// and latencies are measured by the HTTP middleware, not here.
type Metrics struct {
	// AccessDenied counts object versions withheld by the access
	// decision and requests refused for lack of permission.
	AccessDenied prometheus.Counter
	// ObjectsServed counts object versions returned in full.
	ObjectsServed prometheus.Counter
	// ObjectsStored counts object versions accepted by POST.
	ObjectsStored prometheus.Counter
}

// NewMetrics creates the collectors and registers them with reg (nil: not
// registered). A collector of the same name already registered, for
// instance kurultai_access_denied_total by another surface, is shared. Any
// other registration conflict is a programming error and panics, as
// prometheus.MustRegister does.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	return &Metrics{
		AccessDenied: register(reg, prometheus.NewCounter(prometheus.CounterOpts{
			Name: "kurultai_access_denied_total",
			Help: "Object versions withheld by the access decision and requests refused for lack of permission.",
		})),
		ObjectsServed: register(reg, prometheus.NewCounter(prometheus.CounterOpts{
			Name: "kurultai_taxii_objects_served_total",
			Help: "Object versions returned in full over TAXII.",
		})),
		ObjectsStored: register(reg, prometheus.NewCounter(prometheus.CounterOpts{
			Name: "kurultai_taxii_objects_stored_total",
			Help: "Object versions stored through TAXII POST requests.",
		})),
	}
}

func register(reg prometheus.Registerer, c prometheus.Counter) prometheus.Counter {
	if reg == nil {
		return c
	}
	err := reg.Register(c)
	if err == nil {
		return c
	}
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		if existing, ok := are.ExistingCollector.(prometheus.Counter); ok {
			return existing
		}
	}
	panic("taxii: register metrics: " + err.Error())
}
