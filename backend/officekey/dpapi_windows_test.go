//go:build windows

package officekey

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestDPAPIRoundTrip: on Windows without a TPM the office key is DPAPI-encrypted at rest,
// reopens for the same account, and a changed file is refused rather than half-read.
func TestDPAPIRoundTrip(t *testing.T) {
	sealed, err := dpapiProtect([]byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("secret")) {
		t.Error("DPAPI output holds the plain text")
	}
	plain, err := dpapiUnprotect(sealed)
	if err != nil || string(plain) != "secret" {
		t.Fatalf("unprotect: %q %v", plain, err)
	}
	ctx := context.Background()
	dir := keyDir(t)
	k, err := Create(ctx, dir, Options{TPM: "none"})
	if err != nil {
		t.Fatal(err)
	}
	if k.Protection() != ProtectionDPAPI {
		t.Fatalf("protection %s", k.Protection())
	}
	if _, err := os.Stat(filepath.Join(dir, FilePEM)); err == nil {
		t.Error("a DPAPI office also wrote a clear key file")
	}
	again, err := Open(ctx, dir, Options{TPM: "none"})
	if err != nil || again.KeyID() != k.KeyID() {
		t.Fatalf("reopen: %v", err)
	}
	path := filepath.Join(dir, FileDPAPI)
	data, _ := os.ReadFile(path)
	data[len(data)/2] ^= 1
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, dir, Options{TPM: "none"}); !errors.Is(err, ErrNotThisMachine) {
		t.Errorf("a changed DPAPI file: %v", err)
	}
}
