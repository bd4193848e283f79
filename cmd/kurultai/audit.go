package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/kurultai/kurultai/internal/auditlog"
	"github.com/kurultai/kurultai/internal/postgres"
	"github.com/kurultai/kurultai/internal/sqlite"
	"github.com/kurultai/kurultai/internal/trust"
)

const auditUsage = `audit verify|check|witness [flags]

verify   [--data DIR | --database URL] [--keys KEYS] [--participant CODE]
         recomputes the audit log's Merkle tree from the entries stored in
         DIR, or in the PostgreSQL database of URL (each re-encoded
         canonically; nothing is written), compares it with the leaf hashes
         and tree the node recorded, and checks the signature and root of
         every stored checkpoint. Exits 0 when intact; otherwise names the
         first entry (index and seq) or checkpoint that does not match and
         how: changed, missing, reordered, truncated, checkpoint signature
         bad. KEYS defaults to the public keys of DIR's keyring.
check    --url URL [--since FILE] [--save FILE] [--entries I,J,...] [--keys KEYS]
         as a remote auditor: fetches the node's current checkpoint, checks
         its signature with the node's keys (KEYS, a key document, or else
         the node's ` + trust.WellKnownPath + `), that it extends the
         checkpoint saved in FILE (consistency proof), and that entries
         I, J, ... are in it (inclusion proofs). --save writes the new
         checkpoint for the next check.
witness  --url URL --since FILE --data MYDIR --participant CODE [--keys KEYS]
         checks like 'check', then countersigns the node's checkpoint with
         the key in MYDIR (created if missing) as the witness of CODE, sends
         the cosignature to the node and saves the checkpoint to FILE. The
         node counts it once it knows the witness's key document
         ('kurultai key export --data MYDIR --participant CODE').

check and witness authenticate with --token (env KURULTAI_TOKEN) or --user
and --password (env KURULTAI_USER, KURULTAI_PASSWORD).`

