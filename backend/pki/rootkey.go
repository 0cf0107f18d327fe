package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
)

// RootKey is the provincial root key wherever it lives: sealed in a file (FileRoot) or inside
// a PKCS#11 token (backend/pki/p11root), where it is made and used without ever leaving the
// token. Everything the province signs (office CA, audit receipts, feeds) goes through this
// interface, so the callers do not know or care which.
type RootKey interface {
	crypto.Signer
	// Store says where the key is, for the authority record: "file" or "pkcs11:<token>/<label>".
	Store() string
	// Close releases the key (a token session); the key cannot sign afterwards.
	Close() error
}

// StoreFile is the Store of a sealed-file root key.
const StoreFile = "file"

// FileRoot is a root key sealed by EncryptKey in a file, opened in memory.
type FileRoot struct {
	key *ecdsa.PrivateKey
}

// NewFileRoot wraps an opened key (what init made, or what OpenFileRoot read).
func NewFileRoot(k *ecdsa.PrivateKey) *FileRoot { return &FileRoot{key: k} }

// OpenFileRoot reads and opens a sealed root key file.
func OpenFileRoot(path, passphrase string) (*FileRoot, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read root key: %w", err)
	}
	k, err := DecryptKey(data, passphrase)
	if err != nil {
		return nil, fmt.Errorf("open root key %s: %w", path, err)
	}
	return &FileRoot{key: k}, nil
}

// Public is the root's public key.
func (f *FileRoot) Public() crypto.PublicKey { return f.key.Public() }

// Sign signs a digest (ASN.1 ECDSA, as crypto.Signer).
func (f *FileRoot) Sign(r io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	if f.key == nil {
		return nil, errors.New("the root key is closed")
	}
	return f.key.Sign(r, digest, opts)
}

// Store is "file".
func (f *FileRoot) Store() string { return StoreFile }

// Close forgets the key.
func (f *FileRoot) Close() error {
	f.key = nil
	return nil
}

// SignWithRoot signs msg (SHA-256, ASN.1 ECDSA) with the root.
func SignWithRoot(k crypto.Signer, msg []byte) ([]byte, error) {
	d := sha256.Sum256(msg)
	sig, err := k.Sign(rand.Reader, d[:], crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("sign with the provincial root: %w", err)
	}
	return sig, nil
}

// VerifyRootSignature checks an ASN.1 ECDSA signature over SHA-256(msg) by pub.
func VerifyRootSignature(pub crypto.PublicKey, msg, sig []byte) error {
	ek, ok := pub.(*ecdsa.PublicKey)
	if !ok {
		return fmt.Errorf("the root key is %T, not ECDSA", pub)
	}
	d := sha256.Sum256(msg)
	if !ecdsa.VerifyASN1(ek, d[:], sig) {
		return errors.New("the signature does not verify with the provincial root key")
	}
	return nil
}

// ECDSASignatureDER turns a raw r||s signature (what PKCS#11 CKM_ECDSA returns) into the
// ASN.1 form crypto.Signer callers expect.
func ECDSASignatureDER(raw []byte) ([]byte, error) {
	if len(raw) == 0 || len(raw)%2 != 0 {
		return nil, fmt.Errorf("raw ECDSA signature of %d bytes", len(raw))
	}
	n := len(raw) / 2
	return asn1.Marshal(struct{ R, S *big.Int }{new(big.Int).SetBytes(raw[:n]), new(big.Int).SetBytes(raw[n:])})
}
