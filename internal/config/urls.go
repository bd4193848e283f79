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

// CheckDatabase checks a PostgreSQL URL without ever echoing it: the URL
// may carry a password. Empty is fine (SQLite).
func CheckDatabase(s string) error {
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

// secretParams are the query parameters of a database URL that carry a
// secret.
var secretParams = []string{"password", "sslpassword", "sslkey_password"}

// RedactURL replaces the password of a URL (in its user part and in the
// query parameters that carry one) with "xxxxx"; a string that does not
// parse as a URL is replaced whole, in case it holds a secret.
func RedactURL(s string) string {
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL redacted)"
	}
	if q := u.Query(); len(q) > 0 {
		changed := false
		for k := range q {
			for _, secret := range secretParams {
				if strings.EqualFold(k, secret) {
					q.Set(k, "xxxxx")
					changed = true
				}
			}
		}
		if changed {
			u.RawQuery = q.Encode()
		}
	}
	if u.User != nil {
		if _, ok := u.User.Password(); !ok && u.Scheme != "postgres" && u.Scheme != "postgresql" {
			// nats://TOKEN@host: the user part alone is the secret.
			u.User = url.User("xxxxx")
		}
	}
	return u.Redacted()
}

// redactList redacts each URL of a comma-separated list.
func redactList(s string) string {
	if strings.TrimSpace(s) == "" {
		return s
	}
	parts := strings.Split(s, ",")
	for i, p := range parts {
		parts[i] = RedactURL(strings.TrimSpace(p))
	}
	return strings.Join(parts, ",")
}
