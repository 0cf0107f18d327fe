package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"strings"
	"time"
)

// Lifetimes. The root outlives everything it certifies; an office certificate is renewed
// well before its year is out.
const (
	RootValidity     = 20 * 365 * 24 * time.Hour
	OfficeCAValidity = 10 * 365 * 24 * time.Hour
	ServerValidity   = 2 * 365 * 24 * time.Hour
	OfficeValidity   = 365 * 24 * time.Hour
	// backdate covers clocks a few minutes behind the server's.
	backdate = 10 * time.Minute
)

// Organization names every certificate of the system.
const Organization = "GiayDiDuong"

// officeURIPrefix names an office in its certificate's URI SAN: urn:gdd:office:<office id>.
const officeURIPrefix = "urn:gdd:office:"

// Authority is a CA certificate with its signing key.
type Authority struct {
	Cert *x509.Certificate
	Key  crypto.Signer
}

// NewKey makes an ECDSA P-256 key, the only kind the system uses.
func NewKey() (*ecdsa.PrivateKey, error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate key: %w", err)
	}
	return k, nil
}

// RandomSerial is a 128-bit positive serial number.
func RandomSerial() (*big.Int, error) {
	s, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("serial number: %w", err)
	}
	return s.Add(s, big.NewInt(1)), nil
}

// NewRoot makes the provincial root: a self-signed CA that may certify one level of CA below.
func NewRoot(key crypto.Signer, province string, now time.Time) (*x509.Certificate, error) {
	tmpl, err := caTemplate("GiayDiDuong provincial root — "+province, now, RootValidity, 1)
	if err != nil {
		return nil, err
	}
	return create(tmpl, tmpl, key.Public(), key)
}

// NewOfficeCA makes the online CA, signed by the root, that certifies offices and the server.
func NewOfficeCA(root Authority, pub crypto.PublicKey, province string, now time.Time) (*x509.Certificate, error) {
	tmpl, err := caTemplate("GiayDiDuong office CA — "+province, now, OfficeCAValidity, 0)
	if err != nil {
		return nil, err
	}
	tmpl.MaxPathLenZero = true
	return create(tmpl, root.Cert, pub, root.Key)
}

func caTemplate(cn string, now time.Time, validity time.Duration, pathLen int) (*x509.Certificate, error) {
	serial, err := RandomSerial()
	if err != nil {
		return nil, err
	}
	return &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: cn, Organization: []string{Organization}},
		NotBefore:             now.Add(-backdate),
		NotAfter:              now.Add(validity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLen:            pathLen,
	}, nil
}

// NewServerCert certifies the server's TLS key for hosts (DNS names or IP addresses). Only
// server authentication: an office certificate can never pose as the server, nor this one as
// an office.
func NewServerCert(ca Authority, pub crypto.PublicKey, hosts []string, now time.Time) (*x509.Certificate, error) {
	if len(hosts) == 0 {
		return nil, errors.New("the server certificate needs at least one host name or address")
	}
	serial, err := RandomSerial()
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: hosts[0], Organization: []string{Organization}},
		NotBefore:    now.Add(-backdate),
		NotAfter:     now.Add(ServerValidity),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	return create(tmpl, ca.Cert, pub, ca.Key)
}

// OfficeIdentity is what an office certificate vouches for.
type OfficeIdentity struct {
	OfficeID string
	UnitCode string
}

// ParseCSR decodes a PEM certificate signing request and checks it is signed by its own
// ECDSA P-256 key (proof the office holds the key).
func ParseCSR(data []byte) (*x509.CertificateRequest, error) {
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "CERTIFICATE REQUEST" {
		return nil, errors.New("not a PEM certificate request")
	}
	csr, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse certificate request: %w", err)
	}
	if err := csr.CheckSignature(); err != nil {
		return nil, fmt.Errorf("certificate request signature: %w", err)
	}
	pub, ok := csr.PublicKey.(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P256() {
		return nil, errors.New("the office key must be ECDSA P-256")
	}
	return csr, nil
}

// NewCSR makes a certificate signing request for key (the office side).
func NewCSR(key crypto.Signer, commonName string) ([]byte, error) {
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: commonName, Organization: []string{Organization}},
	}, key)
	if err != nil {
		return nil, fmt.Errorf("create certificate request: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}), nil
}

// IssueOffice certifies an office's key for client authentication. The subject names the
// unit; the URI SAN names the office record. Whatever the request asked for is ignored.
func IssueOffice(ca Authority, pub crypto.PublicKey, id OfficeIdentity, now time.Time, validity time.Duration) (*x509.Certificate, error) {
	serial, err := RandomSerial()
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(officeURIPrefix + id.OfficeID)
	if err != nil {
		return nil, fmt.Errorf("office URI: %w", err)
	}
	notAfter := now.Add(validity)
	if notAfter.After(ca.Cert.NotAfter) {
		notAfter = ca.Cert.NotAfter
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "office " + id.UnitCode, OrganizationalUnit: []string{id.UnitCode}, Organization: []string{Organization}},
		NotBefore:    now.Add(-backdate),
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		URIs:         []*url.URL{u},
	}
	return create(tmpl, ca.Cert, pub, ca.Key)
}

// OfficeIdentityOf reads the office a certificate vouches for.
func OfficeIdentityOf(cert *x509.Certificate) (OfficeIdentity, error) {
	var id OfficeIdentity
	for _, u := range cert.URIs {
		if s := u.String(); strings.HasPrefix(s, officeURIPrefix) {
			id.OfficeID = strings.TrimPrefix(s, officeURIPrefix)
		}
	}
	if len(cert.Subject.OrganizationalUnit) == 1 {
		id.UnitCode = cert.Subject.OrganizationalUnit[0]
	}
	if id.OfficeID == "" || id.UnitCode == "" {
		return id, errors.New("not an office certificate")
	}
	return id, nil
}

func create(tmpl, parent *x509.Certificate, pub crypto.PublicKey, signer crypto.Signer) (*x509.Certificate, error) {
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		return nil, fmt.Errorf("sign certificate %q: %w", tmpl.Subject.CommonName, err)
	}
	return x509.ParseCertificate(der)
}

// KeyHash is the hex SHA-256 of a public key's SubjectPublicKeyInfo: how a key is recognised
// again (the same office key asking twice) and how the root is pinned.
func KeyHash(pub crypto.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", fmt.Errorf("encode public key: %w", err)
	}
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:]), nil
}

// EncodeCerts is certs as concatenated PEM blocks.
func EncodeCerts(certs ...*x509.Certificate) []byte {
	var out []byte
	for _, c := range certs {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return out
}

// ParseCerts decodes every CERTIFICATE block of data, at least one.
func ParseCerts(data []byte) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("parse certificate: %w", err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, errors.New("no certificate found")
	}
	return out, nil
}

// ParseCert decodes exactly one certificate.
func ParseCert(data []byte) (*x509.Certificate, error) {
	certs, err := ParseCerts(data)
	if err != nil {
		return nil, err
	}
	if len(certs) != 1 {
		return nil, fmt.Errorf("expected one certificate, found %d", len(certs))
	}
	return certs[0], nil
}

// EncodeKey is an unencrypted PKCS#8 PEM key, for the office's 0600 key file.
func EncodeKey(key *ecdsa.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("encode private key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// ParseKey decodes a PKCS#8 PEM ECDSA key.
func ParseKey(data []byte) (*ecdsa.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, errors.New("not a PEM private key")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse private key: %w", err)
	}
	ek, ok := k.(*ecdsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("the key is %T, not ECDSA", k)
	}
	return ek, nil
}