func runAudit(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	sub := ""
	if len(args) > 0 {
		sub = args[0]
	}
	switch sub {
	case "verify":
		return auditVerify(ctx, args[1:], env, stdout, stderr)
	case "check", "witness":
		return auditRemote(ctx, sub, args[1:], env, stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprintf(stdout, "Usage: kurultai %s\n", auditUsage)
		return nil
	}
	fmt.Fprintf(stderr, "Usage: kurultai %s\n", auditUsage)
	return errUsage
}

func auditVerify(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("audit verify", auditUsage, stderr)
	data := fs.String("data", dataDefault(env), "data `directory` of the node (env KURULTAI_DATA)")
	database := databaseFlag(fs, env)
	keysPath := fs.String("keys", "", "the node's key document `file` (default: the keyring in --data)")
	participant := fs.String("participant", "", "the node's participant `code`, to pin the checkpoint origin (default: as the checkpoints say)")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	var pubs []trust.PublicKey
	if *keysPath != "" {
		doc, err := readKeysDocument(*keysPath)
		if err != nil {
			return err
		}
		pubs = doc.Keys
		if *participant == "" {
			*participant = doc.Participant
		}
	} else {
		k, err := trust.Load(*data)
		if err != nil {
			return fmt.Errorf("audit verify: %w (or give the node's key document with --keys)", err)
		}
		pubs = k.Keys()
	}
	opts := auditlog.VerifyOptions{Keys: keysOf(pubs)}
	if *participant != "" {
		opts.Origin = auditlog.Origin(*participant)
	}
	l, err := openAuditLog(ctx, *data, *database)
	if err != nil {
		return fmt.Errorf("audit verify: %w", err)
	}
	defer l.Close()
	rep, err := auditlog.VerifyLog(ctx, l, opts)
	if err != nil {
		return fmt.Errorf("audit verify: %w", err)
	}
	if rep.OK() {
		fmt.Fprintf(stdout, "audit log intact: %d entries, tree of %d, %d checkpoints verified (origin %s)\n",
			rep.Entries, rep.TreeSize, rep.Checkpoints, orNone(rep.Origin))
		return nil
	}
	for _, p := range rep.Problems {
		fmt.Fprintln(stdout, p.String())
	}
	more := ""
	if n := len(rep.Problems); n > 1 {
		more = fmt.Sprintf(" (and %d more problems)", n-1)
	}
	return fmt.Errorf("audit verify: the audit log does not verify%s; first: %s", more, rep.Problems[0])
}

// auditLogReader is a node's audit log opened for verification.
type auditLogReader interface {
	auditlog.LogReader
	Close() error
}

// openAuditLog opens the audit log read-only: in PostgreSQL when database
// is set, else in DIR's SQLite database.
func openAuditLog(ctx context.Context, dir, database string) (auditLogReader, error) {
	if database != "" {
		return postgres.OpenAuditLog(ctx, database)
	}
	return sqlite.OpenAuditLog(ctx, filepath.Join(dir, "kurultai.db"))
}

func orNone(s string) string {
	if s == "" {
		return "none: no checkpoint yet"
	}
	return s
}

func auditRemote(ctx context.Context, sub string, args []string, env func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("audit "+sub, auditUsage, stderr)
	url := fs.String("url", env("KURULTAI_URL"), "the node's base `URL` (env KURULTAI_URL)")
	since := fs.String("since", "", "`file` holding the checkpoint seen last")
	keysPath := fs.String("keys", "", "the node's key document `file` (default: fetched from the node)")
	token := fs.String("token", env("KURULTAI_TOKEN"), "API `token` (env KURULTAI_TOKEN)")
	user := fs.String("user", env("KURULTAI_USER"), "`username` for HTTP Basic (env KURULTAI_USER)")
	password := fs.String("password", env("KURULTAI_PASSWORD"), "`password` for HTTP Basic (env KURULTAI_PASSWORD; safer than the flag)")
	var save, entries, data, participant *string
	if sub == "check" {
		save = fs.String("save", "", "`file` to write the node's current checkpoint to")
		entries = fs.String("entries", "", "comma-separated entry `indexes` whose inclusion to verify")
	} else {
		data = fs.String("data", "", "`directory` holding the witness's own key (created if missing)")
		participant = fs.String("participant", env("KURULTAI_PARTICIPANT"), "participant `code` the witness cosigns for (env KURULTAI_PARTICIPANT)")
	}
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	missing := func(flag string) error {
		fmt.Fprintf(stderr, "audit %s: --%s is required\n", sub, flag)
		fs.Usage()
		return errUsage
	}
	switch {
	case *url == "":
		return missing("url")
	case sub == "witness" && *since == "":
		return missing("since")
	case sub == "witness" && *data == "":
		return missing("data")
	case sub == "witness" && *participant == "":
		return missing("participant")
	}
	var idx []uint64
	if entries != nil && *entries != "" {
		for _, f := range strings.Split(*entries, ",") {
			n, err := strconv.ParseUint(strings.TrimSpace(f), 10, 63)
			if err != nil {
				return fmt.Errorf("audit check: --entries: %q is not an entry index", f)
			}
			idx = append(idx, n)
		}
	}
	c := &auditlog.Client{BaseURL: *url, HTTP: &http.Client{Timeout: time.Minute}}
	switch {
	case *token != "":
		c.Authorize = func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+*token) }
	case *user != "":
		c.Authorize = func(r *http.Request) { r.SetBasicAuth(*user, *password) }
	}
	doc, err := nodeKeys(ctx, c, *keysPath, stderr)
	if err != nil {
		return fmt.Errorf("audit %s: %w", sub, err)
	}
	var prev []byte
	if *since != "" {
		prev, err = os.ReadFile(*since)
		switch {
		case errors.Is(err, os.ErrNotExist) && sub == "witness":
			prev = nil
			fmt.Fprintf(stdout, "no earlier checkpoint in %s: this is the first one seen\n", *since)
		case err != nil:
			return fmt.Errorf("audit %s: --since: %w", sub, err)
		}
	} else {
		fmt.Fprintln(stdout, "no earlier checkpoint given (--since): consistency not checked")
	}

	var rc auditlog.RemoteCheck
	if sub == "check" {
		rc, err = auditlog.CheckRemote(ctx, c, doc, prev, idx)
	} else {
		var cos auditlog.CosignaturesResponse
		rc, cos, err = witness(ctx, c, doc, prev, *data, *participant, stdout)
		if err == nil {
			fmt.Fprintf(stdout, "cosigned the checkpoint of size %d as %s; the node holds %d cosignatures of it\n",
				rc.Current.Size, auditlog.WitnessName(*participant), len(cos.Cosignatures))
		}
	}
	if err != nil {
		return fmt.Errorf("audit %s: %w", sub, err)
	}
	report(stdout, rc)
	out := *since // a witness moves on to what it cosigned
	if sub == "check" {
		out = *save
	}
	if out == "" {
		return nil
	}
	if err := writeFileAtomic(out, rc.Note); err != nil {
		return fmt.Errorf("audit %s: %w", sub, err)
	}
	fmt.Fprintf(stdout, "saved the checkpoint to %s\n", out)
	return nil
}

