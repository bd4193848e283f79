package natsbus

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/kurultai/kurultai/internal/dirlock"
)

// Limits of the embedded server.
const (
	maxPayload       = 8 << 20  // largest message, bytes
	defaultMaxStore  = 1 << 30  // JetStream file storage, bytes
	defaultMaxMemory = 64 << 20 // JetStream memory storage, bytes
	defaultReadyWait = 10 * time.Second
)

// serverOptions returns the options of the embedded server for cfg.
func serverOptions(cfg Config) (*server.Options, error) {
	opts := &server.Options{
		ServerName:         "kurultai",
		DontListen:         true,
		NoSigs:             true,
		MaxPayload:         maxPayload,
		JetStream:          true,
		StoreDir:           filepath.Join(cfg.Dir, "nats"),
		SyncAlways:         true,
		JetStreamMaxMemory: defaultMaxMemory,
		JetStreamMaxStore:  cfg.MaxStore,
	}
	if opts.JetStreamMaxStore <= 0 {
		opts.JetStreamMaxStore = defaultMaxStore
	}
	if cfg.Listen != "" {
		host, portStr, err := net.SplitHostPort(cfg.Listen)
		if err != nil {
			return nil, fmt.Errorf("listen address %q: %w", cfg.Listen, err)
		}
		port, err := strconv.Atoi(portStr)
		if err != nil || port < 0 || port > 65535 {
			return nil, fmt.Errorf("listen address %q: bad port", cfg.Listen)
		}
		if port == 0 {
			port = server.RANDOM_PORT // for NATS, port 0 means the default 4222
		}
		opts.DontListen = false
		opts.Host = host
		opts.Port = port
	}
	return opts, nil
}

// startServer locks the store dir, runs the embedded server and waits until
// it accepts clients with JetStream enabled. Start-up itself (including
// JetStream recovering its store) is not interruptible; ctx and
// cfg.ReadyTimeout bound the wait for readiness after it. On success the
// caller calls unlock after shutting the server down.
func startServer(ctx context.Context, cfg Config, log *slog.Logger) (srv *server.Server, unlock func(), err error) {
	opts, err := serverOptions(cfg)
	if err != nil {
		return nil, nil, err
	}
	if err := os.MkdirAll(opts.StoreDir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("create store dir: %w", err)
	}
	unlock, err = dirlock.Lock(opts.StoreDir, "LOCK")
	if err != nil {
		return nil, nil, err
	}
	srv, err = server.NewServer(opts)
	if err != nil {
		unlock()
		return nil, nil, fmt.Errorf("new server: %w", err)
	}
	sl := newServerLogger(log)
	srv.SetLoggerV2(sl, log.Enabled(ctx, slog.LevelDebug), false, false)
	srv.Start()

	wait := cfg.ReadyTimeout
	if wait <= 0 {
		wait = defaultReadyWait
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
		wait = time.Until(dl)
	}
	fail := func(reason string) (*server.Server, func(), error) {
		srv.Shutdown()
		srv.WaitForShutdown()
		unlock()
		if last := sl.lastError(); last != "" {
			reason += ": " + last
		}
		return nil, nil, fmt.Errorf("server %s", reason)
	}
	if err := ctx.Err(); err != nil {
		return fail(err.Error())
	}
	if !srv.ReadyForConnections(wait) {
		return fail(fmt.Sprintf("not ready for connections within %s", wait))
	}
	if !srv.JetStreamEnabled() {
		return fail("started without JetStream")
	}
	return srv, unlock, nil
}
