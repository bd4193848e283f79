package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kurultai/kurultai/internal/access"
	"github.com/kurultai/kurultai/internal/auth"
	"github.com/kurultai/kurultai/internal/config"
	"github.com/kurultai/kurultai/internal/crisis"
	"github.com/kurultai/kurultai/internal/federation"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/pki"
	"github.com/kurultai/kurultai/internal/seed"
	"github.com/kurultai/kurultai/internal/sqlite"
	"github.com/kurultai/kurultai/internal/trust"
)

// startFederation starts the federation of node n when its data directory
// holds a node certificate (DATA/federation/tls, from 'kurultai cert
// issue'); without one it returns nil and the node does not federate.
// markings must be the set the node's surfaces decide with, so that the
// marking-definitions received from peers reach them; listen is the TLS
// address peers dial ("" to dial only).
func startFederation(ctx context.Context, n *node, markings *access.Markings, reg prometheus.Registerer, listen string) (*federation.Federation, error) {
	dir := nodeTLSDir(n.cfg.DataDir)
	if _, err := os.Stat(filepath.Join(dir, pki.NodeCertFile)); errors.Is(err, fs.ErrNotExist) {
		if listen != "" {
			return nil, fmt.Errorf("federation: a federation listen address is set but %s holds no node certificate (kurultai cert issue)", dir)
		}
		return nil, nil
	}
	st, err := sqliteOf(n.store, "federation")
	if err != nil {
		return nil, err
	}
	tlsNode, err := pki.LoadNode(dir, n.clock)
	if err != nil {
		return nil, err
	}
	return federation.Start(ctx, federation.Config{
		Participant: n.cfg.Participant,
		DataDir:     n.cfg.DataDir,
		Listen:      listen,
		TLS:         tlsNode,
		Store:       st,
		Markings:    markings,
		Bus:         n.bus,
		Logger:      n.log,
		Clock:       n.clock,
		Registerer:  reg,
		Signer:      n.signer,
	})
}

// demoNodeInfo is one entry of DIR/nodes.json.
type demoNodeInfo struct {
	Participant string `json:"participant"`
	URL         string `json:"url"`
	Data        string `json:"data"`
}

// demoNode is one node of the federation demo.
type demoNode struct {
	code   string
	dir    string
	listen string // federation link address
	n      *node
}

