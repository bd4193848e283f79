package federation

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kurultai/kurultai/internal/access"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/pki"
	"github.com/kurultai/kurultai/internal/sqlite"
)

// Defaults.
const (
	DefaultPoll            = 100 * time.Millisecond
	DefaultBatchItems      = 256
	DefaultBatchBytes      = 1 << 20
	DefaultMaxMessageBytes = 8 << 20
	DefaultMaxObjectBytes  = 4 << 20
	DefaultMaxStorePerPeer = 1 << 30
	DefaultReload          = 2 * time.Second
	DefaultInFlight        = 8
	DefaultTAXIIInterval   = time.Minute
)

// Config configures Start.
type Config struct {
	// Participant is this node's participant code.
	Participant string
	// DataDir is the node's data directory; the federation server keeps
	// its JetStream store in DataDir/federation/nats and writes
	// DataDir/federation/status.json.
	DataDir string
	// Listen is the TLS leafnode address peers dial ("host:port", port 0
	// picks one); empty accepts no links (this node dials all its peers).
	Listen string
	// TLS is the node's certificate, CA and CRL (package pki). Required.
	TLS *pki.Node
	// Store is the node's store: its outbox, peers and objects.
	Store *sqlite.Store
	// Markings is the node's marking set; marking-definitions received
	// from peers are added to it.
	Markings *access.Markings
	// Bus, if set, gets an "objects.added" notification (as the TAXII
	// server sends) for the versions received.
	Bus kurultai.Bus
	// Logger and Clock default to discarding and time.Now.
	Logger *slog.Logger
	Clock  kurultai.Clock
	// Registerer, if set, gets the federation's metrics.
	Registerer prometheus.Registerer
	// Signer signs the objects pulled from TAXII peers as this node's
	// (as the TAXII server does for its clients). Without it they are
	// stored unsigned and never sent to node peers.
	Signer Signer
	// Getenv reads the passwords of TAXII peers (default os.Getenv).
	Getenv func(string) string
	// HTTPClient talks to TAXII peers (default: one-minute timeout).
	HTTPClient *http.Client

	// Tuning; zero values take the defaults above.
	Poll            time.Duration // how often an idle sender looks at the outbox
	BatchItems      int           // changes per message
	BatchBytes      int           // bytes per message (a single larger object goes alone)
	InFlight        int           // messages a sender publishes before waiting for acks
	MaxMessageBytes int           // largest message received
	MaxObjectBytes  int           // largest object received
	MaxStorePerPeer int64         // JetStream bytes a peer can make this node keep
	Reload          time.Duration // how often the peer list is checked for changes
	ReconnectWait   time.Duration // pause between attempts to open a link
	TAXIIInterval   time.Duration // how often TAXII peers are pulled from and pushed to
}

func (c *Config) defaults() {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Clock == nil {
		c.Clock = time.Now
	}
	set := func(p *int, d int) {
		if *p <= 0 {
			*p = d
		}
	}
	set(&c.BatchItems, DefaultBatchItems)
	set(&c.BatchBytes, DefaultBatchBytes)
	set(&c.InFlight, DefaultInFlight)
	set(&c.MaxMessageBytes, DefaultMaxMessageBytes)
	set(&c.MaxObjectBytes, DefaultMaxObjectBytes)
	if c.Poll <= 0 {
		c.Poll = DefaultPoll
	}
	if c.MaxStorePerPeer <= 0 {
		c.MaxStorePerPeer = DefaultMaxStorePerPeer
	}
	if c.Reload <= 0 {
		c.Reload = DefaultReload
	}
	if c.TAXIIInterval <= 0 {
		c.TAXIIInterval = DefaultTAXIIInterval
	}
	if c.Getenv == nil {
		c.Getenv = os.Getenv
	}
}

// Federation runs the links and the per-peer senders and receivers of a
// node. It watches the peer list and restarts everything when it changes.
type Federation struct {
	cfg     Config
	log     *slog.Logger
	metrics *metrics

	// mu guards links, runs and fingerprint, which the manager goroutine
	// replaces on a peer change while Status reads them.
	mu          sync.Mutex
	links       *links
	runs        []*peerRun
	taxii       []*taxiiRun
	fingerprint string

	stop chan struct{}
	done chan struct{}
	once sync.Once
}

// Start starts the federation with the peers in the store. With no node
// peers it still runs (and starts links once peers are added).
func Start(ctx context.Context, cfg Config) (*Federation, error) {
	cfg.defaults()
	switch {
	case cfg.Store == nil:
		return nil, errors.New("federation: Store is required")
	case cfg.TLS == nil:
		return nil, errors.New("federation: TLS is required (kurultai cert issue)")
	case cfg.Markings == nil:
		return nil, errors.New("federation: Markings is required")
	case cfg.TLS.Participant != cfg.Participant:
		return nil, fmt.Errorf("federation: the node certificate is for %s, the node serves %s", cfg.TLS.Participant, cfg.Participant)
	}
	f := &Federation{cfg: cfg, log: cfg.Logger.With("component", "federation"), stop: make(chan struct{}), done: make(chan struct{})}
	f.metrics = newMetrics(f)
	if cfg.Registerer != nil {
		if err := cfg.Registerer.Register(f.metrics); err != nil {
			return nil, fmt.Errorf("federation: metrics: %w", err)
		}
	}
	peers, err := cfg.Store.Peers(ctx)
	if err != nil {
		return nil, fmt.Errorf("federation: %w", err)
	}
	if err := f.apply(ctx, peers); err != nil {
		return nil, err
	}
	go f.manage()
	return f, nil
}

