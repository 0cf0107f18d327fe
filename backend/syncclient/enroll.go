// Package syncclient is the office's side of sync with the provincial server: enrollment
// with a one-time code, and the mutual-TLS client every later call goes through. It imports
// no office package, only the shared pki.
package syncclient

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"giaydiduong/backend/pki"
)

// Files in the office's data directory, readable by the office OS account only. The key is
// a plain ECDSA key file for now; TPM/DPAPI protection (backend/officekey) replaces it.
const (
	KeyFile      = "sync-key.pem"
	CertFile     = "sync-cert.pem" // the office certificate followed by the CA
	RootFile     = "sync-root.pem" // the pinned provincial root
	IdentityFile = "sync.json"     // written last: its presence means enrolled
)

// Identity is what enrollment leaves behind.
type Identity struct {
	ServerURL   string    `json:"server_url"`
	OfficeID    string    `json:"office_id"`
	UnitCode    string    `json:"unit_code"`
	Serial      string    `json:"serial"`
	NotAfter    time.Time `json:"not_after"`
	RootKeyHash string    `json:"root_key_hash"`
	EnrolledAt  time.Time `json:"enrolled_at"`
}

// ServerError is a refusal from the server, with its status and message.
type ServerError struct {
	Status int    `json:"-"`
	Code   string `json:"code"`
	VI     string `json:"vi"`
	EN     string `json:"en"`
}

func (e *ServerError) Error() string {
	if e.VI == "" {
		return fmt.Sprintf("the server answered %d", e.Status)
	}
	return fmt.Sprintf("%s (%s; HTTP %d)", e.VI, e.EN, e.Status)
}

// ErrAlreadyEnrolled is returned when the office already holds a provincial certificate.
var ErrAlreadyEnrolled = errors.New("the office is already enrolled with the province")

type enrollRequest struct {
	Code     string `json:"code"`
	CSR      string `json:"csr"`
	UnitCode string `json:"unit_code"`
}

type enrollResponse struct {
	OfficeID    string    `json:"office_id"`
	UnitCode    string    `json:"unit_code"`
	Serial      string    `json:"serial"`
	NotAfter    time.Time `json:"not_after"`
	Certificate string    `json:"certificate"`
	CA          string    `json:"ca"`
	Root        string    `json:"root"`
	RootKeyHash string    `json:"root_key_hash"`
}

// Enroll exchanges the one-time code for an office certificate. The server is trusted only
// if the root it presents matches the pin inside the code. The key is made once and kept:
// if the answer is lost, running Enroll again with the same code sends the same key and gets
// the same certificate.
func Enroll(ctx context.Context, dir, serverURL, code, unitCode string) (Identity, error) {
	if _, err := os.Stat(filepath.Join(dir, IdentityFile)); err == nil {
		return Identity{}, ErrAlreadyEnrolled
	}
	u, err := url.Parse(strings.TrimRight(serverURL, "/"))
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return Identity{}, fmt.Errorf("the server address must be https://HOST[:PORT], not %q", serverURL)
	}
	parsed, err := pki.ParseEnrollmentCode(code)
	if err != nil {
		return Identity{}, err
	}
	key, err := loadOrCreateKey(filepath.Join(dir, KeyFile))
	if err != nil {
		return Identity{}, err
	}
	csr, err := pki.NewCSR(key, "office "+unitCode)
	if err != nil {
		return Identity{}, err
	}
	var seenRoot *x509.Certificate
	tlsCfg := &tls.Config{
		MinVersion: tls.VersionTLS13,
		// The office has no root yet: the chain is checked below against the root the code pins.
		InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			root, err := verifyPinnedChain(cs.PeerCertificates, u.Hostname(), parsed)
			seenRoot = root
			return err
		},
	}
	body, _ := json.Marshal(enrollRequest{Code: code, CSR: string(csr), UnitCode: unitCode})
	client := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{TLSClientConfig: tlsCfg, ForceAttemptHTTP2: true}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String()+"/v1/enroll", bytes.NewReader(body))
	if err != nil {
		return Identity{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return Identity{}, fmt.Errorf("enroll at %s: %w", u.Host, err)
	}
	defer resp.Body.Close()
	var out enrollResponse
	if err := decodeAnswer(resp, &out); err != nil {
		return Identity{}, err
	}
	chain, root, err := checkEnrollment(out, key, seenRoot, parsed.PinMatches)
	if err != nil {
		return Identity{}, err
	}
	id := Identity{ServerURL: u.String(), OfficeID: out.OfficeID, UnitCode: out.UnitCode, Serial: out.Serial, NotAfter: out.NotAfter, RootKeyHash: out.RootKeyHash, EnrolledAt: time.Now().UTC()}
	if err := writeFile(filepath.Join(dir, RootFile), pki.EncodeCerts(root)); err != nil {
		return Identity{}, err
	}
	if err := saveCertificate(dir, id, chain); err != nil {
		return Identity{}, err
	}
	return id, nil
}

