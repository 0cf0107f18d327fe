//go:build !windows

package officekey

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"giaydiduong/backend/officekey/swtpmtest"
)

// TestFinding1_OfficeKeyCannotLeaveTheMachine: the office key made in a TPM signs permits,
// survives a restart, and a copy of the data directory (a backup, a stolen disk) opens on no
// other TPM. Before the fix the key was office-key.pem, which works wherever it is copied.
func TestFinding1_OfficeKeyCannotLeaveTheMachine(t *testing.T) {
	ctx := context.Background()
	office := Options{TPM: swtpmtest.Start(t)}
	dir := t.TempDir()
	k, err := Create(ctx, dir, office)
	if err != nil {
		t.Fatal(err)
	}
	if k.Protection() != ProtectionTPM {
		t.Fatalf("protection %s, want tpm", k.Protection())
	}
	if _, err := os.Stat(filepath.Join(dir, FilePEM)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a TPM office still wrote %s: %v", FilePEM, err)
	}
	verifies(t, k)
	kid := k.KeyID()
	if err := k.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := Create(ctx, dir, office); !errors.Is(err, fs.ErrExist) {
		t.Errorf("Create over an existing key: %v", err)
	}

	again, err := Open(ctx, dir, office)
	if err != nil {
		t.Fatal(err)
	}
	if again.KeyID() != kid || again.Protection() != ProtectionTPM {
		t.Errorf("reopened key %x (%s), want %x", again.KeyID(), again.Protection(), kid)
	}
	verifies(t, again)
	again.Close()

	// The backup restored on another PC: another TPM, whose storage root key differs.
	elsewhere := Options{TPM: swtpmtest.Start(t)}
	restored := copyDir(t, dir)
	if k, err := Open(ctx, restored, elsewhere); !errors.Is(err, ErrNotThisMachine) {
		if k != nil {
			k.Close()
		}
		t.Fatalf("the copied key opened on another TPM: %v", err)
	}
	// ...enrolls a new key there.
	if err := Retire(restored, time.Now()); err != nil {
		t.Fatal(err)
	}
	fresh, err := Create(ctx, restored, elsewhere)
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	if fresh.KeyID() == kid {
		t.Error("the restored office got the old key id")
	}
	verifies(t, fresh)

	// A named TPM that does not answer is an error, never a silent fall-back to a file.
	if _, err := Create(ctx, t.TempDir(), Options{TPM: "unix:" + filepath.Join(t.TempDir(), "none.sock")}); err == nil {
		t.Error("Create fell back from an unreachable TPM")
	}
}
