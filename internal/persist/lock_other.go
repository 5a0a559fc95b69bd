//go:build !unix

package persist

import (
	"fmt"
	"os"
	"path/filepath"
)

// lockDir creates dir/LOCK. Without flock (non-Unix systems) it cannot
// detect another process using the directory.
func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, lockName), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("kevy: open data directory %s: %w", dir, err)
	}
	return f, nil
}

func unlockDir(f *os.File) error {
	if f == nil {
		return nil
	}
	return f.Close()
}
