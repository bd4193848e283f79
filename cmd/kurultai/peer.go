package main

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kurultai/kurultai/internal/federation"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/sqlite"
	"github.com/kurultai/kurultai/internal/trust"
)

const peerUsage = `peer add NAME --url URL --participant CODE --key KEY [--dial auto|yes|no] [--replace]
peer add NAME --kind taxii --url COLLECTION_URL --participant CODE [--user NAME --password-env VAR] [--pull] [--push]
peer list
peer remove NAME
peer status

Peers are the other Kurultai nodes (kind node, the default) and foreign
TAXII 2.1 servers (kind taxii) this node exchanges objects with. Each peer
receives what its participant may see, nothing more. Changes reach a running
node within seconds.

node peers
  --url        the peer's federation link address, tls://HOST:PORT (its
               federation listen address)
  --key        the peer's public keys: a key document file ('kurultai key
               export' on the peer, or GET /.well-known/kurultai/keys), or
               one base64url Ed25519 public key. Objects from the peer must
               be signed by one of these keys for its participant.
  --dial       which side opens the link: auto (the participant code that
               sorts first), yes or no. Exactly one side must dial.
taxii peers
  --url        the collection URL (.../collections/ID/)
  --user, --password-env   HTTP Basic credentials; the password is read
               from the environment variable named, never stored
  --pull       store the server's objects here, as written by --participant
  --push       send it what --participant may see
status shows, per peer, whether the link is up, how many outbox entries it
has not acknowledged, how many of its messages wait here, and rates.`

func runPeer(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	sub := ""
	if len(args) > 0 {
		sub = args[0]
	}
	var name string
	rest := []string{}
	if len(args) > 1 {
		rest = args[1:]
	}
	switch sub {
	case "add", "remove":
		if len(rest) == 0 || strings.HasPrefix(rest[0], "-") {
			if len(rest) > 0 && (rest[0] == "--help" || rest[0] == "-h") {
				fmt.Fprintln(stderr, "Usage: kurultai "+strings.TrimSpace(peerUsage))
				return nil
			}
			fmt.Fprintf(stderr, "Usage: kurultai peer %s NAME [flags]\n", sub)
			return errUsage
		}
		name, rest = rest[0], rest[1:]
	case "list", "status":
	default:
		fmt.Fprintln(stderr, "Usage: kurultai peer add|list|remove|status --help")
		if sub == "--help" || sub == "-h" {
			return nil
		}
		return errUsage
	}
	fs := newFlagSet("peer "+sub, peerUsage, stderr)
	data := fs.String("data", dataDefault(env), "data `directory` of the node (env KURULTAI_DATA)")
	var o peerOptions
	if sub == "add" {
		fs.StringVar(&o.kind, "kind", sqlite.PeerNode, "peer `kind`: node or taxii")
		fs.StringVar(&o.url, "url", "", "the peer's `URL`")
		fs.StringVar(&o.participant, "participant", "", "the peer's participant `code`")
		fs.Func("key", "the peer's public `keys`: a key document file or a base64url Ed25519 key (repeatable)", func(s string) error {
			o.keys = append(o.keys, s)
			return nil
		})
		fs.StringVar(&o.dial, "dial", "auto", "who opens the link: `auto`, yes or no")
		fs.StringVar(&o.user, "user", "", "TAXII peers: HTTP Basic user `name`")
		fs.StringVar(&o.passwordEnv, "password-env", "", "TAXII peers: environment `variable` holding the password")
		fs.BoolVar(&o.pull, "pull", false, "TAXII peers: pull objects from the server")
		fs.BoolVar(&o.push, "push", false, "TAXII peers: push objects to the server")
		fs.BoolVar(&o.replace, "replace", false, "replace a peer of the same name (keeping its progress)")
	}
	if help, err := parse(fs, rest); help || err != nil {
		return err
	}
	ns, err := openStore(ctx, *data, "")
	if err != nil {
		return err
	}
	defer ns.Close()
	st, err := sqliteOf(ns, "kurultai peer")
	if err != nil {
		return err
	}
	switch sub {
	case "add":
		p, err := o.peer(ctx, st, name)
		if err != nil {
			return err
		}
		if o.replace {
			if _, err := st.Peer(ctx, name); err == nil {
				if err := st.UpdatePeer(ctx, p); err != nil {
					return err
				}
				fmt.Fprintf(stdout, "updated peer %s (%s, participant %s)\n", name, p.Kind, p.Participant)
				return nil
			}
		}
		if err := st.AddPeer(ctx, p); err != nil {
			if kurultai.ErrorCode(err) == kurultai.CodeConflict {
				return fmt.Errorf("peer %s: a peer of that name (or a node peer of participant %s) exists; use --replace to change it", name, p.Participant)
			}
			return err
		}
		fmt.Fprintf(stdout, "added peer %s (%s, participant %s)\n", name, p.Kind, p.Participant)
		return nil
	case "remove":
		if err := st.RemovePeer(ctx, name); err != nil {
			if kurultai.ErrorCode(err) == kurultai.CodeNotFound {
				return fmt.Errorf("peer %s: no such peer", name)
			}
			return err
		}
		fmt.Fprintf(stdout, "removed peer %s\n", name)
		return nil
	case "list":
		return listPeers(ctx, st, stdout)
	}
	return peerStatus(ctx, st, *data, stdout)
}

// peerOptions are the flags of peer add.
type peerOptions struct {
	kind, url, participant, dial string
	keys                         []string
	user, passwordEnv            string
	pull, push, replace          bool
}

var peerName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)

