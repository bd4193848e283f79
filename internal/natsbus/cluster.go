package natsbus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// maxReplicas is the replica count chosen for a cluster of three or more
// servers: the stream survives the loss of one of them.
const maxReplicas = 3

// JetStream error codes that mean the cluster has fewer servers able to
// hold the stream than the replicas asked for.
const (
	errCodeNoPeers               = 10005 // no suitable peers for placement
	errCodeInsufficientResources = 10023
	errCodeReplicasNotSupported  = 10074 // replicas > 1 in non-clustered mode
)

// streamConfig is the durable stream with replicas copies of each message.
func streamConfig(replicas int) jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:       StreamName,
		Subjects:   []string{StreamSubjects},
		Storage:    jetstream.FileStorage,
		Retention:  jetstream.LimitsPolicy,
		Duplicates: DedupWindow,
		Replicas:   replicas,
	}
}

// createStream creates or updates the durable stream and returns its
// replica count. With want > 0 it asks for exactly that. Otherwise a
// server that is not part of a cluster gets 1, and a cluster gets the
// most of 3, 2, 1 it can place: JetStream only acknowledges a write to a
// replicated stream once a majority of its replicas stored it, so with
// three a write acknowledged survives losing any one server. A stream that
// already exists is never scaled down by this choice.
func createStream(ctx context.Context, js jetstream.JetStream, nc *nats.Conn, want int, log *slog.Logger) (int, error) {
	existing := 0
	var s jetstream.Stream
	err := retry(ctx, func(ctx context.Context) (err error) {
		s, err = js.Stream(ctx, StreamName)
		return err
	})
	switch {
	case err == nil:
		existing = s.CachedInfo().Config.Replicas
	case !errors.Is(err, jetstream.ErrStreamNotFound):
		return 0, fmt.Errorf("look up stream %s: %w", StreamName, err)
	}
	candidates := []int{want}
	switch {
	case want > 0:
	case nc.ConnectedClusterName() == "":
		candidates = []int{max(1, existing)}
	default:
		candidates = nil
		for r := maxReplicas; r >= 1; r-- {
			if r >= existing {
				candidates = append(candidates, r)
			}
		}
		if len(candidates) == 0 { // more than maxReplicas set by an operator
			candidates = []int{existing}
		}
	}
	if err == nil && candidates[0] == existing && upToDate(s.CachedInfo().Config) {
		// Nothing to change: no update to agree on, which a cluster that
		// just lost a server may be slow to do.
		return existing, nil
	}
	for i, r := range candidates {
		err = retry(ctx, func(ctx context.Context) error {
			_, err := js.CreateOrUpdateStream(ctx, streamConfig(r))
			return err
		})
		if err == nil {
			if i > 0 {
				log.Warn("natsbus: the cluster could not place the stream on more servers; start again once they are all up to replicate it further",
					"stream", StreamName, "replicas", r, "wanted", candidates[0])
			}
			return r, nil
		}
		if !tooFewServers(err) {
			break
		}
	}
	return 0, fmt.Errorf("create stream %s: %w", StreamName, err)
}

// tryTimeout bounds one JetStream request of Start. Right after a server
// of a cluster died, a request routed through it, or to a stream leader
// being re-elected, may get no answer at all; a fresh request a moment
// later does. Start's ReadyTimeout bounds the tries together.
const tryTimeout = 2 * time.Second

// maxTryTimeout bounds the growing timeout of the tries of retry.
const maxTryTimeout = 8 * time.Second

// upToDate reports whether an existing stream's configuration is the one
// streamConfig gives for its replica count, in what Start sets.
func upToDate(cur jetstream.StreamConfig) bool {
	want := streamConfig(cur.Replicas)
	return slices.Equal(cur.Subjects, want.Subjects) && cur.Storage == want.Storage &&
		cur.Retention == want.Retention && cur.Duplicates == want.Duplicates
}

// retry calls try with a context bounded by tryTimeout until it succeeds,
// fails for good (an answer that is not "unavailable") or ctx ends; it
// returns the last try's error. Each try that times out doubles the next
// one's bound, up to maxTryTimeout, for a cluster that answers but slowly.
func retry(ctx context.Context, try func(context.Context) error) error {
	timeout := tryTimeout
	for {
		tctx, cancel := context.WithTimeout(ctx, timeout)
		timeout = min(2*timeout, maxTryTimeout)
		err := try(tctx)
		cancel()
		if err == nil || !transient(err) {
			return err
		}
		t := time.NewTimer(retryPause)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}

// retryPause separates two tries of retry.
const retryPause = 100 * time.Millisecond

// transient reports whether err may go away on its own: no answer in time,
// no responder, or JetStream answering that it is unavailable (HTTP 503:
// no meta leader yet, for instance).
func transient(err error) bool {
	var apiErr *jetstream.APIError
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, nats.ErrTimeout),
		errors.Is(err, nats.ErrNoResponders), errors.Is(err, jetstream.ErrNoStreamResponse):
		return true
	case errors.As(err, &apiErr):
		return apiErr.Code == 503
	}
	return false
}

// tooFewServers reports whether err says the stream's replicas do not fit
// the servers available.
func tooFewServers(err error) bool {
	var apiErr *jetstream.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	switch apiErr.ErrorCode {
	case errCodeNoPeers, errCodeInsufficientResources, errCodeReplicasNotSupported:
		return true
	}
	return false
}

// Replicas returns the number of servers that store each message of the
// durable stream.
func (b *Bus) Replicas() int { return b.replicas }

// Ready reports, without a round trip, whether the bus can take messages
// now: nil while connected, else an error with kurultai.CodeUnavailable
// (the connection is reconnecting or closed). A write that must be
// announced checks it before committing, so that a lost bus turns the
// write away instead of storing it unannounced.
func (b *Bus) Ready() error {
	if st := b.nc.Status(); st != nats.CONNECTED {
		return unavailable("ready", fmt.Errorf("connection %s", st))
	}
	return nil
}

// Ping checks the bus end to end for a readiness probe: the connection is
// up and the durable stream answers (which in a cluster needs a stream
// leader, that is a majority of its replicas).
func (b *Bus) Ping(ctx context.Context) error {
	if err := b.Ready(); err != nil {
		return err
	}
	// Stream fetches the stream's info from its leader.
	if _, err := b.js.Stream(ctx, StreamName); err != nil {
		return unavailable("ping", err)
	}
	return nil
}
