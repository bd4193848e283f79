package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kurultai/kurultai/internal/charter"
)

func runCharterCmd(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := runCharter(context.Background(), args, noEnv, &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestCharterCheck(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "ots.yaml")
	if err := os.WriteFile(good, charter.DefaultYAML(), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, err := runCharterCmd(t, "check", good)
	if err != nil || !strings.Contains(out, "ok: charter ots-2022.1") {
		t.Fatalf("check of the default charter: %v\n%s", err, out)
	}

	bad := filepath.Join(dir, "bad.yaml")
	text := strings.Replace(string(charter.DefaultYAML()), "minimum: 4h", "minimum: 8h", 1)
	text = strings.Replace(text, "to: [activation, monitoring, stand_down]", "to: [activation, panic]", 1)
	text += "colour: blue\n"
	if err := os.WriteFile(bad, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, err = runCharterCmd(t, "check", bad)
	if err == nil || exitCode(err) != 1 {
		t.Fatalf("check of a bad charter: err %v", err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for _, want := range []string{
		`: modes.states[1].to[1]: transition to undefined mode "panic"`,
		": decisions.silence.minimum: 8h is longer than the urgent period 6h",
		": colour: unknown field",
	} {
		found := false
		for _, l := range lines {
			if strings.HasPrefix(l, bad+":") && strings.Contains(l, want) {
				found = true
			}
		}
		if !found {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	if !strings.Contains(err.Error(), "problem") {
		t.Errorf("error %v", err)
	}

	if _, _, err := runCharterCmd(t, "check"); exitCode(err) != 2 {
		t.Errorf("check without FILE: %v", err)
	}
	if _, _, err := runCharterCmd(t, "check", filepath.Join(dir, "none.yaml")); err == nil || exitCode(err) != 1 {
		t.Errorf("check of a missing file: %v", err)
	}
	if _, _, err := runCharterCmd(t, "frobnicate"); exitCode(err) != 2 {
		t.Errorf("unknown subcommand: %v", err)
	}
}

func TestCharterShow(t *testing.T) {
	out, _, err := runCharterCmd(t, "show")
	if err != nil {
		t.Fatal(err)
	}
	c, err := charter.Load("show", []byte(out))
	if err != nil {
		t.Fatalf("show's output is not a valid charter: %v", err)
	}
	if c.Version != "ots-2022.1" || c.Chair.Participant != "TR" {
		t.Errorf("shown charter %s chaired by %s", c.Version, c.Chair.Participant)
	}

	dir := t.TempDir()
	small := filepath.Join(dir, "small.yaml")
	err = os.WriteFile(small, []byte(`version: test-1
organization: {name: Test}
participants:
  - {code: AA, name: A, kind: member}
  - {code: SEC, name: S, kind: secretariat}
chair: {participant: AA}
decisions: {silence: {urgent: 5h}}
`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	out, _, err = runCharterCmd(t, "show", "--charter", small)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"version: test-1", "urgent: 5h", "normal: 48h", "id: foreign_ministers"} {
		if !strings.Contains(out, want) {
			t.Errorf("effective charter lacks %q", want)
		}
	}
	if err := os.WriteFile(small, []byte("version: x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCharterCmd(t, "show", "--charter", small); err == nil || !strings.Contains(err.Error(), "small.yaml:1: participants: required") {
		t.Errorf("show of a bad charter: %v", err)
	}
}
