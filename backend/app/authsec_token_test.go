package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"giaydiduong/backend/domain"
	"giaydiduong/backend/store"
	"giaydiduong/backend/token/softfido"
)

// Finding 10: a copy of a leader's FIDO key (here its state file, copied before the genuine
// key signed again) repeats the signature counter; the assertion is refused, nothing is
// signed, and the refusal is audit-logged. Enrolment recorded the attestation format.
func TestFinding10_FIDOCounterMustIncrease(t *testing.T) {
	f := newFixture(t)
	genuineDir, cloneDir := t.TempDir(), t.TempDir()
	k := f.softKey(t, softfido.Config{Dir: genuineDir})
	key := f.enrollSoft(t, k, "")
	if key.AttestationFormat != "packed" {
		t.Errorf("enrolled key's attestation format %q, want packed (the soft key's)", key.AttestationFormat)
	}
	state, err := os.ReadFile(filepath.Join(genuineDir, softfido.StateFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cloneDir, softfido.StateFile), state, 0o600); err != nil {
		t.Fatal(err)
	}
	numbers := f.issued(t, 2)
	if res, err := f.SignPermits(f.ctx, f.approver, SignInput{Numbers: numbers[:1], Token: TokenRef{Kind: TokenFIDO}}, nil); err != nil || len(res.Signed) != 1 {
		t.Fatalf("genuine key: %+v %v", res, err)
	}
	stored, err := f.read(f.ctx).SigningKeyByID(key.KeyID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.SignCount != int64(k.Counter()) || stored.SignCount == 0 {
		t.Fatalf("stored counter %d, key's %d", stored.SignCount, k.Counter())
	}

	k.Unplug()
	f.softKey(t, softfido.Config{Dir: cloneDir})
	res, err := f.SignPermits(f.ctx, f.approver, SignInput{Numbers: numbers[1:], Token: TokenRef{Kind: TokenFIDO}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Signed) != 0 || res.Error == nil || !strings.Contains(res.Error.VI, "Bộ đếm") {
		t.Errorf("the clone signed: %+v", res)
	}
	if p := f.permitStatus(t, numbers[1]); p.Status != string(domain.PermitAwaitingHand) {
		t.Errorf("permit after the refused clone: %s", p.Status)
	}
	if n := f.events(t, "token.counter_refused"); n != 1 {
		t.Errorf("%d token.counter_refused events, want 1", n)
	}
}

// Finding 10: a key whose trust entry is scoped to another unit does not sign this unit's
// permits (every checkpoint would reject them).
func TestFinding10_SigningRefusesKeyScopedToAnotherUnit(t *testing.T) {
	f := newFixture(t)
	k := f.softKey(t, softfido.Config{})
	key := f.enrollSoft(t, k, "")
	numbers := f.issued(t, 1)
	// The province listed the key for a neighbouring commune.
	var other string
	if err := f.DB().Table("unit_versions").Where("level = 'commune' AND valid_to = '' AND code <> ?", DemoUnitCode).Order("code").Limit(1).Pluck("code", &other).Error; err != nil || other == "" {
		t.Fatalf("another commune: %q %v", other, err)
	}
	if err := f.DB().Model(&store.SigningKey{}).Where("key_id = ?", key.KeyID).Update("unit_code", other).Error; err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(time.Minute)
	if err := f.seedDemoTrust(f.ctx, "test"); err != nil {
		t.Fatal(err)
	}
	_, err := f.SignPermits(f.ctx, f.approver, SignInput{Numbers: numbers, Token: TokenRef{Kind: TokenFIDO}}, nil)
	if codeOf(err) != CodeConflict || !strings.Contains(AsError(err).VI, other) {
		t.Fatalf("signing with a key scoped to another unit: %v", err)
	}
	if p := f.permitStatus(t, numbers[0]); p.Status != string(domain.PermitAwaitingHand) {
		t.Errorf("permit status %s", p.Status)
	}
}

// Finding 10: a PC clock behind the newest list's issue time is flagged on the login screen
// (the status the window reads before anyone signs in).
func TestFinding10_ClockBehindListsIsFlagged(t *testing.T) {
	f := newFixture(t)
	s := f.NewSession()
	st, err := s.Status(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.ClockBehindLists != nil {
		t.Fatalf("flagged with a right clock: %v", st.ClockBehindLists)
	}
	f.now = f.now.Add(-2 * time.Hour)
	if st, err = s.Status(f.ctx); err != nil || st.ClockBehindLists == nil {
		t.Fatalf("clock two hours behind the lists: %+v %v", st.ClockBehindLists, err)
	}
}
