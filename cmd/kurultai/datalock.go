package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/kurultai/kurultai/internal/dirlock"
)

// dataLockFile is the file a running node holds an exclusive lock on.
const dataLockFile = ".lock"

// lockDataDir takes the data directory's lock: a node holds it while it
// runs, and commands that must not run beside a node (restore, migrate)
// take it too, so that each refuses while the other holds it.
func lockDataDir(dir string) (unlock func(), err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	unlock, err = dirlock.Lock(dir, dataLockFile)
	if errors.Is(err, dirlock.ErrInUse) {
		return nil, fmt.Errorf("data dir %s is in use: a node (or another command) is running on it; stop it first", dir)
	}
	if err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	return unlock, nil
}
