package taxii

import (
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// readyBus is a bus that can say it is down.
type readyBus struct {
	fakeBus
	down atomic.Bool
}

func (b *readyBus) Ready() error {
	if b.down.Load() {
		return &kurultai.Error{Code: kurultai.CodeUnavailable, Message: "message bus unavailable"}
	}
	return nil
}

// A write the bus cannot announce is refused with 503 before it is stored,
// and accepted once the bus is back.
func TestAddObjectsBusDown(t *testing.T) {
	bus := &readyBus{}
	e := newEnv(t, func(c *Config) { c.Bus = bus })
	obj := indicator(1, t0)
	bus.down.Store(true)
	w := e.do(http.MethodPost, objectsPath(collID), "kz", envelopeOf(obj.Raw))
	wantStatus(t, w, http.StatusServiceUnavailable)
	if got := w.Header().Get("Retry-After"); got == "" {
		t.Error("503 without Retry-After")
	}
	wantStatus(t, e.get("kz", objectsPath(collID)+obj.ID+"/"), http.StatusNotFound)
	if n := len(bus.published()); n != 0 {
		t.Errorf("%d bus messages for a refused write", n)
	}
	// Reads do not need the bus.
	wantStatus(t, e.get("kz", objectsPath(collID)), http.StatusOK)

	bus.down.Store(false)
	wantStatus(t, e.do(http.MethodPost, objectsPath(collID), "kz", envelopeOf(obj.Raw)), http.StatusAccepted)
	wantStatus(t, e.get("kz", objectsPath(collID)+obj.ID+"/"), http.StatusOK)
	if n := len(bus.published()); n != 1 {
		t.Errorf("%d bus messages after the write, want 1", n)
	}
}
