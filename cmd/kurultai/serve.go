package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/kurultai/kurultai/internal/config"
	"github.com/kurultai/kurultai/internal/crisis"
	"github.com/kurultai/kurultai/internal/ew/sources"
	"github.com/kurultai/kurultai/internal/seed"
)

const serveUsage = `serve [flags]

Runs a node: the embedded SQLite store and NATS server under --data (or
PostgreSQL with --database postgres://... and an external NATS JetStream
cluster with --nats nats://a,nats://b,nats://c), and the HTTP surfaces (the
crisis desk at /login, TAXII 2.1 at /taxii2/, the crisis API at /api/v1/,
the audit log at /audit/v1/, /healthz, /readyz, /metrics) on --listen. With
a node certificate in DATA/federation/tls (kurultai cert issue) the node
federates with the peers of 'kurultai peer add', accepting links on
--federation-listen. Stops cleanly on SIGINT or SIGTERM. Every flag can also be set in
the --config YAML file (keys as in 'kurultai serve --print-config') or in the
environment variable named beside it; flags win over the environment, which
wins over the file.`

const demoUsage = `demo [flags]

Runs a node like 'serve' with the demo organization (the Organization of
Turkic States: members AZ KZ KG TR UZ, observers HU TM, the secretariat SEC),
one account per role and a few shared objects under different markings.
Writes DATA/demo-accounts.json (username, password, participant, role);
passwords are random for a new data directory and kept when it is reused.

With --federation it instead starts the secretariat's hub and one node per
member, each in DATA/<code> on loopback ports, peered over mutual TLS (a
deployment CA in DATA/ca), and writes DATA/nodes.json: the participant, URL
and data directory of every node.`

func runServe(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	return serve(ctx, "serve", serveUsage, false, args, env, stdout, stderr)
}

func runDemo(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	return serve(ctx, "demo", demoUsage, true, args, env, stdout, stderr)
}

func serve(ctx context.Context, name, usage string, demo bool, args []string, env func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet(name, usage, stderr)
	flags := config.Register(fs)
	printConfig := fs.Bool("print-config", false, "print the effective configuration and exit")
	var fedDemo *bool
	if demo {
		fedDemo = fs.Bool("federation", false, "run a hub and one node per member, peered (see above)")
	}
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	cfg, err := flags.Resolve(env)
	if err != nil {
		return err
	}
	if fedDemo != nil && *fedDemo && (cfg.Database != "" || cfg.NATS != "" || cfg.FederationListen != "") {
		return fmt.Errorf("--federation: runs every node on SQLite and its own NATS on loopback; drop --database, --nats and --federation-listen")
	}
	if *printConfig {
		fmt.Fprint(stdout, cfg.String())
		return nil
	}
	log, err := newLogger(cfg, stderr)
	if err != nil {
		return err
	}
	if fedDemo != nil && *fedDemo {
		return federationDemo(ctx, cfg, log, stdout)
	}
	if demo {
		if err := demoSources(cfg.DataDir, stdout); err != nil {
			return err
		}
	}
	n, err := startNode(ctx, cfg, log, time.Now)
	if err != nil {
		return err
	}
	if demo {
		path := filepath.Join(cfg.DataDir, "demo-accounts.json")
		accounts, err := seed.Demo(ctx, n.store, n.charter.DirectoryParticipants(), n.charter.Chair.Participant, path, n.signer, time.Now)
		if err == nil {
			err = seedReplay(ctx, n)
		}
		if err != nil {
			n.shutdown(context.Background())
			return err
		}
		fmt.Fprintf(stdout, "Kurultai demo is running at %s\n", n.URL())
		fmt.Fprintf(stdout, "Crisis desk (browser): %s/login\n", n.URL())
		fmt.Fprintf(stdout, "TAXII 2.1 discovery: %s/taxii2/\n", n.URL())
		fmt.Fprintf(stdout, "Crisis API: %s/api/v1/situations\n", n.URL())
		fmt.Fprintf(stdout, "Demo accounts (%d, HTTP Basic): %s\n", len(accounts), path)
	} else {
		fmt.Fprintf(stdout, "Kurultai is running at %s\n", n.URL())
	}
	return n.wait(ctx)
}

func newLogger(cfg config.Config, w io.Writer) (*slog.Logger, error) {
	level, err := cfg.Level()
	if err != nil {
		return nil, err
	}
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return slog.New(slog.NewTextHandler(w, opts)), nil
}

// seedReplay stores the January 2022 situation of the demo: fixed ids, so
// running the demo again stores nothing new.
func seedReplay(ctx context.Context, n *node) error {
	res, err := crisis.New(n.charter, nil).Demo2022()
	if err != nil {
		return err
	}
	p, err := n.store.Participant(ctx, "SEC")
	if err != nil {
		return err
	}
	return seed.AddRaw(ctx, n.store, seed.SystemPrincipal(p), crisis.CollectionID, res.Objects, time.Now)
}

// demoCorpus is the sample news corpus of the repository, read by the
// demo's early warning when the demo runs from the repository's root.
const demoCorpus = "data/corpus"

// demoSources gives a new demo node the sample corpus as news sources,
// one per language folder, so that its early-warning page shows stories
// and events without network access. A node that already has a sources
// file keeps it; without the corpus the demo reads no news.
func demoSources(data string, stdout io.Writer) error {
	if _, err := os.Stat(filepath.Join(data, sources.FileName)); err == nil {
		return nil
	}
	root, err := filepath.Abs(demoCorpus)
	if err != nil {
		return nil
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil // not run from the repository: no sample news
	}
	var f sources.File
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		src := sources.Source{Name: "sample-corpus-" + e.Name(), URL: filepath.Join(root, e.Name()),
			Interval: sources.Duration(sources.DefaultInterval)}
		if src.Validate() == nil {
			f.Sources = append(f.Sources, src)
		}
	}
	if len(f.Sources) == 0 {
		return nil
	}
	if err := os.MkdirAll(data, 0o700); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if err := f.Save(filepath.Join(data, sources.FileName)); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	fmt.Fprintf(stdout, "Early warning reads the sample news in %s (%d sources; kurultai sources list)\n", demoCorpus, len(f.Sources))
	return nil
}
