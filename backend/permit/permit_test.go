package permit

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"math/big"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/veraison/go-cose"
)

func TestEncodeDecodeRoundTrip(t *testing.T) {
	signer := newSigner(t)
	minimal := Payload{
		Number: "28249/2026/000001", FullName: "A", RouteFrom: "B", RouteTo: "C", UnitCode: "28249",
		ValidFrom: Date{2026, time.March, 10}, ValidTo: Date{2026, time.March, 10},
		IssuedAt: time.Unix(1_773_000_000, 0).UTC(),
	}
	tests := []struct {
		name   string
		change func(*Payload)
	}{
		{"sample", func(*Payload) {}},
		{"minimal, nothing optional", func(p *Payload) { *p = minimal }},
		{"custom purpose code", func(p *Payload) { p.PurposeCode = "thu_hoach_lua" }},
		{"unit code with a leading zero", func(p *Payload) { p.UnitCode, p.Number = "00001", "00001/2026/000001" }},
		{"agency unit code", func(p *Payload) { p.UnitCode, p.Number = "SYT-TG", "SYT-TG/2026/999999" }},
		{"id ending in zeros", func(p *Payload) { p.IDLast4 = "0000" }},
		{"plate outside the packed alphabet", func(p *Payload) { p.VehiclePlate = "63b1-234.56" }},
		{"long plate", func(p *Payload) { p.VehiclePlate = "63B1-234.56 XE TAI" }},
		{"plate ending in a space-like char", func(p *Payload) { p.VehiclePlate = "63A 12345" }},
		{"every purpose index", func(p *Payload) { p.PurposeCode = wellKnownPurposes[len(wellKnownPurposes)-1] }},
		{"ethnic minority name", func(p *Payload) { p.FullName = "H'Hen Niê" }},
		{"name in capitals", func(p *Payload) { p.FullName = "NGUYỄN VĂN ĐỨC" }},
		{"non-Vietnamese letters", func(p *Payload) { p.FullName = "José Peña Kelvin \u212a Zoë" }},
		{"decomposed (NFD) text", func(p *Payload) { p.FullName = "Nguye\u0302\u0303n" }},
		{"punctuation and digits", func(p *Payload) { p.RouteFrom = "Số 12/3A (cổng sau), Đường 30/4 - P.1; TP.HCM" }},
		{"spaces kept exactly", func(p *Payload) { p.RouteTo = " Ấp  3 ,xã  Tân Hòa " }},
		{"emoji", func(p *Payload) { p.RouteTo = "Chợ 🐟 Vàm Láng" }},
		{"year-long window", func(p *Payload) { p.ValidTo = Date{2027, time.March, 11} }},
		{"leap day", func(p *Payload) { p.ValidFrom, p.ValidTo = Date{2028, time.February, 29}, Date{2028, time.March, 1} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := samplePayload()
			tt.change(&p)
			text, err := Encode(context.Background(), p, signer)
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			got, m, err := Decode(text)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			p.KeyID = signer.KeyID()
			if !reflect.DeepEqual(got, p) {
				t.Errorf("round trip:\n got %+v\nwant %+v", got, p)
			}
			if m.Frame != nil || len(m.Signature) != 64 || !bytes.Equal(m.Protected, protectedES256) {
				t.Errorf("unexpected COSE parts %+v", m)
			}
		})
	}
}

func TestVerifyValid(t *testing.T) {
	f := newFixture(t)
	res := f.verify(f.text)
	if res.Status != StatusValid {
		t.Fatalf("status %s (%s), want VALID", res.Status, res.Detail)
	}
	if !reflect.DeepEqual(*res.Payload, f.payload) {
		t.Errorf("payload %+v, want %+v", *res.Payload, f.payload)
	}
	if res.Signer == nil || res.Signer.KeyID != f.office.KeyID() {
		t.Errorf("signer %+v, want the office key", res.Signer)
	}
	if want := f.now.Sub(f.trust.IssuedAt); res.TrustAge != want || res.RevocationAge != want {
		t.Errorf("ages %v/%v, want %v", res.TrustAge, res.RevocationAge, want)
	}
	if len(res.Warnings) != 0 {
		t.Errorf("warnings %v, want none", res.Warnings)
	}
}

