//go:build !windows

package owneronly

import (
	"fmt"
	"io/fs"
	"os"
)

// MkdirAll creates dir (and its parents) as a directory only its owner can enter.
func MkdirAll(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	return nil
}

// Restrict makes an existing file readable and writable by its owner only. A file that does
// not exist is left alone (SQLite creates its -wal and -shm files on demand).
func Restrict(path string) error {
	if err := os.Chmod(path, 0o600); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("restrict %s to its owner: %w", path, err)
	}
	return nil
}

// FileMode is the mode for new files under the owner-only rule.
const FileMode fs.FileMode = 0o600

// Check refuses a file that anyone but its owner can read, as ssh does with private keys, so
// a key copied with the wrong mode is noticed.
func Check(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("check %s: %w", path, err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("%s has mode %v, which lets others read it; want 0600", path, fi.Mode().Perm())
	}
	return nil
}
