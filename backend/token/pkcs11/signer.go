package pkcs11

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"

	"giaydiduong/backend/permit"

	"github.com/veraison/go-cose"
)

// Signer is a private key on the token. It implements crypto.Signer for PDF and other
// standard signatures: ECDSA (ASN.1 DER) with CKM_ECDSA, RSA PKCS#1 v1.5 with CKM_RSA_PKCS
// over the DigestInfo. PermitSigner gives the permit.Signer for the same key.
type Signer struct {
	s    *Session
	key  objectHandle
	cert *x509.Certificate
	kind KeyType
}

var _ crypto.Signer = (*Signer)(nil)

// Public implements crypto.Signer.
func (k *Signer) Public() crypto.PublicKey { return k.cert.PublicKey }

// Certificate is the signer's certificate.
func (k *Signer) Certificate() *x509.Certificate { return k.cert }

// KeyType is EC or RSA.
func (k *Signer) KeyType() KeyType { return k.kind }

// Sign implements crypto.Signer without a context; callers that have one use SignContext or
// WithContext. rand is unused: the token makes its own randomness.
func (k *Signer) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return k.SignContext(context.Background(), digest, opts)
}

// WithContext returns a crypto.Signer whose Sign honours ctx, for libraries that only take a
// crypto.Signer (pdfsign looks for this method).
func (k *Signer) WithContext(ctx context.Context) crypto.Signer { return ctxSigner{k, ctx} }

type ctxSigner struct {
	k   *Signer
	ctx context.Context
}

func (c ctxSigner) Public() crypto.PublicKey { return c.k.Public() }
func (c ctxSigner) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return c.k.SignContext(c.ctx, digest, opts)
}

// DigestInfo prefixes for PKCS#1 v1.5 (RFC 8017 §9.2 note 1): CKM_RSA_PKCS signs exactly the
// bytes it is given, so the DigestInfo is built here.
var digestInfoPrefix = map[crypto.Hash][]byte{
	crypto.SHA224: {0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04, 0x05, 0x00, 0x04, 0x1c},
	crypto.SHA256: {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20},
	crypto.SHA384: {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30},
	crypto.SHA512: {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40},
}

// SignContext signs a digest as crypto.Signer does, honouring ctx.
func (k *Signer) SignContext(ctx context.Context, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	h := opts.HashFunc()
	if h != 0 && len(digest) != h.Size() {
		return nil, fmt.Errorf("pkcs11: sign: digest has %d bytes, %v needs %d", len(digest), h, h.Size())
	}
	switch k.kind {
	case KeyEC:
		raw, err := k.rawECDSA(ctx, digest)
		if err != nil {
			return nil, err
		}
		half := len(raw) / 2
		der, err := asn1.Marshal(struct{ R, S *big.Int }{new(big.Int).SetBytes(raw[:half]), new(big.Int).SetBytes(raw[half:])})
		if err != nil {
			return nil, fmt.Errorf("pkcs11: sign: encode ECDSA signature: %w", err)
		}
		return der, nil
	case KeyRSA:
		if _, pss := opts.(*rsa.PSSOptions); pss {
			return nil, errors.New("pkcs11: sign: RSA-PSS is not supported; use PKCS#1 v1.5")
		}
		prefix, ok := digestInfoPrefix[h]
		if !ok {
			return nil, fmt.Errorf("pkcs11: sign: RSA PKCS#1 v1.5 with %v is not supported", h)
		}
		var sig []byte
		err := k.s.do(ctx, "C_Sign", func(sh sessionHandle) error {
			var err error
			sig, err = k.s.d.mod.Sign(sh, ckmRSAPKCS, k.key, append(append([]byte{}, prefix...), digest...))
			return err
		})
		return sig, err
	}
	return nil, fmt.Errorf("pkcs11: sign: unsupported key type %q", k.kind)
}

// rawECDSA signs digest with CKM_ECDSA and returns r||s, each padded to the curve size.
func (k *Signer) rawECDSA(ctx context.Context, digest []byte) ([]byte, error) {
	pub, ok := k.cert.PublicKey.(*ecdsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("pkcs11: sign: certificate key %T is not ECDSA", k.cert.PublicKey)
	}
	size := (pub.Curve.Params().BitSize + 7) / 8
	var sig []byte
	err := k.s.do(ctx, "C_Sign", func(sh sessionHandle) error {
		var err error
		sig, err = k.s.d.mod.Sign(sh, ckmECDSA, k.key, digest)
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(sig) == 2*size {
		return sig, nil
	}
	// Some vendor libraries return DER instead of the r||s PKCS#11 specifies.
	var rs struct{ R, S *big.Int }
	if rest, err := asn1.Unmarshal(sig, &rs); err == nil && len(rest) == 0 && rs.R.Sign() > 0 && rs.S.Sign() > 0 &&
		rs.R.BitLen() <= 8*size && rs.S.BitLen() <= 8*size {
		out := make([]byte, 2*size)
		rs.R.FillBytes(out[:size])
		rs.S.FillBytes(out[size:])
		return out, nil
	}
	return nil, fmt.Errorf("pkcs11: sign: token returned a %d-byte ECDSA signature, want %d", len(sig), 2*size)
}

// PermitSigner returns the permit.Signer for this key. Only ECDSA P-256 keys can sign GDD1
// permits (ES256); an RSA key gives ErrNotPermitKey, though it still signs PDFs.
func (k *Signer) PermitSigner() (*PermitSigner, error) {
	pub, ok := k.cert.PublicKey.(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P256() {
		return nil, fmt.Errorf("pkcs11: certificate %q (%s, %s): %w", k.cert.Subject.CommonName, k.kind, curveName(k.cert.PublicKey), ErrNotPermitKey)
	}
	kid, err := permit.KeyIDOf(pub)
	if err != nil {
		return nil, fmt.Errorf("pkcs11: permit signer: %w", err)
	}
	return &PermitSigner{k: k, kid: kid}, nil
}

func curveName(pub crypto.PublicKey) string {
	switch p := pub.(type) {
	case *ecdsa.PublicKey:
		return p.Curve.Params().Name
	case *rsa.PublicKey:
		return fmt.Sprintf("%d bits", p.N.BitLen())
	}
	return fmt.Sprintf("%T", pub)
}

// PermitSigner signs GDD1 permits and lists with a token's P-256 key: SHA-256 of the message
// on the host, then C_Sign with CKM_ECDSA, which returns r||s as ES256 wants. permit.Encode
// checks each signature against Public before it is printed.
type PermitSigner struct {
	k   *Signer
	kid permit.KeyID
}

var _ permit.Signer = (*PermitSigner)(nil)

// KeyID implements permit.Signer.
func (p *PermitSigner) KeyID() [8]byte { return p.kid }

// Algorithm implements permit.Signer.
func (p *PermitSigner) Algorithm() cose.Algorithm { return cose.AlgorithmES256 }

// Public is the P-256 public key, for the trust list and for Encode's own check.
func (p *PermitSigner) Public() crypto.PublicKey { return p.k.cert.PublicKey }

// Certificate is the key's certificate.
func (p *PermitSigner) Certificate() *x509.Certificate { return p.k.cert }

// Sign implements permit.Signer: ES256 r||s over SHA-256(message).
func (p *PermitSigner) Sign(ctx context.Context, message []byte) ([]byte, error) {
	sum := sha256.Sum256(message)
	sig, err := p.k.rawECDSA(ctx, sum[:])
	if err != nil {
		return nil, fmt.Errorf("sign with token key %s: %w", p.kid, err)
	}
	return sig, nil
}
