package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/kurultai/kurultai/internal/access"
	"github.com/kurultai/kurultai/internal/api"
	"github.com/kurultai/kurultai/internal/auditlog"
	"github.com/kurultai/kurultai/internal/auth"
	"github.com/kurultai/kurultai/internal/charter"
	"github.com/kurultai/kurultai/internal/config"
	"github.com/kurultai/kurultai/internal/crisis"
	clockpkg "github.com/kurultai/kurultai/internal/crisis/clock"
	"github.com/kurultai/kurultai/internal/ew/sources"
	"github.com/kurultai/kurultai/internal/federation"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/natsbus"
	"github.com/kurultai/kurultai/internal/ops"
	"github.com/kurultai/kurultai/internal/seed"
	"github.com/kurultai/kurultai/internal/taxii"
	"github.com/kurultai/kurultai/internal/trust"
	"github.com/kurultai/kurultai/internal/web"
)

// node is one running Kurultai node: every part it owns, in start order.
type node struct {
	cfg         config.Config
	log         *slog.Logger
	clock       kurultai.Clock
	charter     *charter.Charter
	crisisClock *clockpkg.Worker // the crisis clock
	checkpoints *auditlog.Checkpointer
	ew          *earlyWarning // early warning: the news poller and its chain
	store       nodeStore
	fed         *federation.Federation // nil when the node does not federate
	signer      *trust.Signer
	bus         *natsbus.Bus
	ln          net.Listener
	http        *http.Server
	done        chan error // the HTTP server's exit
	unlock      func()     // releases the data directory's lock
}

