package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"giaydiduong/backend/domain"
	"giaydiduong/backend/permit"
	"giaydiduong/backend/store"
	"giaydiduong/backend/token"
	"giaydiduong/backend/token/softfido"
)

// softKey plugs a software FIDO key (the same code path as hardware from hid.Device up)
// into the fixture's office.
func (f *fixture) softKey(t testing.TB, cfg softfido.Config) *softfido.Authenticator {
	t.Helper()
	if cfg.Dir == "" {
		cfg.Dir = t.TempDir()
	}
	k, err := softfido.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := k.Plug(); err != nil {
		t.Fatal(err)
	}
	f.Tokens = NewTokens(k, nil)
	t.Cleanup(f.Tokens.Close)
	return k
}

func (f *fixture) enrollSoft(t testing.TB, k *softfido.Authenticator, pin string) SigningKey {
	t.Helper()
	key, err := f.EnrollToken(f.ctx, f.admin, EnrollInput{Officer: "lanhdao", Token: TokenRef{Kind: TokenFIDO, Path: k.Info().Path}, PIN: pin}, nil)
	if err != nil {
		t.Fatalf("enroll: %v", err)
	}
	return key
}

func (f *fixture) permitStatus(t *testing.T, number string) store.Permit {
	t.Helper()
	p, err := f.GetPermit(f.ctx, f.clerk, number)
	if err != nil {
		t.Fatal(err)
	}
	return p.Permit
}

func (f *fixture) events(t *testing.T, action string) int64 {
	t.Helper()
	var n int64
	if err := f.DB().Table("audit_events").Where("action = ?", action).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestEnrollFIDORoles(t *testing.T) {
	f := newFixture(t)
	k := f.softKey(t, softfido.Config{})
	ref := TokenRef{Kind: TokenFIDO}
	for _, tc := range []struct {
		name    string
		actor   Actor
		officer string
		want    Code
		field   string
	}{
		{"a clerk may not enroll", f.clerk, "lanhdao", CodeForbidden, ""},
		{"an approver may not enroll themselves", f.approver, "lanhdao", CodeForbidden, ""},
		{"only an approver gets a key", f.admin, "canbo", CodeValidation, "officer"},
		{"unknown officer", f.admin, "khongco", CodeValidation, "officer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.EnrollToken(f.ctx, tc.actor, EnrollInput{Officer: tc.officer, Token: ref}, nil)
			if codeOf(err) != tc.want {
				t.Fatalf("got %v, want %s", err, tc.want)
			}
			if tc.field != "" && (len(AsError(err).Fields) == 0 || AsError(err).Fields[0].Field != tc.field) {
				t.Errorf("fields %+v, want %s", AsError(err).Fields, tc.field)
			}
		})
	}
	if k.CredentialCount() != 0 {
		t.Fatalf("refused enrollments made %d credentials", k.CredentialCount())
	}
	key := f.enrollSoft(t, k, "")
	if key.Kind != "fido" || key.Algorithm != "ES256" || key.Username != "lanhdao" || key.Officer != "Lê Văn Đức" || !key.Trusted {
		t.Errorf("enrolled %+v", key)
	}
	if f.events(t, "key.enroll") != 2 { // the office key at set-up, then this one
		t.Errorf("key.enroll events: %d", f.events(t, "key.enroll"))
	}
	// The enrollment is a trust-list request for the province.
	if _, err := f.EnrollmentRequests(f.ctx, f.clerk); codeOf(err) != CodeForbidden {
		t.Errorf("a clerk exports the request: %v", err)
	}
	req, err := f.EnrollmentRequests(f.ctx, f.admin)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(req), key.KeyID) || !strings.Contains(string(req), `"officer_username": "lanhdao"`) {
		t.Errorf("enrollment requests lack the token key:\n%s", req)
	}
	// The demo's "pull the key out" is for those who use keys.
	if _, err := f.SetSoftKeyPlugged(f.clerk, false); codeOf(err) != CodeForbidden {
		t.Errorf("a clerk pulls the key out: %v", err)
	}
	if st, err := f.SetSoftKeyPlugged(f.approver, true); err != nil || !st.Present || !st.Plugged {
		t.Errorf("soft key state %+v %v", st, err)
	}
	// A token in the list is what a leader sees on the signing screen.
	ts, err := f.ListTokens(f.ctx, "")
	if err != nil || len(ts) != 1 || !ts[0].Software || ts[0].Kind != TokenFIDO {
		t.Fatalf("tokens %+v %v", ts, err)
	}
}

