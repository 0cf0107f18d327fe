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
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"giaydiduong/backend/pki"
)

// ErrNotEnrolled is returned when the office has not enrolled with the province yet.
var ErrNotEnrolled = errors.New("the office is not enrolled with the province (gddctl enroll)")

// Client talks to the provincial server over mutual TLS with the office's certificate,
// trusting only the pinned provincial root.
type Client struct {
	Identity Identity
	dir      string
	key      *ecdsa.PrivateKey
	root     *x509.Certificate
	base     *url.URL
	http     *http.Client
	receipts receiptBox // audit receipts the pushes brought back
	// jsonPush is set once the server has refused the compact push body (an older server).
	jsonPush atomic.Bool
	// Wire counts the push bodies' bytes.
	Wire WireCount
}

// LoadIdentity reads what enrollment saved.
func LoadIdentity(dir string) (Identity, error) {
	data, err := os.ReadFile(filepath.Join(dir, IdentityFile))
	if errors.Is(err, fs.ErrNotExist) {
		return Identity{}, ErrNotEnrolled
	}
	if err != nil {
		return Identity{}, fmt.Errorf("read %s: %w", IdentityFile, err)
	}
	var id Identity
	if err := json.Unmarshal(data, &id); err != nil {
		return Identity{}, fmt.Errorf("read %s: %w", IdentityFile, err)
	}
	return id, nil
}

// Open makes the client from the files enrollment left in dir.
func Open(dir string) (*Client, error) {
	id, err := LoadIdentity(dir)
	if err != nil {
		return nil, err
	}
	certPEM, err := os.ReadFile(filepath.Join(dir, CertFile))
	if err != nil {
		return nil, fmt.Errorf("read the office certificate: %w", err)
	}
	keyPEM, err := os.ReadFile(filepath.Join(dir, KeyFile))
	if err != nil {
		return nil, fmt.Errorf("read the office sync key: %w", err)
	}
	rootPEM, err := os.ReadFile(filepath.Join(dir, RootFile))
	if err != nil {
		return nil, fmt.Errorf("read the provincial root: %w", err)
	}
	key, err := pki.ParseKey(keyPEM)
	if err != nil {
		return nil, err
	}
	chain, err := pki.ParseCerts(certPEM)
	if err != nil {
		return nil, err
	}
	root, err := pki.ParseCert(rootPEM)
	if err != nil {
		return nil, err
	}
	tc := tls.Certificate{PrivateKey: key, Leaf: chain[0]}
	for _, c := range chain {
		tc.Certificate = append(tc.Certificate, c.Raw)
	}
	roots := x509.NewCertPool()
	roots.AddCert(root)
	base, err := url.Parse(id.ServerURL)
	if err != nil {
		return nil, fmt.Errorf("server address: %w", err)
	}
	tr := &http.Transport{
		TLSClientConfig:     &tls.Config{MinVersion: tls.VersionTLS13, RootCAs: roots, Certificates: []tls.Certificate{tc}},
		ForceAttemptHTTP2:   true,
		MaxIdleConnsPerHost: 2,
		IdleConnTimeout:     90 * time.Second,
	}
	return &Client{Identity: id, dir: dir, key: key, root: root, base: base, http: &http.Client{Transport: tr, Timeout: 2 * time.Minute}}, nil
}

// HTTPClient is the mutual-TLS client, for calls not wrapped here yet.
func (c *Client) HTTPClient() *http.Client { return c.http }

// Close drops idle connections.
func (c *Client) Close() { c.http.CloseIdleConnections() }

// Session is the office as the server sees it.
type Session struct {
	OfficeID string `json:"office_id"`
	UnitCode string `json:"unit_code"`
	Serial   string `json:"serial"`
}

// Office asks the server who it takes this office for: the cheapest check that the
// certificate still works.
func (c *Client) Office(ctx context.Context) (Session, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base.JoinPath("/v1/office").String(), nil)
	if err != nil {
		return Session{}, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return Session{}, fmt.Errorf("reach the provincial server: %w", err)
	}
	defer resp.Body.Close()
	var s Session
	if err := decodeAnswer(resp, &s); err != nil {
		return Session{}, err
	}
	return s, nil
}

// RenewBefore is when the office asks for a fresh certificate: 60 days before expiry, inside
// the server's 90-day window, so a few weeks offline still leave time.
const RenewBefore = 60 * 24 * time.Hour

// RenewDue reports whether the certificate should be renewed at now.
func (c *Client) RenewDue(now time.Time) bool {
	return now.After(c.Identity.NotAfter.Add(-RenewBefore))
}

// Renew asks for a fresh certificate for the office's key and saves it; the current one works
// until it expires, and the next Open uses the new one.
func (c *Client) Renew(ctx context.Context) (Identity, error) {
	csr, err := pki.NewCSR(c.key, "office "+c.Identity.UnitCode)
	if err != nil {
		return Identity{}, err
	}
	body, _ := json.Marshal(map[string]string{"csr": string(csr)})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base.JoinPath("/v1/renew").String(), bytes.NewReader(body))
	if err != nil {
		return Identity{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return Identity{}, fmt.Errorf("reach the provincial server: %w", err)
	}
	defer resp.Body.Close()
	var out enrollResponse
	if err := decodeAnswer(resp, &out); err != nil {
		return Identity{}, err
	}
	chain, _, err := checkEnrollment(out, c.key, c.root, func(h string) bool { return h == c.Identity.RootKeyHash })
	if err != nil {
		return Identity{}, err
	}
	if out.OfficeID != c.Identity.OfficeID {
		return Identity{}, errors.New("the renewed certificate names another office")
	}
	id := c.Identity
	id.Serial, id.NotAfter = out.Serial, out.NotAfter
	if err := saveCertificate(c.dir, id, chain); err != nil {
		return Identity{}, err
	}
	c.Identity = id
	return id, nil
}

// WithServer is the same office's client for another address of the province (another
// instance, or the address after a move), with its own connections.
func WithServer(c *Client, serverURL string) (*Client, error) {
	base, err := url.Parse(serverURL)
	if err != nil || base.Scheme != "https" {
		return nil, fmt.Errorf("the server address must be https://HOST[:PORT], not %q", serverURL)
	}
	tr := c.http.Transport.(*http.Transport).Clone()
	id := c.Identity
	id.ServerURL = base.String()
	return &Client{Identity: id, dir: c.dir, key: c.key, root: c.root, base: base, http: &http.Client{Transport: tr, Timeout: c.http.Timeout}}, nil
}