// startNode opens the store, starts NATS, seeds the system objects and
// starts serving HTTP. On error everything started so far is shut down.
func startNode(ctx context.Context, cfg config.Config, log *slog.Logger, clock kurultai.Clock) (n *node, err error) {
	// The cleanup keeps its own reference: "return nil, err" sets n to
	// nil before deferred functions run.
	started := &node{cfg: cfg, log: log, clock: clock, done: make(chan error, 1)}
	n = started
	defer func() {
		if err != nil {
			started.shutdown(context.Background())
			n = nil
		}
	}()
	// One node per data directory; restore and migrate refuse while it
	// runs.
	if n.unlock, err = lockDataDir(cfg.DataDir); err != nil {
		return nil, err
	}
	keys, created, err := trust.Init(cfg.DataDir, clock(), nil)
	if err != nil {
		return nil, err
	}
	if created {
		log.Info("created the node signing key", "key_id", keys.Current().ID)
	}
	if n.signer, err = keys.NewSigner(cfg.Participant); err != nil {
		return nil, err
	}
	signer := n.signer
	if n.store, err = openNodeStore(ctx, cfg.DataDir, cfg.Database, clock, log); err != nil {
		return nil, err
	}
	natsURLs, err := cfg.NATSURLs()
	if err != nil {
		return nil, err
	}
	if n.bus, err = natsbus.Start(ctx, natsbus.Config{Dir: filepath.Join(cfg.DataDir, "nats"), Listen: cfg.NATSListen,
		URLs: natsURLs, Logger: log}); err != nil {
		return nil, err
	}
	if n.charter, err = loadCharter(cfg.Charter); err != nil {
		return nil, err
	}
	if err := seed.System(ctx, n.store, n.charter.DirectoryParticipants(), cfg.Participant, clock); err != nil {
		return nil, err
	}
	if err := seedCrisis(ctx, n.store, cfg.Participant, clock); err != nil {
		return nil, err
	}
	keysDoc := keys.Document(trust.NodeIdentityID(cfg.Participant), cfg.Participant)
	if err := seed.NodeIdentity(ctx, n.store, cfg.Participant, keysDoc, signer, clock); err != nil {
		return nil, err
	}
	keysHandler, err := trust.KeysHandler(keysDoc)
	if err != nil {
		return nil, err
	}
	known, err := n.store.Markings(ctx)
	if err != nil {
		return nil, err
	}
	markings := access.NewMarkings(known...)

	o := ops.New(
		ops.Check{Name: "store", Fn: n.store.Ping},
		ops.Check{Name: "nats", Fn: n.bus.Ping},
	)
	authn := auth.NewAuthenticator(n.store, clock)
	tx, err := taxii.New(taxii.Config{
		Store:            n.store,
		Markings:         markings,
		Auth:             authn,
		Bus:              n.bus,
		Signer:           signer,
		SameContent:      trust.SameContent,
		Clock:            clock,
		Logger:           log,
		Title:            cfg.Title,
		MaxContentLength: cfg.MaxContentLength,
		Metrics:          taxii.NewMetrics(o.Registry),
	})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	o.Routes(mux)
	tx.Routes(mux)
	// One crisis index serves the JSON API, the pages and the clock: the
	// store is read once, and an action on a situation takes the index's
	// lock whichever surface it comes through.
	mech := crisis.New(n.charter, nil)
	idx := clockpkg.NewIndex(n.store, mech, crisis.CollectionID, clockpkg.IndexOptions{Clock: clock, Logger: log})
	if n.crisisClock, err = clockpkg.NewWorker(clockpkg.Config{Index: idx, Bus: n.bus, Collection: crisis.CollectionID, Clock: clock, Logger: log}); err != nil {
		return nil, err
	}
	crisisAPI, err := api.New(api.Config{Store: n.store, Markings: markings, Auth: authn, Mechanism: mech, Index: idx,
		Bus: n.bus, Wake: n.crisisClock.Wake, Signer: signer, Clock: clock, Logger: log})
	if err != nil {
		return nil, err
	}
	crisisAPI.Routes(mux)
	crisisSvc, err := web.NewService(web.ServiceConfig{Store: n.store, Markings: markings, Mechanism: mech, Index: idx,
		Bus: n.bus, Wake: n.crisisClock.Wake, Signer: signer, Clock: clock, Logger: log})
	if err != nil {
		return nil, err
	}
	if n.ew, err = startEarlyWarning(ctx, n, crisisSvc); err != nil {
		return nil, err
	}
	n.ew.Routes(mux, authn)
	// The audit log: signed checkpoints at least every 10 s while entries
	// arrive, proofs and entries over HTTP, cosignatures from witnesses.
	noteSigner, err := auditlog.NewNoteSigner(auditlog.Origin(cfg.Participant), keys.PrivateKey())
	if err != nil {
		return nil, err
	}
	if n.checkpoints, err = auditlog.NewCheckpointer(auditlog.CheckpointerConfig{Store: n.store, Signer: noteSigner,
		Origin: auditlog.Origin(cfg.Participant), Clock: clock, Logger: log}); err != nil {
		return nil, err
	}
	// Witnesses are other participants' key documents in DATA/witnesses/;
	// the node's own key never witnesses its own log.
	witnesses, err := auditlog.LoadWitnesses(filepath.Join(cfg.DataDir, auditlog.WitnessesDir))
	if err != nil {
		return nil, err
	}
	auditSrv, err := auditlog.New(auditlog.Config{Store: n.store, Auth: authn, Markings: markings,
		Participant: cfg.Participant, Witnesses: witnesses, Clock: clock, Logger: log})
	if err != nil {
		return nil, err
	}
	auditSrv.Routes(mux)
	ui, err := web.New(web.Config{Store: n.store, Markings: markings, Auth: authn, Mechanism: mech, Crisis: crisisSvc,
		Bus: n.bus, Title: cfg.Title, SecureCookies: cfg.SecureCookies, Clock: clock, Logger: log,
		Sources: sources.DirStatus(cfg.DataDir), Audit: auditSrv, Peers: webPeers(n.store)})
	if err != nil {
		return nil, err
	}
	ui.Routes(mux)
	mux.Handle("GET "+trust.WellKnownPath, keysHandler)
	if err := registerStoreMetrics(o, n.store); err != nil {
		return nil, err
	}
	// Federation: links to peer nodes and TAXII peers, when the data
	// directory holds a node certificate. It decides with the same
	// marking set as every other surface, so the marking-definitions
	// peers send reach them all.
	if n.fed, err = startFederation(ctx, n, markings, o.Registry, cfg.FederationListen); err != nil {
		return nil, err
	}

	if n.ln, err = net.Listen("tcp", cfg.Listen); err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	n.http = &http.Server{
		Handler:           o.Middleware(mux),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	if err := n.crisisClock.Start(context.WithoutCancel(ctx)); err != nil {
		return nil, err
	}
	n.checkpoints.Start()
	go func() { n.done <- n.http.Serve(n.ln) }()
	log.Info("node started", "url", n.URL(), "participant", cfg.Participant, "data", cfg.DataDir)
	return n, nil
}

// URL is the node's base URL.
func (n *node) URL() string { return "http://" + n.ln.Addr().String() }

// wait serves until ctx ends or the server fails, then shuts down.
func (n *node) wait(ctx context.Context) error {
	var err error
	select {
	case <-ctx.Done():
	case err = <-n.done:
	}
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	n.log.Info("shutting down")
	return errors.Join(err, n.shutdown(sctx))
}

// shutdown stops HTTP, then the bus, then the store.
func (n *node) shutdown(ctx context.Context) error {
	var errs []error
	if n.http != nil {
		if err := n.http.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("http: %w", err))
		}
	} else if n.ln != nil {
		n.ln.Close()
	}
	if n.fed != nil {
		if err := n.fed.Close(); err != nil {
			errs = append(errs, fmt.Errorf("federation: %w", err))
		}
	}
	if n.checkpoints != nil {
		if err := n.checkpoints.Close(); err != nil {
			errs = append(errs, fmt.Errorf("audit checkpoints: %w", err))
		}
	}
	if n.crisisClock != nil {
		if err := n.crisisClock.Close(); err != nil {
			errs = append(errs, fmt.Errorf("crisis clock: %w", err))
		}
	}
	if n.ew != nil {
		if err := n.ew.Close(ctx); err != nil {
			errs = append(errs, fmt.Errorf("early warning: %w", err))
		}
	}
	if n.bus != nil {
		if err := n.bus.Close(); err != nil {
			errs = append(errs, fmt.Errorf("nats: %w", err))
		}
	}
	if n.store != nil {
		if err := n.store.Close(); err != nil {
			errs = append(errs, fmt.Errorf("store: %w", err))
		}
	}
	if n.unlock != nil {
		n.unlock()
		n.unlock = nil
	}
	return errors.Join(errs...)
}

// seedCrisis writes the crisis collection and the extension-definitions of
// the crisis records. It lives here rather than in seed because crisis
// imports seed.
func seedCrisis(ctx context.Context, st kurultai.Store, node string, clock kurultai.Clock) error {
	if err := st.PutCollection(ctx, crisis.Collection()); err != nil {
		return fmt.Errorf("seed crisis: %w", err)
	}
	self, err := st.Participant(ctx, node)
	if err != nil {
		return fmt.Errorf("seed crisis: %w", err)
	}
	defs := crisis.ExtensionDefinitions(seed.PredefinedCreator, seed.SystemCreated)
	return seed.AddRaw(ctx, st, seed.SystemPrincipal(self), crisis.CollectionID, defs, clock)
}
