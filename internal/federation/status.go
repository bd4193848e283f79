package federation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kurultai/kurultai/internal/sqlite"
)

// PeerStatus is the progress of one peer.
type PeerStatus struct {
	Name        string    `json:"name"`
	Participant string    `json:"participant"`
	Connected   bool      `json:"connected"`
	Cursor      int64     `json:"cursor"`  // last outbox seq the peer acknowledged
	Head        int64     `json:"head"`    // last outbox seq
	Behind      int64     `json:"behind"`  // outbox entries not yet acknowledged (some may be for others only)
	Pending     int64     `json:"pending"` // messages from the peer waiting to be stored
	Sent        int64     `json:"sent"`    // versions and tombstones the peer acknowledged since start
	Received    int64     `json:"received"`
	Refused     int64     `json:"refused"`
	SendRate    float64   `json:"send_rate"` // per second, over the last ten seconds
	RecvRate    float64   `json:"recv_rate"`
	LastError   string    `json:"last_error,omitempty"`
	LastErrorAt time.Time `json:"last_error_at,omitzero"`
}

// Status returns the progress of every node peer.
func (f *Federation) Status(ctx context.Context) ([]PeerStatus, error) {
	head, err := f.cfg.Store.OutboxHead(ctx)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	runs, l := f.runs, f.links
	f.mu.Unlock()
	out := make([]PeerStatus, 0, len(runs))
	for _, r := range runs {
		p, err := f.cfg.Store.Peer(ctx, r.peer.Name)
		if err != nil {
			continue // removed meanwhile
		}
		s := PeerStatus{
			Name: r.peer.Name, Participant: r.peer.Participant,
			Connected: l != nil && l.connected(r.peer.Participant),
			Cursor:    p.Cursor, Head: head, Behind: max(head-p.Cursor, 0),
			Pending: r.pending.Load(), Sent: r.sent.Load(), Received: r.received.Load(), Refused: r.refused.Load(),
		}
		s.SendRate, s.RecvRate = r.rates.rates()
		r.errMu.Lock()
		s.LastError, s.LastErrorAt = r.lastErr, r.lastErrAt
		r.errMu.Unlock()
		out = append(out, s)
	}
	return out, nil
}

// sampleRates records the counters for the rates.
func (f *Federation) sampleRates() {
	f.mu.Lock()
	runs := f.runs
	f.mu.Unlock()
	now := f.cfg.Clock()
	for _, r := range runs {
		r.rates.sample(now, r.sent.Load(), r.received.Load())
	}
}

// rateWindow keeps the last samples of the sent and received counters.
type rateWindow struct {
	mu      sync.Mutex // guards samples
	samples []rateSample
}

type rateSample struct {
	t              time.Time
	sent, received int64
}

const rateSamples = 11 // ten seconds

func (w *rateWindow) sample(t time.Time, sent, received int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.samples = append(w.samples, rateSample{t, sent, received})
	if len(w.samples) > rateSamples {
		w.samples = w.samples[len(w.samples)-rateSamples:]
	}
}

func (w *rateWindow) rates() (send, recv float64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.samples) < 2 {
		return 0, 0
	}
	a, b := w.samples[0], w.samples[len(w.samples)-1]
	d := b.t.Sub(a.t).Seconds()
	if d <= 0 {
		return 0, 0
	}
	return float64(b.sent-a.sent) / d, float64(b.received-a.received) / d
}

// StatusFile is what the running node writes for 'kurultai peer status'.
type StatusFile struct {
	Written time.Time    `json:"written"`
	LeafURL string       `json:"leaf_url,omitempty"`
	Peers   []PeerStatus `json:"peers"`
}

