package natsbus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// The durable stream.
const (
	// StreamName is the JetStream stream PublishDurable writes to.
	StreamName = "KURULTAI"
	// StreamSubjects is the subject space the stream captures.
	StreamSubjects = "kurultai.>"
	// DedupWindow is how long the stream remembers message ids.
	DedupWindow = 10 * time.Minute
)

const (
	drainTimeout = 5 * time.Second
	pingInterval = 5 * time.Second
)

// Config configures Start.
type Config struct {
	// Dir is the node's data directory; the embedded server keeps its
	// JetStream store in Dir/nats. Required unless URLs is set.
	Dir string
	// Listen is a TCP address ("host:port", port 0 picks one) on which the
	// embedded server also accepts clients, without authentication; ""
	// means in-process only. It cannot be combined with URLs.
	Listen string
	// URLs, if set, are the servers of an external NATS cluster to connect
	// to instead of running a server. The cluster must have JetStream.
	URLs []string
	// Logger receives the bus's and the server's logs; nil discards them.
	Logger *slog.Logger
	// ReadyTimeout bounds the wait for the server or cluster; default 10s.
	// Within it, a JetStream request that gets no answer (a server just
	// died, a leader is being elected) is tried again every few seconds.
	ReadyTimeout time.Duration
	// MaxStore caps the embedded JetStream file store in bytes; default 1 GiB.
	MaxStore int64
	// Replicas is the number of servers that store each message of the
	// stream. Zero chooses: 1 for the embedded or a single server, else
	// min(3, the number of servers the cluster can place it on).
	Replicas int
}

// Bus is a kurultai.Bus over NATS, with an optional embedded server.
type Bus struct {
	log    *slog.Logger
	srv    *server.Server // nil when connected to an external cluster
	unlock func()         // releases the store dir; nil without srv
	nc     *nats.Conn
	js     jetstream.JetStream
	// replicas is the stream's replica count as created.
	replicas int

	closed    chan struct{} // closed by the connection's ClosedHandler
	closeOnce sync.Once
	closeErr  error
}

var _ kurultai.Bus = (*Bus)(nil)

// Start runs the embedded server (or connects to cfg.URLs), connects to it
// and makes sure the durable stream exists.
func Start(ctx context.Context, cfg Config) (*Bus, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	switch {
	case len(cfg.URLs) > 0 && cfg.Listen != "":
		return nil, errors.New("natsbus: Listen and URLs are exclusive")
	case len(cfg.URLs) == 0 && cfg.Dir == "":
		return nil, errors.New("natsbus: Dir is required for the embedded server")
	}
	b := &Bus{log: log, closed: make(chan struct{})}
	opts := []nats.Option{
		nats.Name("kurultai"),
		nats.DrainTimeout(drainTimeout),
		nats.ClosedHandler(func(*nats.Conn) { close(b.closed) }),
		nats.ErrorHandler(func(_ *nats.Conn, sub *nats.Subscription, err error) {
			subject := ""
			if sub != nil {
				subject = sub.Subject
			}
			log.Warn("nats: async error", "subject", subject, "err", err)
		}),
	}
	var url string
	if len(cfg.URLs) > 0 {
		url = strings.Join(cfg.URLs, ",")
		timeout := cfg.ReadyTimeout
		if timeout <= 0 {
			timeout = defaultReadyWait
		}
		opts = append(opts,
			nats.Timeout(timeout),
			nats.MaxReconnects(-1),
			nats.ReconnectWait(time.Second),
			// A link that dies silently is noticed within about
			// three ping intervals instead of the default minutes.
			nats.PingInterval(pingInterval),
			nats.MaxPingsOutstanding(2),
			nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
				log.Warn("nats: disconnected", "err", err)
			}),
			nats.ReconnectHandler(func(nc *nats.Conn) {
				log.Info("nats: reconnected", "url", nc.ConnectedUrlRedacted())
			}),
		)
	} else {
		srv, unlock, err := startServer(ctx, cfg, log)
		if err != nil {
			return nil, fmt.Errorf("natsbus: %w", err)
		}
		b.srv, b.unlock = srv, unlock
		opts = append(opts, nats.InProcessServer(srv))
	}
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		b.shutdownServer()
		return nil, fmt.Errorf("natsbus: connect: %w", err)
	}
	b.nc = nc
	if err := b.setupStream(ctx, cfg); err != nil {
		b.Close()
		return nil, fmt.Errorf("natsbus: %w", err)
	}
	log.Debug("natsbus: started", "embedded", b.srv != nil, "client_url", b.ClientURL())
	return b, nil
}

