package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/kurultai/kurultai/internal/charter"
)

const charterCheckUsage = `charter check FILE

Validates a crisis charter and prints every problem, one a line, as
file:line: field: problem. Exits 1 if there is any, 0 if the charter is
valid. See 'kurultai charter show' for the default charter to start from.`

const charterShowUsage = `charter show [--charter FILE]

Prints the effective charter as YAML: the default charter (the
Organization of Turkic States as in January 2022), or FILE with every
setting it omits taken from the default. The output is itself a valid
charter file.`

func runCharter(_ context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "check" && args[0] != "show") {
		fmt.Fprintln(stderr, "Usage: kurultai charter check FILE | kurultai charter show [--charter FILE]")
		if len(args) > 0 && (args[0] == "--help" || args[0] == "-h") {
			return nil
		}
		return errUsage
	}
	if args[0] == "check" {
		return charterCheck(args[1:], stdout, stderr)
	}
	fs := newFlagSet("charter show", charterShowUsage, stderr)
	file := fs.String("charter", env("KURULTAI_CHARTER"), "charter `file` (env KURULTAI_CHARTER); empty: the default charter")
	if help, err := parse(fs, args[1:]); help || err != nil {
		return err
	}
	c, err := loadCharter(*file)
	if err != nil {
		return err
	}
	out, err := c.Marshal()
	if err != nil {
		return err
	}
	_, err = stdout.Write(out)
	return err
}

func charterCheck(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("charter check FILE", charterCheckUsage, stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "charter check: give exactly one FILE")
		fs.Usage()
		return errUsage
	}
	path := fs.Arg(0)
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("charter check: %w", err)
	}
	c, err := charter.Load(path, data)
	var problems charter.Errors
	if errors.As(err, &problems) {
		for _, p := range problems {
			fmt.Fprintln(stdout, p.Error())
		}
		return fmt.Errorf("charter check: %s: %d problem(s)", path, len(problems))
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: ok: charter %s of the %s, %d participants, chair %s\n",
		path, c.Version, c.Organization.Name, len(c.Participants), c.Chair.Participant)
	return nil
}

// loadCharter reads a charter file, or returns the default charter for an
// empty path. Every problem of a bad file is in the error, one a line.
func loadCharter(path string) (*charter.Charter, error) {
	if path == "" {
		return charter.Default(), nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("charter: %w", err)
	}
	c, err := charter.Load(path, data)
	if err != nil {
		return nil, fmt.Errorf("charter %s is not valid:\n%w", path, err)
	}
	return c, nil
}
