package config

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func resolve(t *testing.T, args []string, env map[string]string) (Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f := Register(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatalf("parse: %v", err)
	}
	return f.Resolve(func(k string) string { return env[k] })
}

func TestPrecedence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "k.yaml")
	if err := os.WriteFile(file, []byte("listen: 127.0.0.1:9000\ntitle: From file\nparticipant: KZ\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := resolve(t, []string{"--config", file, "--participant", "UZ"},
		map[string]string{"KURULTAI_TITLE": "From env", "KURULTAI_PARTICIPANT": "TR"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Listen != "127.0.0.1:9000" {
		t.Errorf("listen = %q, want the file's", got.Listen)
	}
	if got.Title != "From env" {
		t.Errorf("title = %q, want the environment's", got.Title)
	}
	if got.Participant != "UZ" {
		t.Errorf("participant = %q, want the flag's", got.Participant)
	}
	if got.DataDir != Default().DataDir {
		t.Errorf("data = %q, want the default", got.DataDir)
	}
}

func TestInvalid(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("listne: x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"listen", []string{"--listen", "nohost"}, nil, "listen"},
		{"participant", []string{"--participant", "kz"}, nil, "participant"},
		{"size", []string{"--max-content-length", "12x"}, nil, "--max-content-length"},
		{"size env", nil, map[string]string{"KURULTAI_MAX_CONTENT_LENGTH": "-1"}, "max_content_length"},
		{"level", []string{"--log-level", "loud"}, nil, "log_level"},
		{"format", []string{"--log-format", "xml"}, nil, "log_format"},
		{"unknown file field", []string{"--config", bad}, nil, "listne"},
		{"missing file", []string{"--config", filepath.Join(dir, "none.yaml")}, nil, "none.yaml"},
		{"empty data", []string{"--data", " "}, nil, "data"},
		{"database scheme", []string{"--database", "mysql://u:pw@h/db"}, nil, "database"},
		{"database no name", []string{"--database", "postgres://u:pw@h"}, nil, "database"},
		{"nats scheme", []string{"--nats", "http://a:4222"}, nil, "nats"},
		{"nats empty server", []string{"--nats", "nats://a:4222,,nats://b:4222"}, nil, "server 2"},
		{"nats with listen", []string{"--nats", "nats://a:4222", "--nats-listen", "127.0.0.1:4222"}, nil, "nats_listen"},
		{"federation listen", nil, map[string]string{"KURULTAI_FEDERATION_LISTEN": "x"}, "federation_listen"},
		{"secure cookies", []string{"--secure-cookies", "maybe"}, nil, "--secure-cookies"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := resolve(t, tt.args, tt.env)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want one naming %q", err, tt.want)
			}
		})
	}
}

// TestDatabasePasswordNeverShown checks that neither the printed
// configuration nor a validation error repeats the database password.
func TestDatabasePasswordNeverShown(t *testing.T) {
	const secret = "s3cr3t-pw"
	c, err := resolve(t, []string{"--database", "postgres://kurultai:" + secret + "@db.example:5432/kurultai"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Postgres() {
		t.Error("Postgres() = false with a database URL")
	}
	if out := c.String(); strings.Contains(out, secret) || !strings.Contains(out, "db.example") {
		t.Errorf("String() = %q: want the host and no password", out)
	}
	_, err = resolve(t, []string{"--database", "mysql://kurultai:" + secret + "@db/x"}, nil)
	if err == nil || strings.Contains(err.Error(), secret) {
		t.Errorf("error = %v: want one without the password", err)
	}
	for _, url := range []string{
		"postgres://kurultai@db.example/kurultai?password=" + secret,
		"postgres://kurultai@db.example/kurultai?sslmode=verify-full&sslpassword=" + secret,
	} {
		c, err := resolve(t, []string{"--database", url}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if out := c.String(); strings.Contains(out, secret) {
			t.Errorf("String() shows the password of %s:\n%s", url, out)
		}
	}
	c, err = resolve(t, []string{"--nats", "nats://natsuser:" + secret + "@n1:4222,tls://" + secret + "@n2:4222"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if out := c.String(); strings.Contains(out, secret) || !strings.Contains(out, "n2:4222") {
		t.Errorf("String() = %q: want the NATS hosts and no secret", out)
	}
	urls, err := (&Config{NATS: " nats://a:4222, tls://b:4222 "}).NATSURLs()
	if err != nil || len(urls) != 2 || urls[1] != "tls://b:4222" {
		t.Errorf("NATSURLs = %v, %v", urls, err)
	}
}

// TestDeployExample checks that the example configuration shipped in
// deploy/ loads and validates: every key it names exists.
func TestDeployExample(t *testing.T) {
	c, err := resolve(t, []string{"--config", filepath.Join("..", "..", "deploy", "kurultai.yaml")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.DataDir != "/var/lib/kurultai" || c.LogFormat != "json" {
		t.Errorf("example not applied: %+v", c)
	}
}
