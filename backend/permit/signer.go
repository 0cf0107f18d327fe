package permit

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/veraison/go-cose"

	"giaydiduong/backend/owneronly"
)

// Signer signs permits and lists. Implementations: SoftwareSigner (the office key), and later
// USB tokens. See the package documentation for how each kind of device fits.
type Signer interface {
	// KeyID is KeyIDOf(public key); the trust list maps it back to the key.
	KeyID() [8]byte
	// Algorithm is the COSE algorithm; only cose.AlgorithmES256 is accepted for now.
	Algorithm() cose.Algorithm
	// Sign returns the ES256 signature of message (the COSE Sig_structure) as r||s, 64 bytes:
	// ECDSA P-256 over SHA-256(message). A device that signs digests hashes message first.
	// Sign may talk to a device, so it honours ctx.
	Sign(ctx context.Context, message []byte) ([]byte, error)
}

// FramedSigner is a Signer whose device cannot sign an arbitrary message but signs its own
// framing of a digest of it, as a FIDO authenticator does. Encode prefers SignFramed when a
// Signer implements it, and stores the returned Frame in the COSE unprotected header so that a
// verifier can rebuild the framed message. Sign may return an error for such signers.
type FramedSigner interface {
	Signer
	// SignFramed returns the r||s signature of the framed message and the frame.
	SignFramed(ctx context.Context, message []byte) ([]byte, Frame, error)
}

// FrameScheme says how a framed signature's signed bytes are rebuilt.
type FrameScheme uint8

const (
	// FrameFIDO: the authenticator signed AuthenticatorData || SHA-256(message), the CTAP2
	// authenticatorGetAssertion layout with clientDataHash = SHA-256(message). A U2F (CTAP1)
	// authentication signs the same 37+32 bytes (application parameter, user presence,
	// counter, challenge), so U2F keys use this scheme too, with those 37 bytes as
	// AuthenticatorData.
	FrameFIDO FrameScheme = 1
)

// FIDORelyingPartyID is the relying party a FIDO credential must be created for; verifiers
// check that AuthenticatorData starts with its SHA-256, so an assertion made for a web site
// can never pass as a permit signature.
const FIDORelyingPartyID = "giaydiduong"

// Frame is what a verifier needs, beyond the COSE structure, to rebuild the bytes a framed
// signer actually signed. It is not itself signed, but every byte of AuthenticatorData is
// inside the signed bytes, and a wrong scheme rebuilds a different message.
type Frame struct {
	Scheme            FrameScheme
	AuthenticatorData []byte
}

// publicKeyer is implemented by signers that know their public key (SoftwareSigner,
// crypto11 keys). Encode then checks each new signature before it is printed.
type publicKeyer interface {
	Public() crypto.PublicKey
}

// KeyIDOf returns the key id of an ECDSA P-256 public key: the first 8 bytes of the SHA-256
// of its SubjectPublicKeyInfo DER.
func KeyIDOf(pub crypto.PublicKey) (KeyID, error) {
	sum, err := spkiSum(pub)
	if err != nil {
		return KeyID{}, err
	}
	return KeyID(sum[:8]), nil
}

// Fingerprint returns the hex SHA-256 of pub's SubjectPublicKeyInfo DER, the form in which a
// root key is pinned and written into trust bundles.
func Fingerprint(pub crypto.PublicKey) (string, error) {
	sum, err := spkiSum(pub)
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(sum[:]), nil
}

func spkiSum(pub crypto.PublicKey) ([32]byte, error) {
	der, err := marshalP256(pub)
	if err != nil {
		return [32]byte{}, err
	}
	return sha256.Sum256(der), nil
}

// marshalP256 returns the SubjectPublicKeyInfo DER of a P-256 key and refuses other keys,
// since ES256 is the only algorithm verifiers accept.
func marshalP256(pub crypto.PublicKey) ([]byte, error) {
	k, ok := pub.(*ecdsa.PublicKey)
	if !ok || k == nil || k.Curve != elliptic.P256() {
		return nil, fmt.Errorf("public key %T: want an ECDSA P-256 key", pub)
	}
	der, err := x509.MarshalPKIXPublicKey(k)
	if err != nil {
		return nil, fmt.Errorf("marshal public key: %w", err)
	}
	return der, nil
}

// parseP256 parses SubjectPublicKeyInfo DER holding a P-256 key.
func parseP256(der []byte) (*ecdsa.PublicKey, error) {
	pub, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("parse public key: %w", err)
	}
	k, ok := pub.(*ecdsa.PublicKey)
	if !ok || k.Curve != elliptic.P256() {
		return nil, fmt.Errorf("public key %T: want an ECDSA P-256 key", pub)
	}
	return k, nil
}