// federationDemo runs 'kurultai demo --federation': the secretariat's hub
// and one node per member, each in cfg.DataDir/<code>, on loopback ports,
// all peered with each other over mutual TLS (a deployment CA in
// cfg.DataDir/ca). The hub gets the demo organization's accounts, objects
// and January 2022 replay, which replicate to the members as each may see
// them; each member node gets accounts of its own participant. It writes
// cfg.DataDir/nodes.json and serves until ctx ends.
func federationDemo(ctx context.Context, cfg config.Config, log *slog.Logger, stdout io.Writer) (err error) {
	root := cfg.DataDir
	if err := os.MkdirAll(root, 0o700); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	ch, err := loadCharter(cfg.Charter)
	if err != nil {
		return err
	}
	parts := ch.DirectoryParticipants()
	var codes []string
	for _, p := range parts {
		if p.Kind == kurultai.KindSecretariat {
			codes = append([]string{p.Code}, codes...)
		} else if p.Kind == kurultai.KindMember {
			codes = append(codes, p.Code)
		}
	}
	if len(codes) == 0 || parts == nil {
		return errors.New("demo: the charter has no secretariat or members")
	}
	ca, err := demoCA(filepath.Join(root, "ca"))
	if err != nil {
		return err
	}
	host, _, err := net.SplitHostPort(cfg.Listen)
	if err != nil || host == "" {
		host = "127.0.0.1"
	}
	var nodes []*demoNode
	defer func() {
		if err != nil {
			shutdownDemo(nodes)
		}
	}()
	for _, code := range codes {
		d := &demoNode{code: code, dir: filepath.Join(root, strings.ToLower(code))}
		if err := ensureNodeCert(ca, d.dir, code, host); err != nil {
			return err
		}
		if d.listen, err = freePort(host); err != nil {
			return err
		}
		httpAddr, err := freePort(host)
		if err != nil {
			return err
		}
		ncfg := cfg
		ncfg.DataDir, ncfg.Participant, ncfg.Listen, ncfg.NATSListen = d.dir, code, httpAddr, ""
		ncfg.Database, ncfg.NATS, ncfg.FederationListen = "", "", d.listen
		ncfg.Title = "Kurultai node of " + code
		if d.n, err = startNode(ctx, ncfg, log.With("node", code), time.Now); err != nil {
			return err
		}
		nodes = append(nodes, d)
		if err := demoAccounts(ctx, d, parts, ch.Chair.Participant, code == codes[0]); err != nil {
			return err
		}
	}
	if err := peerDemoNodes(ctx, nodes); err != nil {
		return err
	}
	var infos []demoNodeInfo
	for _, d := range nodes {
		infos = append(infos, demoNodeInfo{Participant: d.code, URL: d.n.URL(), Data: d.dir})
	}
	data, err := json.MarshalIndent(infos, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(root, "nodes.json"), append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	fmt.Fprintf(stdout, "Kurultai federation demo is running at %s (the %s hub)\n", nodes[0].n.URL(), nodes[0].code)
	for _, d := range nodes[1:] {
		fmt.Fprintf(stdout, "  node of %s: %s (data %s)\n", d.code, d.n.URL(), d.dir)
	}
	fmt.Fprintf(stdout, "Nodes: %s; accounts: each node's demo-accounts.json\n", filepath.Join(root, "nodes.json"))

	cases := make(chan error, len(nodes))
	for _, d := range nodes {
		go func() {
			select {
			case err := <-d.n.done:
				cases <- fmt.Errorf("node %s: %w", d.code, err)
			case <-ctx.Done():
			}
		}()
	}
	select {
	case <-ctx.Done():
	case err = <-cases:
	}
	return errors.Join(err, shutdownDemo(nodes))
}

// shutdownDemo stops every node's federation, then every node, so that
// no node keeps dialling a peer that has already gone.
func shutdownDemo(nodes []*demoNode) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var errs []error
	// All at once: closed one after the other, the ones still open
	// would try to reach the closed ones for a while.
	fedErrs := make([]error, len(nodes))
	var wg sync.WaitGroup
	for i, d := range nodes {
		if d.n != nil && d.n.fed != nil {
			wg.Go(func() {
				fedErrs[i] = d.n.fed.Close()
				d.n.fed = nil
			})
		}
	}
	wg.Wait()
	errs = append(errs, fedErrs...)
	for _, d := range nodes {
		if d.n != nil {
			errs = append(errs, d.n.shutdown(ctx))
		}
	}
	return errors.Join(errs...)
}

// demoCA loads the demo's CA, creating it the first time.
func demoCA(dir string) (*pki.CA, error) {
	if _, err := os.Stat(filepath.Join(dir, pki.CAKeyFile)); err == nil {
		return pki.LoadCA(dir)
	}
	return pki.InitCA(dir, pki.CAOptions{Name: "Kurultai demo CA"})
}

// ensureNodeCert issues a node certificate unless a valid one exists.
func ensureNodeCert(ca *pki.CA, dataDir, code, host string) error {
	dir := nodeTLSDir(dataDir)
	if n, err := pki.LoadNode(dir, nil); err == nil && n.Participant == code && time.Until(n.Leaf().NotAfter) > 24*time.Hour {
		return nil
	}
	is, err := ca.Issue(pki.IssueOptions{Participant: code, Hosts: []string{host, "localhost", "127.0.0.1"}})
	if err != nil {
		return err
	}
	return ca.WriteNode(dir, is)
}

