package web

import (
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// loginLimiter limits sign-in attempts with token buckets, one per client
// address and one per username: each a burst of attempts, then one per
// period. Every bucket of an attempt must have a token.
type loginLimiter struct {
	mu      sync.Mutex // guards buckets
	buckets map[string]*bucket
}

// Limit is a token bucket's size: a burst, then one more per Every.
type Limit struct {
	Burst int
	Every time.Duration
}

type bucket struct {
	tokens float64
	at     time.Time
	limit  Limit
}

type limitKey struct {
	key   string
	limit Limit
}

// maxBuckets bounds the limiter's memory; full buckets are dropped first.
const maxBuckets = 100000

func newLoginLimiter() *loginLimiter {
	return &loginLimiter{buckets: map[string]*bucket{}}
}

// allow takes a token from each key's bucket, or none when one is empty,
// and returns how long to wait for the next token when refused.
func (l *loginLimiter) allow(now time.Time, keys ...limitKey) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buckets) >= maxBuckets {
		for k, b := range l.buckets {
			if l.fill(b, now) >= float64(b.limit.Burst) {
				delete(l.buckets, k)
			}
		}
	}
	var wait time.Duration
	bs := make([]*bucket, len(keys))
	for i, k := range keys {
		b := l.buckets[k.key]
		if b == nil || b.limit != k.limit {
			b = &bucket{tokens: float64(k.limit.Burst), at: now, limit: k.limit}
			l.buckets[k.key] = b
		}
		bs[i] = b
		if t := l.fill(b, now); t < 1 {
			if w := time.Duration((1 - t) * float64(b.limit.Every)); w > wait {
				wait = w
			}
		}
	}
	if wait > 0 {
		return false, wait
	}
	for _, b := range bs {
		b.tokens--
	}
	return true, 0
}

// fill adds the tokens earned since the bucket was last filled.
func (l *loginLimiter) fill(b *bucket, now time.Time) float64 {
	if now.After(b.at) {
		b.tokens += float64(now.Sub(b.at)) / float64(b.limit.Every)
		if burst := float64(b.limit.Burst); b.tokens > burst {
			b.tokens = burst
		}
		b.at = now
	}
	return b.tokens
}

// clientIP is the address the request came from (no proxy header is
// trusted: a client could forge it to dodge the limit).
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (s *Server) limiterKeys(r *http.Request, username string) []limitKey {
	return []limitKey{{"ip:" + clientIP(r), s.cfg.LoginPerIP}, {"user:" + strings.ToLower(username), s.cfg.LoginPerUser}}
}
