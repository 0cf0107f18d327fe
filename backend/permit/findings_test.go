package permit

// Tests named after the findings of issue 9's audit (the permit chain: 2, 3, 8, 9). Each
// failed on the code before the fix.

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestFinding2_TrustEntrySaysWhatTheSignatureMeans(t *testing.T) {
	f := newFixture(t)
	f.trust.Entries[0].Kind = KeyKindOffice
	f.trust.Entries[0].Officer, f.trust.Entries[0].OfficerTitle = "UBND xã Mỹ Đức Tây", ""
	data, err := BuildBundle(context.Background(), *f.trust, *f.revoked, f.root, f.root.Public())
	if err != nil {
		t.Fatal(err)
	}
	tl, rl, err := ParseBundle(data, f.root.Public())
	if err != nil {
		t.Fatal(err)
	}
	res := Verify(f.text, f.now, tl, rl, VerifyOptions{})
	if res.Status != StatusValid || res.Signer == nil {
		t.Fatalf("status %s (%s)", res.Status, res.Detail)
	}
	if res.Signer.Kind != KeyKindOffice || res.Signer.Kind.Personal() {
		t.Errorf("office key reported as kind %q (personal %v): a checkpoint would read it as a leader's signature", res.Signer.Kind, res.Signer.Kind.Personal())
	}

	token := newSigner(t)
	e := trustEntryFor(t, token, "28249")
	e.Kind, e.Officer, e.OfficerTitle = KeyKindFIDO, "Trần Văn Bình", "Chủ tịch UBND xã"
	f.trust.Entries = append(f.trust.Entries, e)
	data, err = BuildBundle(context.Background(), *f.trust, *f.revoked, f.root, f.root.Public())
	if err != nil {
		t.Fatal(err)
	}
	if tl, rl, err = ParseBundle(data, f.root.Public()); err != nil {
		t.Fatal(err)
	}
	text, err := Encode(context.Background(), samplePayload(), token)
	if err != nil {
		t.Fatal(err)
	}
	res = Verify(text, f.now, tl, rl, VerifyOptions{})
	if res.Status != StatusValid || res.Signer == nil || res.Signer.Kind != KeyKindFIDO || !res.Signer.Kind.Personal() ||
		res.Signer.Officer != "Trần Văn Bình" || res.Signer.OfficerTitle != "Chủ tịch UBND xã" {
		t.Errorf("token signature: %s %+v", res.Status, res.Signer)
	}
}

