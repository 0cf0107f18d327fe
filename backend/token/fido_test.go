package token_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	qrcode "github.com/yeqown/go-qrcode/v2"

	"giaydiduong/backend/permit"
	"giaydiduong/backend/permit/permittest"
	"giaydiduong/backend/token"
	"giaydiduong/backend/token/ctaphid"
	"giaydiduong/backend/token/softfido"
)

var vn = permit.VietnamTime

// quiet keeps the hub's and signer's logs out of test output.
var quiet = slog.New(slog.DiscardHandler)

func vnTime(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, vn)
}

// samplePayload is a long-named permit of unit 28249, valid 10-12 March 2026.
func samplePayload(seq int) permit.Payload {
	return permit.Payload{
		Number:       fmt.Sprintf("28249/2026/%06d", seq),
		FullName:     "Nguyễn Thị Hoàng Phương Thảo",
		BirthYear:    1987,
		IDLast4:      "0417",
		PurposeCode:  "essential_goods",
		RouteFrom:    "Ấp Mỹ Lợi A, xã Mỹ Đức Tây, huyện Cái Bè",
		RouteTo:      "Bệnh viện Đa khoa Trung tâm Tiền Giang, TP Mỹ Tho",
		VehiclePlate: "63B1-234.56",
		ValidFrom:    permit.Date{Year: 2026, Month: time.March, Day: 10},
		ValidTo:      permit.Date{Year: 2026, Month: time.March, Day: 12},
		UnitCode:     "28249",
		IssuedAt:     vnTime(2026, time.March, 9, 15, 4).UTC(),
	}
}

// verifyTime is inside sampleStatus's validity window.
var verifyTime = vnTime(2026, time.March, 11, 10, 0)

// province builds the verifier's side: a root key, a trust list holding the credential's
// public key for unit 28249, and the bundle file a checkpoint imports, parsed back.
func province(t testing.TB, creds ...token.Credential) (*permit.TrustList, *permit.RevocationList) {
	t.Helper()
	ctx := context.Background()
	root, err := permit.GenerateSoftwareSigner()
	if err != nil {
		t.Fatal(err)
	}
	tl := permit.TrustList{Sequence: 1, IssuedAt: vnTime(2026, time.March, 8, 7, 0).UTC(), ExpiresAt: vnTime(2027, time.March, 8, 7, 0).UTC()}
	for _, c := range creds {
		kid, err := c.KeyID()
		if err != nil {
			t.Fatal(err)
		}
		tl.Entries = append(tl.Entries, permit.TrustEntry{
			KeyID: kid, Kind: permit.KeyKindFIDO, PublicKey: c.PublicKey, Officer: "Trần Văn Bình, Chủ tịch UBND", UnitCode: "28249",
			ValidFrom: vnTime(2026, time.January, 1, 0, 0).UTC(), ValidTo: vnTime(2027, time.January, 1, 0, 0).UTC(),
		})
	}
	rl := permit.RevocationList{Sequence: 1, TrustSequence: tl.Sequence, IssuedAt: tl.IssuedAt, ExpiresAt: tl.ExpiresAt}
	bundle, err := permit.BuildBundle(ctx, tl, rl, root, root.Public())
	if err != nil {
		t.Fatal(err)
	}
	trust, revoked, err := permit.ParseBundle(bundle, root.Public())
	if err != nil {
		t.Fatal(err)
	}
	return trust, revoked
}

func verify(text string, trust *permit.TrustList, revoked *permit.RevocationList) permit.Result {
	return permit.Verify(text, verifyTime, trust, revoked, permit.VerifyOptions{})
}

// qrVersion is the version go-qrcode picks for text in alphanumeric mode at level Q.
func qrVersion(t testing.TB, text string) int {
	t.Helper()
	qr, err := qrcode.NewWith(text, qrcode.WithEncodingMode(qrcode.EncModeAlphanumeric),
		qrcode.WithErrorCorrectionLevel(qrcode.ErrorCorrectionQuart))
	if err != nil {
		t.Fatalf("QR encode: %v", err)
	}
	return (qr.Dimension() - 17) / 4
}

// plugged is a soft key on a hub, opened the way the app opens a real one.
type plugged struct {
	key *softfido.Authenticator
	hub *token.Hub
	dev *ctaphid.Device
}

