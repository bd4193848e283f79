// Package config holds the node's one Config: defaults, the file, the
// environment and the flags, in that order of precedence (a flag beats the
// environment, which beats the file, which beats the default), validated once
// and printable with secrets redacted.
package config

import (
	"bytes"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Config is everything a node needs to start.
type Config struct {
	// DataDir holds the database, the NATS store and the node's keys.
	DataDir string `yaml:"data"`
	// Listen is the HTTP listen address (host:port; port 0 picks one).
	Listen string `yaml:"listen"`
	// Participant is the code of the participant this node serves for; its
	// system objects are written under this code.
	Participant string `yaml:"participant"`
	// Title is shown in TAXII discovery and on pages.
	Title string `yaml:"title"`
	// MaxContentLength bounds request bodies in bytes (TAXII
	// max_content_length).
	MaxContentLength int64 `yaml:"max_content_length"`
	// LogLevel is debug, info, warn or error.
	LogLevel string `yaml:"log_level"`
	// LogFormat is text or json.
	LogFormat string `yaml:"log_format"`
	// NATSListen is the NATS client listen address; empty keeps the
	// embedded server in-process only.
	NATSListen string `yaml:"nats_listen"`
	// Charter is the crisis charter file; empty uses the embedded default
	// (the Organization of Turkic States).
	Charter string `yaml:"charter"`
	// Database is a PostgreSQL URL (postgres://USER:PASSWORD@HOST/DB);
	// empty keeps the embedded SQLite database in DataDir. It may hold a
	// password: String redacts it and errors never echo it.
	Database string `yaml:"database"`
	// NATS lists the servers of an external NATS JetStream cluster,
	// separated by commas (nats://a:4222,nats://b:4222); empty runs the
	// embedded server.
	NATS string `yaml:"nats"`
	// FederationListen is the TLS address other nodes dial to link with
	// this one (host:port); empty accepts no links (the node dials its
	// peers). It needs a node certificate (kurultai cert issue).
	FederationListen string `yaml:"federation_listen"`
	// SecureCookies marks the web session cookies Secure even on plain
	// HTTP: set it when a proxy or load balancer terminates TLS in
	// front of the node. (Requests that arrive over TLS always get it.)
	SecureCookies bool `yaml:"secure_cookies"`
}

// Default returns the embedded defaults.
func Default() Config {
	return Config{
		DataDir:          "kurultai-data",
		Listen:           "127.0.0.1:8080",
		Participant:      "SEC",
		Title:            "Kurultai",
		MaxContentLength: 64 << 20,
		LogLevel:         "info",
		LogFormat:        "text",
	}
}

// env names each setting's environment variable.
var envNames = map[string]string{
	"data":               "KURULTAI_DATA",
	"listen":             "KURULTAI_LISTEN",
	"participant":        "KURULTAI_PARTICIPANT",
	"title":              "KURULTAI_TITLE",
	"max-content-length": "KURULTAI_MAX_CONTENT_LENGTH",
	"log-level":          "KURULTAI_LOG_LEVEL",
	"log-format":         "KURULTAI_LOG_FORMAT",
	"nats-listen":        "KURULTAI_NATS_LISTEN",
	"charter":            "KURULTAI_CHARTER",
	"database":           "KURULTAI_DATABASE",
	"nats":               "KURULTAI_NATS",
	"federation-listen":  "KURULTAI_FEDERATION_LISTEN",
	"secure-cookies":     "KURULTAI_SECURE_COOKIES",
}

// Flags registers the settings on fs. After fs.Parse, call Resolve.
type Flags struct {
	fs         *flag.FlagSet
	configFile string
	values     map[string]*string
}

// Register adds one flag per setting, plus --config, to fs.
func Register(fs *flag.FlagSet) *Flags {
	d := Default()
	f := &Flags{fs: fs, values: map[string]*string{}}
	fs.StringVar(&f.configFile, "config", "", "YAML configuration `file` (env KURULTAI_CONFIG)")
	add := func(name, def, usage string) {
		f.values[name] = fs.String(name, def, usage+" (env "+envNames[name]+")")
	}
	add("data", d.DataDir, "data `directory` for the database, NATS store and keys")
	add("listen", d.Listen, "HTTP listen `address`")
	add("participant", d.Participant, "participant `code` this node serves for")
	add("title", d.Title, "node `title` shown to clients")
	add("max-content-length", strconv.FormatInt(d.MaxContentLength, 10), "largest request body in `bytes`")
	add("log-level", d.LogLevel, "log `level`: debug, info, warn, error")
	add("log-format", d.LogFormat, "log `format`: text or json")
	add("nats-listen", d.NATSListen, "NATS client listen `address`; empty keeps NATS in-process")
	add("charter", d.Charter, "crisis charter `file` (YAML); empty uses the embedded default")
	add("database", d.Database, "PostgreSQL `URL` (postgres://user:password@host/db); empty uses SQLite in the data directory")
	add("nats", d.NATS, "external NATS JetStream cluster `URLs`, comma-separated; empty runs NATS in-process")
	add("federation-listen", d.FederationListen, "TLS `address` other nodes dial for federation; empty: dial only")
	add("secure-cookies", strconv.FormatBool(d.SecureCookies), "mark session cookies Secure (`true|false`); set behind a TLS-terminating proxy")
	return f
}

// Resolve builds the Config from defaults, the file, the environment and the
// flags set on the command line, and validates it.
func (f *Flags) Resolve(getenv func(string) string) (Config, error) {
	c := Default()
	file := f.configFile
	if file == "" {
		file = getenv("KURULTAI_CONFIG")
	}
	if file != "" {
		if err := c.loadFile(file); err != nil {
			return Config{}, err
		}
	}
	set := map[string]bool{}
	f.fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	for name, env := range envNames {
		v, fromFlag := *f.values[name], set[name]
		if !fromFlag {
			ev := getenv(env)
			if ev == "" {
				continue
			}
			v = ev
		}
		if err := c.setField(name, v); err != nil {
			src := "--" + name
			if !fromFlag {
				src = env
			}
			return Config{}, fmt.Errorf("config: %s: %w", src, err)
		}
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

func (c *Config) loadFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && err.Error() != "EOF" {
		return fmt.Errorf("config: %s: %w", path, err)
	}
	return nil
}

func (c *Config) setField(name, v string) error {
	switch name {
	case "data":
		c.DataDir = v
	case "listen":
		c.Listen = v
	case "participant":
		c.Participant = v
	case "title":
		c.Title = v
	case "max-content-length":
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fmt.Errorf("not a whole number of bytes: %q", v)
		}
		c.MaxContentLength = n
	case "log-level":
		c.LogLevel = v
	case "log-format":
		c.LogFormat = v
	case "nats-listen":
		c.NATSListen = v
	case "charter":
		c.Charter = v
	case "database":
		c.Database = v
	case "nats":
		c.NATS = v
	case "federation-listen":
		c.FederationListen = v
	case "secure-cookies":
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("not true or false: %q", v)
		}
		c.SecureCookies = b
	}
	return nil
}

