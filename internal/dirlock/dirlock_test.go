//go:build unix

package dirlock

import (
	"errors"
	"testing"
)

func TestLock(t *testing.T) {
	dir := t.TempDir()
	unlock, err := Lock(dir, "LOCK")
	if err != nil {
		t.Fatal(err)
	}
	// flock locks belong to open files: a second open in this process
	// conflicts like another process would.
	if _, err := Lock(dir, "LOCK"); !errors.Is(err, ErrInUse) {
		t.Fatalf("second Lock = %v, want ErrInUse", err)
	}
	unlock()
	again, err := Lock(dir, "LOCK")
	if err != nil {
		t.Fatalf("Lock after unlock: %v", err)
	}
	again()
	if _, err := Lock(dir+"/missing", "LOCK"); err == nil || errors.Is(err, ErrInUse) {
		t.Errorf("Lock in a missing directory = %v, want an error other than ErrInUse", err)
	}
}
