//go:build !windows

package owneronly

import (
	"os"
	"path/filepath"
	"testing"
)

func TestUnixModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "d")
	if err := MkdirAll(dir); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
		t.Errorf("directory mode %v, want 0700", fi.Mode().Perm())
	}
	f := filepath.Join(dir, "k")
	if err := os.WriteFile(f, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(f, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Check(f); err == nil {
		t.Error("Check accepted a 0644 file")
	}
	if err := Restrict(f); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(f); fi.Mode().Perm() != 0o600 {
		t.Errorf("after Restrict: mode %v, want 0600", fi.Mode().Perm())
	}
}