func TestFinding3_ExpiredKeyCannotBackdate(t *testing.T) {
	ctx := context.Background()
	sign := func(t *testing.T, f *fixture, change func(*Payload)) string {
		t.Helper()
		p := samplePayload()
		change(&p)
		text, err := Encode(ctx, p, f.office)
		if err != nil {
			t.Fatal(err)
		}
		return text
	}
	tests := []struct {
		name    string
		entry   func(*TrustEntry)
		payload func(*Payload)
		now     time.Time
		want    Status
	}{
		{"expired key back-dates the issue time", func(e *TrustEntry) {
			e.ValidFrom, e.ValidTo = vnTime(2025, time.January, 1, 0, 0, 0), vnTime(2026, time.January, 1, 0, 0, 0)
		}, func(p *Payload) { p.IssuedAt = vnTime(2025, time.December, 31, 9, 0, 0).UTC() }, time.Time{}, StatusBadSignature},
		{"current key signs a permit valid in 2035", func(*TrustEntry) {}, func(p *Payload) {
			p.ValidFrom, p.ValidTo = Date{2035, time.March, 10}, Date{2035, time.March, 12}
		}, vnTime(2035, time.March, 11, 10, 0, 0), StatusBadSignature},
		{"window starts before the key", func(e *TrustEntry) { e.ValidFrom = vnTime(2026, time.March, 9, 0, 0, 0) }, func(p *Payload) {
			p.ValidFrom = Date{2026, time.March, 8}
		}, time.Time{}, StatusBadSignature},
		{"window longer than the rules allow", func(e *TrustEntry) { e.MaxValidDays = 2 }, func(*Payload) {}, time.Time{}, StatusBadSignature},
		{"window exactly the rules' maximum", func(e *TrustEntry) { e.MaxValidDays = 3 }, func(*Payload) {}, time.Time{}, StatusValid},
		{"issue time in the future", func(*TrustEntry) {}, func(p *Payload) {
			p.IssuedAt = vnTime(2026, time.March, 11, 10, 30, 0).UTC()
		}, time.Time{}, StatusNotYetValid},
		{"issue time within the clock skew", func(*TrustEntry) {}, func(p *Payload) {
			p.IssuedAt = vnTime(2026, time.March, 11, 10, 5, 0).UTC()
		}, time.Time{}, StatusValid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			tt.entry(&f.trust.Entries[0])
			text := sign(t, f, tt.payload)
			now := f.now
			if !tt.now.IsZero() {
				now = tt.now
				f.trust.ExpiresAt, f.revoked.ExpiresAt = now.AddDate(0, 0, 1), now.AddDate(0, 0, 1)
			}
			if res := Verify(text, now, f.trust, f.revoked, VerifyOptions{}); res.Status != tt.want {
				t.Errorf("status %s (%s), want %s", res.Status, res.Detail, tt.want)
			}
			p, _, err := Decode(text)
			if err != nil {
				t.Fatal(err)
			}
			if err := CheckIssue(p, f.trust, now, 0); (err == nil) != (tt.want == StatusValid) {
				t.Errorf("CheckIssue = %v, want refusal %v", err, tt.want != StatusValid)
			}
		})
	}

	t.Run("the locality's rules bound the window", func(t *testing.T) {
		f := newFixture(t)
		if res := Verify(f.text, f.now, f.trust, f.revoked, VerifyOptions{MaxValidDays: 2}); res.Status != StatusBadSignature {
			t.Errorf("3-day permit under a 2-day rule: %s", res.Status)
		}
		if err := CheckIssue(f.payload, f.trust, f.now, 2); err == nil {
			t.Error("CheckIssue accepted a 3-day permit under a 2-day rule")
		}
	})

	t.Run("a key is retired by revoking it", func(t *testing.T) {
		f := newFixture(t)
		f.trust.RevokedKeys = []KeyRevocation{{KeyID: f.office.KeyID(), Reason: "Thay máy tính", RevokedAt: vnTime(2026, time.March, 10, 0, 0, 0).UTC()}}
		res := Verify(f.text, f.now, f.trust, f.revoked, VerifyOptions{})
		if res.Status != StatusRevoked || res.KeyRevocation == nil || res.Revocation == nil || res.Revocation.Reason != "Thay máy tính" {
			t.Errorf("permit of a revoked key: %s %+v", res.Status, res.KeyRevocation)
		}
		if err := CheckIssue(f.payload, f.trust, f.now, 0); err == nil {
			t.Error("CheckIssue signs with a revoked key")
		}
	})
}

func TestFinding8_ListsHaveOrderAndExpiry(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	// The permit is revoked in revocation list 13; an attacker pairs the current trust list
	// with revocation list 12, which is bound to the previous trust list.
	f.revoked.Entries = append(f.revoked.Entries, RevocationEntry{Number: f.payload.Number, Reason: "Giả mạo", RevokedAt: f.now})
	old := *f.revoked
	old.Entries = old.Entries[:1]
	old.Sequence, old.TrustSequence = 12, 6
	if _, err := BuildBundle(ctx, *f.trust, old, f.root, f.root.Public()); err == nil {
		t.Error("BuildBundle paired a trust list with another list's revocations")
	}
	genuine, err := BuildBundle(ctx, *f.trust, *f.revoked, f.root, f.root.Public())
	if err != nil {
		t.Fatal(err)
	}
	oldTrust := *f.trust
	oldTrust.Sequence = 6
	oldBundle, err := BuildBundle(ctx, oldTrust, old, f.root, f.root.Public())
	if err != nil {
		t.Fatal(err)
	}
	spliced := spliceBundle(t, genuine, oldBundle)
	if _, _, err := ParseBundle(spliced, f.root.Public()); err == nil {
		t.Error("ParseBundle accepted a revocation list bound to another trust list")
	}

	// Stale but unexpired: a warning with the age. Expired: refused.
	tl, rl, err := ParseBundle(genuine, f.root.Public())
	if err != nil {
		t.Fatal(err)
	}
	later := tl.IssuedAt.AddDate(0, 0, 10)
	res := Verify(f.text, later, tl, rl, VerifyOptions{MaxTrustAge: 7 * 24 * time.Hour})
	if res.Status != StatusRevoked || !contains(res.Warnings, WarnTrustListStale) || res.TrustAge != 10*24*time.Hour {
		t.Errorf("stale lists: %s %v age %v", res.Status, res.Warnings, res.TrustAge)
	}
	expired := tl.ExpiresAt
	if res := Verify(f.text, expired, tl, rl, VerifyOptions{}); res.Status != StatusListsExpired {
		t.Errorf("at the trust list's expiry: %s, want %s", res.Status, StatusListsExpired)
	}
	if err := CheckExpiry(tl, rl, expired.Add(-time.Second)); err != nil {
		t.Errorf("a second before expiry: %v", err)
	}
	rl.ExpiresAt = later
	if err := CheckExpiry(tl, rl, later); err == nil || !strings.Contains(err.Error(), "revocation list") {
		t.Errorf("expired revocation list: %v", err)
	}
}

