package datadir

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"

	"giaydiduong/backend/owneronly"
)

// WritePrivateFile writes a file holding personal data (a permit PDF, an export) readable
// by the owner only: created 0600, and narrowed to 0600 when it already existed. It reports
// when the directory itself is open to other accounts, so the caller can say so.
func WritePrivateFile(path string, data []byte) (dirOpen bool, err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return false, fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return false, fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return false, fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return false, fmt.Errorf("write %s: %w", path, err)
	}
	// Narrows a file that existed with a wider mode; on Windows it sets the owner-only DACL.
	if err := owneronly.Restrict(path); err != nil {
		return false, err
	}
	return dirOpenToOthers(filepath.Dir(path)), nil
}

// dirOpenToOthers: on Unix, a directory other accounts may list. (Windows access is by ACL,
// not mode bits; the data directory's ACL is set where it is created.)
func dirOpenToOthers(dir string) bool {
	if runtime.GOOS == "windows" {
		return false
	}
	st, err := os.Stat(dir)
	return err == nil && st.Mode().Perm()&fs.FileMode(0o077) != 0
}

// PrivateDir creates (or narrows) dir so that only the owner can read it.
func PrivateDir(dir string) error {
	if err := owneronly.MkdirAll(dir); err != nil {
		return err
	}
	if runtime.GOOS != "windows" {
		// MkdirAll leaves an existing directory's mode alone; narrow it.
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("restrict %s to its owner: %w", dir, err)
		}
	}
	return nil
}
