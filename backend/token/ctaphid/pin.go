package ctaphid

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"unicode/utf8"
)

// clientPIN subcommands (CTAP 2.0 section 5.5).
const (
	pinGetRetries      = 0x01
	pinGetKeyAgreement = 0x02
	pinSetPIN          = 0x03
	pinChangePIN       = 0x04
	pinGetPINToken     = 0x05
)

// PIN length limits of CTAP 2.0: at least 4 Unicode code points, at most 63 bytes of UTF-8.
const (
	MinPINLength = 4
	maxPINBytes  = 63
)

type clientPINWire struct {
	PINProtocol  uint64   `cbor:"1,keyasint"`
	SubCommand   uint64   `cbor:"2,keyasint"`
	KeyAgreement *coseKey `cbor:"3,keyasint,omitempty"`
	PINAuth      []byte   `cbor:"4,keyasint,omitempty"`
	NewPINEnc    []byte   `cbor:"5,keyasint,omitempty"`
	PINHashEnc   []byte   `cbor:"6,keyasint,omitempty"`
}

type clientPINAnswer struct {
	KeyAgreement *coseKey `cbor:"1,keyasint,omitempty"`
	PINToken     []byte   `cbor:"2,keyasint,omitempty"`
	Retries      *uint64  `cbor:"3,keyasint,omitempty"`
}

func (d *Device) clientPIN(ctx context.Context, req clientPINWire) (*clientPINAnswer, error) {
	req.PINProtocol = pinProtocolOne
	resp, err := d.cbor(ctx, cmdClientPIN, req)
	if err != nil {
		return nil, err
	}
	var a clientPINAnswer
	if len(resp) > 0 {
		if err := ctap2Dec.Unmarshal(resp, &a); err != nil {
			return nil, fmt.Errorf("%w: clientPIN answer: %w", ErrProtocol, err)
		}
	}
	return &a, nil
}

// PINRetries returns how many wrong PINs the key still accepts before it blocks.
func (d *Device) PINRetries(ctx context.Context) (int, error) {
	a, err := d.clientPIN(ctx, clientPINWire{SubCommand: pinGetRetries})
	if err != nil {
		return 0, fmt.Errorf("ctap2 getRetries: %w", err)
	}
	if a.Retries == nil {
		return 0, fmt.Errorf("ctap2 getRetries: %w: no retries in the answer", ErrProtocol)
	}
	return int(*a.Retries), nil
}

// pinSession is one PIN protocol 1 key agreement: our ephemeral key and the shared secret
// SHA-256(ECDH(x)).
type pinSession struct {
	platform coseKey
	secret   []byte
}

func (d *Device) keyAgreement(ctx context.Context) (*pinSession, error) {
	a, err := d.clientPIN(ctx, clientPINWire{SubCommand: pinGetKeyAgreement})
	if err != nil {
		return nil, fmt.Errorf("getKeyAgreement: %w", err)
	}
	if a.KeyAgreement == nil {
		return nil, fmt.Errorf("getKeyAgreement: %w: no key in the answer", ErrProtocol)
	}
	// CTAP 2.0 labels the key -25; keys in the field send that or nothing useful else, and
	// the algorithm does not change the maths, so only the curve is checked.
	pt, err := a.KeyAgreement.point()
	if err != nil {
		return nil, fmt.Errorf("getKeyAgreement: %w: %w", ErrProtocol, err)
	}
	peer, err := ecdh.P256().NewPublicKey(pt)
	if err != nil {
		return nil, fmt.Errorf("getKeyAgreement: %w: %w", ErrProtocol, err)
	}
	priv, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("getKeyAgreement: %w", err)
	}
	z, err := priv.ECDH(peer)
	if err != nil {
		return nil, fmt.Errorf("getKeyAgreement: %w", err)
	}
	secret := sha256.Sum256(z)
	return &pinSession{platform: coseKeyOf(priv.PublicKey().Bytes(), coseAlgECDHHKDF), secret: secret[:]}, nil
}

// aesCBC encrypts or decrypts with AES-256-CBC and a zero IV, as PIN protocol 1 does; every
// input is a whole number of blocks.
func aesCBC(key, in []byte, encrypt bool) ([]byte, error) {
	if len(in)%aes.BlockSize != 0 {
		return nil, fmt.Errorf("AES-CBC input of %d bytes is not whole blocks", len(in))
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("AES key: %w", err)
	}
	iv := make([]byte, aes.BlockSize)
	out := make([]byte, len(in))
	if encrypt {
		cipher.NewCBCEncrypter(b, iv).CryptBlocks(out, in)
	} else {
		cipher.NewCBCDecrypter(b, iv).CryptBlocks(out, in)
	}
	return out, nil
}

