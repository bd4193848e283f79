package federation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/kurultai/kurultai/internal/access"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/sqlite"
	"github.com/kurultai/kurultai/internal/stix"
	"github.com/kurultai/kurultai/internal/trust"
)

// ActionTombstoneApplied is the audit action recording versions a peer
// withdrew.
const ActionTombstoneApplied = "replication.remove"

// fetchBatch is how many messages the receiver takes at once.
const fetchBatch = 64

// handleTimeout bounds the storing of one fetch, which goes on when the
// node stops.
const handleTimeout = 2 * time.Minute

// receiveLoop stores what the peer sends, until ctx ends.
func (r *peerRun) receiveLoop(ctx context.Context) {
	bo := backoff{min: 100 * time.Millisecond, max: 5 * time.Second}
	var cons jetstream.Consumer
	for cons == nil {
		js, err := jetstream.New(r.links.conn(r.peer.Participant))
		if err == nil {
			cons, err = js.Consumer(ctx, inStream, inConsumer)
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			r.fail("consumer", err)
			if !bo.wait(ctx) {
				return
			}
		}
	}
	bo.reset()
	// Two stages: one fetches, parses and verifies (on every core) while
	// the other stores the batch before, on the store's writer.
	ready := make(chan *prepared, 1)
	go func() {
		defer close(ready)
		var infoAt time.Time
		for ctx.Err() == nil {
			msgs, err := r.fetch(cons)
			if err != nil {
				r.fail("receive", err)
				if !bo.wait(ctx) {
					return
				}
				continue
			}
			bo.reset()
			if len(msgs) > 0 {
				// Sent on even when the node stops: messages taken are
				// finished, not left to wait out the ack wait.
				ready <- r.prepare(msgs)
			}
			if time.Since(infoAt) > time.Second {
				if info, ierr := cons.Info(ctx); ierr == nil {
					r.pending.Store(int64(info.NumPending) + int64(info.NumAckPending))
				}
				infoAt = time.Now()
			}
		}
	}()
	for p := range ready {
		hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), handleTimeout)
		if err := r.commit(hctx, p); err != nil {
			r.fail("store", err)
		}
		cancel()
	}
}

// fetch returns the messages waiting, or waits up to a second for one.
func (r *peerRun) fetch(cons jetstream.Consumer) ([]jetstream.Msg, error) {
	collect := func(b jetstream.MessageBatch, err error) ([]jetstream.Msg, error) {
		if err != nil {
			return nil, err
		}
		var out []jetstream.Msg
		for m := range b.Messages() {
			out = append(out, m)
		}
		if err := b.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) && len(out) == 0 {
			return nil, err
		}
		return out, nil
	}
	msgs, err := collect(cons.FetchNoWait(fetchBatch))
	if err != nil || len(msgs) > 0 {
		return msgs, err
	}
	// Not cancelled by ctx: a message the server delivers is then always
	// handled, never dropped to wait out the ack wait.
	msgs, err = collect(cons.Fetch(1, jetstream.FetchMaxWait(time.Second)))
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, jetstream.ErrNoMessages) || errors.Is(err, nats.ErrTimeout) {
		return nil, nil
	}
	return msgs, err
}

// put is one version on its way into the store.
type put struct {
	v     *kurultai.ObjectVersion
	seq   int64
	added int64
}

// maxItems bounds the changes of one message.
const maxItems = 4096

// prepared is a fetch parsed and verified, ready to store.
type prepared struct {
	msgs    []jetstream.Msg
	items   []*item
	checked []*kurultai.ObjectVersion // by item: the verified version of a put, or nil
}

// prepare parses the messages and verifies their versions. A message that
// is refused is logged and will be acknowledged with the others: the link
// goes on.
func (r *peerRun) prepare(msgs []jetstream.Msg) *prepared {
	lim := limits{MaxBytes: r.f.cfg.MaxMessageBytes, MaxItems: maxItems, MaxObject: r.f.cfg.MaxObjectBytes}
	p := &prepared{msgs: msgs}
	for _, m := range msgs {
		b, err := parseBatch(m.Data(), lim)
		switch {
		case errors.Is(err, errTooLarge):
			r.refuse("oversized message", "err", err)
			continue
		case err != nil:
			r.refuse("malformed message", "err", err)
			continue
		case b.From != r.peer.Participant || b.To != r.f.cfg.Participant:
			r.refuse("wrong sender or receiver", "from", b.From, "to", b.To)
			continue
		}
		r.batchesIn.Add(1)
		for i := range b.Items {
			p.items = append(p.items, &b.Items[i])
		}
	}
	p.checked = r.verifyAll(p.items)
	return p
}

