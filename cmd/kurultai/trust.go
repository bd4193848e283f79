package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode"

	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/stix"
	"github.com/kurultai/kurultai/internal/trust"
)

const initUsage = `init --data DIR

Creates the node's Ed25519 signing key in DIR/keys (directory 0700, file
0600) unless it exists, and prints its key id. serve creates it too on first
start; run init to know the key id beforehand.`

const keyUsage = `key rotate|list|export --data DIR [--participant CODE]

rotate   makes a new current signing key and retires the old one; its public
         key is kept so that objects signed before still verify. Restart the
         node to sign with the new key.
list     prints every key id with its creation and retirement times.
export   prints the node's key document (public keys only), as served at
         ` + trust.WellKnownPath + `, for 'kurultai verify --keys'.`

const verifyUsage = `verify --keys KEYS FILE

Checks offline the signature of every object in FILE, a STIX bundle or a
TAXII envelope, against KEYS: a key document (GET ` + trust.WellKnownPath + `
on a node, or 'kurultai key export') or a directory of them (*.json).
Prints one line per object: id, version and OK, missing, unknown key, bad
signature or malformed; exits non-zero if any object fails.`

func runInit(_ context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("init", initUsage, stderr)
	data := fs.String("data", dataDefault(env), "data `directory` of the node (env KURULTAI_DATA)")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	k, created, err := trust.Init(*data, time.Now(), nil)
	if err != nil {
		return err
	}
	if created {
		fmt.Fprintf(stdout, "created signing key %s in %s\n", k.Current().ID, trust.KeyringPath(*data))
	} else {
		fmt.Fprintf(stdout, "signing key %s already exists in %s\n", k.Current().ID, trust.KeyringPath(*data))
	}
	return nil
}

func runKey(_ context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	sub := ""
	if len(args) > 0 {
		sub = args[0]
	}
	switch sub {
	case "rotate", "list", "export":
	case "-h", "--help", "help":
		fmt.Fprintf(stderr, "Usage: kurultai %s\n", keyUsage)
		return nil
	default:
		fmt.Fprintf(stderr, "Usage: kurultai %s\n", keyUsage)
		return errUsage
	}
	fs := newFlagSet("key "+sub, keyUsage, stderr)
	data := fs.String("data", dataDefault(env), "data `directory` of the node (env KURULTAI_DATA)")
	participant := fs.String("participant", env("KURULTAI_PARTICIPANT"), "the node's participant `code`, for export (env KURULTAI_PARTICIPANT)")
	if help, err := parse(fs, args[1:]); help || err != nil {
		return err
	}
	switch sub {
	case "rotate":
		old, err := trust.Load(*data)
		if err != nil {
			return err
		}
		k, err := trust.Rotate(*data, time.Now(), nil)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "new signing key %s; retired %s (its signatures stay valid)\nrestart the node to sign with the new key\n",
			k.Current().ID, old.Current().ID)
	case "list":
		k, err := trust.Load(*data)
		if err != nil {
			return err
		}
		for _, p := range k.Keys() {
			state := "current"
			if !p.Retired.IsZero() {
				state = "retired " + stix.FormatTime(p.Retired)
			}
			fmt.Fprintf(stdout, "%s  created %s  %s\n", p.ID, stix.FormatTime(p.Created), state)
		}
	case "export":
		if *participant == "" {
			return errors.New("key export: --participant is required (or KURULTAI_PARTICIPANT)")
		}
		k, err := trust.Load(*data)
		if err != nil {
			return err
		}
		doc, err := json.MarshalIndent(k.Document(trust.NodeIdentityID(*participant), *participant), "", "  ")
		if err != nil {
			return fmt.Errorf("key export: %w", err)
		}
		if _, err := trust.ParseKeysDocument(doc); err != nil { // e.g. a malformed participant code
			return fmt.Errorf("key export: %w", err)
		}
		fmt.Fprintf(stdout, "%s\n", doc)
	}
	return nil
}

func runVerify(_ context.Context, args []string, _ func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("verify", verifyUsage, stderr)
	keys := fs.String("keys", "", "key document `file`, or a directory of them")
	file, help, err := parseWithFile(fs, args)
	if help || err != nil {
		return err
	}
	if *keys == "" {
		fmt.Fprintln(stderr, "verify: --keys is required")
		fs.Usage()
		return errUsage
	}
	ks, err := trust.LoadKeySet(*keys)
	if err != nil {
		return err
	}
	body, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	raws, err := stix.ParseEnvelope(body)
	if err != nil {
		return fmt.Errorf("verify: %s: %w", file, err)
	}
	if len(raws) == 0 {
		return fmt.Errorf("verify: %s holds no objects", file)
	}
	v := trust.NewVerifier(ks)
	var failed []string
	for i, raw := range raws {
		id, version := objectName(i, raw)
		kid, signer, err := v.Verify(raw)
		if err != nil {
			fmt.Fprintf(stdout, "%s %s %s: %s\n", id, version, trust.Reason(err), kurultai.ErrorMessage(err))
			failed = append(failed, fmt.Sprintf("%s (%s)", id, trust.Reason(err)))
			continue
		}
		fmt.Fprintf(stdout, "%s %s OK key %s signer %s\n", id, version, kid, signer)
	}
	if len(failed) > 0 {
		return fmt.Errorf("verify: %d of %d objects failed: %s", len(failed), len(raws), strings.Join(failed, ", "))
	}
	fmt.Fprintf(stdout, "all %d signatures valid\n", len(raws))
	return nil
}

// parseWithFile parses flags given before or after exactly one file
// argument.
func parseWithFile(fs *flag.FlagSet, args []string) (file string, help bool, err error) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return "", true, nil
		}
		return "", false, errUsage
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(fs.Output(), "missing FILE")
		fs.Usage()
		return "", false, errUsage
	}
	file = fs.Arg(0)
	if help, err := parse(fs, fs.Args()[1:]); help || err != nil {
		return "", help, err
	}
	return file, false, nil
}

// objectName returns an object's id (or its index when it has none) and
// its version ("-" when it has none).
func objectName(i int, raw []byte) (id, version string) {
	id, version = fmt.Sprintf("objects[%d]", i), "-"
	if v, err := stix.ParseObject(raw); err == nil {
		if v.Version != "" {
			version = v.Version
		}
		return v.ID, version
	}
	var head struct {
		ID       string `json:"id"`
		Modified string `json:"modified"`
		Created  string `json:"created"`
	}
	if json.Unmarshal(raw, &head) == nil {
		printable := strings.IndexFunc(head.ID, func(r rune) bool { return !unicode.IsPrint(r) || unicode.IsSpace(r) }) < 0
		if head.ID != "" && len(head.ID) <= 300 && printable {
			id = head.ID
		}
		for _, ts := range []string{head.Modified, head.Created} {
			if _, err := stix.ParseTime(ts); err == nil {
				version = ts
				break
			}
		}
	}
	return id, version
}