func plugIn(t testing.TB, cfg softfido.Config) plugged {
	t.Helper()
	bus := softfido.NewBus()
	a, err := softfido.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	bus.Attach(a)
	hub := token.NewHub(bus, token.HubOptions{Logger: quiet})
	if _, err := hub.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	toks := hub.Tokens()
	if len(toks) != 1 {
		t.Fatalf("hub sees %d tokens", len(toks))
	}
	dev, err := hub.Open(context.Background(), toks[0], ctaphid.Options{PollInterval: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dev.Close() })
	return plugged{a, hub, dev}
}

// TestEnrollSignVerify: enrol a credential, sign a permit through permit.Encode with the FIDO
// signer, and verify it against a trust list holding the credential's key: VALID.
func TestEnrollSignVerify(t *testing.T) {
	tests := []struct {
		name     string
		cfg      softfido.Config
		pin      string
		protocol token.Protocol
	}{
		{"CTAP2 key", softfido.Config{}, "", token.ProtocolCTAP2},
		{"CTAP2 key with a PIN", softfido.Config{}, "2468", token.ProtocolCTAP2},
		{"U2F-only key", softfido.Config{U2FOnly: true}, "", token.ProtocolU2F},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			k := plugIn(t, tt.cfg)
			if tt.pin != "" {
				if err := k.dev.SetPIN(ctx, tt.pin); err != nil {
					t.Fatal(err)
				}
			}
			cred, err := token.Enroll(ctx, k.dev, token.EnrollOptions{PIN: tt.pin, UserName: "binh.tv"})
			if err != nil {
				t.Fatal(err)
			}
			if cred.Protocol != tt.protocol || cred.RPID != permit.FIDORelyingPartyID {
				t.Errorf("credential %+v", cred)
			}
			var touches atomic.Int32
			s, err := token.NewFIDOSigner(ctx, k.dev, cred, token.SignerOptions{Logger: quiet, PIN: tt.pin, OnTouch: func() { touches.Add(1) }})
			if err != nil {
				t.Fatal(err)
			}
			trust, revoked := province(t, cred)
			text, err := permit.Encode(ctx, samplePayload(123), s)
			if err != nil {
				t.Fatal(err)
			}
			res := verify(text, trust, revoked)
			if res.Status != permit.StatusValid {
				t.Fatalf("verify: %s (%s)", res.Status, res.Detail)
			}
			if res.Signer == nil || res.Signer.Officer == "" {
				t.Error("verify did not name the officer")
			}
			_, m, err := permit.Decode(text)
			if err != nil || m.Frame == nil || m.Frame.Scheme != permit.FrameFIDO || m.Frame.AuthenticatorData[32]&0x01 == 0 {
				t.Errorf("frame %+v, %v", m.Frame, err)
			}
			if tt.pin != "" && m.Frame.AuthenticatorData[32]&0x04 == 0 {
				t.Error("signed with the PIN token but the UV flag is not set")
			}
			t.Logf("FIDO-signed QR text: %d characters, version %d at level Q", len(text), qrVersion(t, text))
			if _, err := s.Sign(ctx, []byte("raw")); !errors.Is(err, token.ErrFramedOnly) {
				t.Errorf("Sign: %v", err)
			}
		})
	}
}

