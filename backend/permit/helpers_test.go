package permit

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"math/big"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
	"github.com/veraison/go-cose"
)

// fixture is a province with one root key, one office key and a permit.
type fixture struct {
	root, office *SoftwareSigner
	trust        *TrustList
	revoked      *RevocationList
	payload      Payload
	text         string
	now          time.Time // inside the validity window, outside curfew
}

func vnTime(y int, m time.Month, d, hh, mm, ss int) time.Time {
	return time.Date(y, m, d, hh, mm, ss, 0, VietnamTime)
}

func samplePayload() Payload {
	return Payload{
		Number:       "28249/2026/000123",
		FullName:     "Nguyễn Thị Hoàng Phương Thảo",
		BirthYear:    1987,
		IDLast4:      "0417",
		PurposeCode:  "essential_goods",
		RouteFrom:    "Ấp Mỹ Lợi A, xã Mỹ Đức Tây, huyện Cái Bè",
		RouteTo:      "Bệnh viện Đa khoa Trung tâm Tiền Giang, TP Mỹ Tho",
		VehiclePlate: "63B1-234.56",
		ValidFrom:    Date{2026, time.March, 10},
		ValidTo:      Date{2026, time.March, 12},
		UnitCode:     "28249",
		IssuedAt:     vnTime(2026, time.March, 9, 15, 4, 5).UTC(),
	}
}

func trustEntryFor(t testing.TB, s *SoftwareSigner, unit string) TrustEntry {
	t.Helper()
	der, err := marshalP256(s.Public())
	if err != nil {
		t.Fatal(err)
	}
	return TrustEntry{
		KeyID: s.KeyID(), PublicKey: der, Kind: KeyKindPKCS11, Officer: "Trần Văn Bình", OfficerTitle: "Chủ tịch UBND", UnitCode: unit,
		ValidFrom: vnTime(2026, time.January, 1, 0, 0, 0).UTC(), ValidTo: vnTime(2027, time.January, 1, 0, 0, 0).UTC(),
	}
}

func newSigner(t testing.TB) *SoftwareSigner {
	t.Helper()
	s, err := GenerateSoftwareSigner()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := &fixture{root: newSigner(t), office: newSigner(t), payload: samplePayload()}
	listsIssued := vnTime(2026, time.March, 8, 7, 0, 0).UTC()
	f.trust = &TrustList{Sequence: 7, IssuedAt: listsIssued, ExpiresAt: listsIssued.AddDate(0, 0, 30), Entries: []TrustEntry{trustEntryFor(t, f.office, "28249")}}
	f.revoked = &RevocationList{Sequence: 12, TrustSequence: 7, IssuedAt: listsIssued, ExpiresAt: listsIssued.AddDate(0, 0, 30), Entries: []RevocationEntry{
		{Number: "28249/2026/000001", Reason: "Cấp nhầm", RevokedAt: vnTime(2026, time.March, 2, 9, 0, 0).UTC()},
	}}
	text, err := Encode(context.Background(), f.payload, f.office)
	if err != nil {
		t.Fatal(err)
	}
	f.text = text
	f.payload.KeyID = f.office.KeyID()
	f.now = vnTime(2026, time.March, 11, 10, 0, 0)
	return f
}

func (f *fixture) verify(text string) Result {
	return Verify(text, f.now, f.trust, f.revoked, VerifyOptions{})
}

// reencode writes m back as a QR text, keeping whatever parts a test altered.
func reencode(t testing.TB, m Sign1) string {
	t.Helper()
	u := cose.UnprotectedHeader{}
	if m.Frame != nil {
		u[headerLabelFrame] = m.Frame.wire()
	}
	prot, err := cbor.Marshal(m.Protected)
	if err != nil {
		t.Fatal(err)
	}
	msg := cose.UntaggedSign1Message{Headers: cose.Headers{RawProtected: prot, Unprotected: u}, Payload: m.Payload, Signature: m.Signature}
	b, err := msg.MarshalCBOR()
	if err != nil {
		t.Fatal(err)
	}
	return Prefix + base45Encode(b)
}

// fidoSigner simulates a FIDO authenticator: it signs authenticatorData || clientDataHash
// with clientDataHash = SHA-256(message), as a CTAP2 getAssertion does.
type fidoSigner struct {
	key     *ecdsa.PrivateKey
	rpID    string
	flags   byte
	counter uint32
	calls   int
}

func newFIDOSigner(t testing.TB) *fidoSigner {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &fidoSigner{key: k, rpID: FIDORelyingPartyID, flags: 0x01, counter: 41}
}

func (f *fidoSigner) KeyID() [8]byte {
	kid, _ := KeyIDOf(&f.key.PublicKey)
	return kid
}
func (f *fidoSigner) Algorithm() cose.Algorithm { return cose.AlgorithmES256 }
func (f *fidoSigner) Sign(context.Context, []byte) ([]byte, error) {
	panic("a FIDO authenticator cannot sign raw messages")
}

func (f *fidoSigner) SignFramed(ctx context.Context, message []byte) ([]byte, Frame, error) {
	f.calls++
	f.counter++
	rp := sha256.Sum256([]byte(f.rpID))
	ad := append(rp[:], f.flags, byte(f.counter>>24), byte(f.counter>>16), byte(f.counter>>8), byte(f.counter))
	cdh := sha256.Sum256(message)
	digest := sha256.Sum256(append(bytes.Clone(ad), cdh[:]...))
	r, s, err := ecdsa.Sign(rand.Reader, f.key, digest[:])
	if err != nil {
		return nil, Frame{}, err
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return sig, Frame{Scheme: FrameFIDO, AuthenticatorData: ad}, nil
}

// digestSigner behaves like a PKCS#11 token: it signs SHA-256(message) with CKM_ECDSA and,
// like many tokens, does not normalise S. highS forces the high form so tests see Encode fix it.
type digestSigner struct {
	key      *ecdsa.PrivateKey
	highS    bool
	messages [][]byte
}

func (d *digestSigner) KeyID() [8]byte {
	kid, _ := KeyIDOf(&d.key.PublicKey)
	return kid
}
func (d *digestSigner) Algorithm() cose.Algorithm { return cose.AlgorithmES256 }
func (d *digestSigner) Sign(ctx context.Context, message []byte) ([]byte, error) {
	d.messages = append(d.messages, bytes.Clone(message))
	digest := sha256.Sum256(message)
	r, s, err := ecdsa.Sign(rand.Reader, d.key, digest[:])
	if err != nil {
		return nil, err
	}
	if d.highS && s.Cmp(p256HalfN) <= 0 {
		s = new(big.Int).Sub(p256N, s)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return sig, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func samplePayloadWithKey(f *fixture) *Payload {
	p := samplePayload()
	p.KeyID = f.office.KeyID()
	return &p
}

// withTextNumber rewrites a payload's number field as free text, as the format allowed before
// numbers had one spelling.
func withTextNumber(t testing.TB, body []byte, number string) []byte {
	t.Helper()
	var w wirePayload
	if err := cborDec.Unmarshal(body, &w); err != nil {
		t.Fatal(err)
	}
	raw, err := cborEnc.Marshal(number)
	if err != nil {
		t.Fatal(err)
	}
	w.Number = raw
	out, err := cborEnc.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// spliceBundle puts other's revocation list into bundle.
func spliceBundle(t testing.TB, bundle, other []byte) []byte {
	t.Helper()
	var a, b bundleFile
	if err := json.Unmarshal(bundle, &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(other, &b); err != nil {
		t.Fatal(err)
	}
	a.RevocationList = b.RevocationList
	out, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