// commit stores the changes of a prepared fetch in order and acknowledges
// its messages once everything they carry is committed. A store failure
// leaves them unacknowledged (asked again after a second).
func (r *peerRun) commit(ctx context.Context, p *prepared) error {
	msgs, items, checked := p.msgs, p.items, p.checked
	var puts []put
	coll := ""
	flush := func() error {
		if len(puts) == 0 {
			return nil
		}
		err := r.store(ctx, coll, puts)
		puts = nil
		return err
	}
	for i, it := range items {
		if it.Op != opPut {
			if err := flush(); err != nil {
				return r.nakAll(msgs, err)
			}
			if err := r.remove(ctx, it); err != nil {
				return r.nakAll(msgs, err)
			}
			continue
		}
		v := checked[i]
		if v == nil || !r.admit(it, v, puts) {
			continue
		}
		if it.Collection != coll {
			if err := flush(); err != nil {
				return r.nakAll(msgs, err)
			}
			coll = it.Collection
		}
		puts = append(puts, put{v: v, seq: it.Seq, added: it.Added})
	}
	if err := flush(); err != nil {
		return r.nakAll(msgs, err)
	}
	for _, m := range msgs {
		if err := m.Ack(); err != nil {
			// Delivered again later and stored idempotently.
			r.log.Debug("federation: ack", "err", err)
		}
	}
	return nil
}

// nakAll asks for the messages again later and returns err.
func (r *peerRun) nakAll(msgs []jetstream.Msg, err error) error {
	for _, m := range msgs {
		_ = m.NakWithDelay(time.Second)
	}
	return err
}

// verifyAll parses and verifies the versions of the puts among items, on
// every core: Ed25519 verification is most of a receiver's work. The
// result is nil for a refused version and for the other items.
func (r *peerRun) verifyAll(items []*item) []*kurultai.ObjectVersion {
	out := make([]*kurultai.ObjectVersion, len(items))
	workers := min(runtime.GOMAXPROCS(0), 1+len(items)/16)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(items) {
					return
				}
				if items[i].Op == opPut {
					out[i] = r.check(items[i])
				}
			}
		}()
	}
	wg.Wait()
	return out
}

// check parses and verifies one version; refused ones are logged. It runs
// on several goroutines at once.
func (r *peerRun) check(it *item) *kurultai.ObjectVersion {
	v, err := stix.ParseObject(it.Object)
	if err != nil {
		r.refuse("malformed object", "seq", it.Seq, "err", err)
		return nil
	}
	if kurultai.Predefined(v.ID) {
		r.refuse("predefined object", "seq", it.Seq, "id", v.ID)
		return nil
	}
	_, signer, err := r.verifier.Verify(v.Raw)
	switch {
	case errors.Is(err, trust.ErrUnknownKey) && signer != "" && signer != r.peer.Participant:
		r.refuse("signed for another participant", "seq", it.Seq, "id", v.ID, "signer", clip(signer))
		return nil
	case err != nil:
		r.refuse(trust.Reason(err), "seq", it.Seq, "id", v.ID, "err", err)
		return nil
	case signer != r.peer.Participant:
		r.refuse("signed for another participant", "seq", it.Seq, "id", v.ID, "signer", clip(signer))
		return nil
	}
	v.Originator = r.peer.Participant
	return v
}

// admit reports whether this node's participant may itself see v: a node
// refuses what it should never have been sent. Markings defined by the
// versions about to be stored with v count.
func (r *peerRun) admit(it *item, v *kurultai.ObjectVersion, pending []put) bool {
	if !access.Decide(r.self, v, overlay{base: r.f.cfg.Markings, pending: pending, v: v}) {
		r.refuse("not released to this node", "seq", it.Seq, "id", v.ID)
		return false
	}
	return true
}

// overlay is the node's markings plus those defined by versions about to
// be stored with the one being checked.
type overlay struct {
	base    kurultai.MarkingSet
	pending []put
	v       *kurultai.ObjectVersion
}

func (o overlay) Marking(id string) (*kurultai.Marking, bool) {
	if m, ok := o.base.Marking(id); ok {
		return m, true
	}
	if o.v.Marking != nil && o.v.ID == id {
		return markingOf(o.v), true
	}
	for _, p := range o.pending {
		if p.v.Marking != nil && p.v.ID == id {
			return markingOf(p.v), true
		}
	}
	return nil, false
}

