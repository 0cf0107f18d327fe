package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"giaydiduong/backend/domain"
	"giaydiduong/backend/permit"
	"giaydiduong/backend/token"
	"giaydiduong/backend/token/pkcs11"
	"giaydiduong/backend/token/pkcs11/softhsmtest"
)

var (
	hsmOnce sync.Once
	hsmEnv  *softhsmtest.Env
	hsmErr  error
)

// softHSM is the SoftHSM2 certificate token of scripts/softhsm-setup.sh, set up once per run.
// The run fails, never skips, when it cannot be set up.
func softHSM(t testing.TB) *softhsmtest.Env {
	t.Helper()
	hsmOnce.Do(func() {
		dir, err := os.MkdirTemp("", "gdd-app-softhsm-")
		if err != nil {
			hsmErr = err
			return
		}
		hsmEnv, hsmErr = softhsmtest.Setup(context.Background(), dir)
	})
	if hsmErr != nil {
		t.Fatalf("SoftHSM2 setup: %v", hsmErr)
	}
	return hsmEnv
}

func (f *fixture) hsmRef(env *softhsmtest.Env) TokenRef {
	return TokenRef{Kind: TokenPKCS11, Library: env.Lib, Slot: env.Slot}
}

// TestPKCS11EnrollSign100 enrolls the token's ECDSA certificate, signs 100 permits (QR and
// PDF), verifies every QR and checks PDFs with poppler's pdfsig.
func TestPKCS11EnrollSign100(t *testing.T) {
	env := softHSM(t)
	f := newFixture(t)
	f.now = time.Now().In(vietnam) // the setup script's certificate is valid from when it ran
	f.Tokens = NewTokens(nil, nil)
	t.Cleanup(f.Tokens.Close)
	ref := f.hsmRef(env)

	ts, err := f.ListTokens(f.ctx, env.Lib)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, tk := range ts {
		found = found || (tk.Kind == TokenPKCS11 && tk.Label == env.TokenLabel && tk.Slot == env.Slot && tk.NeedsPIN)
	}
	if !found {
		t.Fatalf("token list %+v lacks %q", ts, env.TokenLabel)
	}
	if _, err := f.EnrollToken(f.ctx, f.admin, EnrollInput{Officer: "lanhdao", Token: ref, PIN: "000000"}, nil); codeOf(err) != CodeValidation || AsError(err).Fields[0].Field != "pin" {
		t.Fatalf("enroll with a wrong PIN: %v", err)
	}
	key, err := f.EnrollToken(f.ctx, f.admin, EnrollInput{Officer: "lanhdao", Token: ref, PIN: env.PIN}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if key.Kind != "pkcs11" || key.Algorithm != "ES256" || !key.Trusted || !strings.Contains(key.CertSubject, "Lê Văn Đức") || key.ValidTo == nil {
		t.Fatalf("enrolled %+v", key)
	}
	if _, err := f.EnrollToken(f.ctx, f.admin, EnrollInput{Officer: "lanhdao", Token: ref, PIN: env.PIN}, nil); codeOf(err) != CodeConflict {
		t.Errorf("enrolling the same certificate twice: %v", err)
	}

	numbers := f.issued(t, 100)
	// A wrong PIN signs nothing.
	if _, err := f.SignPermits(f.ctx, f.approver, SignInput{Numbers: numbers, Token: ref, PIN: "999999"}, nil); codeOf(err) != CodeValidation || AsError(err).Fields[0].Field != "pin" || !strings.HasPrefix(AsError(err).VI, "Mã PIN không đúng") {
		t.Fatalf("wrong PIN: %v", err)
	}
	if p := f.permitStatus(t, numbers[0]); p.Status != string(domain.PermitAwaitingHand) {
		t.Fatalf("a wrong PIN changed %s to %s", numbers[0], p.Status)
	}
	res, err := f.SignPermits(f.ctx, f.approver, SignInput{Numbers: numbers, Token: ref, PIN: env.PIN}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Signed) != 100 || res.Stopped != "" {
		t.Fatalf("result %+v", res)
	}
	dir := t.TempDir()
	for i, n := range numbers {
		p := f.permitStatus(t, n)
		if p.Status != string(domain.PermitSigned) || p.KeyID != key.KeyID || p.SignedPDF == "" {
			t.Fatalf("%s: %+v", n, p)
		}
		v, err := f.Verify(f.ctx, f.clerk, p.QR)
		if err != nil || v.Status != permit.StatusValid || v.Signer == nil || v.Signer.KeyID.String() != key.KeyID {
			t.Fatalf("%s verifies %+v %v", n, v.Result, err)
		}
		if i != 0 && i != 99 {
			continue
		}
		pdf, err := f.SignedPermitPDF(f.ctx, f.clerk, n)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, fmt.Sprintf("permit-%d.pdf", i))
		if err := os.WriteFile(path, pdf, 0o600); err != nil {
			t.Fatal(err)
		}
		// pdfsig exits non-zero because the test CA is not trusted; its report is what counts.
		out, _ := exec.Command("pdfsig", path).CombinedOutput()
		for _, want := range []string{"Signature Validation: Signature is Valid.", "Signer Certificate Common Name: Lê Văn Đức", "Total document signed"} {
			if !strings.Contains(string(out), want) {
				t.Errorf("%s: pdfsig lacks %q:\n%s", n, want, out)
			}
		}
		// The signed PDF carries the permit's signed QR.
		if qr := qrFromPDF(t, f, pdf); qr != p.QR {
			t.Errorf("%s: the PDF's QR is not the signed permit's", n)
		}
	}
	if _, err := f.SignedPermitPDF(f.ctx, f.clerk, f.issued(t, 1)[0]); codeOf(err) != CodeNotFound {
		t.Errorf("signed PDF of an unsigned permit: %v", err)
	}
}

