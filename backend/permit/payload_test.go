package permit

import (
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestPayloadGolden pins the GDD1 wire form: if this changes, printed permits stop verifying.
func TestPayloadGolden(t *testing.T) {
	p := samplePayload()
	p.KeyID = KeyID{0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef}
	b, err := p.marshalCBOR()
	if err != nil {
		t.Fatal(err)
	}
	// {1: 2026000123, 2: h'40127411625b40', 3: 1987, 4: 417, 5: 2,
	//  6: h'711aa612840d45eb5496b59a8c0749d3', 7: h'770dd7b0515e06a76942d47d354eb8',
	//  8: 75223056786067367, 9: 20522, 10: 2, 11: 28249, 12: 1773043445, 13: h'0123456789abcdef'}
	const golden = "ad011a78c24efb024740127411625b40031907c3041901a105020650711aa612840d45eb" +
		"5496b59a8c0749d3074f770dd7b0515e06a76942d47d354eb8081b010b3ef8baa70fa70919502a0a02" +
		"0b196e590c1a69ae7ef50d480123456789abcdef"
	if got := hex.EncodeToString(b); got != golden {
		t.Errorf("payload encoding changed:\n got %s\nwant %s", got, golden)
	}
	back, err := unmarshalPayload(b)
	if err != nil || back != p {
		t.Errorf("decode golden: %+v, %v", back, err)
	}
}

func TestCompactForms(t *testing.T) {
	tests := []struct {
		name, number, unit, plate, purpose string
		wantNumberHex                      string
	}{
		{"standard number is one integer", "28249/2026/000123", "28249", "", "", "1a78c24efb"},
		{"other unit's number stays text", "28252/2026/000123", "28249", "", "", "71" + hex.EncodeToString([]byte("28252/2026/000123"))},
		{"short sequence stays text", "28249/2026/123", "28249", "", "", "6e" + hex.EncodeToString([]byte("28249/2026/123"))},
		{"year with a leading zero stays text", "28249/0999/000001", "28249", "", "", "71" + hex.EncodeToString([]byte("28249/0999/000001"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, err := marshalNumber(tt.number, tt.unit)
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(raw); got != tt.wantNumberHex {
				t.Errorf("number %q: %s, want %s", tt.number, got, tt.wantNumberHex)
			}
			back, err := unmarshalNumber(raw, tt.unit)
			if err != nil || back != tt.number {
				t.Errorf("number back: %q, %v", back, err)
			}
		})
	}
	for _, plate := range []string{"63B1-234.56", "63A-123.45", "63-B1 234.56", "0", "ZZZZZZZZZZZZ", "   ", "63B1-234.567"} {
		n, ok := packPlate(plate)
		if !ok {
			t.Errorf("plate %q not packed", plate)
			continue
		}
		raw, _ := cborEnc.Marshal(n)
		if back, err := unmarshalPlate(raw); err != nil || back != plate {
			t.Errorf("plate %q back as %q, %v", plate, back, err)
		}
	}
	for _, plate := range []string{"63b1-234.56", "63B1-234.56 XE", "Biển số"} {
		if _, ok := packPlate(plate); ok {
			t.Errorf("plate %q packed, want text", plate)
		}
	}
	raw, _ := cborEnc.Marshal(uint64(40)) // digit 0 then 1: a zero digit
	if _, err := unmarshalPlate(raw); err == nil {
		t.Error("accepted a packed plate with a zero digit")
	}
}

func TestPayloadJSON(t *testing.T) {
	p := samplePayload()
	p.KeyID = KeyID{0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"valid_from":"2026-03-10"`, `"valid_to":"2026-03-12"`, `"key_id":"deadbeef00010203"`, `"id_last4":"0417"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON %s lacks %s", b, want)
		}
	}
	var back Payload
	if err := json.Unmarshal(b, &back); err != nil || back.KeyID != p.KeyID || back.ValidTo != p.ValidTo || !back.IssuedAt.Equal(p.IssuedAt) {
		t.Errorf("JSON round trip: %+v, %v", back, err)
	}
	if _, err := ParseDate("2026-02-30"); err == nil {
		t.Error("ParseDate accepted 30 February")
	}
	if d := DateOf(time.Date(2026, 3, 10, 23, 30, 0, 0, time.UTC).In(VietnamTime)); d != (Date{2026, time.March, 11}) {
		t.Errorf("DateOf in Vietnam time: %v", d)
	}
}