// TestTampering changes every byte of the signed payload and of the signature, in several
// ways each, and re-encodes: the result must never pass.
func TestTampering(t *testing.T) {
	f := newFixture(t)
	_, m, err := Decode(f.text)
	if err != nil {
		t.Fatal(err)
	}
	// Where the key id sits in the payload: a change there finds no key to check with.
	kidAt := bytes.Index(m.Payload, f.payload.KeyID[:])
	if kidAt < 0 {
		t.Fatal("key id not found in the payload")
	}
	masks := []byte{0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xff}
	counts := map[Status]int{}
	for _, part := range []string{"payload", "signature"} {
		src := m.Payload
		if part == "signature" {
			src = m.Signature
		}
		for i := range src {
			for _, mask := range masks {
				alt := m
				changed := bytes.Clone(src)
				changed[i] ^= mask
				if part == "payload" {
					alt.Payload = changed
				} else {
					alt.Signature = changed
				}
				res := f.verify(reencode(t, alt))
				counts[res.Status]++
				switch {
				case res.Status == StatusBadSignature || res.Status == StatusMalformed:
				case res.Status == StatusUnknownSigner && part == "payload" && i >= kidAt && i < kidAt+8:
				default:
					t.Fatalf("%s byte %d ^ %#x: status %s (%s)", part, i, mask, res.Status, res.Detail)
				}
			}
		}
	}
	t.Logf("%d payload and %d signature bytes, %d changes each: %v", len(m.Payload), len(m.Signature), len(masks), counts)
}

func TestUnknownSigner(t *testing.T) {
	f := newFixture(t)
	stranger := newSigner(t)
	text, err := Encode(context.Background(), samplePayload(), stranger)
	if err != nil {
		t.Fatal(err)
	}
	if res := f.verify(text); res.Status != StatusUnknownSigner || res.Payload == nil || res.Signer != nil {
		t.Errorf("stranger's permit: %s (%s), payload %v, signer %v", res.Status, res.Detail, res.Payload != nil, res.Signer)
	}
	if res := Verify(f.text, f.now, nil, f.revoked, VerifyOptions{}); res.Status != StatusUnknownSigner {
		t.Errorf("no trust list: %s, want UNKNOWN_SIGNER", res.Status)
	}
}

func TestSignatureFromAnotherKeyWithTheSameKeyID(t *testing.T) {
	// The trust list says kid -> key; a permit naming the office's kid but signed by another
	// key must fail the signature check, not be taken on the kid's word.
	f := newFixture(t)
	other := newSigner(t)
	p := samplePayload()
	p.KeyID = f.office.KeyID()
	body, err := p.marshalCBOR()
	if err != nil {
		t.Fatal(err)
	}
	msg, err := signCOSE(context.Background(), other, aadPermit, body)
	if err != nil {
		t.Fatal(err)
	}
	if res := f.verify(Prefix + base45Encode(msg)); res.Status != StatusBadSignature {
		t.Errorf("status %s (%s), want BAD_SIGNATURE", res.Status, res.Detail)
	}
}

func TestRevoked(t *testing.T) {
	f := newFixture(t)
	f.revoked.Entries = append(f.revoked.Entries, RevocationEntry{Number: f.payload.Number, Reason: "Người dân đề nghị hủy", RevokedAt: f.now.Add(-time.Hour)})
	res := f.verify(f.text)
	if res.Status != StatusRevoked || res.Revocation == nil || res.Revocation.Reason != "Người dân đề nghị hủy" {
		t.Fatalf("status %s, revocation %+v; want REVOKED with the reason", res.Status, res.Revocation)
	}
	// Revocation outranks the window: an expired and revoked permit says REVOKED.
	if res := Verify(f.text, vnTime(2026, time.April, 1, 0, 0, 0), f.trust, f.revoked, VerifyOptions{}); res.Status != StatusRevoked {
		t.Errorf("expired and revoked: %s, want REVOKED", res.Status)
	}
}

