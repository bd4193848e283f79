package federation

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/sqlite"
	"github.com/kurultai/kurultai/internal/trust"
)

// peerRun is the sender and the receiver of one node peer.
type peerRun struct {
	f    *Federation
	peer sqlite.Peer
	log  *slog.Logger
	// as is the peer's participant: access decisions on what it is sent
	// are taken for it, and what it sends is stored as written by it.
	as       kurultai.Principal
	self     kurultai.Principal // this node's participant, for what it accepts
	verifier *trust.Verifier    // the peer's keys only

	links  *links
	cancel context.CancelFunc
	wg     sync.WaitGroup

	// Counters read by Status and the metrics.
	sent, received, refused, batchesOut, batchesIn atomic.Int64
	pending                                        atomic.Int64
	errMu                                          sync.Mutex // guards lastErr and lastErrAt
	lastErr                                        string
	lastErrAt                                      time.Time
	rates                                          rateWindow
}

// newPeerRun prepares a peer: its principal (its participant must be in
// the directory) and the verifier of its pinned keys.
func newPeerRun(ctx context.Context, f *Federation, p sqlite.Peer) (*peerRun, error) {
	part, err := f.cfg.Store.Participant(ctx, p.Participant)
	if err != nil {
		return nil, fmt.Errorf("participant %s: %w", p.Participant, err)
	}
	me, err := f.cfg.Store.Participant(ctx, f.cfg.Participant)
	if err != nil {
		return nil, fmt.Errorf("participant %s: %w", f.cfg.Participant, err)
	}
	doc, err := trust.ParseKeysDocument([]byte(p.Keys))
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	if doc.Participant != p.Participant {
		return nil, fmt.Errorf("keys: the document is for %s, the peer is %s", doc.Participant, p.Participant)
	}
	ks := trust.NewKeySet()
	if err := ks.AddDocument(doc); err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	user := "peer:" + p.Name
	return &peerRun{
		f:        f,
		peer:     p,
		log:      f.log.With("peer", p.Name, "participant", p.Participant),
		as:       kurultai.Principal{Username: user, Participant: part.Code, Kind: part.Kind, Role: kurultai.RoleLiaison},
		self:     kurultai.Principal{Username: "federation", Participant: me.Code, Kind: me.Kind, Role: kurultai.RoleLiaison},
		verifier: trust.NewVerifier(ks),
	}, nil
}

// start runs the sender and the receiver.
func (r *peerRun) start(l *links) {
	r.links = l
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	r.wg.Add(2)
	go func() { defer r.wg.Done(); r.sendLoop(ctx) }()
	go func() { defer r.wg.Done(); r.receiveLoop(ctx) }()
}

// stop ends both loops and waits for them.
func (r *peerRun) stop() {
	if r.cancel != nil {
		r.cancel()
	}
	r.wg.Wait()
}

// fail records an error for Status and logs it.
func (r *peerRun) fail(what string, err error) {
	r.errMu.Lock()
	r.lastErr, r.lastErrAt = what+": "+err.Error(), r.f.cfg.Clock()
	r.errMu.Unlock()
	r.log.Warn("federation: "+what, "err", err)
}

// refuse counts and logs a refused message or version.
func (r *peerRun) refuse(reason string, attrs ...any) {
	r.refused.Add(1)
	r.f.metrics.refused.WithLabelValues(r.peer.Name, reason).Inc()
	r.log.Warn("federation: refused from peer", append([]any{"reason", reason}, attrs...)...)
}

// backoff waits d (doubled up to max each call through next) or until ctx
// ends, reporting whether to go on.
type backoff struct{ d, min, max time.Duration }

func (b *backoff) wait(ctx context.Context) bool {
	if b.d == 0 {
		b.d = b.min
	}
	t := time.NewTimer(b.d)
	defer t.Stop()
	b.d = min(2*b.d, b.max)
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func (b *backoff) reset() { b.d = 0 }
