// Package datadir decides where an office keeps its database and keys.
package datadir

import (
	"fmt"
	"os"
	"path/filepath"

	"giaydiduong/backend/owneronly"
)

// Resolve returns the data directory: the --data flag, else GDD_DATA, else the OS user data
// directory. It creates the directory readable by the owner only (see owneronly: a 0700
// mode on Unix, an owner-only access list on Windows).
func Resolve(flag string) (string, error) {
	dir := flag
	if dir == "" {
		dir = os.Getenv("GDD_DATA")
	}
	if dir == "" {
		base, err := userDataDir()
		if err != nil {
			return "", err
		}
		dir = filepath.Join(base, "GiayDiDuong")
	}
	if err := owneronly.MkdirAll(dir); err != nil {
		return "", fmt.Errorf("create data directory: %w", err)
	}
	return dir, nil
}

// userDataDir is %AppData% on Windows, ~/Library/Application Support on macOS and
// $XDG_DATA_HOME (default ~/.local/share) elsewhere.
func userDataDir() (string, error) {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return d, nil
	}
	if d, err := os.UserConfigDir(); err == nil && (os.Getenv("APPDATA") != "" || filepath.Base(filepath.Dir(d)) == "Library") {
		return d, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("find the user data directory: %w", err)
	}
	return filepath.Join(home, ".local", "share"), nil
}