func TestValidityWindowEdges(t *testing.T) {
	f := newFixture(t) // valid 2026-03-10 .. 2026-03-12 inclusive, Vietnam time
	tests := []struct {
		name string
		now  time.Time
		want Status
	}{
		{"one second before the first day", vnTime(2026, time.March, 9, 23, 59, 59), StatusNotYetValid},
		{"first second", vnTime(2026, time.March, 10, 0, 0, 0), StatusValid},
		{"first second, clock in UTC", vnTime(2026, time.March, 10, 0, 0, 0).UTC(), StatusValid},
		{"UTC midnight of the first day is still the day before in Vietnam", time.Date(2026, time.March, 9, 16, 59, 59, 0, time.UTC), StatusNotYetValid},
		{"last second", vnTime(2026, time.March, 12, 23, 59, 59), StatusValid},
		{"last second, clock in UTC", time.Date(2026, time.March, 12, 16, 59, 59, 0, time.UTC), StatusValid},
		{"one second after the last day", vnTime(2026, time.March, 13, 0, 0, 0), StatusExpired},
		{"one second after, clock in UTC", time.Date(2026, time.March, 12, 17, 0, 0, 0, time.UTC), StatusExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if res := Verify(f.text, tt.now, f.trust, f.revoked, VerifyOptions{}); res.Status != tt.want {
				t.Errorf("at %v: %s (%s), want %s", tt.now, res.Status, res.Detail, tt.want)
			}
		})
	}
}

func TestVietnamTimeMatchesTZDatabase(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Skipf("no tz database: %v", err)
	}
	for d := vnTime(2000, time.January, 1, 0, 0, 0); d.Year() < 2040; d = d.AddDate(0, 1, 0) {
		if _, off := d.In(loc).Zone(); off != 7*3600 {
			t.Fatalf("%v: tz database offset %d, want +7h", d, off)
		}
	}
}

func TestSignerKeyValidity(t *testing.T) {
	tests := []struct {
		name   string
		change func(*TrustEntry)
		want   Status
	}{
		{"enrolled from the issue second", func(e *TrustEntry) { e.ValidFrom = samplePayload().IssuedAt }, StatusValid},
		{"enrolled until the end of the last valid day", func(e *TrustEntry) { e.ValidTo = vnTime(2026, time.March, 13, 0, 0, 0) }, StatusValid},
		{"enrolled until the issue second, the window outlives the key", func(e *TrustEntry) { e.ValidTo = samplePayload().IssuedAt }, StatusBadSignature},
		{"enrolled one second after issue", func(e *TrustEntry) { e.ValidFrom = samplePayload().IssuedAt.Add(time.Second) }, StatusBadSignature},
		{"enrolment ended before issue", func(e *TrustEntry) { e.ValidTo = samplePayload().IssuedAt.Add(-time.Second) }, StatusBadSignature},
		{"enrolled for another unit", func(e *TrustEntry) { e.UnitCode = "28252" }, StatusBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			tt.change(&f.trust.Entries[0])
			if res := f.verify(f.text); res.Status != tt.want {
				t.Errorf("status %s (%s), want %s", res.Status, res.Detail, tt.want)
			}
		})
	}
}

