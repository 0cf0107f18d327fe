package pkcs11

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"errors"
	"math/big"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeModule is a token whose behaviour tests choose: PIN lock states SoftHSM2 never reaches
// (it has no retry counter), removal, and vendor quirks.
type fakeModule struct {
	mu         sync.Mutex
	tokens     map[uint]tokenInfo // present tokens by slot
	loginErr   ReturnCode         // what C_Login returns (0: success)
	loginFlags uint               // token flags after a failed login
	logins     int
	signErr    ReturnCode
	key        *ecdsa.PrivateKey
	derSigs    bool // return DER from CKM_ECDSA, as some vendor libraries do
}

func (f *fakeModule) GetSlotList(bool) ([]uint, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []uint
	for id := range f.tokens {
		ids = append(ids, id)
	}
	return ids, nil
}

func (f *fakeModule) GetSlotInfo(slot uint) (slotInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.tokens[slot]; ok {
		return slotInfo{Flags: ckfSlotTokenPresent | ckfSlotRemovableDevice}, nil
	}
	return slotInfo{Flags: ckfSlotRemovableDevice}, nil
}

func (f *fakeModule) GetTokenInfo(slot uint) (tokenInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ti, ok := f.tokens[slot]
	if !ok {
		return tokenInfo{}, ckrTokenNotPresent
	}
	return ti, nil
}

func (f *fakeModule) OpenSession(uint) (sessionHandle, error) { return 7, nil }
func (f *fakeModule) CloseSession(sessionHandle) error        { return nil }
func (f *fakeModule) Logout(sessionHandle) error              { return nil }

func (f *fakeModule) Login(_ sessionHandle, _ string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.logins++
	if f.loginErr != 0 {
		for slot, ti := range f.tokens {
			ti.Flags |= f.loginFlags
			f.tokens[slot] = ti
		}
		return f.loginErr
	}
	return nil
}

func (f *fakeModule) FindObjects(sessionHandle, []attribute) ([]objectHandle, error) {
	return nil, nil
}

func (f *fakeModule) GetAttributes(sessionHandle, objectHandle, []uint) ([][]byte, error) {
	return nil, ckrObjectHandleInvalid
}

func (f *fakeModule) Sign(_ sessionHandle, _ uint, _ objectHandle, data []byte) ([]byte, error) {
	if f.signErr != 0 {
		return nil, f.signErr
	}
	r, s, err := ecdsa.Sign(rand.Reader, f.key, data)
	if err != nil {
		return nil, err
	}
	if f.derSigs {
		return ecdsa.SignASN1(rand.Reader, f.key, data)
	}
	out := make([]byte, 64)
	r.FillBytes(out[:32])
	s.FillBytes(out[32:])
	return out, nil
}

func (f *fakeModule) WaitForSlotEvent(uint) (uint, error) { return 0, ckrFunctionNotSupported }
func (f *fakeModule) Close() error                        { return nil }

func (f *fakeModule) set(slot uint, ti *tokenInfo) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if ti == nil {
		delete(f.tokens, slot)
	} else {
		f.tokens[slot] = *ti
	}
}

func fakeDriver(f *fakeModule) *Driver {
	return &Driver{path: "fake", mod: &sharedModule{module: f, path: "fake", refs: 1}, log: quiet,
		poll: 10 * time.Millisecond, sessions: map[uint]*Session{}, done: make(chan struct{})}
}

func newFake(t testing.TB) *fakeModule {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &fakeModule{key: k, tokens: map[uint]tokenInfo{
		3: {Label: "VNPT-CA", Serial: "5431A1B2", Manufacturer: "VNPT", Flags: ckfTokenInitialized | ckfLoginRequired},
	}}
}

