package owneronly

import (
	"os"
	"path/filepath"
	"testing"
)

// TestOwnerOnly holds on every OS: a directory MkdirAll makes, and a file created in it with
// FileMode and restricted, pass Check. On Windows this test runs under Wine from
// tests/windows (cross-compiled with go test -c), on Linux with go test.
func TestOwnerOnly(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "GiayDiDuong")
	if err := MkdirAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := MkdirAll(dir); err != nil {
		t.Fatalf("MkdirAll on an existing directory: %v", err)
	}
	f := filepath.Join(dir, "office.db")
	if err := os.WriteFile(f, []byte("x"), FileMode); err != nil {
		t.Fatal(err)
	}
	if err := Check(f); err != nil {
		t.Errorf("a file made in an owner-only directory: %v", err)
	}
	if err := Restrict(f); err != nil {
		t.Fatal(err)
	}
	if err := Check(f); err != nil {
		t.Errorf("after Restrict: %v", err)
	}
	if err := Restrict(filepath.Join(dir, "office.db-shm")); err != nil {
		t.Errorf("Restrict of a file SQLite has not made yet: %v", err)
	}
	// Restricting a file another handle holds open is what SQLite's -shm needs.
	h, err := os.OpenFile(f, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if err := Restrict(f); err != nil {
		t.Errorf("Restrict of an open file: %v", err)
	}
}
