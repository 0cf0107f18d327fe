package officekey

import (
	"context"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"giaydiduong/backend/permit"
)

// verifies checks that k signs permits that verify VALID against a trust entry for it.
func verifies(t *testing.T, k Key) {
	t.Helper()
	ctx := context.Background()
	der, err := x509.MarshalPKIXPublicKey(k.Public())
	if err != nil {
		t.Fatal(err)
	}
	issued := time.Date(2026, time.March, 9, 8, 0, 0, 0, time.UTC)
	tl := &permit.TrustList{Sequence: 1, IssuedAt: issued, ExpiresAt: issued.AddDate(0, 1, 0), Entries: []permit.TrustEntry{{
		KeyID: k.KeyID(), PublicKey: der, Kind: permit.KeyKindOffice, Officer: "UBND xã Mỹ Đức Tây", UnitCode: "28249",
		ValidFrom: issued.AddDate(0, -1, 0), ValidTo: issued.AddDate(1, 0, 0),
	}}}
	p := permit.Payload{Number: "28249/2026/000001", FullName: "Nguyễn Văn A", RouteFrom: "Ấp 1", RouteTo: "Chợ", UnitCode: "28249",
		ValidFrom: permit.Date{Year: 2026, Month: time.March, Day: 10}, ValidTo: permit.Date{Year: 2026, Month: time.March, Day: 11}, IssuedAt: issued}
	// Many signatures: the TPM's S is not normalised, and half of them need Encode's low-S fix.
	for i := 0; i < 8; i++ {
		text, err := permit.Encode(ctx, p, k)
		if err != nil {
			t.Fatal(err)
		}
		if res := permit.Verify(text, issued.AddDate(0, 0, 1), tl, nil, permit.VerifyOptions{}); res.Status != permit.StatusValid {
			t.Fatalf("permit signed with the %s key: %s (%s)", k.Protection(), res.Status, res.Detail)
		}
	}
}

func copyDir(t *testing.T, from string) string {
	t.Helper()
	to := t.TempDir()
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return to
}

// keyDir is a temporary directory for a key. Under Wine (where the Windows build's tests run
// here) Go's RemoveAll fails with "Invalid function", which would fail t.TempDir's cleanup;
// the removal is best effort there.
func keyDir(t *testing.T) string {
	t.Helper()
	if runtime.GOOS != "windows" {
		return t.TempDir()
	}
	dir, err := os.MkdirTemp("", "gdd-officekey-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

func TestFileProtectionWithoutTPM(t *testing.T) {
	ctx := context.Background()
	dir := keyDir(t)
	k, err := Create(ctx, dir, Options{TPM: "none"})
	if err != nil {
		t.Fatal(err)
	}
	want := ProtectionFile
	if runtime.GOOS == "windows" {
		want = ProtectionDPAPI
	}
	if k.Protection() != want {
		t.Errorf("protection %s, want %s", k.Protection(), want)
	}
	verifies(t, k)
	again, err := Open(ctx, dir, Options{TPM: "none"})
	if err != nil || again.KeyID() != k.KeyID() {
		t.Fatalf("reopen: %v", err)
	}
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(filepath.Join(dir, FilePEM))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("key file mode: %v %v", fi, err)
		}
	}
	if _, err := Open(ctx, keyDir(t), Options{}); !errors.Is(err, ErrNoKey) {
		t.Errorf("Open of an empty directory: %v", err)
	}
}