// writeStatus writes DATA/federation/status.json atomically.
func (f *Federation) writeStatus(ctx context.Context) error {
	ps, err := f.Status(ctx)
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(StatusFile{Written: f.cfg.Clock().UTC(), LeafURL: f.LeafURL(), Peers: ps}, "", "  ")
	if err != nil {
		return err
	}
	path := statusPath(f.cfg.DataDir)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// ReadStatus reads the status the running node of dataDir wrote. It
// returns fs.ErrNotExist (wrapped) when the node has not written one.
func ReadStatus(dataDir string) (StatusFile, error) {
	var s StatusFile
	data, err := os.ReadFile(statusPath(dataDir))
	if err != nil {
		return s, fmt.Errorf("federation: status: %w", err)
	}
	if err := json.Unmarshal(data, &s); err != nil {
		return s, fmt.Errorf("federation: status: %s: %w", statusPath(dataDir), err)
	}
	return s, nil
}

// StoredStatus is what the store alone says of each peer, for when the
// node does not run: cursor, head and what is behind.
func StoredStatus(ctx context.Context, st *sqlite.Store) ([]PeerStatus, error) {
	head, err := st.OutboxHead(ctx)
	if err != nil {
		return nil, err
	}
	peers, err := st.Peers(ctx)
	if err != nil {
		return nil, err
	}
	var out []PeerStatus
	for _, p := range peers {
		if p.Kind != sqlite.PeerNode {
			continue
		}
		out = append(out, PeerStatus{Name: p.Name, Participant: p.Participant, Cursor: p.Cursor, Head: head, Behind: max(head-p.Cursor, 0)})
	}
	return out, nil
}

// IsNoStatus reports whether err means no status file was written.
func IsNoStatus(err error) bool { return errors.Is(err, fs.ErrNotExist) }

// metrics are the federation's Prometheus metrics. The gauges are read
// from Status when scraped.
type metrics struct {
	f        *Federation
	sent     *prometheus.CounterVec
	received *prometheus.CounterVec
	refused  *prometheus.CounterVec
	lag      prometheus.Histogram
	behind   *prometheus.Desc
	pending  *prometheus.Desc
	up       *prometheus.Desc
}

func newMetrics(f *Federation) *metrics {
	return &metrics{
		f: f,
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kurultai_federation_sent_total", Help: "Versions and tombstones a peer acknowledged.",
		}, []string{"peer"}),
		received: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kurultai_federation_received_total", Help: "Versions received from a peer and committed.",
		}, []string{"peer"}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kurultai_federation_refused_total", Help: "Messages and versions refused from a peer, by reason.",
		}, []string{"peer", "reason"}),
		lag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "kurultai_federation_lag_seconds",
			Help:    "From a version's commit at its originator to its commit here (clocks of both nodes).",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}),
		behind:  prometheus.NewDesc("kurultai_federation_behind", "Outbox entries a peer has not acknowledged.", []string{"peer"}, nil),
		pending: prometheus.NewDesc("kurultai_federation_pending", "Messages from a peer waiting to be stored.", []string{"peer"}, nil),
		up:      prometheus.NewDesc("kurultai_federation_link_up", "1 when the link with the peer is up.", []string{"peer"}, nil),
	}
}

func (m *metrics) Describe(ch chan<- *prometheus.Desc) {
	m.sent.Describe(ch)
	m.received.Describe(ch)
	m.refused.Describe(ch)
	m.lag.Describe(ch)
	ch <- m.behind
	ch <- m.pending
	ch <- m.up
}

func (m *metrics) Collect(ch chan<- prometheus.Metric) {
	m.sent.Collect(ch)
	m.received.Collect(ch)
	m.refused.Collect(ch)
	m.lag.Collect(ch)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	ps, err := m.f.Status(ctx)
	if err != nil {
		return
	}
	for _, p := range ps {
		up := 0.0
		if p.Connected {
			up = 1
		}
		ch <- prometheus.MustNewConstMetric(m.behind, prometheus.GaugeValue, float64(p.Behind), p.Name)
		ch <- prometheus.MustNewConstMetric(m.pending, prometheus.GaugeValue, float64(p.Pending), p.Name)
		ch <- prometheus.MustNewConstMetric(m.up, prometheus.GaugeValue, up, p.Name)
	}
}
