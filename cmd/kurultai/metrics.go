package main

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/ops"
)

// registerStoreMetrics exports the number of stored object versions.
func registerStoreMetrics(o *ops.Ops, st kurultai.ObjectStore) error {
	return o.Registry.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "kurultai_objects_stored",
		Help: "Object versions in the store.",
	}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		n, err := st.CountObjects(ctx)
		if err != nil {
			return -1
		}
		return float64(n)
	}))
}
