package app

// Issue 9's findings on the permit chain (1, 2, 3, 8, 9), through the service layer. Each
// failed on the code before the fix.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"giaydiduong/backend/officekey"
	"giaydiduong/backend/officekey/swtpmtest"
	"giaydiduong/backend/permit"
	"giaydiduong/backend/store"
)

// demoRoot is the demo office's stand-in provincial root.
func (f *fixture) demoRoot(t *testing.T) *permit.SoftwareSigner {
	t.Helper()
	root, err := permit.LoadSoftwareSigner(filepath.Join(f.DataDir(), DemoRootKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// bundle signs the office's current lists, changed by change, as the province would.
func (f *fixture) bundle(t *testing.T, change func(*permit.TrustList, *permit.RevocationList)) []byte {
	t.Helper()
	tl, rl, _, err := f.lists(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	change(tl, rl)
	root := f.demoRoot(t)
	data, err := permit.BuildBundle(f.ctx, *tl, *rl, root, root.Public())
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestFinding1_RestoredOfficeEnrollsNewKey(t *testing.T) {
	dir := t.TempDir()
	f := newFixtureIn(t, dir, officekey.Options{TPM: swtpmtest.Start(t)}, true)
	s, err := f.Settings(f.ctx, f.admin)
	if err != nil || s.OfficeKeyProtection != "tpm" {
		t.Fatalf("settings say the office key is held by %q (%v), want tpm", s.OfficeKeyProtection, err)
	}
	if _, err := os.Stat(filepath.Join(dir, OfficeKeyFile)); err == nil {
		t.Fatalf("a TPM office wrote %s", OfficeKeyFile)
	}
	old, err := f.IssuePermit(f.ctx, f.clerk, f.approved(t).ID)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := f.Verify(f.ctx, f.clerk, old.QR); err != nil || v.Status != permit.StatusValid {
		t.Fatalf("TPM-signed permit: %+v %v", v.Result, err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	// The data directory, copied (a backup) and restored on another PC with its own TPM.
	restored := t.TempDir()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(restored, e.Name()), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	g := newFixtureIn(t, restored, officekey.Options{TPM: swtpmtest.Start(t)}, false)
	g.now = f.now
	_, err = g.IssuePermit(g.ctx, g.clerk, g.approved(t).ID)
	if codeOf(err) != CodeConflict || !strings.Contains(AsError(err).EN, "another machine") {
		t.Fatalf("issuing with the copied key on another TPM: %v", err)
	}
	if _, err := g.RenewOfficeKey(g.ctx, g.clerk); codeOf(err) != CodeForbidden {
		t.Errorf("a clerk renewed the office key: %v", err)
	}
	renewed, err := g.RenewOfficeKey(g.ctx, g.admin)
	if err != nil {
		t.Fatal(err)
	}
	if renewed.KeyID == old.KeyID || renewed.Protection != "tpm" {
		t.Errorf("renewed key %s (%s), old %s", renewed.KeyID, renewed.Protection, old.KeyID)
	}
	p, err := g.IssuePermit(g.ctx, g.clerk, g.approved(t).ID)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := g.Verify(g.ctx, g.clerk, p.QR); err != nil || v.Status != permit.StatusValid {
		t.Errorf("permit of the new key: %+v %v", v.Result, err)
	}
	// The old key is retired by revoking its key id: whoever holds the old PC cannot mint more.
	if v, err := g.Verify(g.ctx, g.clerk, old.QR); err != nil || v.Status != permit.StatusRevoked || v.KeyRevocation == nil {
		t.Errorf("permit of the retired key: %+v %v", v.Result, err)
	}
}

func TestFinding2_UnsignedPermitIsNotShownSigned(t *testing.T) {
	f := newFixture(t)
	p, err := f.IssuePermit(f.ctx, f.clerk, f.approved(t).ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.Signed {
		t.Error("a permit the clerk just issued is reported signed")
	}
	v, err := f.Verify(f.ctx, f.clerk, p.QR)
	if err != nil || v.Signer == nil {
		t.Fatalf("verify: %+v %v", v.Result, err)
	}
	if v.Signer.Kind != permit.KeyKindOffice || v.Signer.Kind.Personal() {
		t.Errorf("office-key permit verifies as signed by a %q key %q", v.Signer.Kind, v.Signer.Officer)
	}
	if p, err = f.MarkHandSigned(f.ctx, f.clerk, p.Number); err != nil || !p.Signed {
		t.Errorf("after the hand signature: signed=%v %v", p.Signed, err)
	}
}

func TestFinding3_IssueRefusesPermitOutsideKeyValidity(t *testing.T) {
	f := newFixture(t)
	// The province enrolled the office key only until two days from now.
	data := f.bundle(t, func(tl *permit.TrustList, rl *permit.RevocationList) {
		tl.Entries[0].ValidTo = f.now.AddDate(0, 0, 2).UTC()
		tl.Sequence++
		rl.Sequence++
		rl.TrustSequence = tl.Sequence
	})
	if _, err := f.ImportTrustBundle(f.ctx, f.admin, data); err != nil {
		t.Fatal(err)
	}
	app := f.approved(t) // valid for 7 days
	if _, err := f.IssuePermit(f.ctx, f.clerk, app.ID); codeOf(err) != CodeConflict {
		t.Fatalf("a 7-day permit from a key ending in 2 days was issued: %v", err)
	}
	var n int64
	f.DB().Model(&store.Permit{}).Count(&n)
	if n != 0 {
		t.Errorf("%d permits saved after the refusal", n)
	}
}

func TestFinding8_ImportNeverGoesBack(t *testing.T) {
	f := newFixture(t)
	p, err := f.IssuePermit(f.ctx, f.clerk, f.approved(t).ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.RevokePermit(f.ctx, f.approver, p.Number, "Cấp nhầm người"); err != nil {
		t.Fatal(err)
	}
	withRevocation, err := f.ExportTrustBundle(f.ctx, f.admin) // the province publishes the revocation
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.ImportTrustBundle(f.ctx, f.admin, withRevocation); err != nil {
		t.Fatal(err)
	}
	st, err := f.TrustStatus(f.ctx, f.admin)
	if err != nil {
		t.Fatal(err)
	}
	// The same issue time, fewer revocations, an older sequence: refused.
	older := f.bundle(t, func(tl *permit.TrustList, rl *permit.RevocationList) {
		rl.Entries = nil
		rl.Sequence--
	})
	if _, err := f.ImportTrustBundle(f.ctx, f.admin, older); codeOf(err) != CodeConflict {
		t.Errorf("a bundle with a lower revocation sequence was imported: %v", err)
	}
	same := f.bundle(t, func(tl *permit.TrustList, rl *permit.RevocationList) { rl.Entries = nil })
	if _, err := f.ImportTrustBundle(f.ctx, f.admin, same); codeOf(err) != CodeConflict {
		t.Errorf("a different bundle with the same sequences was imported: %v", err)
	}
	if after, _ := f.TrustStatus(f.ctx, f.admin); after != st {
		t.Errorf("a refused import changed the lists: %+v -> %+v", st, after)
	}

	// A checkpoint without the office's database: stale lists warn with their age; expired
	// ones are refused.
	root := f.demoRoot(t).Public()
	v, err := VerifyWithBundle(p.QR, withRevocation, root, f.now.AddDate(0, 0, 8))
	if err != nil || v.Status != permit.StatusRevoked || !v.Trust.Stale || v.Trust.AgeHours < 8*24 {
		t.Errorf("stale bundle: %+v %+v %v", v.Result, v.Trust, err)
	}
	if _, err := VerifyWithBundle(p.QR, withRevocation, root, st.ExpiresAt); codeOf(err) != CodeValidation {
		t.Errorf("expired bundle: %v", err)
	}
	f.now = st.ExpiresAt
	if _, err := f.ImportTrustBundle(f.ctx, f.admin, f.bundle(t, func(tl *permit.TrustList, rl *permit.RevocationList) {
		tl.Sequence, rl.Sequence, rl.TrustSequence = tl.Sequence+1, rl.Sequence+1, tl.Sequence+1
	})); codeOf(err) != CodeValidation {
		t.Errorf("an expired bundle was imported: %v", err)
	}
	if v, err := f.Verify(f.ctx, f.clerk, p.QR); err != nil || v.Status != permit.StatusListsExpired || !v.Trust.Expired {
		t.Errorf("verify against expired lists: %+v %v", v.Result, err)
	}
}

func TestFinding9_PermitNumbersCanonicalOnInput(t *testing.T) {
	f := newFixture(t)
	p, err := f.IssuePermit(f.ctx, f.clerk, f.approved(t).ID)
	if err != nil {
		t.Fatal(err)
	}
	short := strings.Replace(p.Number, "/000001", "/1", 1)
	if got, err := f.GetPermit(f.ctx, f.clerk, " "+short+" "); err != nil || got.Number != p.Number {
		t.Errorf("GetPermit(%q) = %q, %v", short, got.Number, err)
	}
	if _, err := f.RevokePermit(f.ctx, f.approver, short, "Cấp nhầm người"); err != nil {
		t.Fatal(err)
	}
	if v, err := f.Verify(f.ctx, f.clerk, p.QR); err != nil || v.Status != permit.StatusRevoked {
		t.Errorf("revoked by its number without leading zeros, the permit verifies %+v %v", v.Result, err)
	}
	if _, err := f.GetPermit(f.ctx, f.clerk, "số 1"); codeOf(err) != CodeValidation || len(AsError(err).Fields) != 1 || AsError(err).Fields[0].Field != "number" {
		t.Errorf("a non-number: %v", err)
	}

	// The office key enrolled for another unit cannot sign this unit's numbers.
	if err := f.DB().Model(&store.SigningKey{}).Where("kind = 'office'").Update("unit_code", "28288").Error; err != nil {
		t.Fatal(err)
	}
	if _, err := f.IssuePermit(f.ctx, f.clerk, f.approved(t).ID); codeOf(err) != CodeConflict {
		t.Errorf("issued a number of unit %s with a key of unit 28288: %v", DemoUnitCode, err)
	}
}