func TestWarnings(t *testing.T) {
	f := newFixture(t)
	curfew, err := ParseCurfew("18:00", "06:00")
	if err != nil {
		t.Fatal(err)
	}
	day := vnTime(2026, time.March, 11, 10, 0, 0)
	tests := []struct {
		name    string
		now     time.Time
		revoked *RevocationList
		opts    VerifyOptions
		want    []string
	}{
		{"fresh lists, no curfew", day, f.revoked, VerifyOptions{MaxTrustAge: 96 * time.Hour}, nil},
		{"lists exactly at the maximum age", f.trust.IssuedAt.Add(48 * time.Hour), f.revoked, VerifyOptions{MaxTrustAge: 48 * time.Hour}, nil},
		{"lists one second past the maximum age", f.trust.IssuedAt.Add(48*time.Hour + time.Second), f.revoked, VerifyOptions{MaxTrustAge: 48 * time.Hour}, []string{WarnTrustListStale, WarnRevocationListStale}},
		{"no maximum age", day.AddDate(0, 0, 1), f.revoked, VerifyOptions{}, nil},
		{"no revocation list", day, nil, VerifyOptions{}, []string{WarnRevocationListMissing}},
		{"curfew starts", vnTime(2026, time.March, 11, 18, 0, 0), f.revoked, VerifyOptions{Curfew: curfew}, []string{WarnCurfew}},
		{"before curfew", vnTime(2026, time.March, 11, 17, 59, 59), f.revoked, VerifyOptions{Curfew: curfew}, nil},
		{"curfew across midnight", vnTime(2026, time.March, 12, 0, 30, 0), f.revoked, VerifyOptions{Curfew: curfew}, []string{WarnCurfew}},
		{"last curfew second", vnTime(2026, time.March, 12, 5, 59, 59), f.revoked, VerifyOptions{Curfew: curfew}, []string{WarnCurfew}},
		{"curfew ended", vnTime(2026, time.March, 12, 6, 0, 0), f.revoked, VerifyOptions{Curfew: curfew}, nil},
		{"curfew hours read in Vietnam time", time.Date(2026, time.March, 11, 11, 0, 0, 0, time.UTC), f.revoked, VerifyOptions{Curfew: curfew}, []string{WarnCurfew}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Verify(f.text, tt.now, f.trust, tt.revoked, tt.opts)
			if !slices.Equal(res.Warnings, tt.want) && !(len(res.Warnings) == 0 && len(tt.want) == 0) {
				t.Errorf("warnings %v, want %v", res.Warnings, tt.want)
			}
		})
	}
}

func TestCurfew(t *testing.T) {
	at := func(hh, mm int) time.Time { return vnTime(2026, time.March, 11, hh, mm, 0) }
	tests := []struct {
		start, end string
		inside     []time.Time
		outside    []time.Time
	}{
		{"21:00", "05:00", []time.Time{at(21, 0), at(23, 59), at(0, 0), at(4, 59)}, []time.Time{at(5, 0), at(12, 0), at(20, 59)}},
		{"13:30", "14:00", []time.Time{at(13, 30), at(13, 59)}, []time.Time{at(13, 29), at(14, 0), at(0, 0)}},
		{"00:00", "06:00", []time.Time{at(0, 0), at(5, 59)}, []time.Time{at(6, 0), at(23, 59)}},
		{"22:00", "00:00", []time.Time{at(22, 0), at(23, 59)}, []time.Time{at(0, 0), at(21, 59)}},
		{"06:00", "06:00", nil, []time.Time{at(6, 0), at(0, 0)}},
		{"", "", nil, []time.Time{at(6, 0), at(0, 0)}},
	}
	for _, tt := range tests {
		c, err := ParseCurfew(tt.start, tt.end)
		if err != nil {
			t.Fatalf("ParseCurfew(%q, %q): %v", tt.start, tt.end, err)
		}
		for _, tm := range tt.inside {
			if !c.Contains(tm) {
				t.Errorf("%s-%s should contain %s", tt.start, tt.end, tm.Format("15:04"))
			}
		}
		for _, tm := range tt.outside {
			if c.Contains(tm) {
				t.Errorf("%s-%s should not contain %s", tt.start, tt.end, tm.Format("15:04"))
			}
		}
	}
	for _, bad := range [][2]string{{"18:00", ""}, {"24:00", "06:00"}, {"18:60", "06:00"}, {"6:00", "18:00"}, {"18h00", "06:00"}} {
		if _, err := ParseCurfew(bad[0], bad[1]); err == nil {
			t.Errorf("ParseCurfew(%q, %q) accepted", bad[0], bad[1])
		}
	}
}

