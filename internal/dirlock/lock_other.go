//go:build !unix

package dirlock

// Lock does nothing where flock is unavailable.
func Lock(dir, name string) (unlock func(), err error) { return func() {}, nil }