func TestFinding9_PermitNumbersHaveOneSpelling(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"28249/2026/000001", "28249/2026/000001"},
		{"28249/2026/1", "28249/2026/000001"},
		{" 28249 / 2026 / 0001 ", "28249/2026/000001"},
		{"28249/2026/0000001", "28249/2026/000001"},
		{"syt-tg/2026/42", "SYT-TG/2026/000042"},
		{"00001/2026/7", "00001/2026/000007"},
	} {
		if got, err := CanonicalNumber(tt.in); err != nil || got != tt.want {
			t.Errorf("CanonicalNumber(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"", "28249/2026", "28249/26/1", "28249/2026/0", "28249/2026/1234567", "28249/2026/-1", "282 49/2026/x", "28249/2026/1/2", "Xã/2026/1"} {
		if got, err := CanonicalNumber(in); !errors.Is(err, ErrNumber) {
			t.Errorf("CanonicalNumber(%q) = %q, %v; want ErrNumber", in, got, err)
		}
	}

	f := newFixture(t)
	if _, ok := f.revoked.Lookup("28249/2026/1"); !ok {
		t.Error("a revocation looked up with the leading zeros dropped revokes nothing")
	}
	bad := *f.revoked
	bad.Entries = []RevocationEntry{{Number: "28249/2026/1", RevokedAt: f.now}}
	if err := bad.Validate(); err == nil {
		t.Error("a revocation list with a non-canonical number validates")
	}

	// One unit's key signs a permit carrying another unit's number.
	p := samplePayload()
	p.Number = "28252/2026/000123"
	if _, err := Encode(context.Background(), p, f.office); err == nil {
		t.Error("Encode signed a permit whose number is another unit's")
	}
	body, err := samplePayloadWithKey(f).marshalCBOR()
	if err != nil {
		t.Fatal(err)
	}
	forged := withTextNumber(t, body, "28252/2026/000123")
	msg, err := signCOSE(context.Background(), f.office, aadPermit, forged)
	if err != nil {
		t.Fatal(err)
	}
	if res := f.verify(Prefix + base45Encode(msg)); res.Status == StatusValid {
		t.Errorf("a permit numbered for unit 28252, signed by unit 28249's key: %s", res.Status)
	}
	forged = withTextNumber(t, body, "28249/2026/123")
	if msg, err = signCOSE(context.Background(), f.office, aadPermit, forged); err != nil {
		t.Fatal(err)
	}
	if res := f.verify(Prefix + base45Encode(msg)); res.Status == StatusValid {
		t.Errorf("a permit with a non-canonical number: %s", res.Status)
	}
}

func TestFinding8_VerifierStateNeverGoesBack(t *testing.T) {
	f := newFixture(t)
	s, err := VerifierState{}.Advance(f.trust, f.revoked)
	if err != nil || s.TrustSequence != 7 || s.RevocationSequence != 12 {
		t.Fatalf("first lists: %+v %v", s, err)
	}
	if again, err := s.Advance(f.trust, f.revoked); err != nil || again != s {
		t.Errorf("the same lists again: %+v %v", again, err)
	}
	older := *f.revoked
	older.Sequence = 11
	if _, err := s.Advance(f.trust, &older); !errors.Is(err, ErrOlderLists) {
		t.Errorf("an older revocation list: %v", err)
	}
}
