package federation

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/kurultai/kurultai/internal/dirlock"
	"github.com/kurultai/kurultai/internal/pki"
)

// Names in the federation server.
const (
	// inStream is, in each peer's account, the stream of the messages the
	// peer sent this node.
	inStream = "FED_IN"
	// inConsumer is the durable consumer that stores them.
	inConsumer = "FED_STORE"
	// dedupWindow is how long inStream remembers message ids.
	dedupWindow = 10 * time.Minute
)

// jsDeny are the subjects no link may carry: JetStream, key-value and
// object store APIs and the system account. Only the federation's own
// subjects and reply inboxes cross a link.
var jsDeny = []string{"$JS.>", "$JSC.>", "$KV.>", "$O.>", "$SYS.>", "$NRG.>", "$MQTT.>", "$SRV.>"}

// subjectTo is the subject of messages to the node of participant code.
func subjectTo(code string) string { return "kfed.to." + code }

// accountName is the server account shared with the peer of participant
// code: its leaf connection lands there, and nothing else does.
func accountName(code string) string { return "PEER_" + code }

// linkPeer is one peer as the federation server sees it.
type linkPeer struct {
	Participant string
	URL         string // the peer's leafnode URL (tls://host:port)
	Dial        bool   // this node opens the link
}

// linkConfig configures startLinks.
type linkConfig struct {
	Participant string
	Dir         string // the JetStream store
	Listen      string // leafnode listen address; "" accepts no links
	TLS         *pki.Node
	Peers       []linkPeer
	Log         *slog.Logger
	// MaxPayload is the largest message the inbound streams store;
	// ServerPayload, a little more, the largest the server lets through
	// (a peer going over it loses its connection, which comes back).
	MaxPayload    int32
	ServerPayload int32
	// MaxStorePerPeer bounds what each peer can make this node keep in
	// JetStream before it is acknowledged.
	MaxStorePerPeer int64
	// ReconnectWait is the pause between attempts to open a link.
	ReconnectWait time.Duration
}

// links is the federation's NATS server: one account per peer, a TLS
// leafnode listener that maps each peer's certificate to its account, and
// a leafnode remote for each peer this node dials.
type links struct {
	cfg    linkConfig
	opts   *server.Options // the server's own; LeafNode.Port is the bound port once ready
	srv    *server.Server
	unlock func()

	mu    sync.Mutex // guards conns
	conns map[string]*nats.Conn
}

// startLinks runs the federation server and connects one in-process client
// per peer account.
func startLinks(ctx context.Context, cfg linkConfig) (*links, error) {
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("federation: store dir: %w", err)
	}
	unlock, err := dirlock.Lock(cfg.Dir, "LOCK")
	if err != nil {
		return nil, fmt.Errorf("federation: %w", err)
	}
	l := &links{cfg: cfg, unlock: unlock, conns: map[string]*nats.Conn{}}
	opts, locals, err := l.options()
	if err != nil {
		unlock()
		return nil, err
	}
	l.opts = opts
	srv, err := server.NewServer(opts)
	if err != nil {
		unlock()
		return nil, fmt.Errorf("federation: server: %w", err)
	}
	l.srv = srv
	srv.SetLoggerV2(&natsLog{log: cfg.Log.With("component", "federation-nats")}, false, false, false)
	srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		l.Close()
		return nil, errors.New("federation: server not ready within 10s")
	}
	for _, p := range cfg.Peers {
		acc, err := srv.LookupAccount(accountName(p.Participant))
		if err != nil {
			l.Close()
			return nil, fmt.Errorf("federation: account of %s: %w", p.Participant, err)
		}
		if !acc.JetStreamEnabled() {
			if err := acc.EnableJetStream(map[string]server.JetStreamAccountLimits{
				"": {MaxMemory: 0, MaxStore: cfg.MaxStorePerPeer, MaxStreams: 2, MaxConsumers: 4},
			}, nil); err != nil {
				l.Close()
				return nil, fmt.Errorf("federation: JetStream for %s: %w", p.Participant, err)
			}
		}
		nc, err := nats.Connect("", nats.InProcessServer(srv), nats.UserInfo(locals[p.Participant][0], locals[p.Participant][1]),
			nats.Name("kurultai-federation-"+p.Participant), nats.MaxReconnects(-1))
		if err != nil {
			l.Close()
			return nil, fmt.Errorf("federation: connect account of %s: %w", p.Participant, err)
		}
		l.conns[p.Participant] = nc
		if err := l.setupStream(ctx, nc); err != nil {
			l.Close()
			return nil, fmt.Errorf("federation: stream of %s: %w", p.Participant, err)
		}
	}
	return l, nil
}