// Validate checks every field and names the first one that is wrong.
func (c *Config) Validate() error {
	if strings.TrimSpace(c.DataDir) == "" {
		return fmt.Errorf("config: data: must not be empty")
	}
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		return fmt.Errorf("config: listen: %q is not host:port", c.Listen)
	}
	if c.NATSListen != "" {
		if _, _, err := net.SplitHostPort(c.NATSListen); err != nil {
			return fmt.Errorf("config: nats_listen: %q is not host:port", c.NATSListen)
		}
	}
	if c.FederationListen != "" {
		if _, _, err := net.SplitHostPort(c.FederationListen); err != nil {
			return fmt.Errorf("config: federation_listen: %q is not host:port", c.FederationListen)
		}
	}
	if err := CheckDatabase(c.Database); err != nil {
		return fmt.Errorf("config: database: %w", err)
	}
	if _, err := c.NATSURLs(); err != nil {
		return err
	}
	if c.NATS != "" && c.NATSListen != "" {
		return fmt.Errorf("config: nats_listen: the embedded server's address cannot be combined with an external cluster (nats)")
	}
	if !validCode(c.Participant) {
		return fmt.Errorf("config: participant: %q is not a participant code (2-10 capital letters)", c.Participant)
	}
	if c.MaxContentLength < 1024 || c.MaxContentLength > 1<<30 {
		return fmt.Errorf("config: max_content_length: %d is outside 1024..1073741824", c.MaxContentLength)
	}
	if _, err := c.Level(); err != nil {
		return err
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return fmt.Errorf("config: log_format: %q is not text or json", c.LogFormat)
	}
	return nil
}

// Level returns the slog level of LogLevel.
func (c *Config) Level() (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return 0, fmt.Errorf("config: log_level: %q is not debug, info, warn or error", c.LogLevel)
	}
	return l, nil
}

// DBPath is the SQLite database file.
func (c *Config) DBPath() string { return filepath.Join(c.DataDir, "kurultai.db") }

// String prints the effective configuration with the passwords of the
// database and NATS URLs redacted.
func (c Config) String() string {
	c.Database = RedactURL(c.Database)
	c.NATS = redactList(c.NATS)
	out, _ := yaml.Marshal(c)
	return string(out)
}

func validCode(s string) bool {
	if len(s) < 2 || len(s) > 10 {
		return false
	}
	for _, r := range s {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}
