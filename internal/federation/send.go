package federation

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/kurultai/kurultai/internal/access"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/sqlite"
)

// ActionTombstoneSent is the audit action recording a tombstone sent to a
// peer.
const ActionTombstoneSent = "replication.tombstone"

// holdEvent says that, once a message is acknowledged, the peer holds an
// object (or no longer does).
type holdEvent struct {
	key  sqlite.ObjectKey
	hold bool
}

// outMsg is one planned message and what its acknowledgement settles.
type outMsg struct {
	b      *batch
	cursor int64 // outbox seq up to which the peer is done once this is acked
	holds  []holdEvent
	audit  []kurultai.AuditEntry
}

// sendLoop sends the outbox to the peer from its cursor, until ctx ends.
func (r *peerRun) sendLoop(ctx context.Context) {
	st := r.f.cfg.Store
	p, err := st.Peer(ctx, r.peer.Name)
	if err != nil {
		r.fail("read cursor", err)
		return
	}
	cursor := p.Cursor
	js, err := jetstream.New(r.links.conn(r.peer.Participant),
		jetstream.WithPublishAsyncTimeout(10*time.Second),
		jetstream.WithPublishAsyncMaxPending(r.f.cfg.InFlight*2))
	if err != nil {
		r.fail("jetstream", err)
		return
	}
	s := &sender{r: r, js: js, static: map[string]bool{}, rec: newRecorder(r)}
	defer s.rec.close()
	bo := backoff{min: 100 * time.Millisecond, max: 2 * time.Second}
	poll := time.NewTicker(r.f.cfg.Poll)
	defer poll.Stop()
	for ctx.Err() == nil {
		entries, err := st.Outbox(ctx, cursor, r.f.cfg.BatchItems*r.f.cfg.InFlight)
		if err == nil && len(entries) == 0 {
			select {
			case <-ctx.Done():
				return
			case <-poll.C:
			}
			continue
		}
		var msgs []*outMsg
		if err == nil {
			msgs, err = s.plan(ctx, entries)
		}
		if err == nil {
			cursor, err = s.publish(ctx, msgs, cursor)
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			r.fail("send", err)
			if !bo.wait(ctx) {
				return
			}
			continue
		}
		bo.reset()
	}
}

// sender plans and publishes the messages of one peer. Planning starts
// from the acknowledged state every time, so a plan abandoned after a
// failure leaves nothing behind.
type sender struct {
	r  *peerRun
	js jetstream.JetStream
	// static holds the marking-definitions that never need sending: those
	// every node seeds (unsigned) or that are unknown here.
	static map[string]bool

	// The plan being built.
	msgs  []*outMsg
	cur   *outMsg
	size  int
	holds map[sqlite.ObjectKey]bool // holds planned but not yet acknowledged
	rec   *recorder
}

// plan turns outbox entries into messages.
func (s *sender) plan(ctx context.Context, entries []sqlite.OutboxEntry) ([]*outMsg, error) {
	s.msgs, s.holds = nil, map[sqlite.ObjectKey]bool{}
	s.newMsg()
	for _, e := range entries {
		var err error
		switch {
		case e.Op == sqlite.OutboxPut && e.Version != nil:
			err = s.planPut(ctx, e)
		case e.Op == sqlite.OutboxDelete:
			err = s.planDelete(ctx, e)
		}
		if err != nil {
			return nil, err
		}
		s.cur.cursor = e.Seq
	}
	s.msgs = append(s.msgs, s.cur)
	return s.msgs, nil
}

func (s *sender) newMsg() {
	s.cur = &outMsg{b: &batch{V: wireVersion, From: s.r.f.cfg.Participant, To: s.r.peer.Participant}}
	s.size = 0
}

// add appends an item of about n bytes, starting a new message when the
// current one is full.
func (s *sender) add(it item, n int) {
	cfg := s.r.f.cfg
	if len(s.cur.b.Items) > 0 && (len(s.cur.b.Items) >= cfg.BatchItems || s.size+n > cfg.BatchBytes) {
		s.msgs = append(s.msgs, s.cur)
		s.newMsg()
	}
	s.cur.b.Items = append(s.cur.b.Items, it)
	s.size += n + 128
}

