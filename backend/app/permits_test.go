package app

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"giaydiduong/backend/permit"
)

func (f *fixture) approved(t testing.TB) Application {
	t.Helper()
	a, err := f.AddApplication(f.ctx, f.clerk, f.input(), false)
	if err != nil {
		t.Fatal(err)
	}
	if a, err = f.ApproveApplication(f.ctx, f.approver, a.ID); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestIssueVerifyRevoke(t *testing.T) {
	f := newFixture(t)
	app := f.approved(t)
	p, err := f.IssuePermit(f.ctx, f.clerk, app.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.Number != DemoUnitCode+"/2026/000001" || p.Status != "awaiting_hand_signature" || !strings.HasPrefix(p.QR, "GDD1:") {
		t.Fatalf("issued %s %s %q", p.Number, p.Status, p.QR)
	}
	if p.SignerName != "Lê Văn Đức" || p.SignerTitle != "Phó Chủ tịch" {
		t.Errorf("signature block %q %q, want the approving leader", p.SignerName, p.SignerTitle)
	}
	v, err := f.Verify(f.ctx, f.clerk, p.QR)
	if err != nil || v.Status != permit.StatusValid {
		t.Fatalf("verify: %+v %v", v.Result, err)
	}
	if v.Payload.FullName != "Nguyễn Văn Dũng" || v.Payload.IDLast4 != app.IDNumber[8:] || v.Payload.BirthYear != 1995 || v.Payload.VehiclePlate != "63-B1 123.45" {
		t.Errorf("payload %+v", v.Payload)
	}
	if v.Trust == nil || v.Trust.Entries != 1 || v.Trust.Stale {
		t.Errorf("trust status %+v", v.Trust)
	}
	// Issuing twice, or from an application not approved, is refused.
	if _, err := f.IssuePermit(f.ctx, f.clerk, app.ID); codeOf(err) != CodeConflict {
		t.Errorf("second permit for one application: %v", err)
	}
	draft, _ := f.AddApplication(f.ctx, f.clerk, f.input(), true)
	if _, err := f.IssuePermit(f.ctx, f.clerk, draft.ID); codeOf(err) != CodeInvalidTransition {
		t.Errorf("permit for a draft: %v", err)
	}
	// Workflow: hand signature, hand-over; then a clerk may not revoke, a leader may.
	if _, err := f.HandOver(f.ctx, f.clerk, p.Number); codeOf(err) != CodeInvalidTransition {
		t.Errorf("handed over before the leader signed: %v", err)
	}
	if p, err = f.MarkHandSigned(f.ctx, f.clerk, p.Number); err != nil || p.Status != "hand_signed" {
		t.Fatalf("hand signed: %v %v", p.Status, err)
	}
	if p, err = f.HandOver(f.ctx, f.clerk, p.Number); err != nil || p.Status != "issued" || p.HandedOverAt == nil {
		t.Fatalf("hand over: %v %v", p.Status, err)
	}
	if _, err := f.RevokePermit(f.ctx, f.clerk, p.Number, "Khai sai nơi làm việc"); codeOf(err) != CodeForbidden {
		t.Errorf("clerk revoked: %v", err)
	}
	if _, err := f.RevokePermit(f.ctx, f.approver, p.Number, ""); codeOf(err) != CodeValidation {
		t.Errorf("revoked without reason: %v", err)
	}
	if p, err = f.RevokePermit(f.ctx, f.approver, p.Number, "Khai sai nơi làm việc"); err != nil || p.Status != "revoked" {
		t.Fatalf("revoke: %v %v", p.Status, err)
	}
	v, err = f.Verify(f.ctx, f.clerk, p.QR)
	if err != nil || v.Status != permit.StatusRevoked || v.Revocation.Reason != "Khai sai nơi làm việc" {
		t.Fatalf("after revocation: %+v %v", v.Result, err)
	}
	// The exported bundle carries the revocation to checkpoint verifiers.
	bundle, err := f.ExportTrustBundle(f.ctx, f.clerk)
	if err != nil {
		t.Fatal(err)
	}
	root, err := permit.LoadSoftwareSigner(filepath.Join(f.DataDir(), DemoRootKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	tl, rl, err := permit.ParseBundle(bundle, root.Public())
	if err != nil {
		t.Fatal(err)
	}
	if got := permit.Verify(p.QR, f.now, tl, rl, permit.VerifyOptions{}); got.Status != permit.StatusRevoked {
		t.Errorf("verifier with the exported bundle says %s", got.Status)
	}
}

func TestVerifyVerdicts(t *testing.T) {
	f := newFixture(t)
	p, err := f.IssuePermit(f.ctx, f.clerk, f.approved(t).ID)
	if err != nil {
		t.Fatal(err)
	}
	// A forged permit: same layout, signed by a key the province never enrolled.
	forger, _ := permit.GenerateSoftwareSigner()
	payload, _, err := permit.Decode(p.QR)
	if err != nil {
		t.Fatal(err)
	}
	payload.KeyID = permit.KeyID{}
	forged, err := permit.Encode(f.ctx, payload, forger)
	if err != nil {
		t.Fatal(err)
	}
	tampered := []byte(p.QR)
	tampered[len(tampered)/2] ^= 1
	if tampered[len(tampered)/2] == p.QR[len(tampered)/2] || !strings.ContainsRune("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:", rune(tampered[len(tampered)/2])) {
		tampered[len(tampered)/2] = 'A'
	}
	if tampered[len(tampered)/2] == p.QR[len(tampered)/2] { // it was an 'A' already
		tampered[len(tampered)/2] = 'B'
	}
	for _, c := range []struct {
		name string
		text string
		at   time.Time
		want permit.Status
	}{
		{"valid", p.QR, f.now, permit.StatusValid},
		{"expired", p.QR, f.now.AddDate(0, 0, 7), permit.StatusExpired},
		{"not yet valid", p.QR, f.now.AddDate(0, 0, -1), permit.StatusNotYetValid},
		{"forged", forged, f.now, permit.StatusUnknownSigner},
		{"garbage", "hello", f.now, permit.StatusMalformed},
		{"one character changed", string(tampered), f.now, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			f.now = c.at
			defer func() { f.now = time.Date(2026, 11, 28, 9, 0, 0, 0, vietnam) }()
			v, err := f.Verify(f.ctx, f.clerk, c.text)
			if err != nil {
				t.Fatal(err)
			}
			if c.want == "" {
				if v.Status == permit.StatusValid {
					t.Fatal("a tampered permit verified as VALID")
				}
				return
			}
			if v.Status != c.want {
				t.Fatalf("got %s (%s), want %s", v.Status, v.Detail, c.want)
			}
		})
	}
}

func TestConcurrentIssuanceIsGapless(t *testing.T) {
	f := newFixture(t)
	if _, err := f.UpdateSettings(f.ctx, f.admin, Settings{IdleLockMinutes: 5, FourEyes: true}); err != nil {
		t.Fatal(err)
	}
	const n = 100
	ids := make([]string, n)
	for i := range ids {
		ids[i] = f.approved(t).ID
	}
	var wg sync.WaitGroup
	numbers := make([]string, n)
	errs := make([]error, n)
	for i := range ids {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			p, err := f.IssuePermit(f.ctx, f.clerk, ids[i])
			numbers[i], errs[i] = p.Number, err
		}(i)
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("issuance %d: %v", i, err)
		}
	}
	sort.Strings(numbers)
	for i, num := range numbers {
		if want := fmt.Sprintf(DemoUnitCode+"/2026/%06d", i+1); num != want {
			t.Fatalf("number %d is %s, want %s (gap or duplicate)", i, num, want)
		}
	}
}

func TestTrustBundleMustComeFromThePinnedRoot(t *testing.T) {
	f := newFixture(t)
	other, _ := permit.GenerateSoftwareSigner()
	now := f.now.UTC().Truncate(time.Second)
	forged, err := permit.BuildBundle(f.ctx, permit.TrustList{Sequence: 99, IssuedAt: now, ExpiresAt: now.AddDate(0, 1, 0)},
		permit.RevocationList{Sequence: 99, TrustSequence: 99, IssuedAt: now, ExpiresAt: now.AddDate(0, 1, 0)}, other, other.Public())
	if err != nil {
		t.Fatal(err)
	}
	before, _ := f.TrustStatus(f.ctx, f.clerk)
	if _, err := f.ImportTrustBundle(f.ctx, f.admin, forged); codeOf(err) != CodeValidation {
		t.Fatalf("bundle from another root: %v", err)
	}
	if _, err := f.ImportTrustBundle(f.ctx, f.clerk, forged); codeOf(err) != CodeForbidden {
		t.Fatalf("clerk imported a bundle: %v", err)
	}
	after, _ := f.TrustStatus(f.ctx, f.clerk)
	if after != before {
		t.Errorf("a refused bundle changed the trust status: %+v -> %+v", before, after)
	}
	// A newer bundle from the real root is accepted and becomes current.
	f.now = f.now.Add(time.Hour)
	fresh, err := f.ExportTrustBundle(f.ctx, f.clerk)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.ImportTrustBundle(f.ctx, f.admin, fresh)
	if err != nil || !st.TrustIssuedAt.After(before.TrustIssuedAt) {
		t.Fatalf("fresh bundle: %+v %v", st, err)
	}
	key, err := os.Stat(filepath.Join(f.DataDir(), OfficeKeyFile))
	if err != nil || key.Mode().Perm() != 0o600 {
		t.Errorf("office key file: %v %v, want mode 0600", key, err)
	}
}
