package syncwire

import (
	"bytes"
	"encoding/hex"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
)

func sampleApplication() Application {
	at := Time(time.Date(2026, 3, 10, 8, 30, 15, 123456789, time.FixedZone("ICT", 7*3600)))
	return Application{ID: "0190f5c2-0000-7000-8000-000000000001", Version: 2, OfficeUnitCode: "28249", Status: "approved",
		FullName: "Nguyễn Văn Dũng", BirthDate: "1995-03-15", Gender: "male", IDNumber: "082095001234", ResidenceCommuneCode: "28249",
		PurposeCode: "work", RouteFrom: "Xã Tân Mỹ Chánh", RouteTo: "Thành phố Mỹ Tho", VehicleType: "motorbike", VehiclePlate: "63-B1 123.45",
		ValidFrom: "2026-03-10", ValidTo: "2026-03-12", RulesVersion: 1, CreatedBy: "u1", DecidedBy: "u2", DecidedAt: at, CreatedAt: at, UpdatedAt: at}
}

// samples holds one record of every kind, so a kind added without a decoder fails here.
func samples() []Record {
	return []Record{
		sampleApplication(),
		Permit{ID: "p1", Version: 3, Number: "28249/2026/000001", UnitCode: "28249", Year: 2026, Seq: 1, ApplicationID: "a1", Status: "signed",
			QR: "GDD1:X", KeyID: "0102030405060708", SignatureKind: "digital", IssuedAt: "2026-03-10T01:30:15Z", SignedAt: "2026-03-10T01:31:00Z"},
		AuditEvent{Seq: 7, ID: "e7", At: "2026-03-10T01:30:15.5Z", Actor: "canbo", Action: "permit.issue", Entity: "permit", EntityID: "p1",
			Data: `{"number":"28249/2026/000001"}`, PrevHash: "00", Hash: "ff"},
		SigningKeyRequest{KeyID: "1112131415161718", Version: 1, Kind: "fido", Algorithm: "ES256", PublicKey: "PEM", Officer: "Trần Văn Lãnh",
			UnitCode: "28249", UserID: "u2", CredentialID: []byte{1, 2, 3}, Protocol: "ctap2", CreatedAt: "2026-03-01T00:00:00Z"},
		ScanPage{ID: "s1", Version: 1, UnitCode: "28249", PermitID: "p1", Status: "attached", Page: 1, MediaType: "image/jpeg", SHA256: "ab", ScannedBy: "u1"},
		Office{ID: "o1", Version: 1, Name: "UBND Xã Tân Mỹ Chánh", AgencyKind: "commune_committee", UnitCode: "28249"},
		Setting{Name: "four_eyes", Value: "true", Version: 2},
		Unit{Code: "28249", Version: 1, Name: "Xã Tân Mỹ Chánh", Level: "commune", ParentCode: "815", Type: "Xã"},
		Account{ID: "u1", Version: 4, Username: "canbo", FullName: "Nguyễn Thị Hà", Role: "clerk", Active: true},
		Role{Code: "clerk", Version: 1, VI: "Cán bộ", EN: "Clerk", Permissions: []string{"enter_application", "view_applications"}},
		Rules{ID: "r1", Version: 1, UnitCode: "28249", RuleVersion: 3, PermitsRequired: true, Purposes: []Purpose{{Code: "work", VI: "Đi làm", EN: "Work"}}, MaxDays: 14},
		TrustList{ID: "7", Version: 1, RootFingerprint: "aa", Bundle: []byte("bundle"), TrustIssuedAt: "2026-03-01T00:00:00Z"},
		Revocation{Number: "28249/2026/000001", Version: 1, UnitCode: "28249", Reason: "Mất giấy", RevokedAt: "2026-03-11T00:00:00Z", RevokedBy: "u2"},
	}
}

func TestRoundTripEveryKind(t *testing.T) {
	seen := map[Kind]bool{}
	for _, r := range samples() {
		kind, id, _ := r.Key()
		seen[kind] = true
		b, err := Encode(r)
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		back, err := Decode(b)
		if err != nil {
			t.Fatalf("%s %s: %v", kind, id, err)
		}
		if got := reflect.ValueOf(back).Elem().Interface(); !reflect.DeepEqual(got, r) {
			t.Errorf("%s round trip:\n got %#v\nwant %#v", kind, got, r)
		}
	}
	for _, k := range []Kind{KindApplication, KindPermit, KindAuditEvent, KindSigningKey, KindScanPage, KindOffice, KindSetting,
		KindUnit, KindAccount, KindRole, KindRules, KindTrustList, KindRevocation} {
		if !seen[k] {
			t.Errorf("no sample of %s", k)
		}
	}
}