func qrFromPDF(t *testing.T, f *fixture, pdf []byte) string {
	t.Helper()
	pages, err := pdfPages(f.ctx, pdf)
	if err != nil || len(pages) != 1 || pages[0].Err != nil {
		t.Fatalf("read QR from signed PDF: %v %+v", err, pages)
	}
	return pages[0].Text
}

// TestTokenErrorsSayWhatToDo: every failure a token reports reaches the leader in Vietnamese,
// names the field, and never carries the PIN. PKCS#11 PIN lockout is tested here through
// the driver's errors, since SoftHSM2 has no retry counter to exhaust.
func TestTokenErrorsSayWhatToDo(t *testing.T) {
	for _, tc := range []struct {
		name  string
		err   error
		code  Code
		field string
		vi    string
	}{
		{"pkcs11 wrong PIN, final try", fmt.Errorf("open: %w", &pkcs11.PINError{Remaining: 1}), CodeValidation, "pin", "còn 1 lần thử"},
		{"pkcs11 PIN locked", fmt.Errorf("open: %w", pkcs11.ErrPINLocked), CodeLocked, "pin", "đã bị khóa"},
		{"pkcs11 token removed", fmt.Errorf("sign: %w", pkcs11.ErrTokenRemoved), CodeConflict, "token", "rút ra"},
		{"fido wrong PIN", fmt.Errorf("x: %w (7 tries left)", token.ErrWrongPIN), CodeValidation, "pin", "không đúng"},
		{"fido PIN blocked", token.ErrPINBlocked, CodeLocked, "pin", "khóa hẳn"},
		{"fido key removed", fmt.Errorf("x: %w", token.ErrDeviceRemoved), CodeConflict, "token", "rút ra"},
		{"fido other key", token.ErrNotEnrolled, CodeValidation, "token", "không phải khóa đã đăng ký"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := AsError(tokenError(tc.err))
			if e.Code != tc.code || len(e.Fields) == 0 || e.Fields[0].Field != tc.field || !strings.Contains(e.VI, tc.vi) || e.EN == "" {
				t.Fatalf("%+v", e)
			}
			if !errors.Is(e, tc.err) && !errors.Is(e, errors.Unwrap(tc.err)) {
				t.Errorf("the cause is lost: %v", e.Unwrap())
			}
		})
	}
}

// TestPKCS11RSACertificateSignsPDFOnly: most Vietnamese CA tokens hold an RSA certificate,
// which cannot make the QR's ES256 signature. Chosen by fingerprint, it signs the permit PDF;
// the QR keeps the office key's signature and still verifies.
func TestPKCS11RSACertificateSignsPDFOnly(t *testing.T) {
	env := softHSM(t)
	f := newFixture(t)
	f.now = time.Now().In(vietnam)
	f.Tokens = NewTokens(nil, nil)
	t.Cleanup(f.Tokens.Close)
	ref := f.hsmRef(env)
	if _, err := f.TokenCertificates(f.ctx, f.approver, ref, env.PIN); codeOf(err) != CodeForbidden {
		t.Fatalf("an approver lists certificates to enroll: %v", err)
	}
	certs, err := f.TokenCertificates(f.ctx, f.admin, ref, env.PIN)
	if err != nil {
		t.Fatal(err)
	}
	var rsaFP string
	kinds := map[string]bool{}
	for _, c := range certs {
		kinds[c.KeyType] = c.SignsQR
		if c.KeyType == "RSA" && c.Usable {
			rsaFP = c.Fingerprint
		}
	}
	if len(certs) != 2 || !kinds["EC"] || kinds["RSA"] || rsaFP == "" {
		t.Fatalf("certificates %+v", certs)
	}
	enroll := func(fp string) (SigningKey, error) {
		return f.EnrollToken(f.ctx, f.admin, EnrollInput{Officer: "lanhdao", Token: ref, PIN: env.PIN, Certificate: fp}, nil)
	}
	if _, err := enroll(strings.Repeat("ab", 32)); codeOf(err) != CodeValidation || AsError(err).Fields[0].Field != "certificate" {
		t.Fatalf("unknown certificate: %v", err)
	}
	key, err := enroll(rsaFP)
	if err != nil {
		t.Fatal(err)
	}
	if key.Algorithm != "RS256" || key.Trusted {
		t.Fatalf("RSA key %+v (an RSA key never enters the QR trust list)", key)
	}
	numbers := f.issued(t, 2)
	office := f.permitStatus(t, numbers[0])
	res, err := f.SignPermits(f.ctx, f.approver, SignInput{Numbers: numbers, Token: ref, PIN: env.PIN}, nil)
	if err != nil || len(res.Signed) != 2 {
		t.Fatalf("sign: %+v %v", res, err)
	}
	p := f.permitStatus(t, numbers[0])
	if p.Status != string(domain.PermitSigned) || p.SignatureKind != "digital" || p.QR != office.QR || p.KeyID != office.KeyID || p.SignedPDF == "" {
		t.Fatalf("RSA-signed permit %+v", p)
	}
	if v, err := f.Verify(f.ctx, f.clerk, p.QR); err != nil || v.Status != permit.StatusValid {
		t.Fatalf("verify: %+v %v", v.Result, err)
	}
	pdf, err := f.SignedPermitPDF(f.ctx, f.clerk, numbers[0])
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "rsa.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, _ := exec.Command("pdfsig", path).CombinedOutput()
	if !strings.Contains(string(out), "Signature Validation: Signature is Valid.") {
		t.Errorf("pdfsig:\n%s", out)
	}
}
