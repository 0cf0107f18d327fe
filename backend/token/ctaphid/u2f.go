package ctaphid

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// U2F instructions (FIDO U2F Raw Message Formats, section 3).
const (
	insRegister     = 0x01
	insAuthenticate = 0x02
	insVersion      = 0x03
)

// Control is the P1 byte of a U2F AUTHENTICATE request.
type Control byte

// Control bytes. DontEnforceUserPresence is an extension of U2F 1.2 that not every key knows;
// keys that do not answer SW_WRONG_DATA.
const (
	EnforceUserPresence     Control = 0x03 // enforce-user-presence-and-sign
	CheckOnly               Control = 0x07 // is this key handle mine? (SW 0x6985 means yes)
	DontEnforceUserPresence Control = 0x08 // dont-enforce-user-presence-and-sign
)

// registerP1 is the REGISTER P1 the specification's example uses (CTAP 2.0 section 8.2,
// example 6); bit 0x80 would ask for individual attestation, which we never want.
const registerP1 = 0x03

// encodeAPDU writes an ISO 7816-4 extended-length command APDU: CLA INS P1 P2, then
// 0x00 Lc(2) data and Le 0x0000 when there is data, or 0x00 Le(2) when there is none. Le 0
// means "up to 65536 bytes".
func encodeAPDU(ins, p1, p2 byte, data []byte) []byte {
	out := make([]byte, 0, 4+3+len(data)+2)
	out = append(out, 0x00, ins, p1, p2)
	if len(data) == 0 {
		return append(out, 0x00, 0x00, 0x00)
	}
	out = append(out, 0x00, byte(len(data)>>8), byte(len(data)))
	out = append(out, data...)
	return append(out, 0x00, 0x00)
}

// apdu sends one U2F request and splits the answer into data and status word.
func (d *Device) apdu(ctx context.Context, ins, p1 byte, data []byte) ([]byte, StatusWord, error) {
	resp, err := d.Transact(ctx, CmdMsg, encodeAPDU(ins, p1, 0, data))
	if err != nil {
		return nil, 0, err
	}
	if len(resp) < 2 {
		return nil, 0, fmt.Errorf("%w: U2F answer of %d bytes has no status word", ErrProtocol, len(resp))
	}
	n := len(resp) - 2
	return resp[:n], StatusWord(binary.BigEndian.Uint16(resp[n:])), nil
}

// U2FVersion returns the key's U2F version string, "U2F_V2".
func (d *Device) U2FVersion(ctx context.Context) (string, error) {
	resp, sw, err := d.apdu(ctx, insVersion, 0, nil)
	if err != nil {
		return "", fmt.Errorf("u2f version: %w", err)
	}
	if sw != SWNoError {
		return "", fmt.Errorf("u2f version: %w", sw)
	}
	return string(resp), nil
}

// pollTouch repeats a U2F request while the key answers 0x6985 (touch needed), reporting
// StatusUPNeeded once, until the key answers otherwise or ctx ends. The whole wait counts as
// one busy period for the hub.
func (d *Device) pollTouch(ctx context.Context, ins, p1 byte, data []byte) ([]byte, error) {
	defer d.hold()()
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d.opts.TouchTimeout)
		defer cancel()
	}
	told := false
	for {
		resp, sw, err := d.apdu(ctx, ins, p1, data)
		if err != nil {
			return nil, err
		}
		if sw == SWNoError {
			return resp, nil
		}
		if sw != SWConditionsNotSatisfied {
			return nil, sw
		}
		if !told {
			d.notify(StatusUPNeeded)
		}
		told = true
		t := time.NewTimer(d.opts.PollInterval)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("waiting for a touch: %w", ctx.Err())
		case <-t.C:
		}
	}
}

// U2FRegistration is a parsed U2F REGISTER answer.
type U2FRegistration struct {
	PublicKey       []byte // uncompressed P-256 point, 65 bytes
	KeyHandle       []byte
	AttestationCert []byte // X.509 DER
	Signature       []byte // ECDSA DER by the attestation key
}

// U2FRegister creates a key pair for application (SHA-256 of the relying party id), polling
// until the key is touched.
func (d *Device) U2FRegister(ctx context.Context, challenge, application [32]byte) (*U2FRegistration, error) {
	resp, err := d.pollTouch(ctx, insRegister, registerP1, append(challenge[:], application[:]...))
	if err != nil {
		return nil, fmt.Errorf("u2f register: %w", err)
	}
	reg, err := ParseU2FRegistration(resp)
	if err != nil {
		return nil, fmt.Errorf("u2f register: %w", err)
	}
	return reg, nil
}

// ParseU2FRegistration reads 0x05 | public key(65) | L | key handle(L) | certificate | signature.
// The certificate has no length field of its own, so its DER header gives its end.
func ParseU2FRegistration(b []byte) (*U2FRegistration, error) {
	if len(b) < 1+65+1 || b[0] != 0x05 || b[1] != 0x04 {
		return nil, fmt.Errorf("%w: REGISTER answer does not start with 05 04", ErrProtocol)
	}
	r := &U2FRegistration{PublicKey: b[1:66]}
	khLen := int(b[66])
	rest := b[67:]
	if khLen == 0 || len(rest) < khLen {
		return nil, fmt.Errorf("%w: REGISTER answer: key handle length %d", ErrProtocol, khLen)
	}
	r.KeyHandle, rest = rest[:khLen], rest[khLen:]
	var cert asn1.RawValue
	sig, err := asn1.Unmarshal(rest, &cert)
	if err != nil {
		return nil, fmt.Errorf("%w: REGISTER answer: attestation certificate: %w", ErrProtocol, err)
	}
	r.AttestationCert = cert.FullBytes
	if len(sig) == 0 {
		return nil, fmt.Errorf("%w: REGISTER answer has no signature", ErrProtocol)
	}
	r.Signature = sig
	return r, nil
}