func (b *Bus) setupStream(ctx context.Context, cfg Config) error {
	js, err := jetstream.New(b.nc)
	if err != nil {
		return fmt.Errorf("jetstream: %w", err)
	}
	timeout := cfg.ReadyTimeout
	if timeout <= 0 {
		timeout = defaultReadyWait
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if b.replicas, err = createStream(ctx, js, b.nc, cfg.Replicas, b.log); err != nil {
		return err
	}
	b.js = js
	return nil
}

// Publish sends data on subject as a plain NATS message: delivered to the
// current subscribers, not acknowledged. (Under "kurultai." the stream
// stores it too; use PublishDurable there.)
func (b *Bus) Publish(ctx context.Context, subject string, data []byte) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("natsbus: publish: %w", err)
	}
	if err := b.nc.Publish(subject, data); err != nil {
		return unavailable("publish", err)
	}
	return nil
}

// PublishDurable stores data on subject (under "kurultai.") in the stream
// and returns once the stream has acknowledged it. A message with a msgID
// already stored within DedupWindow is not stored again; the ack then
// reports Duplicate.
func (b *Bus) PublishDurable(ctx context.Context, subject string, data []byte, msgID string) (*jetstream.PubAck, error) {
	if msgID == "" {
		return nil, errors.New("natsbus: publish durable: empty message id")
	}
	ack, err := b.js.Publish(ctx, subject, data, jetstream.WithMsgID(msgID))
	if err != nil {
		return nil, unavailable("publish durable", err)
	}
	return ack, nil
}

// Subscribe calls fn for each message on subject (wildcards allowed), one
// message at a time, until the returned function is called.
func (b *Bus) Subscribe(subject string, fn func(subject string, data []byte)) (func(), error) {
	sub, err := b.nc.Subscribe(subject, func(m *nats.Msg) { fn(m.Subject, m.Data) })
	if err != nil {
		return nil, unavailable("subscribe", err)
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			if err := sub.Unsubscribe(); err != nil && !errors.Is(err, nats.ErrConnectionClosed) {
				b.log.Warn("natsbus: unsubscribe", "subject", subject, "err", err)
			}
		})
	}, nil
}

// Close drains the connection (delivering messages already received), then
// shuts the embedded server down and waits for it. It is safe to call more
// than once; later calls return the first call's result.
func (b *Bus) Close() error {
	b.closeOnce.Do(func() {
		if err := b.nc.Drain(); err != nil {
			b.nc.Close()
			switch {
			case errors.Is(err, nats.ErrConnectionClosed):
			case errors.Is(err, nats.ErrConnectionReconnecting):
				// Closing while the cluster is out of reach drops the plain
				// messages the connection buffered. No acknowledged write
				// is among them: a durable publish still in the buffer was
				// never acknowledged, and its caller got an error.
				b.log.Warn("natsbus: closed while reconnecting; buffered messages dropped")
			default:
				b.closeErr = fmt.Errorf("natsbus: drain: %w", err)
			}
		}
		// The drain timeout bounds this wait; the extra second is a guard.
		select {
		case <-b.closed:
		case <-time.After(drainTimeout + time.Second):
			b.nc.Close()
			b.closeErr = errors.New("natsbus: drain: timed out")
		}
		b.shutdownServer()
	})
	return b.closeErr
}

func (b *Bus) shutdownServer() {
	if b.srv == nil {
		return
	}
	b.srv.Shutdown()
	b.srv.WaitForShutdown()
	b.unlock()
}

// ClientURL returns the URL at which other clients reach the embedded
// server, or "" when it listens in-process only or the bus is connected to
// an external cluster.
func (b *Bus) ClientURL() string {
	if b.srv == nil || b.srv.Addr() == nil {
		return ""
	}
	return b.srv.ClientURL()
}

// Conn returns the NATS connection.
func (b *Bus) Conn() *nats.Conn { return b.nc }

// JetStream returns the JetStream context of the connection.
func (b *Bus) JetStream() jetstream.JetStream { return b.js }

// unavailable wraps a NATS failure as a kurultai unavailable error.
func unavailable(op string, err error) error {
	return &kurultai.Error{
		Code:    kurultai.CodeUnavailable,
		Message: "message bus unavailable",
		Err:     fmt.Errorf("natsbus: %s: %w", op, err),
	}
}