// TestEnrollAndSignInTwoProcesses: the soft key's state file carries the credential from the
// enrolling process to the signing one, with mode 0600 and a counter that keeps rising.
func TestEnrollAndSignInTwoProcesses(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	credFile := filepath.Join(t.TempDir(), "credential.json")

	// Process 1: gddctl token enroll --soft-fido.
	enrol := plugIn(t, softfido.Config{Dir: dir})
	cred, err := token.Enroll(ctx, enrol.dev, token.EnrollOptions{UserName: "binh.tv"})
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(cred)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(credFile, data, 0o600); err != nil {
		t.Fatal(err)
	}
	counter := enrol.key.Counter()
	fi, err := os.Stat(filepath.Join(dir, softfido.StateFile))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("state file mode %v, want 0600", fi.Mode().Perm())
	}

	// Process 2: gddctl permit sign --soft-fido, with nothing shared but the files.
	sign := plugIn(t, softfido.Config{Dir: dir})
	var stored token.Credential
	if err := json.Unmarshal(mustRead(t, credFile), &stored); err != nil {
		t.Fatal(err)
	}
	s, err := token.NewFIDOSigner(ctx, sign.dev, stored, token.SignerOptions{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	text, err := permit.Encode(ctx, samplePayload(7), s)
	if err != nil {
		t.Fatal(err)
	}
	trust, revoked := province(t, stored)
	if res := verify(text, trust, revoked); res.Status != permit.StatusValid {
		t.Fatalf("verify: %s (%s)", res.Status, res.Detail)
	}
	if sign.key.Counter() <= counter {
		t.Errorf("counter %d after signing, was %d at enrolment", sign.key.Counter(), counter)
	}
	if err := os.Chmod(filepath.Join(dir, softfido.StateFile), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := softfido.New(softfido.Config{Dir: dir}); err == nil {
		t.Error("a state file readable by others was accepted")
	}
}

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// officer touches the soft key whenever the signer says it waits, and counts the touches.
type officer struct {
	key     *softfido.Authenticator
	touches atomic.Int32
}

func (o *officer) touch() {
	o.touches.Add(1)
	o.key.Touch()
}

func batchMessages(n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = fmt.Appendf(nil, "Sig_structure of permit %d", i+1)
	}
	return out
}

// TestSignBatch: 80 permits take one touch where the key has a PIN, signs silently, and the
// batch asks for TouchOnce (the silent ones carry user verification); else 80. Progress is
// reported after each, in order.
func TestSignBatch(t *testing.T) {
	const n = 80
	tests := []struct {
		name    string
		cfg     softfido.Config
		pin     string
		batch   token.BatchPresence
		touches int
		silent  int
	}{
		{"CTAP2 with PIN, touch once", softfido.Config{}, "1357", token.TouchOnce, 1, n - 1},
		{"CTAP2 with PIN, touch once, key refuses up=false", softfido.Config{NoSilent: true}, "1357", token.TouchOnce, n, 0},
		{"CTAP2 without PIN, touch once: no verification, so a touch each", softfido.Config{}, "", token.TouchOnce, n, 0},
		{"CTAP2 with PIN, touch each (default)", softfido.Config{}, "1357", token.TouchEach, n, 0},
		{"U2F, touch once, key knows 0x08: U2F cannot verify, so a touch each", softfido.Config{U2FOnly: true}, "", token.TouchOnce, n, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			tt.cfg.Presence = softfido.Presence{Mode: softfido.NoTouch}
			k := plugIn(t, tt.cfg)
			o := &officer{key: k.key}
			if tt.pin != "" {
				if err := k.dev.SetPIN(ctx, tt.pin); err != nil {
					t.Fatal(err)
				}
			}
			cred, err := token.Enroll(ctx, k.dev, token.EnrollOptions{OnTouch: k.key.Touch, PIN: tt.pin})
			if err != nil {
				t.Fatal(err)
			}
			s, err := token.NewFIDOSigner(ctx, k.dev, cred, token.SignerOptions{Logger: quiet, Batch: tt.batch, PIN: tt.pin})
			if err != nil {
				t.Fatal(err)
			}
			before := k.key.Stats()
			var progress []int
			msgs := batchMessages(n)
			sigs, err := s.SignBatch(ctx, msgs, func(done, total int) {
				if total != n {
					t.Errorf("progress total %d", total)
				}
				progress = append(progress, done)
			}, o.touch)
			if err != nil {
				t.Fatal(err)
			}
			if len(sigs) != n || len(progress) != n || progress[n-1] != n || !slices.IsSorted(progress) {
				t.Fatalf("%d signatures, progress %v", len(sigs), progress)
			}
			st := k.key.Stats()
			if got := int(o.touches.Load()); got != tt.touches || st.Touches-before.Touches != tt.touches {
				t.Errorf("touch prompts %d, key touched %d times, want %d", got, st.Touches-before.Touches, tt.touches)
			}
			if got := st.SilentAssertions - before.SilentAssertions; got != tt.silent {
				t.Errorf("%d silent assertions, want %d", got, tt.silent)
			}
			pub, _ := cred.Key()
			for i, sg := range sigs {
				if !verifiesFramed(pub, msgs[i], sg) {
					t.Fatalf("signature %d does not verify over authenticatorData | SHA-256(message)", i+1)
				}
				flags := sg.Frame.AuthenticatorData[32]
				if up := flags&0x01 != 0; up != (i == 0 || tt.silent == 0) {
					t.Errorf("signature %d: UP flag %v", i+1, up)
				}
				if flags&0x05 == 0 {
					t.Errorf("signature %d has neither UP nor UV: no verifier accepts it", i+1)
				}
			}
		})
	}
}

