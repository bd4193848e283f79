//go:build unix

package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// dataLockFile is the file a running node holds an exclusive lock on.
const dataLockFile = ".lock"

// lockDataDir takes the data directory's lock: a node holds it while it
// runs, and commands that must not run beside a node (restore, migrate)
// take it too, so that each refuses while the other holds it. The lock
// goes with the process: a crash leaves nothing stale.
func lockDataDir(dir string) (unlock func(), err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, dataLockFile), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("data dir: lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("data dir %s is in use: a node (or another command) is running on it; stop it first", dir)
		}
		return nil, fmt.Errorf("data dir: lock: %w", err)
	}
	return func() { f.Close() }, nil
}