// peer validates the flags and builds the stored peer.
func (o *peerOptions) peer(ctx context.Context, st *sqlite.Store, name string) (sqlite.Peer, error) {
	p := sqlite.Peer{Name: name, Kind: o.kind, Participant: o.participant, URL: o.url, Dial: o.dial, Options: "{}"}
	if !peerName.MatchString(name) {
		return p, fmt.Errorf("NAME: %q must be 1 to 63 lower-case letters, digits, '.', '-' or '_'", name)
	}
	if _, err := st.Participant(ctx, o.participant); err != nil {
		return p, fmt.Errorf("--participant: %q is not a participant of this node", o.participant)
	}
	u, err := url.Parse(o.url)
	switch o.kind {
	case sqlite.PeerNode:
		if err != nil || u.Scheme != "tls" || u.Host == "" || u.Port() == "" {
			return p, fmt.Errorf("--url: %q is not tls://HOST:PORT", o.url)
		}
		switch o.dial {
		case "auto", "yes", "no":
		default:
			return p, fmt.Errorf("--dial: %q is not auto, yes or no", o.dial)
		}
		if len(o.keys) == 0 {
			return p, errors.New("--key: required for a node peer")
		}
		doc, err := keysDocument(o.participant, o.keys, time.Now())
		if err != nil {
			return p, err
		}
		b, err := json.Marshal(doc)
		if err != nil {
			return p, err
		}
		p.Keys = string(b)
	case sqlite.PeerTAXII:
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return p, fmt.Errorf("--url: %q is not an http(s) collection URL", o.url)
		}
		if !o.pull && !o.push {
			return p, errors.New("--pull or --push: a TAXII peer must do at least one")
		}
		if (o.user == "") != (o.passwordEnv == "") {
			return p, errors.New("--user and --password-env go together")
		}
		p.Dial = "no"
		b, err := json.Marshal(federation.TAXIIOptions{User: o.user, PasswordEnv: o.passwordEnv, Pull: o.pull, Push: o.push})
		if err != nil {
			return p, err
		}
		p.Options = string(b)
	default:
		return p, fmt.Errorf("--kind: %q is not node or taxii", o.kind)
	}
	return p, nil
}

// keysDocument reads --key values: key document files, or base64url keys,
// all for participant.
func keysDocument(participant string, keys []string, now time.Time) (trust.KeysDocument, error) {
	doc := trust.KeysDocument{Node: trust.NodeIdentityID(participant), Participant: participant}
	ks := trust.NewKeySet()
	for _, k := range keys {
		if data, err := os.ReadFile(k); err == nil {
			d, err := trust.ParseKeysDocument(data)
			if err != nil {
				return doc, fmt.Errorf("--key %s: %w", k, err)
			}
			if d.Participant != participant {
				return doc, fmt.Errorf("--key %s: the document is for %s, not %s", k, d.Participant, participant)
			}
			if err := ks.AddDocument(d); err != nil {
				return doc, fmt.Errorf("--key %s: %w", k, err)
			}
			doc.Node = d.Node
			doc.Keys = append(doc.Keys, d.Keys...)
			continue
		}
		raw, err := base64.RawURLEncoding.Strict().DecodeString(k)
		if err != nil || len(raw) != ed25519.PublicKeySize {
			return doc, fmt.Errorf("--key: %q is neither a readable key document nor a base64url Ed25519 public key", clipArg(k))
		}
		pk := trust.PublicKey{ID: trust.KeyID(raw), Key: raw, Created: now.UTC().Truncate(time.Microsecond)}
		if err := ks.Add(trust.KeyInfo{PublicKey: pk, Participant: participant}); err != nil {
			return doc, fmt.Errorf("--key: %w", err)
		}
		doc.Keys = append(doc.Keys, pk)
	}
	return doc, nil
}

func clipArg(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

func listPeers(ctx context.Context, st *sqlite.Store, w io.Writer) error {
	ps, err := st.Peers(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tKIND\tPARTICIPANT\tURL\tDIAL\tKEYS\tADDED")
	for _, p := range ps {
		keys := "-"
		if p.Keys != "" {
			if d, err := trust.ParseKeysDocument([]byte(p.Keys)); err == nil {
				var ids []string
				for _, k := range d.Keys {
					ids = append(ids, k.ID)
				}
				keys = strings.Join(ids, ",")
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.Name, p.Kind, p.Participant, p.URL, p.Dial, keys, p.Created.Format(time.DateOnly))
	}
	return tw.Flush()
}

// statusFresh is how old the running node's status file may be to count.
const statusFresh = 15 * time.Second

func peerStatus(ctx context.Context, st *sqlite.Store, data string, w io.Writer) error {
	sf, err := federation.ReadStatus(data)
	running := err == nil && time.Since(sf.Written) < statusFresh
	if err != nil && !federation.IsNoStatus(err) {
		return err
	}
	ps := sf.Peers
	if !running {
		if ps, err = federation.StoredStatus(ctx, st); err != nil {
			return err
		}
		fmt.Fprintln(w, "the node is not running (or has not federated yet): progress as stored")
	} else if sf.LeafURL != "" {
		fmt.Fprintf(w, "link address %s, status of %s\n", sf.LeafURL, sf.Written.Local().Format(time.TimeOnly))
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PEER\tPARTICIPANT\tLINK\tBEHIND\tPENDING\tSENT/S\tRECV/S\tSENT\tRECEIVED\tREFUSED\tLAST ERROR")
	for _, p := range ps {
		link := "down"
		switch {
		case !running:
			link = "-"
		case p.Connected:
			link = "up"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%.1f\t%.1f\t%d\t%d\t%d\t%s\n", p.Name, p.Participant, link, p.Behind, p.Pending,
			p.SendRate, p.RecvRate, p.Sent, p.Received, p.Refused, p.LastError)
	}
	return tw.Flush()
}
