package main

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/ops"
)

// objectsCountTTL is how long a count of stored versions is reused: a
// count walks a whole index (hundreds of milliseconds at a million
// versions on PostgreSQL), and scrapers ask every few seconds.
const objectsCountTTL = time.Minute

// registerStoreMetrics exports the number of stored object versions,
// counted at most once a minute.
func registerStoreMetrics(o *ops.Ops, st kurultai.ObjectStore) error {
	var (
		mu   sync.Mutex
		at   time.Time
		last float64
	)
	return o.Registry.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "kurultai_objects_stored",
		Help: "Object versions in the store (counted at most once a minute; -1 when the store cannot count).",
	}, func() float64 {
		mu.Lock()
		defer mu.Unlock()
		if !at.IsZero() && time.Since(at) < objectsCountTTL {
			return last
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		n, err := st.CountObjects(ctx)
		if err != nil {
			return -1 // and count again at the next scrape
		}
		at, last = time.Now(), float64(n)
		return last
	}))
}