func TestSignBatchWithFIDO(t *testing.T) {
	f := newFixture(t)
	k := f.softKey(t, softfido.Config{})
	key := f.enrollSoft(t, k, "")
	numbers := f.issued(t, 5)
	touched := k.Stats().Touches // enrolling took one
	var mu sync.Mutex
	var seen []SignProgress
	res, err := f.SignPermits(f.ctx, f.approver, SignInput{Numbers: numbers, Token: TokenRef{Kind: TokenFIDO}}, func(p SignProgress) {
		mu.Lock()
		seen = append(seen, p)
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Signed) != 5 || len(res.Unsigned) != 0 || res.Stopped != "" || res.MessageVI != "Đã ký số 5 giấy đi đường" {
		t.Fatalf("result %+v", res)
	}
	if last := seen[len(seen)-1]; last.Done != 5 || last.Total != 5 {
		t.Errorf("last progress %+v", last)
	}
	if got := k.Stats().Touches - touched; got != 5 {
		t.Errorf("%d touches for 5 permits, want one each (the verifier requires user presence)", got)
	}
	for _, n := range numbers {
		p := f.permitStatus(t, n)
		if p.Status != string(domain.PermitSigned) || p.SignatureKind != "digital" || p.KeyID != key.KeyID || p.SignedBy == nil || *p.SignedBy != f.approver.UserID || p.SignerName != "Lê Văn Đức" {
			t.Errorf("%s: %+v", n, p)
		}
		v, err := f.Verify(f.ctx, f.clerk, p.QR)
		if err != nil || v.Status != permit.StatusValid || v.Signer == nil || v.Signer.KeyID.String() != key.KeyID || v.Signer.Officer != "Lê Văn Đức" {
			t.Errorf("%s verifies %+v %v", n, v.Result, err)
		}
	}
	if n := f.events(t, "permit.sign"); n != 5 {
		t.Errorf("permit.sign events: %d", n)
	}
	// Signed permits are handed over like hand-signed ones and cannot be signed again.
	if _, err := f.HandOver(f.ctx, f.clerk, numbers[0]); err != nil {
		t.Errorf("hand over a signed permit: %v", err)
	}
	if _, err := f.SignPermits(f.ctx, f.approver, SignInput{Numbers: numbers[1:2], Token: TokenRef{Kind: TokenFIDO}}, nil); codeOf(err) != CodeValidation {
		t.Errorf("signing twice: %v", err)
	}
}

func TestSignRefusalsChangeNothing(t *testing.T) {
	f := newFixture(t)
	k := f.softKey(t, softfido.Config{})
	numbers := f.issued(t, 2)
	fido := TokenRef{Kind: TokenFIDO}
	// Before enrollment the leader has no key.
	if _, err := f.SignPermits(f.ctx, f.approver, SignInput{Numbers: numbers, Token: fido}, nil); codeOf(err) != CodeConflict || !strings.Contains(AsError(err).VI, "chưa được đăng ký khóa ký") {
		t.Errorf("no enrolled key: %v", err)
	}
	f.enrollSoft(t, k, "")
	hand := f.issued(t, 1)[0]
	if _, err := f.MarkHandSigned(f.ctx, f.clerk, hand); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		actor Actor
		in    SignInput
		want  Code
	}{
		{"a clerk cannot sign", f.clerk, SignInput{Numbers: numbers, Token: fido}, CodeForbidden},
		{"an office admin cannot sign", f.admin, SignInput{Numbers: numbers, Token: fido}, CodeForbidden},
		{"nothing chosen", f.approver, SignInput{Token: fido}, CodeValidation},
		{"listed twice", f.approver, SignInput{Numbers: []string{numbers[0], numbers[0]}, Token: fido}, CodeValidation},
		{"unknown number", f.approver, SignInput{Numbers: []string{DemoUnitCode + "/2026/999999"}, Token: fido}, CodeValidation},
		{"already signed by hand", f.approver, SignInput{Numbers: []string{numbers[0], hand}, Token: fido}, CodeValidation},
		{"no PKCS#11 key enrolled", f.approver, SignInput{Numbers: numbers, Token: TokenRef{Kind: TokenPKCS11, Library: "/nonexistent.so"}}, CodeConflict},
		{"unknown token kind", f.approver, SignInput{Numbers: numbers, Token: TokenRef{Kind: "usb"}}, CodeValidation},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := f.SignPermits(f.ctx, tc.actor, tc.in, nil); codeOf(err) != tc.want {
				t.Fatalf("got %v, want %s", err, tc.want)
			}
		})
	}
	// A permit whose travel window has passed is not signed.
	expired := f.issued(t, 1)[0]
	f.now = f.now.AddDate(0, 0, 8) // f.input() is valid for 7 days
	if _, err := f.SignPermits(f.ctx, f.approver, SignInput{Numbers: []string{expired}, Token: fido}, nil); codeOf(err) != CodeValidation || AsError(err).Fields[0].Code != "expired" {
		t.Errorf("expired permit: %v", err)
	}
	f.now = f.now.AddDate(0, 0, -8)
	// Another key than the enrolled one signs nothing, and says why.
	f.softKey(t, softfido.Config{})
	res, err := f.SignPermits(f.ctx, f.approver, SignInput{Numbers: numbers, Token: fido}, nil)
	if err == nil && (len(res.Signed) != 0 || res.Error == nil || res.Error.Fields[0].Code != "not_enrolled") {
		t.Errorf("foreign key: %+v", res)
	}
	if err != nil && AsError(err).Fields[0].Code != "not_enrolled" {
		t.Errorf("foreign key: %v", err)
	}
	// No key at all.
	f.Tokens.Soft.Unplug()
	if _, err := f.SignPermits(f.ctx, f.approver, SignInput{Numbers: numbers, Token: fido}, nil); codeOf(err) != CodeValidation || AsError(err).Fields[0].Code != "absent" {
		t.Errorf("no key plugged in: %v", err)
	}
	for _, n := range numbers {
		if p := f.permitStatus(t, n); p.Status != string(domain.PermitAwaitingHand) || p.Version != 1 {
			t.Errorf("%s changed: %s v%d", n, p.Status, p.Version)
		}
	}
	if n := f.events(t, "permit.sign"); n != 0 {
		t.Errorf("%d permit.sign events after refusals", n)
	}
}

