//go:build unix

package persist

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockDir takes an exclusive advisory lock (flock) on dir/LOCK, so that two
// processes (or two Opens in one process) never use one data directory at
// once. The lock dies with the process, so a crash never leaves it held.
func lockDir(dir string) (*os.File, error) {
	path := filepath.Join(dir, lockName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("kevy: open data directory %s: %w", dir, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w: %s is locked by another process or another open DB", ErrLocked, dir)
		}
		return nil, fmt.Errorf("kevy: lock %s: %w", path, err)
	}
	return f, nil
}

// unlockDir releases lockDir's lock.
func unlockDir(f *os.File) error {
	if f == nil {
		return nil
	}
	return f.Close()
}
