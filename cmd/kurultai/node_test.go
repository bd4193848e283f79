package main

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/config"
)

// TestStartNodeErrors checks that a node that cannot start returns an
// error naming the problem (no panic), releases what it had started, and
// that a data directory serves one node at a time.
func TestStartNodeErrors(t *testing.T) {
	ctx := context.Background()
	quiet := slog.New(slog.DiscardHandler)
	cfg := config.Default()
	cfg.DataDir, cfg.Listen = t.TempDir(), "127.0.0.1:0"

	bad := cfg
	bad.FederationListen = "127.0.0.1:0" // no node certificate
	if n, err := startNode(ctx, bad, quiet, time.Now); err == nil || n != nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("startNode with a federation address and no certificate = %v, %v", n, err)
	}
	// Everything the failed start opened was released: the same
	// directory starts now.
	n, err := startNode(ctx, cfg, quiet, time.Now)
	if err != nil {
		t.Fatalf("start after a failed start: %v", err)
	}
	defer n.shutdown(ctx)
	if _, err := startNode(ctx, cfg, quiet, time.Now); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Errorf("a second node on the same data directory: %v, want it refused", err)
	}
	if _, err := lockDataDir(cfg.DataDir); err == nil {
		t.Error("the data directory's lock is free while a node runs")
	}
}

// TestAdminDatabaseFlag checks that an administrative command names a
// bad --database without echoing its password.
func TestAdminDatabaseFlag(t *testing.T) {
	out, err := cli(t, runUser, "add", "--database", "mysql://kurultai:s3cret@db/k", "--username", "abc", "--participant", "KZ", "--role", "liaison")
	if err == nil || !strings.Contains(err.Error(), "--database") || strings.Contains(err.Error()+out, "s3cret") {
		t.Errorf("user add with a MySQL URL = %v (output %q): want a --database error without the password", err, out)
	}
}