// TestKeyOutsideTrustListCannotSign: a real office's new key is not trusted until the
// province lists it; signing before that would make permits every checkpoint rejects.
func TestKeyOutsideTrustListCannotSign(t *testing.T) {
	f := newFixture(t)
	if err := os.Remove(filepath.Join(f.DataDir(), DemoRootKeyFile)); err != nil {
		t.Fatal(err)
	}
	k := f.softKey(t, softfido.Config{})
	if key := f.enrollSoft(t, k, ""); key.Trusted {
		t.Fatal("a key the province has not listed reports trusted")
	}
	_, err := f.SignPermits(f.ctx, f.approver, SignInput{Numbers: f.issued(t, 1), Token: TokenRef{Kind: TokenFIDO}}, nil)
	if codeOf(err) != CodeConflict || !strings.Contains(AsError(err).VI, "danh sách tin cậy") {
		t.Fatalf("untrusted key: %v", err)
	}
}

// TestKeyRemovedMidBatch: the key is pulled out as the third signature is asked for. The
// first two stay signed, the other three are exactly as they were, and the message says so.
func TestKeyRemovedMidBatch(t *testing.T) {
	f := newFixture(t)
	k := f.softKey(t, softfido.Config{})
	f.enrollSoft(t, k, "")
	numbers := f.issued(t, 5)
	before := map[string]store.Permit{}
	for _, n := range numbers {
		before[n] = f.permitStatus(t, n)
	}
	k.SetFaults(softfido.Faults{UnplugAtAssertion: 3})
	res, err := f.SignPermits(f.ctx, f.approver, SignInput{Numbers: numbers, Token: TokenRef{Kind: TokenFIDO}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Stopped != StoppedRemoved || len(res.Signed) != 2 || len(res.Unsigned) != 3 {
		t.Fatalf("result %+v", res)
	}
	if want := "Đã ký 2 giấy; 3 giấy chưa ký vẫn chờ ký vì khóa ký đã bị rút ra"; res.MessageVI != want {
		t.Errorf("message %q, want %q", res.MessageVI, want)
	}
	for i, n := range numbers {
		p := f.permitStatus(t, n)
		if i < 2 {
			if p.Status != string(domain.PermitSigned) {
				t.Errorf("%s: %s, want signed", n, p.Status)
			}
			continue
		}
		if b := before[n]; p.Status != b.Status || p.QR != b.QR || p.Version != b.Version || p.KeyID != b.KeyID {
			t.Errorf("%s changed although unsigned: %+v", n, p)
		}
	}
	// Plugged back in, the rest sign.
	if err := k.Plug(); err != nil {
		t.Fatal(err)
	}
	res, err = f.SignPermits(f.ctx, f.approver, SignInput{Numbers: res.Unsigned, Token: TokenRef{Kind: TokenFIDO}}, nil)
	if err != nil || len(res.Signed) != 3 {
		t.Fatalf("after re-plugging: %+v %v", res, err)
	}
}

// TestSigningJobProgressAndCancel drives a batch as the window does: start, poll, cancel.
func TestSigningJobProgressAndCancel(t *testing.T) {
	f := newFixture(t)
	k := f.softKey(t, softfido.Config{Presence: softfido.Presence{Mode: softfido.TouchAfter, Delay: 150 * time.Millisecond}})
	f.enrollSoft(t, k, "")
	numbers := f.issued(t, 6)
	id, err := f.StartSigning(f.ctx, f.approver, SignInput{Numbers: numbers, Token: TokenRef{Kind: TokenFIDO}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.SigningJob(f.clerk, id); codeOf(err) != CodeNotFound {
		t.Errorf("another user sees the job: %v", err)
	}
	sawTouch := false
	deadline := time.Now().Add(30 * time.Second)
	for {
		j, err := f.SigningJob(f.approver, id)
		if err != nil {
			t.Fatal(err)
		}
		sawTouch = sawTouch || j.WaitingTouch
		if j.Done >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no progress: %+v", j)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := f.CancelSigning(f.approver, id); err != nil {
		t.Fatal(err)
	}
	var j SignJob
	for j.Result == nil {
		if j, err = f.SigningJob(f.approver, id); err != nil {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("cancel did not finish the job: %+v", j)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !sawTouch {
		t.Error("the job never said the key waits for a touch")
	}
	r := j.Result
	if !j.Finished || r.Stopped != StoppedCancelled || len(r.Signed) < 2 || len(r.Signed)+len(r.Unsigned) != 6 || len(r.Unsigned) == 0 {
		t.Fatalf("cancelled job %+v", r)
	}
	for _, n := range r.Unsigned {
		if p := f.permitStatus(t, n); p.Status != string(domain.PermitAwaitingHand) {
			t.Errorf("%s: %s after cancel", n, p.Status)
		}
	}
}

func TestFIDOPIN(t *testing.T) {
	f := newFixture(t)
	k := f.softKey(t, softfido.Config{})
	dev, err := f.openFIDO(f.ctx, TokenRef{Kind: TokenFIDO}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := dev.SetPIN(f.ctx, "2468"); err != nil {
		t.Fatal(err)
	}
	dev.Close()
	if _, err := f.EnrollToken(f.ctx, f.admin, EnrollInput{Officer: "lanhdao", Token: TokenRef{Kind: TokenFIDO}}, nil); codeOf(err) != CodeValidation || AsError(err).Fields[0].Field != "pin" {
		t.Fatalf("enroll without the PIN: %v", err)
	}
	f.enrollSoft(t, k, "2468")
	numbers := f.issued(t, 2)
	sign := func(pin string) error {
		_, err := f.SignPermits(f.ctx, f.approver, SignInput{Numbers: numbers, Token: TokenRef{Kind: TokenFIDO}, PIN: pin}, nil)
		return err
	}
	if err := sign("1111"); codeOf(err) != CodeValidation || AsError(err).Fields[0].Field != "pin" || !strings.Contains(AsError(err).EN, "tries left") {
		t.Fatalf("wrong PIN: %v", err)
	}
	sign("1112")
	if err := sign("1113"); codeOf(err) != CodeLocked || !strings.Contains(AsError(err).VI, "rút khóa ra, cắm lại") {
		t.Fatalf("third wrong PIN in a row: %v", err)
	}
	if s := k.Stats().Assertions; s != 0 {
		t.Fatalf("wrong PINs made %d signatures", s)
	}
	k.Unplug()
	if err := k.Plug(); err != nil {
		t.Fatal(err)
	}
	touched := k.Stats().Touches
	if err := sign("2468"); err != nil {
		t.Fatalf("right PIN after re-plugging: %v", err)
	}
	// With the PIN given, the batch takes one touch; the rest carry user verification.
	if got := k.Stats().Touches - touched; got != 1 {
		t.Errorf("%d touches for a batch of 2 with the PIN, want 1", got)
	}
	for _, n := range numbers {
		if v, err := f.Verify(f.ctx, f.clerk, f.permitStatus(t, n).QR); err != nil || v.Status != permit.StatusValid {
			t.Errorf("%s verifies %+v %v", n, v.Result, err)
		}
	}
	if p := f.permitStatus(t, numbers[1]); p.Status != string(domain.PermitSigned) {
		t.Errorf("%s: %s", numbers[1], p.Status)
	}
}

// TestDemoReSigningKeepsRevocationsAndSameBundleIsNoOp: the demo office re-signs its list
// when a key is enrolled; the revocations it had must stay in the signed list, and importing
// the very same bundle file twice changes nothing.
func TestDemoReSigningKeepsRevocationsAndSameBundleIsNoOp(t *testing.T) {
	f := newFixture(t)
	number := f.issued(t, 1)[0]
	if _, err := f.RevokePermit(f.ctx, f.approver, number, "Cấp nhầm người"); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(time.Second) // lists are dated to the second
	f.enrollSoft(t, f.softKey(t, softfido.Config{}), "")
	root, err := f.provinceRoot(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	var latest store.TrustBundle
	if err := f.DB().Order("id DESC").First(&latest).Error; err != nil {
		t.Fatal(err)
	}
	tl, rl, err := permit.ParseBundle(latest.Bundle, root)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := rl.Lookup(number); !ok || len(tl.Entries) != 2 {
		t.Fatalf("re-signed list: %d keys, revocation of %s kept: %v", len(tl.Entries), number, ok)
	}
	count := func() (rows, events int64) {
		if err := f.DB().Model(&store.TrustBundle{}).Count(&rows).Error; err != nil {
			t.Fatal(err)
		}
		return rows, f.events(t, "trust.import")
	}
	rows0, events0 := count()
	for i := 0; i < 2; i++ {
		if _, err := f.ImportTrustBundle(f.ctx, f.admin, latest.Bundle); err != nil {
			t.Fatal(err)
		}
	}
	if r, e := count(); r != rows0 || e != events0 {
		t.Errorf("importing the current bundle again: rows %d→%d, events %d→%d", rows0, r, events0, e)
	}
}

// TestWatchReportsKeysAndListUsesIt: while Watch polls the bus, keys arriving and leaving
// reach the window as events, and the token list is the watcher's view.
func TestWatchReportsKeysAndListUsesIt(t *testing.T) {
	f := newFixture(t)
	k := f.softKey(t, softfido.Config{})
	ctx, cancel := context.WithCancel(f.ctx)
	defer cancel()
	events := make(chan token.Event, 4)
	done := make(chan struct{})
	go func() { f.Tokens.Watch(ctx, func(ev token.Event) { events <- ev }); close(done) }()
	next := func() token.Event {
		select {
		case ev := <-events:
			return ev
		case <-time.After(10 * time.Second):
			t.Fatal("no token event")
		}
		return token.Event{}
	}
	if ev := next(); ev.Kind != token.Arrived {
		t.Fatalf("first event %v", ev.Kind)
	}
	k.Unplug()
	if ev := next(); ev.Kind != token.Removed {
		t.Fatalf("after unplugging: %v", ev.Kind)
	}
	if ts, err := f.ListTokens(f.ctx, ""); err != nil || len(ts) != 0 {
		t.Errorf("list after removal: %+v %v", ts, err)
	}
	cancel()
	<-done
}