// freePort returns host:port with a port that is free now.
func freePort(host string) (string, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return "", fmt.Errorf("demo: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// peerDemoNodes peers every node with every other, replacing the URLs of
// an earlier run.
func peerDemoNodes(ctx context.Context, nodes []*demoNode) error {
	for _, a := range nodes {
		for _, b := range nodes {
			if a == b {
				continue
			}
			keys, err := trust.Load(b.dir)
			if err != nil {
				return err
			}
			doc, err := json.Marshal(keys.Document(trust.NodeIdentityID(b.code), b.code))
			if err != nil {
				return err
			}
			p := sqlite.Peer{Name: strings.ToLower(b.code) + "-node", Kind: sqlite.PeerNode, Participant: b.code,
				URL: "tls://" + b.listen, Keys: string(doc), Dial: "auto"}
			st, err := sqliteOf(a.n.store, "the federation demo")
			if err != nil {
				return err
			}
			err = st.AddPeer(ctx, p)
			if kurultai.ErrorCode(err) == kurultai.CodeConflict {
				err = st.UpdatePeer(ctx, p)
			}
			if err != nil {
				return fmt.Errorf("demo: peer %s with %s: %w", a.code, b.code, err)
			}
		}
	}
	return nil
}

// signedReplay stores the January 2022 situation like seedReplay, signed
// by the hub so that its records replicate to the member nodes, whose
// crisis clocks then derive the same state from the same objects.
func signedReplay(ctx context.Context, n *node, hub string) error {
	res, err := crisis.New(n.charter, nil).Demo2022()
	if err != nil {
		return err
	}
	p, err := n.store.Participant(ctx, hub)
	if err != nil {
		return err
	}
	raws := make([][]byte, len(res.Objects))
	for i, raw := range res.Objects {
		if raws[i], err = n.signer.Sign(raw); err != nil {
			return err
		}
	}
	return seed.AddRaw(ctx, n.store, seed.SystemPrincipal(p), crisis.CollectionID, raws, time.Now)
}

// demoAccounts gives the hub the whole demo (accounts of every role,
// objects, the January 2022 replay) and a member node accounts of its own
// participant, keeping the passwords of an earlier run.
func demoAccounts(ctx context.Context, d *demoNode, parts []kurultai.Participant, chair string, hub bool) error {
	path := filepath.Join(d.dir, "demo-accounts.json")
	n := d.n
	if hub {
		if _, err := seed.Demo(ctx, n.store, parts, chair, path, n.signer, time.Now); err != nil {
			return err
		}
		return signedReplay(ctx, n, d.code)
	}
	known := map[string]string{}
	if data, err := os.ReadFile(path); err == nil {
		var prev []seed.Account
		if json.Unmarshal(data, &prev) == nil {
			for _, a := range prev {
				known[a.Username] = a.Password
			}
		}
	}
	lower := strings.ToLower(d.code)
	accounts := []seed.Account{
		{Username: lower + "-liaison", Participant: d.code, Role: kurultai.RoleLiaison},
		{Username: lower + "-admin", Participant: d.code, Role: kurultai.RoleAdmin},
	}
	if chair == d.code {
		accounts = append(accounts, seed.Account{Username: lower + "-chair", Participant: d.code, Role: kurultai.RoleChair})
	}
	for i := range accounts {
		a := &accounts[i]
		pw, ok := known[a.Username]
		if !ok {
			var err error
			if pw, err = seed.NewPassword(); err != nil {
				return err
			}
		}
		a.Password = pw
		hash, err := auth.HashPassword(pw)
		if err != nil {
			return err
		}
		u, err := n.store.UserByName(ctx, a.Username)
		switch {
		case err == nil:
			err = n.store.SetPasswordHash(ctx, u.ID, hash)
		case kurultai.ErrorCode(err) == kurultai.CodeNotFound:
			_, err = n.store.CreateUser(ctx, kurultai.User{Username: a.Username, Participant: a.Participant, Role: a.Role, PasswordHash: hash, Created: time.Now()})
		}
		if err != nil {
			return fmt.Errorf("demo: user %s: %w", a.Username, err)
		}
	}
	data, err := json.MarshalIndent(accounts, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o600)
}
