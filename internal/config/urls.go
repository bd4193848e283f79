package config

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Postgres reports whether the node keeps its data in PostgreSQL.
func (c *Config) Postgres() bool { return c.Database != "" }

// NATSURLs splits NATS into server URLs, checking each; nil means the
// embedded server.
func (c *Config) NATSURLs() ([]string, error) {
	if strings.TrimSpace(c.NATS) == "" {
		return nil, nil
	}
	var urls []string
	for i, raw := range strings.Split(c.NATS, ",") {
		raw = strings.TrimSpace(raw)
		u, err := url.Parse(raw)
		switch {
		case raw == "":
			return nil, fmt.Errorf("config: nats: server %d is empty", i+1)
		case err != nil || u.Host == "":
			return nil, fmt.Errorf("config: nats: server %d: %q is not a URL like nats://host:4222", i+1, RedactURL(raw))
		case u.Scheme != "nats" && u.Scheme != "tls":
			return nil, fmt.Errorf("config: nats: server %d: scheme %q is not nats or tls", i+1, u.Scheme)
		}
		urls = append(urls, raw)
	}
	return urls, nil
}

// validDatabase checks a PostgreSQL URL without ever echoing it: the
// URL may carry a password.
func validDatabase(s string) error {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return errors.New("not a URL like postgres://user:password@host/db")
	case u.Scheme != "postgres" && u.Scheme != "postgresql":
		return errors.New("only postgres:// URLs are supported (leave it empty for SQLite)")
	case strings.Trim(u.Path, "/") == "":
		return errors.New("the URL names no database (postgres://user@host/DATABASE)")
	}
	return nil
}

// RedactURL replaces the password of a URL with "xxxxx"; a string that
// does not parse as a URL is replaced whole, in case it holds a secret.
func RedactURL(s string) string {
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL redacted)"
	}
	return u.Redacted()
}