func TestLoginErrorMapping(t *testing.T) {
	for _, tc := range []struct {
		name  string
		code  ReturnCode
		flags uint
		want  error
		msg   string
	}{
		{"incorrect, token silent", ckrPINIncorrect, 0, ErrPINIncorrect, "Mã PIN không đúng"},
		{"incorrect, count low", ckrPINIncorrect, ckfUserPINCountLow, ErrPINIncorrect, "Mã PIN không đúng, còn ít lần thử"},
		{"incorrect, final try", ckrPINIncorrect, ckfUserPINCountLow | ckfUserPINFinalTry, ErrPINIncorrect, "Mã PIN không đúng, còn 1 lần thử"},
		{"incorrect, now locked", ckrPINIncorrect, ckfUserPINLocked, ErrPINLocked, "Mã PIN đã bị khóa"},
		{"locked", ckrPINLocked, ckfUserPINLocked, ErrPINLocked, "Mã PIN đã bị khóa"},
		{"length", ckrPINLenRange, 0, ErrPINIncorrect, "Mã PIN không đúng"},
		{"removed", ckrDeviceRemoved, 0, ErrTokenRemoved, "Thiết bị ký số đã bị rút ra"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := loginError(tc.code, tc.flags)
			if !errors.Is(err, tc.want) {
				t.Fatalf("loginError = %v, want %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("message %q lacks %q", err, tc.msg)
			}
			var rv ReturnCode
			if !errors.As(err, &rv) || rv != tc.code {
				t.Errorf("wrapped code %v, want %v", rv, tc.code)
			}
		})
	}
}

func TestOpErrorMarksRemoval(t *testing.T) {
	for _, tc := range []struct {
		code    ReturnCode
		removed bool
	}{
		{ckrDeviceRemoved, true}, {ckrTokenNotPresent, true}, {ckrSessionHandleInvalid, true},
		{ckrSessionClosed, true}, {ckrTokenNotRecognized, true},
		{ckrFunctionFailed, false}, {ckrKeyHandleInvalid, false}, {ckrDeviceError, false},
	} {
		t.Run(tc.code.Error(), func(t *testing.T) {
			err := opError("C_Sign", tc.code)
			if errors.Is(err, ErrTokenRemoved) != tc.removed {
				t.Errorf("%v: removed = %v, want %v", err, !tc.removed, tc.removed)
			}
			if !strings.Contains(err.Error(), "CKR_") {
				t.Errorf("%v does not name the CKR_ code", err)
			}
		})
	}
}

func TestOpenWithFakeToken(t *testing.T) {
	for _, tc := range []struct {
		name       string
		tokenFlags uint
		loginErr   ReturnCode
		loginFlags uint
		want       error
		logins     int
	}{
		{"ok", 0, 0, 0, nil, 1},
		{"locked before trying", ckfUserPINLocked, 0, 0, ErrPINLocked, 0},
		{"locks on this try", 0, ckrPINLocked, ckfUserPINLocked, ErrPINLocked, 1},
		{"last try left", ckfUserPINCountLow, ckrPINIncorrect, ckfUserPINFinalTry, ErrPINIncorrect, 1},
		{"pulled out while logging in", 0, ckrDeviceRemoved, 0, ErrTokenRemoved, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			ti := f.tokens[3]
			ti.Flags |= tc.tokenFlags
			f.tokens[3] = ti
			f.loginErr, f.loginFlags = tc.loginErr, tc.loginFlags
			d := fakeDriver(f)
			s, err := d.Open(context.Background(), 3, "123456")
			if !errors.Is(err, tc.want) {
				t.Fatalf("Open = %v, want %v", err, tc.want)
			}
			if f.logins != tc.logins {
				t.Errorf("%d C_Login calls, want %d", f.logins, tc.logins)
			}
			if tc.want == nil {
				_ = s.Close()
			} else if len(d.sessions) != 0 {
				t.Error("a failed Open kept the slot busy")
			}
		})
	}
	if _, err := fakeDriver(newFake(t)).Open(context.Background(), 9, "1"); !errors.Is(err, ErrNoToken) {
		t.Errorf("Open on an empty slot: %v", err)
	}
}

// fakeSigner is a Signer over the fake token's key.
func fakeSigner(t testing.TB, f *fakeModule) (*Session, *Signer) {
	t.Helper()
	d := fakeDriver(f)
	s, err := d.Open(context.Background(), 3, "123456")
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Lê Văn Đức"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &f.key.PublicKey, f.key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return s, &Signer{s: s, key: 1, cert: c, kind: KeyEC}
}

