package token

import (
	"context"
	"crypto/x509"
	"errors"
	"testing"

	"giaydiduong/backend/token/pkcs11"
	"giaydiduong/backend/token/softfido"
)

func TestAccessListsAndFindsTheSoftKey(t *testing.T) {
	ctx := context.Background()
	k, err := softfido.New(softfido.Config{Dir: t.TempDir(), Presence: softfido.Presence{Mode: softfido.AutoTouch}, Product: "Khóa mềm", Manufacturer: "GDD"})
	if err != nil {
		t.Fatal(err)
	}
	if err := k.Plug(); err != nil {
		t.Fatal(err)
	}
	a := NewAccess(k, nil)
	defer a.Close()
	var soft *Info
	for _, in := range a.List(ctx, "") {
		if in.Software {
			in := in
			soft = &in
		}
	}
	if soft == nil || soft.Kind != KindFIDO || soft.Label != "Khóa mềm" {
		t.Fatalf("software key not listed: %+v", soft)
	}
	if got, err := a.FindFIDO(ctx, soft.Path); err != nil || got.Path != soft.Path {
		t.Errorf("FindFIDO(%s) = %+v, %v", soft.Path, got, err)
	}
	if _, err := a.FindFIDO(ctx, "/no/such/key"); !errors.Is(err, ErrNoKey) {
		t.Errorf("FindFIDO of an absent key: %v", err)
	}
	if a.FIDOLabel(soft.Path) != "Khóa mềm" {
		t.Errorf("label %q", a.FIDOLabel(soft.Path))
	}
	if st, err := a.SetSoftKeyPlugged(false); err != nil || st.Plugged {
		t.Errorf("unplug: %+v, %v", st, err)
	}
	if _, err := a.FindFIDO(ctx, soft.Path); !errors.Is(err, ErrNoKey) {
		t.Errorf("FindFIDO after unplugging: %v", err)
	}
	var none *Access
	if _, err := none.SetSoftKeyPlugged(true); !errors.Is(err, ErrNoSoftKey) {
		t.Errorf("no soft key: %v", err)
	}
}

func TestMatchCertificate(t *testing.T) {
	a, b := &x509.Certificate{Raw: []byte{1, 2}}, &x509.Certificate{Raw: []byte{3}}
	certs := []pkcs11.Certificate{{Cert: a, HasKey: false}, {Cert: b, HasKey: true}, {Cert: nil}}
	if _, ok := MatchCertificate(certs, []byte{1, 2}); ok {
		t.Error("matched a certificate whose key is not on the token")
	}
	if c, ok := MatchCertificate(certs, []byte{3}); !ok || c.Cert != b {
		t.Error("did not match the enrolled certificate")
	}
	if _, ok := MatchCertificate(certs, []byte{9}); ok {
		t.Error("matched a certificate the token does not hold")
	}
}
