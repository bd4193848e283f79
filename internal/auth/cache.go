package auth

import (
	"sync"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// cacheKey is an HMAC-SHA256 of the credentials under a per-process key:
// the cache never holds a password or a token secret, and its keys are
// useless outside this process.
type cacheKey [32]byte

type cacheEntry struct {
	p       kurultai.Principal
	expires time.Time
}

// cache remembers recent successful authentications for a short time.
// Failures are never cached.
type cache struct {
	max int

	// mu guards entries. It is never held while calling out of the cache
	// (no store or hashing work under it), and no other lock is taken
	// while holding it.
	mu      sync.Mutex
	entries map[cacheKey]cacheEntry
}

func newCache(max int) *cache {
	return &cache{max: max, entries: make(map[cacheKey]cacheEntry)}
}

// get returns the principal cached under k if it has not expired by now.
func (c *cache) get(k cacheKey, now time.Time) (kurultai.Principal, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok {
		return kurultai.Principal{}, false
	}
	if !now.Before(e.expires) {
		delete(c.entries, k)
		return kurultai.Principal{}, false
	}
	return e.p, true
}

// put caches p under k until expires. When the cache is full it first drops
// expired entries, then, if none had expired, an arbitrary one (Go's map
// iteration starts at a random place). Puts follow an argon2id check or a
// store lookup, so the occasional sweep costs little in comparison.
func (c *cache) put(k cacheKey, p kurultai.Principal, expires, now time.Time) {
	if c.max <= 0 || !now.Before(expires) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[k]; !ok && len(c.entries) >= c.max {
		for key, e := range c.entries {
			if !now.Before(e.expires) {
				delete(c.entries, key)
			}
		}
		if len(c.entries) >= c.max {
			for key := range c.entries {
				delete(c.entries, key)
				break
			}
		}
	}
	c.entries[k] = cacheEntry{p: p, expires: expires}
}

func (c *cache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

func (c *cache) flush() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.entries)
}