func (s *sender) hold(k sqlite.ObjectKey, hold bool) {
	s.cur.holds = append(s.cur.holds, holdEvent{key: k, hold: hold})
	s.holds[k] = hold
}

// peerHolds reports whether the peer holds the object once everything
// planned so far is acknowledged.
func (s *sender) peerHolds(ctx context.Context, k sqlite.ObjectKey) (bool, error) {
	if h, ok := s.holds[k]; ok {
		return h, nil
	}
	if h, ok := s.rec.holds(k); ok {
		return h, nil
	}
	m, err := s.r.f.cfg.Store.PeerHolds(ctx, s.r.peer.Name, k.Collection, []string{k.ID})
	if err != nil {
		return false, err
	}
	return m[k.ID], nil
}

// visible reports whether the peer's participant may see v once stored
// at the peer, where its originator is this node's participant (the
// signer): on a hub, the versions a participant wrote there reach that
// participant's own node only if their markings release them to it.
func (s *sender) visible(v *kurultai.ObjectVersion) bool {
	c := *v
	c.Originator = s.r.f.cfg.Participant
	return access.Decide(s.r.as, &c, s.r.f.cfg.Markings)
}

// signedHere reports whether v carries a Kurultai signature: everything
// this node's principals write is signed by it, while the system objects
// that every node seeds identically are not, and never travel.
func signedHere(v *kurultai.ObjectVersion) bool {
	return bytes.Contains(v.Raw, []byte(kurultai.SignatureExtensionID))
}

func (s *sender) planPut(ctx context.Context, e sqlite.OutboxEntry) error {
	r := s.r
	v := e.Version
	if !signedHere(v) || kurultai.Predefined(v.ID) {
		return nil
	}
	key := sqlite.ObjectKey{Collection: e.Collection, ID: v.ID}
	if len(v.Raw) > r.f.cfg.MaxObjectBytes {
		// No peer would take it (they share the limit): skip it rather
		// than stop the link.
		r.fail("send", fmt.Errorf("%s (%d bytes) exceeds the largest object replicated (%d bytes); not sent", v.ID, len(v.Raw), r.f.cfg.MaxObjectBytes))
		return nil
	}
	if s.visible(v) {
		if err := s.planMarkings(ctx, e.Seq, v); err != nil {
			return err
		}
		s.add(item{Seq: e.Seq, Op: opPut, Collection: e.Collection, Added: e.Added.UnixMicro(), Object: v.Raw}, len(v.Raw))
		s.hold(key, true)
		return nil
	}
	// Not visible to the peer: if it holds the object, the versions it
	// may no longer see are withdrawn.
	held, err := s.peerHolds(ctx, key)
	if err != nil || !held {
		return err
	}
	vs, err := r.f.cfg.Store.ObjectVersions(ctx, v.ID)
	if err != nil {
		return err
	}
	upto, visible := int64(-1), false
	for _, o := range vs {
		if o.Collection != e.Collection {
			continue
		}
		if s.visible(o) {
			visible = true
		} else {
			upto = max(upto, o.VersionKey)
		}
	}
	if upto < 0 {
		return nil
	}
	s.add(item{Seq: e.Seq, Op: opTombstone, Collection: e.Collection, ID: v.ID, VersionKey: upto}, 0)
	if !visible {
		s.hold(key, false)
	}
	s.cur.audit = append(s.cur.audit, kurultai.AuditEntry{
		Time:        r.f.cfg.Clock(),
		Username:    r.as.Username,
		Participant: r.as.Participant,
		Action:      ActionTombstoneSent,
		Objects:     []kurultai.ObjectRef{{ID: v.ID, Version: v.Version}},
		Decision:    kurultai.DecisionDeny,
		Detail:      fmt.Sprintf("tombstone to peer %s: it may no longer see versions up to %s", r.peer.Name, v.Version),
	})
	return nil
}

