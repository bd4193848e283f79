package auditlog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// DefaultInterval is how often the checkpointer looks for new entries.
// Half the promised 10 s, so that a checkpoint follows an entry within 10 s
// even when a round is slow.
const DefaultInterval = 5 * time.Second

// CheckpointerConfig configures a Checkpointer.
type CheckpointerConfig struct {
	Store    CheckpointStore // required
	Signer   *NoteSigner     // required; its name must be the origin
	Origin   string          // required; see Origin
	Clock    kurultai.Clock  // nil: time.Now
	Logger   *slog.Logger    // nil: discard
	Interval time.Duration   // 0: DefaultInterval
}

// LeafIndexer is implemented by stores that index leaf hashes in batches;
// the checkpointer asks them to after each checkpoint.
type LeafIndexer interface {
	IndexLeaves(ctx context.Context) error
}

// Checkpointer publishes a signed checkpoint whenever the tree has grown
// since the last one. Start runs it every Interval until Close; tests call
// Publish directly.
type Checkpointer struct {
	store    CheckpointStore
	signer   *NoteSigner
	origin   string
	clock    kurultai.Clock
	log      *slog.Logger
	interval time.Duration

	mu      sync.Mutex  // serializes Publish
	started atomic.Bool // set by the first Start
	stop    chan struct{}
	done    chan struct{} // closed when the worker ends; only after Start
	once    sync.Once     // closes stop once
}

// NewCheckpointer returns a checkpointer for cfg, not yet started.
func NewCheckpointer(cfg CheckpointerConfig) (*Checkpointer, error) {
	switch {
	case cfg.Store == nil:
		return nil, errors.New("auditlog: checkpointer: Store is required")
	case cfg.Signer == nil:
		return nil, errors.New("auditlog: checkpointer: Signer is required")
	case cfg.Origin == "" || cfg.Signer.Name() != cfg.Origin:
		return nil, fmt.Errorf("auditlog: checkpointer: the signer's key name %q must be the origin %q", cfg.Signer.Name(), cfg.Origin)
	case cfg.Interval < 0:
		return nil, errors.New("auditlog: checkpointer: Interval is negative")
	}
	c := &Checkpointer{
		store: cfg.Store, signer: cfg.Signer, origin: cfg.Origin,
		clock: cfg.Clock, log: cfg.Logger, interval: cfg.Interval,
		stop: make(chan struct{}), done: make(chan struct{}),
	}
	if c.clock == nil {
		c.clock = time.Now
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.interval == 0 {
		c.interval = DefaultInterval
	}
	return c, nil
}

// Start publishes a first checkpoint and then one every interval while
// the tree grows, until Close. Calling it again does nothing.
func (c *Checkpointer) Start() {
	if !c.started.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer close(c.done)
		t := time.NewTicker(c.interval)
		defer t.Stop()
		for {
			ctx, cancel := context.WithTimeout(context.Background(), c.interval+10*time.Second)
			if _, _, err := c.Publish(ctx); err != nil {
				c.log.Warn("auditlog: checkpoint not published", "err", err)
			}
			cancel()
			select {
			case <-c.stop:
				return
			case <-t.C:
			}
		}
	}()
}

// Close stops the worker started by Start and waits for it. Entries
// appended since its last round are checkpointed at the next start.
func (c *Checkpointer) Close() error {
	c.once.Do(func() { close(c.stop) })
	if c.started.Load() {
		<-c.done
	}
	return nil
}

// Publish signs and stores a checkpoint of the current tree if it has
// grown since the latest stored checkpoint (or none exists). It returns
// the latest checkpoint and whether it published it. Several processes of
// one node (sharing a PostgreSQL store and the node's key) may publish at
// once: the store keeps one checkpoint per size, and a process that finds
// its size already stored with the same root takes it as published by
// another. A stored checkpoint of that size with another root is an error
// (CodeConflict), logged: the log forked or the store was altered.
func (c *Checkpointer) Publish(ctx context.Context) (CheckpointRecord, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	head, err := c.store.TreeHead(ctx)
	if err != nil {
		return CheckpointRecord{}, false, fmt.Errorf("auditlog: checkpoint: %w", err)
	}
	last, err := c.store.LatestCheckpoint(ctx)
	switch {
	case err == nil && last.Size >= head.Size:
		return last, false, nil
	case err != nil && kurultai.ErrorCode(err) != kurultai.CodeNotFound:
		return CheckpointRecord{}, false, fmt.Errorf("auditlog: checkpoint: %w", err)
	}
	note := SignCheckpoint(Checkpoint{Origin: c.origin, Size: head.Size, Root: head.Root}, c.signer)
	rec := CheckpointRecord{Size: head.Size, Root: head.Root, Note: []byte(note.String()), Time: c.clock().UTC()}
	if err := c.store.AddCheckpoint(ctx, rec); err != nil {
		if kurultai.ErrorCode(err) == kurultai.CodeConflict {
			return c.stored(ctx, rec)
		}
		return CheckpointRecord{}, false, fmt.Errorf("auditlog: checkpoint: %w", err)
	}
	c.log.Debug("auditlog: checkpoint published", "size", head.Size)
	if ix, ok := c.store.(LeafIndexer); ok {
		// Off the request path: a failure only slows lookups by hash.
		if err := ix.IndexLeaves(ctx); err != nil {
			c.log.Warn("auditlog: leaf index not updated", "err", err)
		}
	}
	return rec, true, nil
}

// checkpointAt is implemented by stores that read a checkpoint by size
// (every Store does).
type checkpointAt interface {
	CheckpointAt(ctx context.Context, size uint64) (CheckpointRecord, error)
}

// stored handles a checkpoint of rec's size found already stored: another
// process of this node, sharing the store and the key, signed the same
// tree first, which is fine only if it is the same tree. A stored root
// that differs means two trees of one size, a fork of the log or a
// tampered store: that is an error, logged as one, never taken as
// published.
func (c *Checkpointer) stored(ctx context.Context, rec CheckpointRecord) (CheckpointRecord, bool, error) {
	var got CheckpointRecord
	var err error
	if at, ok := c.store.(checkpointAt); ok {
		got, err = at.CheckpointAt(ctx, rec.Size)
	} else if got, err = c.store.LatestCheckpoint(ctx); err == nil && got.Size != rec.Size {
		err = fmt.Errorf("the latest is of size %d", got.Size)
	}
	if err != nil {
		return CheckpointRecord{}, false, fmt.Errorf("auditlog: checkpoint: a checkpoint of size %d is stored but cannot be read to compare: %w", rec.Size, err)
	}
	if !bytes.Equal(got.Root, rec.Root) {
		err := fmt.Errorf("auditlog: checkpoint: %w", kurultai.Errorf(kurultai.CodeConflict,
			"the stored checkpoint of size %d has root %x, but the tree of that size has root %x: the log forked or the store was altered",
			rec.Size, got.Root, rec.Root))
		c.log.Error("auditlog: checkpoint conflict: two trees of one size", "size", rec.Size,
			"stored_root", fmt.Sprintf("%x", got.Root), "tree_root", fmt.Sprintf("%x", rec.Root))
		return CheckpointRecord{}, false, err
	}
	return got, false, nil
}
