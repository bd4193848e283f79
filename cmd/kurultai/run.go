package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// errUsage means the usage was already printed; the exit code is 2.
var errUsage = errors.New("usage")

func exitCode(err error) int {
	if errors.Is(err, errUsage) {
		return 2
	}
	return 1
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "run a node", runServe},
		{"demo", "run a node with the demo organization, accounts and objects", runDemo},
		{"user", "manage users (user add)", runUser},
		{"token", "manage API tokens (token create)", runToken},
		{"init", "create the node's signing key (init --data DIR)", runInit},
		{"key", "manage signing keys (key rotate|list|export)", runKey},
		{"verify", "check object signatures offline (verify --keys KEYS FILE)", runVerify},
		{"audit", "verify the audit log, check a node as a remote auditor, witness (audit verify|check|witness)", runAudit},
		{"charter", "validate or print the crisis charter (charter check FILE, charter show)", runCharter},
		{"kpi", "print the crisis KPIs of each situation", runKPI},
		{"crisis", "act in the crisis mechanism through a node's API (crisis list|show|raise|act)", runCrisis},
		{"ingest", "extract crisis events from news (ingest --format json FILE|DIR|URL)", runIngest},
		{"eval", "score early warning on a labelled corpus (eval DIR)", runEval},
		{"sources", "manage news sources (sources add|list|remove --data DIR)", runSources},
		{"peer", "manage federation peers (peer add|list|remove|status)", runPeer},
		{"ca", "create the deployment CA for federation (ca init DIR)", runCA},
		{"cert", "issue or revoke node certificates (cert issue|revoke)", runCert},
		{"migrate", "apply pending schema migrations (migrate [--dry-run])", runMigrate},
		{"backup", "write a consistent snapshot of the node's database (backup --out FILE)", runBackup},
		{"restore", "restore a backup and verify its audit log (restore --in FILE)", runRestore},
		{"bench", "measure a running node (bench taxii)", runBench},
		{"version", "print the version", runVersion},
	}
}

// version is set by the linker for releases.
var version = "dev"

const intro = `Kurultai: secure exchange, codified crisis mechanism and early warning
for a multilateral organization's security and intelligence services.

Usage: kurultai <command> [flags]

Commands:
`

// run is the whole program: main only adds the process's context, arguments,
// environment and streams.
func run(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		w := stdout
		if len(args) == 0 {
			w = stderr
		}
		printHelp(w)
		if len(args) == 0 {
			return errUsage
		}
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], env, stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "kurultai: unknown command %q\n\n", args[0])
	printHelp(stderr)
	return errUsage
}

func printHelp(w io.Writer) {
	fmt.Fprint(w, intro)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, "\nRun 'kurultai <command> --help' for a command's flags.\n")
}

// newFlagSet returns a flag set whose usage names the command and explains it.
func newFlagSet(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("kurultai "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: kurultai %s\n\n%s\n\nFlags:\n", name, strings.TrimSpace(usage))
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags; --help prints usage and returns a nil error via
// errHelp so the caller can return nil.
func parse(fs *flag.FlagSet, args []string) (help bool, err error) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return true, nil
		}
		return false, errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return false, errUsage
	}
	return false, nil
}

func runVersion(_ context.Context, _ []string, _ func(string) string, stdout, _ io.Writer) error {
	fmt.Fprintln(stdout, "kurultai", version)
	return nil
}