func (s *sender) planDelete(ctx context.Context, e sqlite.OutboxEntry) error {
	key := sqlite.ObjectKey{Collection: e.Collection, ID: e.ID}
	held, err := s.peerHolds(ctx, key)
	if err != nil || !held {
		return err
	}
	s.add(item{Seq: e.Seq, Op: opDelete, Collection: e.Collection, ID: e.ID, VersionKey: e.VersionKey}, 0)
	vs, err := s.r.f.cfg.Store.ObjectVersions(ctx, e.ID)
	if err != nil {
		return err
	}
	for _, o := range vs {
		if o.Collection == e.Collection {
			return nil // versions are left: the peer still holds some
		}
	}
	s.hold(key, false)
	return nil
}

// planMarkings adds, before v, the marking-definitions v refers to that
// were written here, that the peer may see and does not hold yet.
func (s *sender) planMarkings(ctx context.Context, seq int64, v *kurultai.ObjectVersion) error {
	r := s.r
	for _, ref := range v.MarkingRefs {
		if s.static[ref] || kurultai.Predefined(ref) || ref == v.ID {
			continue
		}
		vs, err := r.f.cfg.Store.ObjectVersions(ctx, ref)
		if err != nil {
			return err
		}
		if len(vs) == 0 || !signedHere(vs[len(vs)-1]) {
			s.static[ref] = true
			continue
		}
		m := vs[len(vs)-1]
		key := sqlite.ObjectKey{Collection: m.Collection, ID: m.ID}
		held, err := s.peerHolds(ctx, key)
		if err != nil {
			return err
		}
		if held || !s.visible(m) {
			continue
		}
		s.add(item{Seq: seq, Op: opPut, Collection: m.Collection, Added: m.DateAdded.UnixMicro(), Object: m.Raw}, len(m.Raw))
		s.hold(key, true)
	}
	return nil
}

// publish sends msgs, InFlight at a time, and records each acknowledged
// prefix in the store. It returns the new cursor; after an error the rest
// is planned and sent again.
func (s *sender) publish(ctx context.Context, msgs []*outMsg, cursor int64) (int64, error) {
	r := s.r
	n := r.f.cfg.InFlight
	for start := 0; start < len(msgs); start += n {
		group := msgs[start:min(start+n, len(msgs))]
		futures := make([]jetstream.PubAckFuture, 0, len(group))
		var pubErr error
		for _, m := range group {
			if len(m.b.Items) == 0 {
				futures = append(futures, nil)
				continue
			}
			nm := nats.NewMsg(subjectTo(r.peer.Participant))
			nm.Data = m.b.encode()
			f, err := s.js.PublishMsgAsync(nm, jetstream.WithMsgID(m.b.msgID()), jetstream.WithExpectStream(inStream))
			if err != nil {
				pubErr = err
				break
			}
			futures = append(futures, f)
		}
		acked, err := s.await(ctx, futures)
		if acked > 0 {
			s.rec.add(group[:acked])
			cursor = group[acked-1].cursor
		}
		if err == nil {
			err = pubErr
		}
		if err != nil {
			return cursor, err
		}
	}
	return cursor, nil
}

// await waits for the acks in order and returns how many of the first
// messages were acknowledged by the peer's inbound stream.
func (s *sender) await(ctx context.Context, futures []jetstream.PubAckFuture) (int, error) {
	for i, f := range futures {
		if f == nil {
			continue
		}
		select {
		case ack := <-f.Ok():
			if ack.Stream != inStream || ack.Domain != s.r.peer.Participant {
				return i, fmt.Errorf("acknowledged by stream %q of domain %q, not %s of %s", ack.Stream, ack.Domain, inStream, s.r.peer.Participant)
			}
			if !ack.Duplicate {
				s.r.batchesOut.Add(1)
			}
		case err := <-f.Err():
			return i, err
		case <-ctx.Done():
			return i, ctx.Err()
		}
	}
	return len(futures), nil
}