// nodeKeys reads the node's key document from path, or fetches it from
// the node (which only proves what the node says about itself).
func nodeKeys(ctx context.Context, c *auditlog.Client, path string, stderr io.Writer) (trust.KeysDocument, error) {
	if path != "" {
		return readKeysDocument(path)
	}
	doc, err := c.Keys(ctx)
	if err != nil {
		return doc, fmt.Errorf("node keys: %w", err)
	}
	fmt.Fprintf(stderr, "using the keys the node serves for %s; pin them with --keys to detect a replaced key\n", doc.Participant)
	return doc, nil
}

func readKeysDocument(path string) (trust.KeysDocument, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return trust.KeysDocument{}, fmt.Errorf("keys: %w", err)
	}
	doc, err := trust.ParseKeysDocument(data)
	if err != nil {
		return doc, fmt.Errorf("%s: %w", path, err)
	}
	return doc, nil
}

func witness(ctx context.Context, c *auditlog.Client, doc trust.KeysDocument, prev []byte, dir, participant string, stdout io.Writer) (auditlog.RemoteCheck, auditlog.CosignaturesResponse, error) {
	k, created, err := trust.Init(dir, time.Now(), nil)
	if err != nil {
		return auditlog.RemoteCheck{}, auditlog.CosignaturesResponse{}, err
	}
	if created {
		fmt.Fprintf(stdout, "created the witness key %s in %s; give the node 'kurultai key export --data %s --participant %s'\n",
			k.Current().ID, trust.KeyringPath(dir), dir, participant)
	}
	cos, err := auditlog.NewCosigner(auditlog.WitnessName(participant), k.PrivateKey())
	if err != nil {
		return auditlog.RemoteCheck{}, auditlog.CosignaturesResponse{}, err
	}
	return auditlog.Witness(ctx, c, doc, prev, cos, time.Now())
}

func report(w io.Writer, rc auditlog.RemoteCheck) {
	fmt.Fprintf(w, "checkpoint %s of size %d, root %x: signed by the node\n", rc.Current.Origin, rc.Current.Size, rc.Current.Root)
	if rc.Previous != nil {
		fmt.Fprintf(w, "consistent with the earlier checkpoint of size %d: the log only grew\n", rc.Previous.Size)
	}
	for _, i := range rc.Included {
		fmt.Fprintf(w, "entry %d: included\n", i)
	}
}

// writeFileAtomic writes data to path through a synced temporary file.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".checkpoint-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
