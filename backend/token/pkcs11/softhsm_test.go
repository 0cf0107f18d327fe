package pkcs11

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"giaydiduong/backend/permit"

	"github.com/yeqown/go-qrcode/v2"
)

// quiet keeps the library's log lines out of test output.
var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func openDriver(t testing.TB) *Driver {
	t.Helper()
	d, err := New(context.Background(), hsm.Lib, Options{PollInterval: 100 * time.Millisecond, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Error(err)
		}
	})
	return d
}

func openSession(t testing.TB, d *Driver) *Session {
	t.Helper()
	s, err := d.Open(context.Background(), hsm.Slot, hsm.PIN)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// certOf returns the session's certificate with the given key type.
func certOf(t testing.TB, s *Session, kind KeyType) Certificate {
	t.Helper()
	certs, err := s.Certificates(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range certs {
		if c.KeyType == kind {
			return c
		}
	}
	t.Fatalf("no %s certificate among %d", kind, len(certs))
	return Certificate{}
}

func TestProbeLibrariesFindsSoftHSM(t *testing.T) {
	libs := ProbeLibraries()
	if len(libs) == 0 || !libs[0].Found {
		t.Fatalf("ProbeLibraries() = %+v, want a found library first", libs)
	}
	found := false
	for _, l := range libs {
		found = found || (l.Found && l.Path == hsm.Lib)
	}
	if !found {
		t.Errorf("ProbeLibraries() does not report %s as found: %+v", hsm.Lib, libs)
	}
}

func TestSlotsListsToken(t *testing.T) {
	d := openDriver(t)
	slots, err := d.Slots(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got *Slot
	for i := range slots {
		if slots[i].ID == hsm.Slot {
			got = &slots[i]
		}
	}
	if got == nil {
		t.Fatalf("slot %d not in %+v", hsm.Slot, slots)
	}
	if !got.HasToken || got.Token.Label != "GDD Test CA Token" || got.Token.Serial == "" ||
		got.Token.Manufacturer != "SoftHSM project" || !got.Token.Initialized || !got.Removable {
		t.Errorf("slot = %+v", *got)
	}
}

func TestOpenPIN(t *testing.T) {
	d := openDriver(t)
	for _, tc := range []struct {
		name, pin string
		want      error
	}{
		{"wrong", "999999", ErrPINIncorrect},
		{"too short", "1", ErrPINIncorrect},
		{"right", hsm.PIN, nil},
		{"wrong again after a good one", "000000", ErrPINIncorrect},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := d.Open(context.Background(), hsm.Slot, tc.pin)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Open(%q) error = %v, want %v", tc.pin, err, tc.want)
			}
			if tc.want != nil {
				if s != nil {
					t.Fatal("a refused PIN returned a session")
				}
				if !strings.HasPrefix(err.Error(), "Mã PIN không đúng") {
					t.Errorf("message %q does not start with %q", err, "Mã PIN không đúng")
				}
				if strings.Contains(err.Error(), tc.pin) {
					t.Errorf("message %q contains the PIN", err)
				}
				var pe *PINError
				if !errors.As(err, &pe) {
					t.Fatalf("error %T is not a *PINError", err)
				}
				return
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestWrongPINGivesNoSignature(t *testing.T) {
	d := openDriver(t)
	if _, err := d.Open(context.Background(), hsm.Slot, "111111"); !errors.Is(err, ErrPINIncorrect) {
		t.Fatalf("Open with a wrong PIN: %v", err)
	}
	// The refused login must leave nothing behind: the slot is free, and a session opened
	// with the right PIN afterwards is the first one that can sign.
	s := openSession(t, d)
	k, err := s.Signer(certOf(t, s, KeyEC))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256([]byte("x"))
	if _, err := k.Sign(nil, digest[:], crypto.SHA256); !errors.Is(err, ErrSessionClosed) {
		t.Fatalf("Sign after Close: %v, want ErrSessionClosed", err)
	}
}

func TestSlotBusy(t *testing.T) {
	d := openDriver(t)
	openSession(t, d)
	if _, err := d.Open(context.Background(), hsm.Slot, hsm.PIN); !errors.Is(err, ErrSlotBusy) {
		t.Fatalf("second Open: %v, want ErrSlotBusy", err)
	}
}

func TestCertificates(t *testing.T) {
	d := openDriver(t)
	s := openSession(t, d)
	certs, err := s.Certificates(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(certs) != 2 {
		t.Fatalf("%d certificates, want 2", len(certs))
	}
	roots := x509.NewCertPool()
	roots.AddCert(hsm.CACert)
	for _, tc := range []struct {
		kind  KeyType
		id    []byte
		label string
	}{
		{KeyEC, []byte{0x01}, "GDD EC P-256"},
		{KeyRSA, []byte{0x02}, "GDD RSA 2048"},
	} {
		t.Run(string(tc.kind), func(t *testing.T) {
			c := certOf(t, s, tc.kind)
			if c.SubjectCN != "Lê Văn Đức" || c.SubjectO != "UBND Xã Tân Mỹ Chánh" || !c.HasKey ||
				!bytes.Equal(c.ID, tc.id) || c.Label != tc.label || !strings.Contains(c.Issuer, "GDD Test CA") {
				t.Errorf("certificate = %+v", c)
			}
			if c.NotBefore.IsZero() || !c.NotAfter.After(c.NotBefore) {
				t.Errorf("validity %v – %v", c.NotBefore, c.NotAfter)
			}
			if _, err := c.Cert.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
				t.Errorf("chain: %v", err)
			}
		})
	}
}

func TestCryptoSigner(t *testing.T) {
	d := openDriver(t)
	s := openSession(t, d)
	msg := []byte("giấy đi đường")
	for _, tc := range []struct {
		kind KeyType
		hash crypto.Hash
	}{
		{KeyEC, crypto.SHA256}, {KeyEC, crypto.SHA384}, {KeyRSA, crypto.SHA256}, {KeyRSA, crypto.SHA512},
	} {
		t.Run(fmt.Sprintf("%s-%v", tc.kind, tc.hash), func(t *testing.T) {
			k, err := s.Signer(certOf(t, s, tc.kind))
			if err != nil {
				t.Fatal(err)
			}
			h := tc.hash.New()
			h.Write(msg)
			digest := h.Sum(nil)
			sig, err := k.WithContext(context.Background()).Sign(nil, digest, tc.hash)
			if err != nil {
				t.Fatal(err)
			}
			switch pub := k.Public().(type) {
			case *ecdsa.PublicKey:
				if !ecdsa.VerifyASN1(pub, digest, sig) {
					t.Error("ECDSA signature does not verify")
				}
			case *rsa.PublicKey:
				if err := rsa.VerifyPKCS1v15(pub, tc.hash, digest, sig); err != nil {
					t.Error(err)
				}
			}
		})
	}
	k, err := s.Signer(certOf(t, s, KeyRSA))
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256(msg)
	if _, err := k.Sign(nil, digest[:], &rsa.PSSOptions{Hash: crypto.SHA256}); err == nil {
		t.Error("RSA-PSS accepted; the token is only asked for PKCS#1 v1.5")
	}
	if _, err := k.Sign(nil, digest[:10], crypto.SHA256); err == nil {
		t.Error("short digest accepted")
	}
}

// province is a provincial root key and a trust list holding one token key, as a verifier
// would have it after importing the signed bundle.
type province struct {
	trust *permit.TrustList
	now   time.Time
}

func newProvince(t testing.TB, ps *PermitSigner) province {
	t.Helper()
	root, err := permit.GenerateSoftwareSigner()
	if err != nil {
		t.Fatal(err)
	}
	spki, err := x509.MarshalPKIXPublicKey(ps.Public())
	if err != nil {
		t.Fatal(err)
	}
	vn := permit.VietnamTime
	tl := permit.TrustList{
		Sequence:  1,
		IssuedAt:  time.Date(2026, 1, 2, 8, 0, 0, 0, vn).UTC(),
		ExpiresAt: time.Date(2027, 1, 2, 8, 0, 0, 0, vn).UTC(),
		Entries: []permit.TrustEntry{{
			KeyID: ps.KeyID(), Kind: permit.KeyKindPKCS11, PublicKey: spki, Officer: "Lê Văn Đức, Chủ tịch UBND", UnitCode: "28249",
			ValidFrom: time.Date(2026, 1, 1, 0, 0, 0, 0, vn).UTC(), ValidTo: time.Date(2027, 1, 1, 0, 0, 0, 0, vn).UTC(),
		}},
	}
	signed, err := permit.SignTrustList(context.Background(), tl, root)
	if err != nil {
		t.Fatal(err)
	}
	trust, err := permit.ParseTrustList(signed, root.Public())
	if err != nil {
		t.Fatal(err)
	}
	return province{trust: trust, now: time.Date(2026, 3, 11, 10, 0, 0, 0, vn)}
}

var (
	testNames  = []string{"Nguyễn Thị Hoàng Phương Thảo", "Trần Văn Nghĩa", "Lê Thị Ngọc Bích", "Huỳnh Tấn Phát", "Tôn Nữ Diệu Huyền"}
	testPlaces = []string{"Ấp Mỹ Lợi A, xã Mỹ Đức Tây, huyện Cái Bè", "Bệnh viện Đa khoa Trung tâm Tiền Giang, TP Mỹ Tho",
		"Số 12 Nguyễn Trãi, Phường 7, TP Mỹ Tho", "Chợ đầu mối trái cây Vĩnh Kim, huyện Châu Thành"}
)

// payload i is a realistic permit of unit 28249, valid around the province's "now".
func payload(i int) permit.Payload {
	vn := permit.VietnamTime
	return permit.Payload{
		Number:       fmt.Sprintf("28249/2026/%06d", 100+i),
		FullName:     testNames[i%len(testNames)],
		BirthYear:    1950 + i%50,
		IDLast4:      fmt.Sprintf("%04d", (i*7919)%10000),
		PurposeCode:  []string{"work", "medical", "essential_goods"}[i%3],
		RouteFrom:    testPlaces[i%len(testPlaces)],
		RouteTo:      testPlaces[(i+1)%len(testPlaces)],
		VehiclePlate: "63B1-234.56",
		ValidFrom:    permit.Date{Year: 2026, Month: time.March, Day: 10},
		ValidTo:      permit.Date{Year: 2026, Month: time.March, Day: 12},
		UnitCode:     "28249",
		IssuedAt:     time.Date(2026, 3, 9, 15, 4, i%60, 0, vn).UTC(),
	}
}

func TestPermitBatchVerifies(t *testing.T) {
	d := openDriver(t)
	s := openSession(t, d)
	k, err := s.Signer(certOf(t, s, KeyEC))
	if err != nil {
		t.Fatal(err)
	}
	ps, err := k.PermitSigner()
	if err != nil {
		t.Fatal(err)
	}
	if kid, _ := permit.KeyIDOf(k.Public()); kid != ps.KeyID() {
		t.Fatalf("key id %x, want KeyIDOf(certificate key) %x", ps.KeyID(), kid)
	}
	prov := newProvince(t, ps)
	const n = 100
	for i := range n {
		text, err := permit.Encode(context.Background(), payload(i), ps)
		if err != nil {
			t.Fatalf("permit %d: %v", i, err)
		}
		if res := permit.Verify(text, prov.now, prov.trust, nil, permit.VerifyOptions{}); res.Status != permit.StatusValid {
			t.Fatalf("permit %d: %s (%s)", i, res.Status, res.Detail)
		}
		if i == 0 {
			qr, err := qrcode.NewWith(text, qrcode.WithEncodingMode(qrcode.EncModeAlphanumeric),
				qrcode.WithErrorCorrectionLevel(qrcode.ErrorCorrectionQuart))
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("PKCS#11-signed permit QR: %d characters, version %d at level Q (%s)", len(text), (qr.Dimension()-17)/4, payload(0).FullName)
		}
	}
}

func TestRSACannotSignPermits(t *testing.T) {
	d := openDriver(t)
	s := openSession(t, d)
	k, err := s.Signer(certOf(t, s, KeyRSA))
	if err != nil {
		t.Fatal(err)
	}
	ps, err := k.PermitSigner()
	if !errors.Is(err, ErrNotPermitKey) || ps != nil {
		t.Fatalf("PermitSigner() = %v, %v; want ErrNotPermitKey", ps, err)
	}
	for _, want := range []string{"RSA", "GDD1", "PDF"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
}

// TestTokenRemovedMidBatch pulls the token out after some permits are signed. SoftHSM2 has
// no device to pull, so the test does what a removal does to a PKCS#11 session: the library
// closes it. The signed permits stay valid; the next signature fails with ErrTokenRemoved
// wrapping the CKR_ code, and so does every later call on the session.
func TestTokenRemovedMidBatch(t *testing.T) {
	d := openDriver(t)
	s := openSession(t, d)
	k, err := s.Signer(certOf(t, s, KeyEC))
	if err != nil {
		t.Fatal(err)
	}
	ps, err := k.PermitSigner()
	if err != nil {
		t.Fatal(err)
	}
	prov := newProvince(t, ps)
	var signed []string
	for i := range 10 {
		if i == 6 {
			if err := d.mod.CloseSession(s.h); err != nil { // the token leaves
				t.Fatal(err)
			}
		}
		text, err := permit.Encode(context.Background(), payload(i), ps)
		if err != nil {
			if i < 6 {
				t.Fatalf("permit %d: %v", i, err)
			}
			if !errors.Is(err, ErrTokenRemoved) {
				t.Fatalf("permit %d: %v, want ErrTokenRemoved", i, err)
			}
			var rv ReturnCode
			if !errors.As(err, &rv) || !isRemovalCode(rv) {
				t.Fatalf("permit %d: %v does not wrap a removal CKR_ code", i, err)
			}
			continue
		}
		if i >= 6 {
			t.Fatalf("permit %d signed after the token left", i)
		}
		signed = append(signed, text)
	}
	if len(signed) != 6 {
		t.Fatalf("%d signed, want 6", len(signed))
	}
	for i, text := range signed {
		if res := permit.Verify(text, prov.now, prov.trust, nil, permit.VerifyOptions{}); res.Status != permit.StatusValid {
			t.Errorf("permit %d signed before removal: %s", i, res.Status)
		}
	}
	if _, err := s.Certificates(context.Background()); !errors.Is(err, ErrTokenRemoved) {
		t.Errorf("Certificates after removal: %v", err)
	}
	// The slot is free again for the token once it is plugged back in.
	s2, err := d.Open(context.Background(), hsm.Slot, hsm.PIN)
	if err != nil {
		t.Fatalf("Open after removal: %v", err)
	}
	_ = s2.Close()
}

func TestContextCancelled(t *testing.T) {
	d := openDriver(t)
	s := openSession(t, d)
	k, err := s.Signer(certOf(t, s, KeyEC))
	if err != nil {
		t.Fatal(err)
	}
	ps, err := k.PermitSigner()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := permit.Encode(ctx, payload(1), ps); !errors.Is(err, context.Canceled) {
		t.Fatalf("Encode with a cancelled context: %v", err)
	}
}

func TestWatchReportsPresentToken(t *testing.T) {
	d := openDriver(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// SoftHSM2 also shows its free slot, holding an uninitialised token.
	for ev := range d.Watch(ctx) {
		if ev.Slot != hsm.Slot {
			continue
		}
		if ev.Kind != TokenInserted || ev.Token.Label != "GDD Test CA Token" || !ev.Token.Initialized {
			t.Errorf("event = %+v", ev)
		}
		return
	}
	t.Fatal("Watch ended without an event for the token")
}

// TestTokenDirDeletedMidBatch deletes the SoftHSM2 token's files in the middle of a batch,
// the nearest SoftHSM2 comes to pulling a token out. That spoils the token for the whole
// process, so the test re-runs this test binary, whose TestMain sets up a token of its own.
func TestTokenDirDeletedMidBatch(t *testing.T) {
	if os.Getenv("GDD_PKCS11_DELETE_CHILD") == "1" {
		deleteTokenDirMidBatch(t)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestTokenDirDeletedMidBatch$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), "GDD_PKCS11_DELETE_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestTokenDirDeletedMidBatch") {
		t.Fatalf("child test: %v\n%s", err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, "softhsm_test.go") {
			t.Log(strings.TrimSpace(line))
		}
	}
}

func deleteTokenDirMidBatch(t *testing.T) {
	d := openDriver(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	events := d.Watch(ctx)
	s := openSession(t, d)
	k, err := s.Signer(certOf(t, s, KeyEC))
	if err != nil {
		t.Fatal(err)
	}
	ps, err := k.PermitSigner()
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, err := permit.Encode(ctx, payload(i), ps); err != nil {
			t.Fatalf("permit %d: %v", i, err)
		}
	}
	if err := os.RemoveAll(filepath.Join(hsm.Dir, "tokens")); err != nil {
		t.Fatal(err)
	}
	_, err = permit.Encode(ctx, payload(5), ps)
	var rv ReturnCode
	if !errors.Is(err, ErrTokenRemoved) || !errors.As(err, &rv) {
		t.Fatalf("permit 5 after the token's files went: %v, want ErrTokenRemoved wrapping a CKR_ code", err)
	}
	t.Logf("signing after the token went: %v", err)
	for ev := range events {
		if ev.Kind == TokenRemoved && ev.Slot == hsm.Slot {
			t.Logf("Watch: %s slot %d (%s)", ev.Kind, ev.Slot, ev.Token.Label)
			return
		}
	}
	t.Fatal("Watch reported no removal")
}

// TestCloseWhileBusy closes the driver while a batch is signing and Watch is polling: both
// stop with an error or a closed channel, and nothing calls into the finalised library (the
// race detector and cgo would show it).
func TestCloseWhileBusy(t *testing.T) {
	d, err := New(context.Background(), hsm.Lib, Options{PollInterval: time.Millisecond, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	events := d.Watch(context.Background())
	s, err := d.Open(context.Background(), hsm.Slot, hsm.PIN)
	if err != nil {
		t.Fatal(err)
	}
	k, err := s.Signer(certOf(t, s, KeyEC))
	if err != nil {
		t.Fatal(err)
	}
	ps, err := k.PermitSigner()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() {
		for i := 0; ; i++ {
			if _, err := permit.Encode(context.Background(), payload(i), ps); err != nil {
				done <- err
				return
			}
		}
	}()
	time.Sleep(20 * time.Millisecond)
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, ErrSessionClosed) {
		t.Errorf("batch ended with %v, want ErrSessionClosed", err)
	}
	for range events {
	}
}
