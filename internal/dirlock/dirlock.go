// Package dirlock keeps two processes off one directory: an exclusive,
// non-blocking lock on a file in it, released with the process (a crash
// leaves nothing stale). The node's data directory and each embedded NATS
// store use it.
package dirlock

import "errors"

// ErrInUse is returned (wrapped) when another process holds the lock.
var ErrInUse = errors.New("in use by another process")