// verifiesFramed checks r||s over authenticatorData | SHA-256(message), as permit.Verify
// rebuilds it, but without permit's user-presence rule.
func verifiesFramed(pub *ecdsa.PublicKey, msg []byte, sg token.Signed) bool {
	cdh := sha256.Sum256(msg)
	digest := sha256.Sum256(append(bytes.Clone(sg.Frame.AuthenticatorData), cdh[:]...))
	r, s := new(big.Int).SetBytes(sg.Signature[:32]), new(big.Int).SetBytes(sg.Signature[32:])
	return ecdsa.Verify(pub, digest[:], r, s)
}

// TestEncodeBatch signs 80 permit QR texts and verifies them: with one touch each, and,
// on a key with a PIN, with one touch for the batch (the rest carry user verification).
// Without a PIN, TouchOnce still asks for a touch each, since a silent signature would carry
// neither flag and fail at every checkpoint.
func TestEncodeBatch(t *testing.T) {
	const n = 80
	payloads := make([]permit.Payload, n)
	for i := range payloads {
		payloads[i] = samplePayload(1000 + i)
	}
	for _, tc := range []struct {
		name    string
		pin     string
		batch   token.BatchPresence
		touches int
	}{
		{"touch each", "", token.TouchEach, n},
		{"touch once without PIN", "", token.TouchOnce, n},
		{"touch once with PIN", "2468", token.TouchOnce, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			k := plugIn(t, softfido.Config{})
			if tc.pin != "" {
				if err := k.dev.SetPIN(ctx, tc.pin); err != nil {
					t.Fatal(err)
				}
			}
			cred, err := token.Enroll(ctx, k.dev, token.EnrollOptions{PIN: tc.pin})
			if err != nil {
				t.Fatal(err)
			}
			trust, revoked := province(t, cred)
			s, err := token.NewFIDOSigner(ctx, k.dev, cred, token.SignerOptions{Logger: quiet, Batch: tc.batch, PIN: tc.pin})
			if err != nil {
				t.Fatal(err)
			}
			before := k.key.Stats().Touches
			texts, err := s.EncodeBatch(ctx, payloads, nil, nil)
			if err != nil || len(texts) != n {
				t.Fatalf("%d texts, %v", len(texts), err)
			}
			if got := k.key.Stats().Touches - before; got != tc.touches {
				t.Errorf("%d touches, want %d", got, tc.touches)
			}
			for i, text := range texts {
				if res := verify(text, trust, revoked); res.Status != permit.StatusValid {
					t.Fatalf("permit %d: %s (%s)", i+1, res.Status, res.Detail)
				}
			}
		})
	}
}

// TestBatchRemoval pulls the key out when the 31st signing request arrives: the 30 permits
// signed stay signed and verify, and the error says the key was removed.
func TestBatchRemoval(t *testing.T) {
	for _, batch := range []token.BatchPresence{token.TouchEach, token.TouchOnce} {
		t.Run(batch.String(), func(t *testing.T) {
			ctx := context.Background()
			k := plugIn(t, softfido.Config{})
			cred, err := token.Enroll(ctx, k.dev, token.EnrollOptions{})
			if err != nil {
				t.Fatal(err)
			}
			s, err := token.NewFIDOSigner(ctx, k.dev, cred, token.SignerOptions{Logger: quiet, Batch: batch})
			if err != nil {
				t.Fatal(err)
			}
			k.key.SetFaults(softfido.Faults{UnplugAtAssertion: 31})
			sigs, err := s.SignBatch(ctx, batchMessages(80), nil, nil)
			if !errors.Is(err, token.ErrDeviceRemoved) || len(sigs) != 30 {
				t.Fatalf("%d signatures, %v; want 30 and ErrDeviceRemoved", len(sigs), err)
			}
			if !strings.Contains(err.Error(), "signed 30 of 80") {
				t.Errorf("error does not say how many were signed: %v", err)
			}
			if batch != token.TouchEach {
				return
			}
			// Through EncodeBatch: 30 texts, all valid.
			if err := k.key.Plug(); err != nil {
				t.Fatal(err)
			}
			k2 := reopen(t, k)
			s2, err := token.NewFIDOSigner(ctx, k2, cred, token.SignerOptions{Logger: quiet})
			if err != nil {
				t.Fatal(err)
			}
			k.key.SetFaults(softfido.Faults{UnplugAtAssertion: 31})
			payloads := make([]permit.Payload, 80)
			for i := range payloads {
				payloads[i] = samplePayload(2000 + i)
			}
			texts, err := s2.EncodeBatch(ctx, payloads, nil, nil)
			if !errors.Is(err, token.ErrDeviceRemoved) || len(texts) != 30 {
				t.Fatalf("%d texts, %v", len(texts), err)
			}
			trust, revoked := province(t, cred)
			for i, text := range texts {
				if res := verify(text, trust, revoked); res.Status != permit.StatusValid {
					t.Fatalf("permit %d: %s", i+1, res.Status)
				}
			}
		})
	}
}