func TestFIDOSigner(t *testing.T) {
	f := newFixture(t)
	fido := newFIDOSigner(t)
	entry := trustEntryFor(t, f.office, "28249")
	der, err := marshalP256(&fido.key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	entry.KeyID, entry.PublicKey = fido.KeyID(), der
	f.trust.Entries = append(f.trust.Entries, entry)

	text, err := Encode(context.Background(), samplePayload(), fido)
	if err != nil {
		t.Fatal(err)
	}
	if fido.calls != 1 {
		t.Errorf("SignFramed called %d times", fido.calls)
	}
	res := f.verify(text)
	if res.Status != StatusValid {
		t.Fatalf("FIDO-signed permit: %s (%s)", res.Status, res.Detail)
	}
	_, m, err := Decode(text)
	if err != nil || m.Frame == nil || m.Frame.Scheme != FrameFIDO || len(m.Frame.AuthenticatorData) != 37 {
		t.Fatalf("frame %+v, %v", m.Frame, err)
	}
	t.Logf("FIDO frame adds %d characters (%d vs %d)", len(text)-len(f.text), len(text), len(f.text))

	// Every byte of the authenticator data is signed: flags, counter.
	for i := 32; i < len(m.Frame.AuthenticatorData); i++ {
		alt := m
		fr := *m.Frame
		fr.AuthenticatorData = bytes.Clone(fr.AuthenticatorData)
		fr.AuthenticatorData[i] ^= 0x04
		alt.Frame = &fr
		if res := f.verify(reencode(t, alt)); res.Status != StatusBadSignature {
			t.Errorf("authenticator data byte %d changed: %s", i, res.Status)
		}
	}
	// Dropping the frame leaves a signature over other bytes.
	alt := m
	alt.Frame = nil
	if res := f.verify(reencode(t, alt)); res.Status != StatusBadSignature {
		t.Errorf("frame removed: %s", res.Status)
	}
	// A plain signature does not pass as a FIDO one either.
	_, plain, _ := Decode(f.text)
	plain.Frame = m.Frame
	if res := f.verify(reencode(t, plain)); res.Status != StatusBadSignature && res.Status != StatusUnknownSigner {
		t.Errorf("frame added to a plain signature: %s", res.Status)
	}

	for _, tc := range []struct {
		name  string
		flags byte
		want  Status
	}{
		{"neither user presence nor verification", 0x00, StatusBadSignature},
		{"user verified (PIN) without a touch", 0x04, StatusValid},
		{"touched and verified", 0x05, StatusValid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fido.flags = tc.flags
			defer func() { fido.flags = 0x01 }()
			text, err := Encode(context.Background(), samplePayload(), fido)
			if err != nil {
				t.Fatal(err)
			}
			if res := f.verify(text); res.Status != tc.want {
				t.Errorf("status %s, want %s", res.Status, tc.want)
			}
		})
	}
	t.Run("credential for another relying party", func(t *testing.T) {
		fido.rpID = "example.com"
		defer func() { fido.rpID = FIDORelyingPartyID }()
		if _, err := Encode(context.Background(), samplePayload(), fido); err == nil {
			t.Error("Encode accepted an assertion for another relying party")
		}
	})
}

