package pki

import (
	"crypto/x509"
	"strings"
	"testing"
	"time"
)

func TestSealRoundTrip(t *testing.T) {
	k, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	Cost = TestSealCost
	defer func() { Cost = DefaultSealCost }()
	sealed, err := EncryptKey(k, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := EncryptKey(k, "short"); err == nil {
		t.Fatal("a short passphrase was accepted")
	}
	got, err := DecryptKey(sealed, "correct horse battery")
	if err != nil || !got.Equal(k) {
		t.Fatalf("round trip: %v", err)
	}
	if _, err := DecryptKey(sealed, "wrong horse battery!"); err != ErrWrongPassphrase {
		t.Fatalf("wrong passphrase: %v", err)
	}
}

func TestEnrollmentCode(t *testing.T) {
	k, _ := NewKey()
	h, err := KeyHash(k.Public())
	if err != nil {
		t.Fatal(err)
	}
	code, err := NewEnrollmentCode(h)
	if err != nil {
		t.Fatal(err)
	}
	s := code.String()
	if len(s) != 34 { // 28 characters in 7 groups
		t.Fatalf("code %q", s)
	}
	other, _ := NewKey()
	otherHash, _ := KeyHash(other.Public())
	for _, tc := range []struct {
		name  string
		input string
		ok    bool
	}{
		{"as printed", s, true},
		{"lower case without dashes", strings.ToLower(strings.ReplaceAll(s, "-", "")), true},
		{"spaces", strings.ReplaceAll(s, "-", " "), true},
		{"too short", s[:30], false},
		{"bad character", "!" + s[1:], false},
		{"empty", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseEnrollmentCode(tc.input)
			if (err == nil) != tc.ok {
				t.Fatalf("err %v", err)
			}
			if tc.ok && (got != code || !got.MatchesSecret(code.SecretHash()) || !got.PinMatches(h) || got.PinMatches(otherHash)) {
				t.Fatalf("parsed %+v, want %+v", got, code)
			}
		})
	}
	wrong := code
	wrong.Secret = strings.Repeat("A", len(code.Secret))
	if wrong.MatchesSecret(code.SecretHash()) && wrong.Secret != code.Secret {
		t.Fatal("another secret matched")
	}
}

func TestCertificateRoles(t *testing.T) {
	now := time.Now()
	rootKey, _ := NewKey()
	root, err := NewRoot(rootKey, "Test", now)
	if err != nil {
		t.Fatal(err)
	}
	caKey, _ := NewKey()
	ca, err := NewOfficeCA(Authority{Cert: root, Key: rootKey}, caKey.Public(), "Test", now)
	if err != nil {
		t.Fatal(err)
	}
	officeKey, _ := NewKey()
	office, err := IssueOffice(Authority{Cert: ca, Key: caKey}, officeKey.Public(), OfficeIdentity{OfficeID: "o1", UnitCode: "28261"}, now, OfficeValidity)
	if err != nil {
		t.Fatal(err)
	}
	serverKey, _ := NewKey()
	srv, err := NewServerCert(Authority{Cert: ca, Key: caKey}, serverKey.Public(), []string{"localhost", "127.0.0.1"}, now)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(root)
	inter := x509.NewCertPool()
	inter.AddCert(ca)
	verify := func(c *x509.Certificate, usage x509.ExtKeyUsage, host string) error {
		_, err := c.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{usage}, DNSName: host})
		return err
	}
	if err := verify(office, x509.ExtKeyUsageClientAuth, ""); err != nil {
		t.Fatalf("office as client: %v", err)
	}
	if err := verify(office, x509.ExtKeyUsageServerAuth, ""); err == nil {
		t.Fatal("an office certificate passes as a server")
	}
	if err := verify(srv, x509.ExtKeyUsageServerAuth, "127.0.0.1"); err != nil {
		t.Fatalf("server: %v", err)
	}
	if err := verify(srv, x509.ExtKeyUsageClientAuth, ""); err == nil {
		t.Fatal("the server certificate passes as an office")
	}
	id, err := OfficeIdentityOf(office)
	if err != nil || id != (OfficeIdentity{OfficeID: "o1", UnitCode: "28261"}) {
		t.Fatalf("identity %+v %v", id, err)
	}
	if _, err := OfficeIdentityOf(srv); err == nil {
		t.Fatal("the server certificate names an office")
	}
	// An office certificate cannot sign certificates (no CA below the office CA).
	rogueKey, _ := NewKey()
	rogue, err := IssueOffice(Authority{Cert: office, Key: officeKey}, rogueKey.Public(), OfficeIdentity{OfficeID: "o2", UnitCode: "28261"}, now, OfficeValidity)
	if err == nil {
		inter.AddCert(office)
		if verify(rogue, x509.ExtKeyUsageClientAuth, "") == nil {
			t.Fatal("a certificate issued by an office verifies")
		}
	}
}