func leftHMAC(key []byte, parts ...[]byte) []byte {
	m := hmac.New(sha256.New, key)
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(nil)[:pinAuthSize]
}

func checkPIN(pin string) error {
	if !utf8.ValidString(pin) || utf8.RuneCountInString(pin) < MinPINLength || len(pin) > maxPINBytes {
		return fmt.Errorf("PIN must have at least %d characters and at most %d bytes", MinPINLength, maxPINBytes)
	}
	return nil
}

// pinHashEnc is AES-CBC(secret, LEFT(SHA-256(pin), 16)).
func (s *pinSession) pinHashEnc(pin string) ([]byte, error) {
	h := sha256.Sum256([]byte(pin))
	return aesCBC(s.secret, h[:16], true)
}

// newPINEnc is AES-CBC(secret, pin padded with zeros to 64 bytes).
func (s *pinSession) newPINEnc(pin string) ([]byte, error) {
	padded := make([]byte, 64)
	copy(padded, pin)
	return aesCBC(s.secret, padded, true)
}

// SetPIN sets the first PIN of a key that has none.
func (d *Device) SetPIN(ctx context.Context, pin string) error {
	if err := checkPIN(pin); err != nil {
		return fmt.Errorf("ctap2 setPIN: %w", err)
	}
	s, err := d.keyAgreement(ctx)
	if err != nil {
		return fmt.Errorf("ctap2 setPIN: %w", err)
	}
	enc, err := s.newPINEnc(pin)
	if err != nil {
		return fmt.Errorf("ctap2 setPIN: %w", err)
	}
	_, err = d.clientPIN(ctx, clientPINWire{
		SubCommand: pinSetPIN, KeyAgreement: &s.platform, NewPINEnc: enc, PINAuth: leftHMAC(s.secret, enc),
	})
	if err != nil {
		return fmt.Errorf("ctap2 setPIN: %w", err)
	}
	return nil
}

// ChangePIN replaces the PIN; a wrong old PIN counts against the retries.
func (d *Device) ChangePIN(ctx context.Context, oldPIN, newPIN string) error {
	if err := checkPIN(newPIN); err != nil {
		return fmt.Errorf("ctap2 changePIN: %w", err)
	}
	s, err := d.keyAgreement(ctx)
	if err != nil {
		return fmt.Errorf("ctap2 changePIN: %w", err)
	}
	hashEnc, err := s.pinHashEnc(oldPIN)
	if err != nil {
		return fmt.Errorf("ctap2 changePIN: %w", err)
	}
	enc, err := s.newPINEnc(newPIN)
	if err != nil {
		return fmt.Errorf("ctap2 changePIN: %w", err)
	}
	_, err = d.clientPIN(ctx, clientPINWire{
		SubCommand: pinChangePIN, KeyAgreement: &s.platform, NewPINEnc: enc, PINHashEnc: hashEnc,
		PINAuth: leftHMAC(s.secret, enc, hashEnc),
	})
	if err != nil {
		return fmt.Errorf("ctap2 changePIN: %w", err)
	}
	return nil
}

// GetPINToken exchanges the PIN for a token that authorises makeCredential and getAssertion
// until the key is unplugged. A wrong PIN returns StatusPINInvalid, then StatusPINAuthBlocked
// after three in a row (unplug and replug), and StatusPINBlocked when no retries are left.
func (d *Device) GetPINToken(ctx context.Context, pin string) ([]byte, error) {
	if pin == "" {
		return nil, errors.New("ctap2 getPINToken: empty PIN")
	}
	s, err := d.keyAgreement(ctx)
	if err != nil {
		return nil, fmt.Errorf("ctap2 getPINToken: %w", err)
	}
	hashEnc, err := s.pinHashEnc(pin)
	if err != nil {
		return nil, fmt.Errorf("ctap2 getPINToken: %w", err)
	}
	a, err := d.clientPIN(ctx, clientPINWire{SubCommand: pinGetPINToken, KeyAgreement: &s.platform, PINHashEnc: hashEnc})
	if err != nil {
		return nil, fmt.Errorf("ctap2 getPINToken: %w", err)
	}
	if len(a.PINToken) == 0 {
		return nil, fmt.Errorf("ctap2 getPINToken: %w: no token in the answer", ErrProtocol)
	}
	tok, err := aesCBC(s.secret, a.PINToken, false)
	if err != nil {
		return nil, fmt.Errorf("ctap2 getPINToken: %w: %w", ErrProtocol, err)
	}
	return tok, nil
}