// recorder writes acknowledgements to the store behind the sender, so
// that publishing never waits for a commit. Until an acknowledgement is
// recorded, the holds it settles stay in pending, which planning reads
// before the store; after a crash the unrecorded part is sent again, which
// JetStream deduplicates and the receiver stores idempotently.
type recorder struct {
	r    *peerRun
	wake chan struct{}
	stop chan struct{}
	done chan struct{}

	mu      sync.Mutex // guards pending and queue
	pending map[sqlite.ObjectKey]pendingHold
	queue   []*outMsg
}

// pendingHold is the latest unrecorded hold of an object and how many
// queued messages mention it.
type pendingHold struct {
	hold bool
	n    int
}

func newRecorder(r *peerRun) *recorder {
	rec := &recorder{r: r, wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}),
		pending: map[sqlite.ObjectKey]pendingHold{}}
	go rec.loop()
	return rec
}

// add queues acknowledged messages, in order.
func (rec *recorder) add(msgs []*outMsg) {
	rec.mu.Lock()
	for _, m := range msgs {
		rec.queue = append(rec.queue, m)
		for _, h := range m.holds {
			p := rec.pending[h.key]
			rec.pending[h.key] = pendingHold{hold: h.hold, n: p.n + 1}
		}
	}
	rec.mu.Unlock()
	select {
	case rec.wake <- struct{}{}:
	default:
	}
}

// holds reports the unrecorded hold of k, if any.
func (rec *recorder) holds(k sqlite.ObjectKey) (hold, ok bool) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	p, ok := rec.pending[k]
	return p.hold, ok
}

// close records what is queued (for up to ten seconds) and stops.
func (rec *recorder) close() {
	close(rec.stop)
	<-rec.done
}

func (rec *recorder) loop() {
	defer close(rec.done)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-rec.stop:
			time.AfterFunc(10*time.Second, cancel)
		case <-ctx.Done():
		}
	}()
	bo := backoff{min: 100 * time.Millisecond, max: 2 * time.Second}
	for {
		stopping := false
		select {
		case <-rec.wake:
		case <-rec.stop:
			stopping = true
		}
		for rec.flush(ctx) != nil && ctx.Err() == nil {
			bo.wait(ctx)
		}
		bo.reset()
		if stopping || ctx.Err() != nil {
			return
		}
	}
}

// flush records every queued message in one transaction (after the audit
// entries of its tombstones: a crash in between records a tombstone twice,
// never a sent one not at all).
func (rec *recorder) flush(ctx context.Context) error {
	r := rec.r
	rec.mu.Lock()
	msgs := rec.queue
	rec.mu.Unlock()
	if len(msgs) == 0 {
		return nil
	}
	st := r.f.cfg.Store
	var audit []kurultai.AuditEntry
	final := map[sqlite.ObjectKey]bool{}
	var order []sqlite.ObjectKey
	count := int64(0)
	for _, m := range msgs {
		audit = append(audit, m.audit...)
		count += int64(len(m.b.Items))
		for _, h := range m.holds {
			if _, seen := final[h.key]; !seen {
				order = append(order, h.key)
			}
			final[h.key] = h.hold
		}
	}
	if len(audit) > 0 {
		if err := st.AppendAudit(ctx, audit...); err != nil {
			r.fail("record", err)
			return err
		}
		for _, m := range msgs {
			m.audit = nil // recorded; not again if the ack fails
		}
	}
	a := sqlite.PeerAck{Cursor: msgs[len(msgs)-1].cursor, Count: count}
	for _, k := range order {
		if final[k] {
			a.Holds = append(a.Holds, k)
		} else {
			a.Drops = append(a.Drops, k)
		}
	}
	if err := st.AckPeer(ctx, r.peer.Name, a); err != nil {
		r.fail("record", err)
		return err
	}
	rec.mu.Lock()
	rec.queue = rec.queue[len(msgs):]
	for _, m := range msgs {
		for _, h := range m.holds {
			p := rec.pending[h.key]
			if p.n--; p.n <= 0 {
				delete(rec.pending, h.key)
			} else {
				rec.pending[h.key] = p
			}
		}
	}
	rec.mu.Unlock()
	r.sent.Add(count)
	r.f.metrics.sent.WithLabelValues(r.peer.Name).Add(float64(count))
	return nil
}