func TestDigestSignerAndLowS(t *testing.T) {
	f := newFixture(t)
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tok := &digestSigner{key: k, highS: true}
	entry := trustEntryFor(t, f.office, "28249")
	entry.KeyID = tok.KeyID()
	if entry.PublicKey, err = marshalP256(&k.PublicKey); err != nil {
		t.Fatal(err)
	}
	f.trust.Entries = append(f.trust.Entries, entry)

	text, err := Encode(context.Background(), samplePayload(), tok)
	if err != nil {
		t.Fatal(err)
	}
	res := f.verify(text)
	if res.Status != StatusValid {
		t.Fatalf("token-signed permit: %s (%s)", res.Status, res.Detail)
	}
	_, m, err := Decode(text)
	if err != nil {
		t.Fatal(err)
	}
	// The signer was handed exactly the Sig_structure the verifier rebuilds.
	tbs, err := toBeSigned(m.Protected, aadPermit, m.Payload)
	if err != nil {
		t.Fatal(err)
	}
	if len(tok.messages) != 1 || !bytes.Equal(tok.messages[0], tbs) {
		t.Fatalf("signer got %x, verifier rebuilds %x", tok.messages, tbs)
	}
	if s := new(big.Int).SetBytes(m.Signature[32:]); s.Cmp(p256HalfN) > 0 {
		t.Fatal("Encode kept a high-S signature")
	}
	// The high-S twin of a valid signature verifies mathematically but is refused, so a
	// permit has one valid text.
	s := new(big.Int).SetBytes(m.Signature[32:])
	twin := m
	twin.Signature = bytes.Clone(m.Signature)
	new(big.Int).Sub(p256N, s).FillBytes(twin.Signature[32:])
	if res := f.verify(reencode(t, twin)); res.Status != StatusBadSignature {
		t.Errorf("high-S twin: %s, want BAD_SIGNATURE", res.Status)
	}
}

func TestDecodeRejectsOtherSpellings(t *testing.T) {
	f := newFixture(t)
	raw, err := base45Decode(strings.TrimPrefix(f.text, Prefix))
	if err != nil {
		t.Fatal(err)
	}
	_, m, err := Decode(f.text)
	if err != nil {
		t.Fatal(err)
	}
	// signed re-signs a hand-made payload with the office key, so only the encoding is wrong.
	signed := func(payload []byte) string {
		msg, err := signCOSE(context.Background(), f.office, aadPermit, payload)
		if err != nil {
			t.Fatal(err)
		}
		return Prefix + base45Encode(msg)
	}
	wire := func(change func(map[int]any)) []byte {
		var w map[int]any
		if err := cborDec.Unmarshal(m.Payload, &w); err != nil {
			t.Fatal(err)
		}
		change(w)
		b, err := cborEnc.Marshal(w)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	nameBits, _ := encodeText("Nguyễn")
	tests := []struct {
		name string
		text string
	}{
		{"empty", ""},
		{"prefix only", Prefix},
		{"lower-case prefix", "gdd1:" + strings.TrimPrefix(f.text, Prefix)},
		{"other version", "GDD2:" + strings.TrimPrefix(f.text, Prefix)},
		{"trailing character", f.text + "0"},
		{"trailing pair", f.text + "00"},
		{"last character lost", f.text[:len(f.text)-1]},
		{"tagged COSE_Sign1", Prefix + base45Encode(append([]byte{0xd2}, raw...))},
		{"non-minimal array header", Prefix + base45Encode(append([]byte{0x98, 0x04}, raw[1:]...))},
		{"too long", Prefix + strings.Repeat("0", maxTextLen)},
		{"number as text when it has the compact form", signed(wire(func(w map[int]any) { w[1] = f.payload.Number }))},
		{"unknown payload key", signed(wire(func(w map[int]any) { w[14] = 1 }))},
		{"key id missing", signed(wire(func(w map[int]any) { delete(w, 13) }))},
		{"name missing", signed(wire(func(w map[int]any) { delete(w, 2) }))},
		{"validity longer than a year", signed(wire(func(w map[int]any) { w[10] = 400 }))},
		{"purpose index out of range", signed(wire(func(w map[int]any) { w[5] = 99 }))},
		{"id last 4 above 9999", signed(wire(func(w map[int]any) { w[4] = 12345 }))},
		{"explicit space between words", signed(wire(func(w map[int]any) {
			bw := bitWriter{buf: bytes.Clone(nameBits), n: 8 * uint(len(nameBits))}
			bw.n = 10 // after the one dictionary token
			bw.buf = bw.buf[:2]
			bw.buf[1] &= 0xC0
			bw.write(0b1110, 4)
			bw.write(0b0_1_00000000, 10)
			w[2] = bw.buf
		}))},
		{"payload not a map", signed([]byte{0x80})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.text == f.text {
				t.Fatal("test text equals the original")
			}
			if _, _, err := Decode(tt.text); !errors.Is(err, ErrMalformed) {
				t.Fatalf("Decode error = %v, want ErrMalformed", err)
			}
			if res := f.verify(tt.text); res.Status != StatusMalformed {
				t.Errorf("Verify: %s (%s), want MALFORMED", res.Status, res.Detail)
			}
		})
	}
}