// fingerprintOf summarises what the links depend on: a change restarts them.
func fingerprintOf(peers []sqlite.Peer) string {
	h := sha256.New()
	for _, p := range peers {
		fmt.Fprintf(h, "%q %q %q %q %q %q %q\n", p.Name, p.Kind, p.Participant, p.URL, p.Keys, p.Dial, p.Options)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// apply (re)starts the links and peer runs for peers.
func (f *Federation) apply(ctx context.Context, peers []sqlite.Peer) error {
	fp := fingerprintOf(peers)
	f.mu.Lock()
	defer f.mu.Unlock()
	if fp == f.fingerprint && f.links != nil {
		return nil
	}
	f.stopRunsLocked()
	var runs []*peerRun
	var taxii []*taxiiRun
	var lp []linkPeer
	for _, p := range peers {
		if p.Kind == sqlite.PeerTAXII {
			t, err := newTAXIIRun(ctx, f, p)
			if err != nil {
				f.log.Error("federation: peer not started", "peer", p.Name, "err", err)
				continue
			}
			taxii = append(taxii, t)
			continue
		}
		if p.Kind != sqlite.PeerNode {
			continue
		}
		r, err := newPeerRun(ctx, f, p)
		if err != nil {
			f.log.Error("federation: peer not started", "peer", p.Name, "err", err)
			continue
		}
		runs = append(runs, r)
		lp = append(lp, linkPeer{Participant: p.Participant, URL: p.URL, Dial: dials(f.cfg.Participant, p)})
	}
	l, err := startLinks(ctx, linkConfig{
		Participant:     f.cfg.Participant,
		Dir:             storeDir(f.cfg.DataDir),
		Listen:          f.cfg.Listen,
		TLS:             f.cfg.TLS,
		Peers:           lp,
		Log:             f.log,
		MaxPayload:      int32(f.cfg.MaxMessageBytes),
		ServerPayload:   int32(f.cfg.MaxMessageBytes + 64<<10),
		MaxStorePerPeer: f.cfg.MaxStorePerPeer,
		ReconnectWait:   f.cfg.ReconnectWait,
	})
	if err != nil {
		return err
	}
	f.links, f.runs, f.taxii, f.fingerprint = l, runs, taxii, fp
	for _, r := range runs {
		r.start(l)
	}
	for _, t := range taxii {
		t.start()
	}
	f.log.Info("federation: started", "peers", len(runs), "leaf", l.leafURL())
	return nil
}

// dials reports whether this node opens the link to p.
func dials(me string, p sqlite.Peer) bool {
	switch p.Dial {
	case "yes":
		return true
	case "no":
		return false
	}
	return p.URL != "" && me < p.Participant
}

func (f *Federation) stopRunsLocked() {
	for _, r := range f.runs {
		if r.cancel != nil {
			r.cancel()
		}
	}
	for _, r := range f.runs {
		r.stop()
	}
	for _, t := range f.taxii {
		t.stop()
	}
	f.runs, f.taxii = nil, nil
	if f.links != nil {
		f.links.Close()
		f.links = nil
	}
}

// manage checks the peer list for changes and writes the status file.
func (f *Federation) manage() {
	defer close(f.done)
	reload := time.NewTicker(f.cfg.Reload)
	defer reload.Stop()
	rate := time.NewTicker(time.Second)
	defer rate.Stop()
	for {
		select {
		case <-f.stop:
			return
		case <-rate.C:
			f.sampleRates()
		case <-reload.C:
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			peers, err := f.cfg.Store.Peers(ctx)
			if err == nil {
				err = f.apply(ctx, peers)
			}
			if err == nil {
				err = f.writeStatus(ctx)
			}
			cancel()
			if err != nil {
				f.log.Warn("federation: reload", "err", err)
			}
		}
	}
}

// LeafURL is the URL peers dial to link with this node ("" when it
// accepts no links).
func (f *Federation) LeafURL() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.links == nil {
		return ""
	}
	return f.links.leafURL()
}

// Close stops the senders and receivers (each finishes or abandons its
// current message; nothing unacknowledged is lost), then the links.
func (f *Federation) Close() error {
	f.once.Do(func() {
		close(f.stop)
		<-f.done
		f.mu.Lock()
		f.stopRunsLocked()
		f.mu.Unlock()
		if f.cfg.Registerer != nil {
			f.cfg.Registerer.Unregister(f.metrics)
		}
	})
	return nil
}

// statusPath is where the running node writes its status.
func statusPath(dataDir string) string { return filepath.Join(dataDir, "federation", "status.json") }