// MarshalPublicKeyPEM writes pub as a "PUBLIC KEY" PEM block (SubjectPublicKeyInfo), the form
// in which the provincial root key is handed to verifiers.
func MarshalPublicKeyPEM(pub crypto.PublicKey) ([]byte, error) {
	der, err := marshalP256(pub)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// ParsePublicKeyPEM reads a "PUBLIC KEY" PEM block holding a P-256 key.
func ParsePublicKeyPEM(data []byte) (*ecdsa.PublicKey, error) {
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PUBLIC KEY" {
		return nil, errors.New("parse public key: no PUBLIC KEY PEM block")
	}
	return parseP256(block.Bytes)
}

// SoftwareSigner is an ECDSA P-256 key held in memory: the office's own key for the
// hand-signed path, and the provincial root key where no HSM is used.
type SoftwareSigner struct {
	key    *ecdsa.PrivateKey
	kid    KeyID
	signer cose.Signer
}

var _ Signer = (*SoftwareSigner)(nil)

// GenerateSoftwareSigner creates a new random P-256 key.
func GenerateSoftwareSigner() (*SoftwareSigner, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate P-256 key: %w", err)
	}
	return NewSoftwareSigner(key)
}

// NewSoftwareSigner wraps an existing P-256 private key.
func NewSoftwareSigner(key *ecdsa.PrivateKey) (*SoftwareSigner, error) {
	if key == nil {
		return nil, errors.New("software signer: nil key")
	}
	kid, err := KeyIDOf(&key.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("software signer: %w", err)
	}
	cs, err := cose.NewSigner(cose.AlgorithmES256, key)
	if err != nil {
		return nil, fmt.Errorf("software signer: %w", err)
	}
	return &SoftwareSigner{key: key, kid: kid, signer: cs}, nil
}

// KeyID implements Signer.
func (s *SoftwareSigner) KeyID() [8]byte { return s.kid }

// Algorithm implements Signer.
func (s *SoftwareSigner) Algorithm() cose.Algorithm { return cose.AlgorithmES256 }

// Public returns the public key, for the trust list.
func (s *SoftwareSigner) Public() crypto.PublicKey { return &s.key.PublicKey }

// Sign implements Signer.
func (s *SoftwareSigner) Sign(ctx context.Context, message []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	sig, err := s.signer.Sign(rand.Reader, message)
	if err != nil {
		return nil, fmt.Errorf("sign with key %s: %w", KeyID(s.kid), err)
	}
	return sig, nil
}

// MarshalPKCS8 returns the private key as PKCS#8 DER, for a protection that wraps it
// (officekey's DPAPI file).
func (s *SoftwareSigner) MarshalPKCS8() ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(s.key)
	if err != nil {
		return nil, fmt.Errorf("marshal key %s: %w", KeyID(s.kid), err)
	}
	return der, nil
}

// Save writes the private key to path as a PKCS#8 "PRIVATE KEY" PEM block, readable by the
// owner only (mode 0600). It refuses to overwrite an existing file: losing the office key
// would orphan every permit it signed from future re-verification by the office itself.
func (s *SoftwareSigner) Save(path string) (err error) {
	der, err := x509.MarshalPKCS8PrivateKey(s.key)
	if err != nil {
		return fmt.Errorf("save key %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, owneronly.FileMode)
	if err != nil {
		return fmt.Errorf("save key: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("save key %s: %w", path, cerr)
		}
		if err != nil {
			_ = os.Remove(path) // never leave a truncated key behind
		}
	}()
	// The file's own access list, not only its folder's: a key saved in a folder the office
	// made by hand (inheriting C:\'s "Users: read") must still be the account's alone.
	if err = owneronly.Restrict(path); err != nil {
		return fmt.Errorf("save key: %w", err)
	}
	if err = pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		return fmt.Errorf("save key %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("save key %s: %w", path, err)
	}
	return nil
}

// LoadSoftwareSigner reads a key written by Save. It refuses a file that others can read, as
// ssh does (a group/other mode bit on Unix, a broad group in the access list on Windows), so a
// key copied with the wrong permissions is noticed.
func LoadSoftwareSigner(path string) (*SoftwareSigner, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("load key: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("load key %s: %w", path, fs.ErrInvalid)
	}
	if err := owneronly.Check(path); err != nil {
		return nil, fmt.Errorf("load key: %w", err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load key: %w", err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("load key %s: no PKCS#8 PRIVATE KEY PEM block", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("load key %s: %w", path, err)
	}
	ek, ok := k.(*ecdsa.PrivateKey)
	if !ok || ek.Curve != elliptic.P256() {
		return nil, fmt.Errorf("load key %s: %T is not an ECDSA P-256 key", path, k)
	}
	s, err := NewSoftwareSigner(ek)
	if err != nil {
		return nil, fmt.Errorf("load key %s: %w", path, err)
	}
	return s, nil
}