func TestEncodeRefuses(t *testing.T) {
	signer := newSigner(t)
	tests := []struct {
		name   string
		change func(*Payload)
	}{
		{"no number", func(p *Payload) { p.Number = "" }},
		{"no name", func(p *Payload) { p.FullName = "" }},
		{"no route", func(p *Payload) { p.RouteTo = "" }},
		{"no unit", func(p *Payload) { p.UnitCode = "" }},
		{"id last 4 not digits", func(p *Payload) { p.IDLast4 = "12a4" }},
		{"id last 4 too long", func(p *Payload) { p.IDLast4 = "12345" }},
		{"birth year", func(p *Payload) { p.BirthYear = 1200 }},
		{"no validity", func(p *Payload) { p.ValidFrom, p.ValidTo = Date{}, Date{} }},
		{"valid to before valid from", func(p *Payload) { p.ValidTo = Date{2026, time.March, 9} }},
		{"30 February", func(p *Payload) { p.ValidTo = Date{2026, time.February, 30} }},
		{"window over a year", func(p *Payload) { p.ValidTo = Date{2027, time.March, 12} }},
		{"no issue time", func(p *Payload) { p.IssuedAt = time.Time{} }},
		{"name too long", func(p *Payload) { p.FullName = strings.Repeat("Nguyễn ", 30) }},
		{"invalid UTF-8", func(p *Payload) { p.RouteFrom = "Ấp \xff" }},
		{"bidi override in the name", func(p *Payload) { p.FullName = "Nguyễn \u202eVăn" }},
		{"control character", func(p *Payload) { p.RouteTo = "Mỹ Tho\n" }},
		{"key id of another signer", func(p *Payload) { p.KeyID = KeyID{1} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := samplePayload()
			tt.change(&p)
			if text, err := Encode(context.Background(), p, signer); err == nil {
				t.Fatalf("Encode accepted it: %s", text)
			}
		})
	}
	t.Run("cancelled context", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := Encode(ctx, samplePayload(), signer); !errors.Is(err, context.Canceled) {
			t.Errorf("error %v, want context.Canceled", err)
		}
	})
	t.Run("not ES256", func(t *testing.T) {
		if _, err := Encode(context.Background(), samplePayload(), es384Signer{signer}); err == nil {
			t.Error("Encode accepted an ES384 signer")
		}
	})
	t.Run("signer returning a wrong signature", func(t *testing.T) {
		if _, err := Encode(context.Background(), samplePayload(), brokenSigner{signer}); err == nil {
			t.Error("Encode accepted a signature that does not verify")
		}
	})
}

type es384Signer struct{ *SoftwareSigner }

func (es384Signer) Algorithm() cose.Algorithm { return cose.AlgorithmES384 }

// brokenSigner signs with its key but flips a bit, like a faulty token driver.
type brokenSigner struct{ *SoftwareSigner }

func (b brokenSigner) Sign(ctx context.Context, m []byte) ([]byte, error) {
	sig, err := b.SoftwareSigner.Sign(ctx, m)
	if err == nil {
		sig[5] ^= 1
	}
	return sig, err
}