func TestECDSASignatureShapes(t *testing.T) {
	for _, der := range []bool{false, true} {
		f := newFake(t)
		f.derSigs = der
		_, k := fakeSigner(t, f)
		ps, err := k.PermitSigner()
		if err != nil {
			t.Fatal(err)
		}
		msg := []byte("Sig_structure")
		sig, err := ps.Sign(context.Background(), msg)
		if err != nil {
			t.Fatalf("der=%v: %v", der, err)
		}
		sum := sha256.Sum256(msg)
		r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
		if len(sig) != 64 || !ecdsa.Verify(&f.key.PublicKey, sum[:], r, s) {
			t.Errorf("der=%v: r||s signature does not verify", der)
		}
		asn, err := k.Sign(nil, sum[:], crypto.SHA256)
		if err != nil || !ecdsa.VerifyASN1(&f.key.PublicKey, sum[:], asn) {
			t.Errorf("der=%v: crypto.Signer signature does not verify: %v", der, err)
		}
	}
}

func TestSignAfterRemoval(t *testing.T) {
	f := newFake(t)
	s, k := fakeSigner(t, f)
	f.set(3, nil) // pulled out: the library answers with a generic error, the slot is empty
	f.signErr = ckrFunctionFailed
	sum := sha256.Sum256([]byte("x"))
	_, err := k.Sign(nil, sum[:], crypto.SHA256)
	if !errors.Is(err, ErrTokenRemoved) {
		t.Fatalf("Sign = %v, want ErrTokenRemoved", err)
	}
	var rv ReturnCode
	if !errors.As(err, &rv) || rv != ckrFunctionFailed {
		t.Errorf("wrapped code %v", rv)
	}
	if _, err := s.Certificates(context.Background()); !errors.Is(err, ErrTokenRemoved) {
		t.Errorf("later call = %v, want ErrTokenRemoved at once", err)
	}
}

func TestDiffTokens(t *testing.T) {
	a := Token{Label: "VNPT-CA", Serial: "1"}
	b := Token{Label: "Viettel-CA", Serial: "2"}
	aLow := a
	aLow.PINCountLow = true
	for _, tc := range []struct {
		name          string
		before, after map[uint]Token
		want          []Event
	}{
		{"nothing", map[uint]Token{}, map[uint]Token{}, nil},
		{"insert", map[uint]Token{}, map[uint]Token{1: a}, []Event{{TokenInserted, 1, a}}},
		{"remove", map[uint]Token{1: a}, map[uint]Token{}, []Event{{TokenRemoved, 1, a}}},
		{"swap in one slot", map[uint]Token{1: a}, map[uint]Token{1: b}, []Event{{TokenRemoved, 1, a}, {TokenInserted, 1, b}}},
		{"PIN flags change only", map[uint]Token{1: a}, map[uint]Token{1: aLow}, nil},
		{"two slots", map[uint]Token{2: b}, map[uint]Token{1: a, 2: b, 3: b}, []Event{{TokenInserted, 1, a}, {TokenInserted, 3, b}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := diffTokens(tc.before, tc.after); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("diffTokens = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestWatchPolling(t *testing.T) {
	f := newFake(t)
	d := fakeDriver(f)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	events := d.Watch(ctx)
	next := func() Event {
		t.Helper()
		select {
		case ev := <-events:
			return ev
		case <-ctx.Done():
			t.Fatal("no event")
		}
		return Event{}
	}
	if ev := next(); ev.Kind != TokenInserted || ev.Slot != 3 {
		t.Fatalf("first event %+v", ev)
	}
	f.set(3, nil)
	if ev := next(); ev.Kind != TokenRemoved || ev.Slot != 3 || ev.Token.Serial != "5431A1B2" {
		t.Fatalf("after removal %+v", ev)
	}
	f.set(4, &tokenInfo{Label: "BKAV-CA", Serial: "77"})
	if ev := next(); ev.Kind != TokenInserted || ev.Slot != 4 || ev.Token.Label != "BKAV-CA" {
		t.Fatalf("after insertion %+v", ev)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	for range events { // the channel closes with the driver
	}
}

func TestUlongOf(t *testing.T) {
	b4 := binary.NativeEndian.AppendUint32(nil, ckkEC)
	b8 := binary.NativeEndian.AppendUint64(nil, ckkEC)
	if ulongOf(b4) != ckkEC || ulongOf(b8) != ckkEC || ulongOf([]byte{1}) == ckkEC {
		t.Error("ulongOf misreads CK_ULONG values")
	}
}