// TestEncodingIsStable pins the bytes of one record: a change of encoder, option or field
// order that would change every content hash fails here.
func TestEncodingIsStable(t *testing.T) {
	r := Setting{Name: "four_eyes", Value: "true", Version: 2, UpdatedAt: "2026-03-10T01:30:15Z"}
	b, err := Encode(r)
	if err != nil {
		t.Fatal(err)
	}
	// {"id": "four_eyes", "body": {"key", "value", "version", "updated_at"}, "kind", "schema", "version"}:
	// keys sorted shortest first, then bytewise (RFC 8949 §4.2.1).
	const want = "a562696469666f75725f6579657364626f6479a4636b657969666f75725f6579" +
		"65736576616c756564747275656776657273696f6e026a757064617465645f61" +
		"7474323032362d30332d31305430313a33303a31355a646b696e646773657474" +
		"696e6766736368656d61016776657273696f6e02"
	if got := hex.EncodeToString(b); got != want {
		t.Errorf("encoding changed:\n got %s\nwant %s", got, want)
	}
	for i := 0; i < 20; i++ {
		again, _ := Encode(r)
		if !bytes.Equal(again, b) {
			t.Fatal("two encodings of one record differ")
		}
	}
	// A map with the same content in another key order is not canonical and is refused.
	var generic map[string]any
	if err := cbor.Unmarshal(b, &generic); err != nil {
		t.Fatal(err)
	}
	loose, err := cbor.EncOptions{Sort: cbor.SortNone}.EncMode()
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 50; i++ { // Go's map order is random: one of these comes out unsorted
		other, _ := loose.Marshal(generic)
		if bytes.Equal(other, b) {
			continue
		}
		if _, err := Decode(other); !errors.Is(err, ErrNotCanonical) {
			t.Fatalf("non-canonical bytes decoded: %v", err)
		}
		return
	}
	t.Log("the unsorted encoder happened to sort every time; canonical refusal not exercised")
}

func TestHashFollowsContent(t *testing.T) {
	base := sampleApplication()
	h0, err := ContentHash(base)
	if err != nil {
		t.Fatal(err)
	}
	if len(h0) != 64 {
		t.Fatalf("hash %q is not hex SHA-256", h0)
	}
	if h, _ := ContentHash(sampleApplication()); h != h0 {
		t.Error("the same content hashed differently")
	}
	for name, change := range map[string]func(*Application){
		"name":    func(a *Application) { a.FullName = "Nguyễn Văn Dung" },
		"version": func(a *Application) { a.Version++ },
		"status":  func(a *Application) { a.Status = "rejected" },
		"empty":   func(a *Application) { a.Note = " " },
		"time":    func(a *Application) { a.UpdatedAt = "2026-03-10T01:30:15.123456788Z" },
	} {
		r := sampleApplication()
		change(&r)
		if h, _ := ContentHash(r); h == h0 {
			t.Errorf("changing %s kept the hash", name)
		}
	}
}

func TestTimeIsUTC(t *testing.T) {
	at := time.Date(2026, 3, 10, 8, 30, 15, 5, time.FixedZone("ICT", 7*3600))
	if got := Time(at); got != "2026-03-10T01:30:15.000000005Z" {
		t.Errorf("Time = %s", got)
	}
	back, err := ParseTime(Time(at))
	if err != nil || !back.Equal(at) {
		t.Errorf("ParseTime = %v, %v", back, err)
	}
	if Time(time.Time{}) != "" || TimePtr(nil) != "" {
		t.Error("no time must travel as empty text")
	}
}

func TestDecodeRefuses(t *testing.T) {
	good, err := Encode(Unit{Code: "82", Version: 1, Name: "Tỉnh Tiền Giang", Level: "province"})
	if err != nil {
		t.Fatal(err)
	}
	enc, _ := cbor.CoreDetEncOptions().EncMode()
	body, _ := enc.Marshal(Unit{Code: "82", Version: 1})
	for name, b := range map[string][]byte{
		"newer schema": must(enc.Marshal(envelope{Schema: SchemaVersion + 1, Kind: KindUnit, ID: "82", Version: 1, Body: body})),
		"unknown kind": must(enc.Marshal(envelope{Schema: SchemaVersion, Kind: "nope", ID: "82", Version: 1, Body: body})),
		"wrong id":     must(enc.Marshal(envelope{Schema: SchemaVersion, Kind: KindUnit, ID: "83", Version: 1, Body: body})),
		"truncated":    good[:len(good)-3],
	} {
		if _, err := Decode(b); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}