// options builds the server options and the in-process user (name,
// password) of each peer account.
func (l *links) options() (*server.Options, map[string][2]string, error) {
	cfg := l.cfg
	opts := &server.Options{
		ServerName:         "kurultai-federation-" + cfg.Participant,
		DontListen:         true,
		NoSigs:             true,
		MaxPayload:         max(cfg.ServerPayload, cfg.MaxPayload),
		JetStream:          true,
		JetStreamDomain:    cfg.Participant,
		StoreDir:           cfg.Dir,
		SyncAlways:         true,
		JetStreamMaxMemory: 16 << 20,
		JetStreamMaxStore:  cfg.MaxStorePerPeer * int64(max(len(cfg.Peers), 1)),
	}
	locals := map[string][2]string{}
	reconnect := cfg.ReconnectWait
	if reconnect <= 0 {
		reconnect = time.Second
	}
	opts.LeafNode.ReconnectInterval = reconnect
	for _, p := range cfg.Peers {
		acc := server.NewAccount(accountName(p.Participant))
		opts.Accounts = append(opts.Accounts, acc)
		user := "local-" + p.Participant
		locals[p.Participant] = [2]string{user, rand.Text()}
		opts.Users = append(opts.Users, &server.User{Username: user, Password: locals[p.Participant][1], Account: acc})
		// The peer's leaf connection is mapped to this user by the URI
		// in its certificate. It may carry the federation subjects and
		// replies, never an API.
		opts.LeafNode.Users = append(opts.LeafNode.Users, &server.User{
			Username: pki.URIPrefix + p.Participant,
			Account:  acc,
			Permissions: &server.Permissions{
				Publish:   &server.SubjectPermission{Deny: jsDeny},
				Subscribe: &server.SubjectPermission{Deny: jsDeny},
			},
		})
		if p.Dial {
			u, err := url.Parse(p.URL)
			if err != nil || u.Host == "" {
				return nil, nil, fmt.Errorf("federation: peer %s: url %q is not tls://host:port", p.Participant, p.URL)
			}
			opts.LeafNode.Remotes = append(opts.LeafNode.Remotes, &server.RemoteLeafOpts{
				LocalAccount: acc.Name,
				URLs:         []*url.URL{u},
				TLS:          true,
				TLSConfig:    cfg.TLS.ClientConfig(p.Participant),
				TLSTimeout:   5,
				DenyImports:  jsDeny,
				DenyExports:  jsDeny,
				Compression:  server.CompressionOpts{Mode: server.CompressionS2Fast},
			})
		}
	}
	if cfg.Listen != "" {
		host, portStr, err := net.SplitHostPort(cfg.Listen)
		if err != nil {
			return nil, nil, fmt.Errorf("federation: listen address %q: %w", cfg.Listen, err)
		}
		port, err := strconv.Atoi(portStr)
		if err != nil || port < 0 || port > 65535 {
			return nil, nil, fmt.Errorf("federation: listen address %q: bad port", cfg.Listen)
		}
		if port == 0 {
			port = server.RANDOM_PORT
		}
		opts.LeafNode.Host = host
		opts.LeafNode.Port = port
		opts.LeafNode.TLSConfig = cfg.TLS.ServerConfig()
		opts.LeafNode.TLSMap = true
		opts.LeafNode.TLSTimeout = 5
		opts.LeafNode.AuthTimeout = 5
		// JSON compresses well; the adaptive mode picks the costliest
		// level as soon as a busy node's round trips grow.
		opts.LeafNode.Compression = server.CompressionOpts{Mode: server.CompressionS2Fast}
	}
	return opts, locals, nil
}

// setupStream makes sure the inbound stream and its consumer exist.
func (l *links) setupStream(ctx context.Context, nc *nats.Conn) error {
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	s, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:       inStream,
		Subjects:   []string{subjectTo(l.cfg.Participant)},
		Storage:    jetstream.FileStorage,
		Retention:  jetstream.WorkQueuePolicy,
		Discard:    jetstream.DiscardNew,
		Duplicates: dedupWindow,
		MaxBytes:   l.cfg.MaxStorePerPeer,
		MaxMsgSize: l.cfg.MaxPayload,
	})
	if err != nil {
		return err
	}
	_, err = s.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable:       inConsumer,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       30 * time.Second,
		MaxAckPending: 256,
		MaxDeliver:    -1,
	})
	return err
}

// conn returns the in-process connection of the peer's account.
func (l *links) conn(code string) *nats.Conn {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.conns[code]
}

// leafURL is the address peers dial, or "" when no links are accepted.
func (l *links) leafURL() string {
	if l.cfg.Listen == "" {
		return ""
	}
	host := l.opts.LeafNode.Host
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return "tls://" + net.JoinHostPort(host, strconv.Itoa(l.opts.LeafNode.Port))
}

// connected reports whether a leaf connection with the peer is up.
func (l *links) connected(code string) bool {
	lz, err := l.srv.Leafz(&server.LeafzOptions{Account: accountName(code)})
	return err == nil && lz.NumLeafs > 0
}

// Close closes the clients, then the server.
func (l *links) Close() {
	l.mu.Lock()
	for _, nc := range l.conns {
		nc.Close()
	}
	l.conns = map[string]*nats.Conn{}
	l.mu.Unlock()
	if l.srv != nil {
		l.srv.Shutdown()
		l.srv.WaitForShutdown()
	}
	if l.unlock != nil {
		l.unlock()
		l.unlock = nil
	}
}

// storeDir is where the federation server keeps JetStream.
func storeDir(dataDir string) string { return filepath.Join(dataDir, "federation", "nats") }