func markingOf(v *kurultai.ObjectVersion) *kurultai.Marking {
	m := *v.Marking
	if m.ID == "" {
		m.ID = v.ID
	}
	return &m
}

// store commits a run of versions of one collection.
func (r *peerRun) store(ctx context.Context, coll string, puts []put) error {
	w := kurultai.Write{
		Principal:   r.as,
		Collection:  coll,
		StatusID:    "fed-" + r.peer.Name + "-" + strconv.FormatInt(puts[0].seq, 10) + "-" + strconv.FormatInt(r.f.cfg.Clock().UnixNano(), 36),
		Time:        r.f.cfg.Clock(),
		SameContent: trust.SameContent,
	}
	seqs := make([]int64, len(puts))
	for i, p := range puts {
		w.Objects = append(w.Objects, p.v)
		seqs[i] = p.seq
	}
	st, err := r.f.cfg.Store.AddReplicated(ctx, r.peer.Name, w, seqs)
	if err != nil {
		if kurultai.ErrorCode(err) == kurultai.CodeNotFound {
			// An unknown collection: refused, not retried.
			r.refuse("unknown collection", "collection", clip(coll))
			return nil
		}
		return err
	}
	for _, f := range st.Failures {
		r.refuse("store", "id", f.ID, "version", f.Version, "message", f.Message)
	}
	now := r.f.cfg.Clock()
	var stored []*kurultai.ObjectVersion
	for i, p := range puts {
		if p.v.DateAdded.IsZero() {
			continue
		}
		stored = append(stored, p.v)
		if p.v.Marking != nil {
			r.f.cfg.Markings.Add(*markingOf(p.v))
		}
		if puts[i].added > 0 {
			r.f.metrics.lag.Observe(now.Sub(time.UnixMicro(puts[i].added)).Seconds())
		}
	}
	n := int64(len(stored))
	r.received.Add(n)
	r.f.metrics.received.WithLabelValues(r.peer.Name).Add(float64(n))
	r.notify(ctx, coll, stored)
	return nil
}

// remove applies a tombstone or a delete.
func (r *peerRun) remove(ctx context.Context, it *item) error {
	rm := sqlite.Removal{Participant: r.peer.Participant, Collection: it.Collection, ID: it.ID,
		VersionKey: it.VersionKey, Exact: it.Op == opDelete, Seq: it.Seq}
	detail := fmt.Sprintf("peer %s withdrew versions up to key %d", r.peer.Name, it.VersionKey)
	if rm.Exact {
		detail = fmt.Sprintf("peer %s deleted the version of key %d", r.peer.Name, it.VersionKey)
	}
	entry := kurultai.AuditEntry{Time: r.f.cfg.Clock(), Username: r.as.Username, Participant: r.as.Participant,
		Action: ActionTombstoneApplied, Decision: kurultai.DecisionAllow, Detail: detail}
	n, err := r.f.cfg.Store.ApplyRemoval(ctx, r.peer.Name, rm, entry)
	if kurultai.ErrorCode(err) == kurultai.CodeNotFound {
		r.refuse("unknown collection", "collection", clip(it.Collection))
		return nil
	}
	if err != nil {
		return err
	}
	r.received.Add(1)
	r.log.Debug("federation: removal applied", "id", it.ID, "removed", n)
	return nil
}

// addedMsg is one version in an "objects.added" notification (the shape
// the TAXII server publishes).
type addedMsg struct {
	Collection string `json:"collection"`
	ID         string `json:"id"`
	Version    string `json:"version"`
	DateAdded  string `json:"date_added,omitempty"`
}

// notify announces stored versions on the node's bus.
func (r *peerRun) notify(ctx context.Context, coll string, stored []*kurultai.ObjectVersion) {
	if r.f.cfg.Bus == nil || len(stored) == 0 {
		return
	}
	msg := make([]addedMsg, len(stored))
	for i, v := range stored {
		msg[i] = addedMsg{Collection: coll, ID: v.ID, Version: v.Version, DateAdded: stix.FormatTime(v.DateAdded)}
		if msg[i].Version == "" {
			msg[i].Version = msg[i].DateAdded
		}
	}
	data, err := json.Marshal(msg)
	if err != nil {
		return
	}
	if err := r.f.cfg.Bus.Publish(ctx, "objects.added", data); err != nil {
		r.log.Warn("federation: publish objects.added", "err", err)
	}
}
