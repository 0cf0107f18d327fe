package syncwire

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"testing"
)

func TestCursorRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Cursor
		bad  bool
	}{
		{in: "", want: Cursor{}},
		{in: "0193a000-7000-8000.42", want: Cursor{Epoch: "0193a000-7000-8000", Seq: 42}},
		{in: "e.0", want: Cursor{Epoch: "e", Seq: 0}},
		{in: "42", bad: true},
		{in: ".42", bad: true},
		{in: "e.-1", bad: true},
		{in: "e.x", bad: true},
	} {
		got, err := ParseCursor(tc.in)
		if tc.bad {
			if err == nil {
				t.Errorf("%q: no error", tc.in)
			}
			continue
		}
		if err != nil || got != tc.want || got.String() != tc.in {
			t.Errorf("%q: %+v %v (back: %q)", tc.in, got, err, got.String())
		}
	}
}

func TestSignedRecords(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	rec, err := Encode(Account{ID: "a1", Version: 2, Username: "canbo", Role: "clerk", Active: true, UnitCode: "28261", PasswordHash: "$argon2id$…"})
	if err != nil {
		t.Fatal(err)
	}
	sig, err := SignRecord(key, rec)
	if err != nil {
		t.Fatal(err)
	}
	r, err := OpenEntry(&key.PublicKey, FeedEntry{Record: rec, Signature: sig})
	if err != nil || r.(*Account).Role != "clerk" {
		t.Fatalf("open: %+v %v", r, err)
	}
	edited, _ := Encode(Account{ID: "a1", Version: 2, Username: "canbo", Role: "office_admin", Active: true, UnitCode: "28261", PasswordHash: "$argon2id$…"})
	for name, e := range map[string]FeedEntry{
		"another key":   {Record: rec, Signature: mustSign(t, other, rec)},
		"edited record": {Record: edited, Signature: sig},
		"no signature":  {Record: rec},
	} {
		if _, err := OpenEntry(&key.PublicKey, e); !errors.Is(err, ErrBadSignature) {
			t.Errorf("%s: %v", name, err)
		}
	}
	for _, k := range []Kind{KindUnit, KindAccount, KindRole, KindRules, KindTrustList, KindRevocation} {
		if !FeedOf(k).Valid() || OfficeOwned(k) {
			t.Errorf("%s has no feed", k)
		}
	}
	if FeedOf(KindPermit) != "" {
		t.Error("permits are not pulled")
	}
}

func mustSign(t *testing.T, k *ecdsa.PrivateKey, rec []byte) []byte {
	t.Helper()
	s, err := SignRecord(k, rec)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
