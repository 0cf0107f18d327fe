package softfido

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"time"

	"giaydiduong/backend/owneronly"
)

// StateFile is the name of the authenticator's state file inside Config.Dir.
const StateFile = "softfido.json"

// maxPINRetries is CTAP 2.0's retry counter start; maxConsecutivePINFailures is how many
// wrong PINs in a row block PIN use until the key is re-plugged.
const (
	maxPINRetries             = 8
	maxConsecutivePINFailures = 3
)

// state is what a real key keeps in flash. It is saved after every change, so that enrolling
// in one process and signing in another use the same credential and counter.
type state struct {
	Format int `json:"format"`
	// MasterKey (AES-256) wraps each credential's private key into its credential id, as
	// most U2F keys do, so the key handle is all the key needs to sign again.
	MasterKey  []byte `json:"master_key"`
	AAGUID     []byte `json:"aaguid"`
	AttestKey  []byte `json:"attestation_key"`  // PKCS#8, signs U2F registrations
	AttestCert []byte `json:"attestation_cert"` // self-signed X.509 DER
	Counter    uint32 `json:"counter"`
	// PINHash is LEFT(SHA-256(PIN), 16), which is what CTAP 2.0 has the key store.
	PINHash     []byte       `json:"pin_hash,omitempty"`
	PINRetries  int          `json:"pin_retries"`
	Credentials []credential `json:"credentials"`
}

// credential records a credential the key made; signing needs only the id.
type credential struct {
	ID       []byte    `json:"id"`
	RPIDHash []byte    `json:"rp_id_hash"`
	RPID     string    `json:"rp_id,omitempty"` // empty for U2F registrations, which only see the hash
	UserName string    `json:"user_name,omitempty"`
	Created  time.Time `json:"created"`
}

func newState() (*state, error) {
	s := &state{Format: 1, MasterKey: make([]byte, 32), AAGUID: make([]byte, 16), PINRetries: maxPINRetries}
	if _, err := rand.Read(s.MasterKey); err != nil {
		return nil, fmt.Errorf("softfido: master key: %w", err)
	}
	if _, err := rand.Read(s.AAGUID); err != nil {
		return nil, fmt.Errorf("softfido: aaguid: %w", err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("softfido: attestation key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "GiayDiDuong software FIDO authenticator", Organization: []string{"GiayDiDuong"}},
		NotBefore:    time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2045, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	s.AttestCert, err = x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("softfido: attestation certificate: %w", err)
	}
	s.AttestKey, err = x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("softfido: attestation key: %w", err)
	}
	return s, nil
}

// loadState reads dir/StateFile, or creates it when absent. Like an SSH key, a state file
// that others can read is refused: it holds the master key.
func loadState(dir string) (*state, error) {
	path := filepath.Join(dir, StateFile)
	_, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		s, err := newState()
		if err != nil {
			return nil, err
		}
		if err := owneronly.MkdirAll(dir); err != nil {
			return nil, fmt.Errorf("softfido: state directory: %w", err)
		}
		return s, s.save(dir)
	}
	if err != nil {
		return nil, fmt.Errorf("softfido: state: %w", err)
	}
	if err := owneronly.Check(path); err != nil {
		return nil, fmt.Errorf("softfido: state: %w", err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("softfido: state: %w", err)
	}
	var s state
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("softfido: state %s: %w", path, err)
	}
	if s.Format != 1 || len(s.MasterKey) != 32 || len(s.AAGUID) != 16 {
		return nil, fmt.Errorf("softfido: state %s: unknown format %d or damaged keys", path, s.Format)
	}
	return &s, nil
}

// save writes the state atomically (temporary file, fsync, rename), so a crash never leaves
// a half-written master key; an empty dir means an in-memory key.
func (s *state) save(dir string) (err error) {
	if dir == "" {
		return nil
	}
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("softfido: encode state: %w", err)
	}
	f, err := os.CreateTemp(dir, StateFile+".*")
	if err != nil {
		return fmt.Errorf("softfido: save state: %w", err)
	}
	defer func() {
		if err != nil {
			_ = os.Remove(f.Name())
		}
	}()
	if err = owneronly.Restrict(f.Name()); err != nil {
		_ = f.Close()
		return fmt.Errorf("softfido: save state: %w", err)
	}
	if _, err = f.Write(data); err != nil {
		_ = f.Close()
		return fmt.Errorf("softfido: save state: %w", err)
	}
	if err = f.Sync(); err != nil {
		_ = f.Close()
		return fmt.Errorf("softfido: save state: %w", err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("softfido: save state: %w", err)
	}
	if err = os.Rename(f.Name(), filepath.Join(dir, StateFile)); err != nil {
		return fmt.Errorf("softfido: save state: %w", err)
	}
	return nil
}

// Credential ids are version(1) | nonce(12) | AES-256-GCM(master key, private scalar) with
// the relying party hash as associated data, so an id only works for its relying party.
const (
	keyHandleVersion = 0x01
	keyHandleSize    = 1 + 12 + 32 + 16
)

func (s *state) wrap(priv *ecdsa.PrivateKey, rpIDHash []byte) ([]byte, error) {
	aead, err := s.aead()
	if err != nil {
		return nil, err
	}
	d, err := priv.Bytes()
	if err != nil {
		return nil, fmt.Errorf("softfido: private key: %w", err)
	}
	out := make([]byte, 1+aead.NonceSize(), keyHandleSize)
	out[0] = keyHandleVersion
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, fmt.Errorf("softfido: nonce: %w", err)
	}
	return aead.Seal(out, out[1:], d, rpIDHash), nil
}

// unwrap returns the private key in a credential id, or an error when the id was not made
// by this key for rpIDHash.
func (s *state) unwrap(id, rpIDHash []byte) (*ecdsa.PrivateKey, error) {
	if len(id) != keyHandleSize || id[0] != keyHandleVersion {
		return nil, errors.New("softfido: not one of our key handles")
	}
	aead, err := s.aead()
	if err != nil {
		return nil, err
	}
	d, err := aead.Open(nil, id[1:13], id[13:], rpIDHash)
	if err != nil {
		return nil, errors.New("softfido: key handle is not ours or not for this relying party")
	}
	priv, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d)
	if err != nil {
		return nil, fmt.Errorf("softfido: key handle: %w", err)
	}
	return priv, nil
}

func (s *state) aead() (cipher.AEAD, error) {
	b, err := aes.NewCipher(s.MasterKey)
	if err != nil {
		return nil, fmt.Errorf("softfido: master key: %w", err)
	}
	aead, err := cipher.NewGCM(b)
	if err != nil {
		return nil, fmt.Errorf("softfido: master key: %w", err)
	}
	return aead, nil
}

func (s *state) attestationKey() (*ecdsa.PrivateKey, error) {
	k, err := x509.ParsePKCS8PrivateKey(s.AttestKey)
	if err != nil {
		return nil, fmt.Errorf("softfido: attestation key: %w", err)
	}
	ek, ok := k.(*ecdsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("softfido: attestation key is %T", k)
	}
	return ek, nil
}