// saveCertificate replaces the certificate, then the identity that names it: a crash between
// the two leaves a valid certificate for the same key, which Open uses.
func saveCertificate(dir string, id Identity, chain []*x509.Certificate) error {
	if err := writeFile(filepath.Join(dir, CertFile), pki.EncodeCerts(chain...)); err != nil {
		return err
	}
	idJSON, _ := json.MarshalIndent(id, "", "  ")
	return writeFile(filepath.Join(dir, IdentityFile), idJSON)
}

// verifyPinnedChain checks the server's handshake chain: it ends in a self-signed root whose
// key hash the code pins, and the leaf is a server certificate for host under that root.
func verifyPinnedChain(certs []*x509.Certificate, host string, code pki.EnrollmentCode) (*x509.Certificate, error) {
	if len(certs) < 2 {
		return nil, errors.New("the server did not present its chain to the provincial root")
	}
	root := certs[len(certs)-1]
	if err := root.CheckSignatureFrom(root); err != nil || !root.IsCA {
		return nil, errors.New("the server's chain does not end in a root certificate")
	}
	h, err := pki.KeyHash(root.PublicKey)
	if err != nil {
		return nil, err
	}
	if !code.PinMatches(h) {
		return nil, errors.New("the server's root is not the one this enrollment code was made for: wrong server, or someone in between")
	}
	roots := x509.NewCertPool()
	roots.AddCert(root)
	inter := x509.NewCertPool()
	for _, c := range certs[1 : len(certs)-1] {
		inter.AddCert(c)
	}
	if _, err := certs[0].Verify(x509.VerifyOptions{DNSName: host, Roots: roots, Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err != nil {
		return nil, fmt.Errorf("the server's certificate: %w", err)
	}
	return root, nil
}

// checkEnrollment checks the answer before anything is saved: the root is the one of the
// handshake and of the pin, the certificate is for our key and chains to it.
func checkEnrollment(out enrollResponse, key *ecdsa.PrivateKey, seenRoot *x509.Certificate, pinned func(rootKeyHash string) bool) ([]*x509.Certificate, *x509.Certificate, error) {
	root, err := pki.ParseCert([]byte(out.Root))
	if err != nil {
		return nil, nil, fmt.Errorf("the root in the answer: %w", err)
	}
	if seenRoot == nil || !root.Equal(seenRoot) {
		return nil, nil, errors.New("the root in the answer is not the server's")
	}
	h, err := pki.KeyHash(root.PublicKey)
	if err != nil || !pinned(h) || h != out.RootKeyHash {
		return nil, nil, errors.New("the root in the answer does not match the enrollment code")
	}
	cert, err := pki.ParseCert([]byte(out.Certificate))
	if err != nil {
		return nil, nil, fmt.Errorf("the office certificate in the answer: %w", err)
	}
	ca, err := pki.ParseCert([]byte(out.CA))
	if err != nil {
		return nil, nil, fmt.Errorf("the CA in the answer: %w", err)
	}
	if pub, ok := cert.PublicKey.(*ecdsa.PublicKey); !ok || !pub.Equal(key.Public()) {
		return nil, nil, errors.New("the certificate in the answer is not for this office's key")
	}
	roots := x509.NewCertPool()
	roots.AddCert(root)
	inter := x509.NewCertPool()
	inter.AddCert(ca)
	// Checked at the certificate's own start: its validity is for the server's clock to judge,
	// and an office PC's clock is often wrong.
	if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, CurrentTime: cert.NotBefore.Add(time.Second)}); err != nil {
		return nil, nil, fmt.Errorf("the office certificate does not chain to the root: %w", err)
	}
	if id, err := pki.OfficeIdentityOf(cert); err != nil || id.OfficeID != out.OfficeID || id.UnitCode != out.UnitCode {
		return nil, nil, errors.New("the office certificate does not name the office in the answer")
	}
	return []*x509.Certificate{cert, ca}, root, nil
}

func decodeAnswer(resp *http.Response, v any) error {
	data, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return fmt.Errorf("read the server's answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		e := &ServerError{Status: resp.StatusCode}
		_ = json.Unmarshal(data, e) // a proxy's HTML error page still has its status
		return e
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("the server's answer: %w", err)
	}
	return nil
}

func loadOrCreateKey(path string) (*ecdsa.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err == nil {
		return pki.ParseKey(data)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read the office sync key: %w", err)
	}
	k, err := pki.NewKey()
	if err != nil {
		return nil, err
	}
	pemKey, err := pki.EncodeKey(k)
	if err != nil {
		return nil, err
	}
	if err := writeFile(path, pemKey); err != nil {
		return nil, err
	}
	return k, nil
}

// writeFile replaces path atomically (temporary file, fsync, rename), owner-only.
func writeFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	return nil
}
