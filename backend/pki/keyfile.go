// Package pki holds the province's certificate authority: the provincial root key, the
// online CA that certifies enrolled offices, the server's TLS certificate, and the encrypted
// form keys are kept in. It imports neither the office nor the server.
package pki

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strconv"

	"golang.org/x/crypto/argon2"
)

// encryptedKeyType is the PEM type of a key sealed by EncryptKey.
const encryptedKeyType = "GDD ENCRYPTED PRIVATE KEY"

// MinPassphraseLen guards against an empty or trivial passphrase from a missing variable.
const MinPassphraseLen = 12

// ErrWrongPassphrase is returned when a sealed key does not open with the passphrase given.
var ErrWrongPassphrase = errors.New("wrong passphrase for the encrypted key")

// SealCost is the argon2id cost of sealing a key. A sealed key carries its own parameters,
// so opening does not depend on this value.
type SealCost struct {
	Time      uint32
	MemoryKiB uint32
}

// DefaultSealCost: 64 MiB, 3 passes; a key is opened once per process start.
var DefaultSealCost = SealCost{Time: 3, MemoryKiB: 64 * 1024}

// Cost is what EncryptKey uses. Tests lower it (to TestSealCost) so that each test's
// province does not spend seconds in the KDF under the race detector.
var Cost = DefaultSealCost

// TestSealCost is for tests only.
var TestSealCost = SealCost{Time: 1, MemoryKiB: 64}

const kdfThreads = 1

// EncryptKey seals key (PKCS#8) with AES-256-GCM under a key derived from passphrase by
// argon2id; the parameters and salt travel in the PEM headers so they can be raised later.
func EncryptKey(key *ecdsa.PrivateKey, passphrase string) ([]byte, error) {
	if len(passphrase) < MinPassphraseLen {
		return nil, fmt.Errorf("the passphrase must be at least %d characters", MinPassphraseLen)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("encode private key: %w", err)
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return nil, fmt.Errorf("salt: %w", err)
	}
	cost := Cost
	aead, err := keyAEAD(passphrase, salt, cost.Time, cost.MemoryKiB, kdfThreads)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("nonce: %w", err)
	}
	sealed := aead.Seal(nonce, nonce, der, []byte(encryptedKeyType))
	block := &pem.Block{Type: encryptedKeyType, Headers: map[string]string{
		"KDF":    "argon2id",
		"Time":   strconv.FormatUint(uint64(cost.Time), 10),
		"Memory": strconv.FormatUint(uint64(cost.MemoryKiB), 10),
		"Lanes":  strconv.Itoa(kdfThreads),
		"Salt":   fmt.Sprintf("%x", salt),
		"Cipher": "AES-256-GCM",
	}, Bytes: sealed}
	return pem.EncodeToMemory(block), nil
}

// DecryptKey opens a key sealed by EncryptKey.
func DecryptKey(data []byte, passphrase string) (*ecdsa.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil || block.Type != encryptedKeyType {
		return nil, errors.New("not an encrypted GiayDiDuong key")
	}
	h := block.Headers
	if h["KDF"] != "argon2id" || h["Cipher"] != "AES-256-GCM" {
		return nil, fmt.Errorf("unsupported key encryption %s/%s", h["KDF"], h["Cipher"])
	}
	t, err1 := strconv.ParseUint(h["Time"], 10, 32)
	m, err2 := strconv.ParseUint(h["Memory"], 10, 32)
	l, err3 := strconv.ParseUint(h["Lanes"], 10, 8)
	var salt []byte
	_, err4 := fmt.Sscanf(h["Salt"], "%x", &salt)
	if err := errors.Join(err1, err2, err3, err4); err != nil || m > 4*1024*1024 || t > 100 {
		return nil, fmt.Errorf("bad key encryption parameters: %v", err)
	}
	aead, err := keyAEAD(passphrase, salt, uint32(t), uint32(m), uint8(l))
	if err != nil {
		return nil, err
	}
	if len(block.Bytes) < aead.NonceSize() {
		return nil, errors.New("encrypted key is truncated")
	}
	nonce, sealed := block.Bytes[:aead.NonceSize()], block.Bytes[aead.NonceSize():]
	der, err := aead.Open(nil, nonce, sealed, []byte(encryptedKeyType))
	if err != nil {
		return nil, ErrWrongPassphrase
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("decode private key: %w", err)
	}
	ek, ok := k.(*ecdsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("the key is %T, not ECDSA", k)
	}
	return ek, nil
}

func keyAEAD(passphrase string, salt []byte, t, m uint32, lanes uint8) (cipher.AEAD, error) {
	key := argon2.IDKey([]byte(passphrase), salt, t, m, lanes, 32)
	blk, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("cipher: %w", err)
	}
	return cipher.NewGCM(blk)
}