func reopen(t testing.TB, k plugged) *ctaphid.Device {
	t.Helper()
	if _, err := k.hub.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	dev, err := k.hub.Open(context.Background(), k.hub.Tokens()[0], ctaphid.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dev.Close() })
	return dev
}

// TestPINErrors: a wrong PIN is a clear error before anything is signed; three in a row ask
// for a re-plug; eight block the key, and the error says so.
func TestPINErrors(t *testing.T) {
	ctx := context.Background()
	k := plugIn(t, softfido.Config{Dir: t.TempDir()})
	if err := k.dev.SetPIN(ctx, "2468"); err != nil {
		t.Fatal(err)
	}
	cred, err := token.Enroll(ctx, k.dev, token.EnrollOptions{PIN: "2468"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := token.Enroll(ctx, k.dev, token.EnrollOptions{}); !errors.Is(err, token.ErrPINRequired) {
		t.Errorf("enrol without the PIN: %v", err)
	}
	if _, err := token.NewFIDOSigner(ctx, k.dev, cred, token.SignerOptions{Logger: quiet}); !errors.Is(err, token.ErrPINRequired) {
		t.Errorf("no PIN: %v", err)
	}
	before := k.key.Stats().Assertions
	_, err = token.NewFIDOSigner(ctx, k.dev, cred, token.SignerOptions{Logger: quiet, PIN: "1111"})
	if !errors.Is(err, token.ErrWrongPIN) || !strings.Contains(err.Error(), "7 tries left") {
		t.Errorf("wrong PIN: %v", err)
	}
	t.Logf("wrong PIN: %v", err)
	if k.key.Stats().Assertions != before {
		t.Error("the key signed after a wrong PIN")
	}
	_, _ = token.NewFIDOSigner(ctx, k.dev, cred, token.SignerOptions{Logger: quiet, PIN: "1111"})
	_, err = token.NewFIDOSigner(ctx, k.dev, cred, token.SignerOptions{Logger: quiet, PIN: "1111"})
	if !errors.Is(err, token.ErrPINAuthBlocked) {
		t.Errorf("third wrong PIN in a row: %v", err)
	}
	t.Logf("third wrong PIN: %v", err)
	dev := k.dev
	for range 2 {
		k.key.Unplug()
		if err := k.key.Plug(); err != nil {
			t.Fatal(err)
		}
		dev = reopen(t, k)
		for range 3 {
			_, err = token.NewFIDOSigner(ctx, dev, cred, token.SignerOptions{Logger: quiet, PIN: "1111"})
			if errors.Is(err, token.ErrPINBlocked) {
				break
			}
		}
	}
	if !errors.Is(err, token.ErrPINBlocked) || !strings.Contains(err.Error(), "blocked") {
		t.Fatalf("eighth wrong PIN: %v", err)
	}
	t.Logf("PIN blocked: %v", err)
	if _, err := token.NewFIDOSigner(ctx, dev, cred, token.SignerOptions{Logger: quiet, PIN: "2468"}); !errors.Is(err, token.ErrPINBlocked) {
		t.Errorf("right PIN on a blocked key: %v", err)
	}
	if k.key.Stats().Assertions != before {
		t.Error("the key signed during the PIN failures")
	}
}

// TestAnotherKey: a credential enrolled on one key cannot sign on another.
func TestAnotherKey(t *testing.T) {
	for _, cfg := range []softfido.Config{{}, {U2FOnly: true}} {
		ctx := context.Background()
		k1, k2 := plugIn(t, cfg), plugIn(t, cfg)
		cred, err := token.Enroll(ctx, k1.dev, token.EnrollOptions{})
		if err != nil {
			t.Fatal(err)
		}
		s, err := token.NewFIDOSigner(ctx, k2.dev, cred, token.SignerOptions{Logger: quiet})
		if err == nil {
			_, _, err = s.SignFramed(ctx, []byte("permit"))
		}
		if !errors.Is(err, token.ErrNotEnrolled) {
			t.Errorf("U2F only %v: %v, want ErrNotEnrolled", cfg.U2FOnly, err)
		}
	}
}

// TestBatchCancel: cancelling mid-batch keeps what was signed.
func TestBatchCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	k := plugIn(t, softfido.Config{})
	cred, err := token.Enroll(ctx, k.dev, token.EnrollOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := token.NewFIDOSigner(ctx, k.dev, cred, token.SignerOptions{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	sigs, err := s.SignBatch(ctx, batchMessages(20), func(done, _ int) {
		if done == 5 {
			cancel()
		}
	}, nil)
	if !errors.Is(err, context.Canceled) || len(sigs) != 5 {
		t.Errorf("%d signatures, %v", len(sigs), err)
	}
}

// TestQRSize compares FIDO-signed and software-signed QR texts over realistic permits.
func TestQRSize(t *testing.T) {
	ctx := context.Background()
	k := plugIn(t, softfido.Config{})
	cred, err := token.Enroll(ctx, k.dev, token.EnrollOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fido, err := token.NewFIDOSigner(ctx, k.dev, cred, token.SignerOptions{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	soft, err := permit.GenerateSoftwareSigner()
	if err != nil {
		t.Fatal(err)
	}
	const n = 300
	gen := permittest.NewGenerator(2026)
	var fl, sl, fv, sv []int
	versions := map[int]int{}
	for range n {
		p := gen.Next()
		ft, err := permit.Encode(ctx, p, fido)
		if err != nil {
			t.Fatal(err)
		}
		st, err := permit.Encode(ctx, p, soft)
		if err != nil {
			t.Fatal(err)
		}
		fl, sl = append(fl, len(ft)), append(sl, len(st))
		for _, x := range []struct {
			text string
			out  *[]int
		}{{ft, &fv}, {st, &sv}} {
			v, ok := versions[len(x.text)]
			if !ok {
				v = qrVersion(t, x.text)
				versions[len(x.text)] = v
			}
			*x.out = append(*x.out, v)
		}
	}
	for _, s := range [][]int{fl, sl, fv, sv} {
		slices.Sort(s)
	}
	pct := func(s []int, p float64) int { return s[min(len(s)-1, int(float64(len(s))*p))] }
	t.Logf("over %d generated permits: FIDO-signed length p50 %d p99 %d max %d, QR version p50 %d p99 %d max %d (level Q)",
		n, pct(fl, .5), pct(fl, .99), fl[n-1], pct(fv, .5), pct(fv, .99), fv[n-1])
	t.Logf("same permits, software ES256: length p50 %d p99 %d max %d, QR version p50 %d p99 %d max %d; the FIDO frame adds %d characters",
		pct(sl, .5), pct(sl, .99), sl[n-1], pct(sv, .5), pct(sv, .99), sv[n-1], pct(fl, .5)-pct(sl, .5))
	sample, err := permit.Encode(ctx, samplePayload(123), fido)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("sample permit (%q): FIDO-signed %d characters, QR version %d at level Q", samplePayload(123).FullName, len(sample), qrVersion(t, sample))
	// The design's target (p99 at version 12) is stated for an ES256 signer; the FIDO frame's
	// 19 characters can cost one version more, which is recorded here rather than hidden.
	if pct(fv, .99) > pct(sv, .99)+1 {
		t.Errorf("99th percentile FIDO-signed QR version %d, software %d: the frame costs more than one version", pct(fv, .99), pct(sv, .99))
	}
}