// Key returns the registered public key.
func (r *U2FRegistration) Key() (*ecdsa.PublicKey, error) {
	return ParseP256Point(r.PublicKey)
}

// Verify checks the attestation signature over 0x00 | application | challenge | key handle |
// public key with the attestation certificate's key. It says the key pair came from the
// device that holds the certificate's key, not that the certificate is trustworthy.
func (r *U2FRegistration) Verify(challenge, application [32]byte) error {
	cert, err := x509.ParseCertificate(r.AttestationCert)
	if err != nil {
		return fmt.Errorf("u2f attestation certificate: %w", err)
	}
	pub, ok := cert.PublicKey.(*ecdsa.PublicKey)
	if !ok {
		return fmt.Errorf("u2f attestation key is %T, want ECDSA", cert.PublicKey)
	}
	msg := make([]byte, 0, 1+32+32+len(r.KeyHandle)+len(r.PublicKey))
	msg = append(msg, 0x00)
	msg = append(msg, application[:]...)
	msg = append(msg, challenge[:]...)
	msg = append(msg, r.KeyHandle...)
	msg = append(msg, r.PublicKey...)
	digest := sha256.Sum256(msg)
	if !ecdsa.VerifyASN1(pub, digest[:], r.Signature) {
		return errors.New("u2f attestation signature does not verify")
	}
	return nil
}

// U2FAuthentication is a parsed U2F AUTHENTICATE answer.
type U2FAuthentication struct {
	UserPresence byte // bit 0 set when the key was touched
	Counter      uint32
	Signature    []byte // ECDSA DER over application | user presence | counter | challenge
}

// AuthenticatorData returns application | user presence | counter, the 37 bytes the key
// signed before the challenge: the same layout as CTAP2 authenticator data.
func (a *U2FAuthentication) AuthenticatorData(application [32]byte) []byte {
	out := make([]byte, 0, 37)
	out = append(out, application[:]...)
	out = append(out, a.UserPresence)
	return binary.BigEndian.AppendUint32(out, a.Counter)
}

// U2FAuthenticate signs challenge with the key handle. With EnforceUserPresence it polls
// until the key is touched; with DontEnforceUserPresence a key that supports it signs at
// once without the presence bit, and one that does not answers SWWrongData.
func (d *Device) U2FAuthenticate(ctx context.Context, control Control, challenge, application [32]byte, keyHandle []byte) (*U2FAuthentication, error) {
	if control == CheckOnly {
		return nil, errors.New("u2f authenticate: use U2FCheck for check-only")
	}
	if len(keyHandle) == 0 || len(keyHandle) > 255 {
		return nil, fmt.Errorf("u2f authenticate: key handle of %d bytes", len(keyHandle))
	}
	data := make([]byte, 0, 65+len(keyHandle))
	data = append(data, challenge[:]...)
	data = append(data, application[:]...)
	data = append(data, byte(len(keyHandle)))
	data = append(data, keyHandle...)
	var (
		resp []byte
		err  error
	)
	if control == EnforceUserPresence {
		resp, err = d.pollTouch(ctx, insAuthenticate, byte(control), data)
	} else {
		var sw StatusWord
		resp, sw, err = d.apdu(ctx, insAuthenticate, byte(control), data)
		if err == nil && sw != SWNoError {
			err = sw
		}
	}
	if err != nil {
		return nil, fmt.Errorf("u2f authenticate: %w", err)
	}
	if len(resp) < 1+4+8 {
		return nil, fmt.Errorf("u2f authenticate: %w: answer of %d bytes", ErrProtocol, len(resp))
	}
	return &U2FAuthentication{UserPresence: resp[0], Counter: binary.BigEndian.Uint32(resp[1:5]), Signature: resp[5:]}, nil
}

// U2FCheck asks whether keyHandle was made by this key for application, without a touch.
func (d *Device) U2FCheck(ctx context.Context, application [32]byte, keyHandle []byte) (bool, error) {
	data := make([]byte, 0, 65+len(keyHandle))
	data = append(data, make([]byte, 32)...) // the challenge does not matter
	data = append(data, application[:]...)
	data = append(data, byte(len(keyHandle)))
	data = append(data, keyHandle...)
	_, sw, err := d.apdu(ctx, insAuthenticate, byte(CheckOnly), data)
	if err != nil {
		return false, fmt.Errorf("u2f check: %w", err)
	}
	switch sw {
	case SWConditionsNotSatisfied:
		return true, nil
	case SWWrongData:
		return false, nil
	}
	return false, fmt.Errorf("u2f check: %w", sw)
}

// ParseP256Point reads an uncompressed P-256 point (0x04 | X | Y) and checks it is on the curve.
func ParseP256Point(b []byte) (*ecdsa.PublicKey, error) {
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), b)
	if err != nil {
		return nil, fmt.Errorf("P-256 point of %d bytes: %w", len(b), err)
	}
	return pub, nil
}
