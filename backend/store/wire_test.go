package store

import (
	"reflect"
	"testing"
	"time"

	"giaydiduong/backend/audit"
	"giaydiduong/backend/domain"
	"giaydiduong/backend/syncwire"
)

// TestWireRecordsRoundTrip: every row's wire form encodes, decodes to the same record, and
// carries what the row says (times in UTC text, nil pointers as empty).
func TestWireRecordsRoundTrip(t *testing.T) {
	at := time.Date(2026, 3, 10, 8, 30, 15, 123, time.FixedZone("ICT", 7*3600))
	approver := "u2"
	rules, err := RulesRow{ID: "r1", Version: 1, UnitCode: "28249", RuleVersion: 2, Purposes: `[{"code":"work","vi":"Đi làm","en":"Work"}]`, MaxDays: 14, CreatedAt: at}.Wire()
	if err != nil {
		t.Fatal(err)
	}
	revocation, ok := Permit{ID: "p1", Version: 4, Number: "28249/2026/000001", UnitCode: "28249", RevokedAt: &at, RevokedBy: &approver, RevokeReason: "Mất giấy"}.Revocation()
	if !ok {
		t.Fatal("a revoked permit has no revocation")
	}
	if _, ok := (Permit{}).Revocation(); ok {
		t.Error("a permit not revoked has a revocation")
	}
	for _, r := range []syncwire.Record{
		Application{ID: "a1", Version: 2, FullName: "Nguyễn Văn Dũng", DecidedBy: &approver, DecidedAt: &at, CreatedAt: at, UpdatedAt: at}.Wire(),
		Permit{ID: "p1", Version: 1, Number: "28249/2026/000001", IssuedAt: at, CreatedAt: at, UpdatedAt: at}.Wire(),
		User{ID: "u1", Version: 3, Username: "canbo", PasswordHash: "secret", Active: true, CreatedAt: at}.Wire(),
		SigningKey{KeyID: "k1", Version: 1, Kind: "fido", UserID: &approver, CredentialID: []byte{1}, ValidFrom: &at, CreatedAt: at}.Wire(),
		Office{ID: "o1", Version: 1, Name: "UBND", CreatedAt: at}.Wire(),
		Setting{Key: "four_eyes", Value: "true", Version: 2, UpdatedAt: at}.Wire(),
		TrustBundle{ID: 7, Bundle: []byte("signed"), TrustIssuedAt: at}.Wire(),
		AuditWire(audit.Event{Seq: 1, ID: "e1", At: at.UTC().Format(time.RFC3339Nano), Action: "x", Hash: "h"}),
		UnitWire(domain.Unit{Code: "28249", Name: "Xã Tân Mỹ Chánh", Level: domain.LevelCommune, ParentCode: "815"}),
		rules, revocation,
	} {
		b, err := syncwire.Encode(r)
		if err != nil {
			t.Fatal(err)
		}
		back, err := syncwire.Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		if got := reflect.ValueOf(back).Elem().Interface(); !reflect.DeepEqual(got, r) {
			t.Errorf("round trip:\n got %#v\nwant %#v", got, r)
		}
	}
	a := Application{ID: "a1", DecidedBy: &approver, DecidedAt: &at, CreatedAt: at}.Wire()
	if a.DecidedBy != "u2" || a.DecidedAt != "2026-03-10T01:30:15.000000123Z" || (Application{}).Wire().DecidedAt != "" {
		t.Errorf("application wire times and pointers: %+v", a)
	}
	if len(rules.Purposes) != 1 || rules.Purposes[0].VI != "Đi làm" {
		t.Errorf("rules purposes: %+v", rules.Purposes)
	}
	if _, err := (RulesRow{Purposes: "not json"}).Wire(); err == nil {
		t.Error("rules with unreadable purposes made a wire record")
	}
}
