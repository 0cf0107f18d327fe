package softfido

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"time"
)

// U2F status words and instructions (FIDO U2F Raw Message Formats v1.2).
const (
	swNoError                = 0x9000
	swConditionsNotSatisfied = 0x6985
	swWrongData              = 0x6a80
	swWrongLength            = 0x6700
	swClaNotSupported        = 0x6e00
	swInsNotSupported        = 0x6d00

	insRegister     = 0x01
	insAuthenticate = 0x02
	insVersion      = 0x03

	ctrlEnforce     = 0x03
	ctrlCheckOnly   = 0x07
	ctrlDontEnforce = 0x08
)

type apdu struct {
	ins, p1, p2 byte
	data        []byte
}

// parseAPDU reads a command APDU in either ISO 7816-4 length encoding: short (Lc one byte)
// or extended (0x00 then two bytes), with an optional Le.
func parseAPDU(b []byte) (apdu, uint16) {
	if len(b) < 4 {
		return apdu{}, swWrongLength
	}
	if b[0] != 0 {
		return apdu{}, swClaNotSupported
	}
	c := apdu{ins: b[1], p1: b[2], p2: b[3]}
	body := b[4:]
	switch {
	case len(body) == 0, len(body) == 1: // no data; maybe a short Le
		return c, 0
	case body[0] == 0 && len(body) == 3: // extended Le only
		return c, 0
	case body[0] == 0 && len(body) >= 3: // extended Lc
		n := int(binary.BigEndian.Uint16(body[1:3]))
		rest := body[3:]
		if len(rest) != n && len(rest) != n+2 {
			return apdu{}, swWrongLength
		}
		c.data = rest[:n]
		return c, 0
	default: // short Lc
		n := int(body[0])
		rest := body[1:]
		if len(rest) != n && len(rest) != n+1 {
			return apdu{}, swWrongLength
		}
		c.data = rest[:n]
		return c, 0
	}
}

func withSW(data []byte, sw uint16) []byte {
	return binary.BigEndian.AppendUint16(data, sw)
}

// processU2F answers one U2F request; nil means "no answer" (the key was pulled out).
func (a *Authenticator) processU2F(j *job) []byte {
	c, sw := parseAPDU(j.data)
	if sw != 0 {
		return withSW(nil, sw)
	}
	switch c.ins {
	case insVersion:
		if len(c.data) != 0 {
			return withSW(nil, swWrongLength)
		}
		return withSW([]byte("U2F_V2"), swNoError)
	case insRegister:
		return a.u2fRegister(c)
	case insAuthenticate:
		return a.u2fAuthenticate(c)
	}
	return withSW(nil, swInsNotSupported)
}

func (a *Authenticator) u2fRegister(c apdu) []byte {
	if len(c.data) != 64 {
		return withSW(nil, swWrongLength)
	}
	challenge, app := c.data[:32], c.data[32:64]
	if !a.u2fPresence() {
		return withSW(nil, swConditionsNotSatisfied)
	}
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return withSW(nil, swWrongData)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	kh, err := a.st.wrap(priv, app)
	if err != nil {
		a.log.Error("softfido: wrap key", "err", err)
		return withSW(nil, swWrongData)
	}
	attKey, err := a.st.attestationKey()
	if err != nil {
		a.log.Error("softfido: attestation key", "err", err)
		return withSW(nil, swWrongData)
	}
	pub, err := priv.PublicKey.Bytes()
	if err != nil {
		return withSW(nil, swWrongData)
	}
	signed := []byte{0x00}
	signed = append(signed, app...)
	signed = append(signed, challenge...)
	signed = append(signed, kh...)
	signed = append(signed, pub...)
	digest := sha256.Sum256(signed)
	sig, err := ecdsa.SignASN1(rand.Reader, attKey, digest[:])
	if err != nil {
		return withSW(nil, swWrongData)
	}
	a.st.Credentials = append(a.st.Credentials, credential{ID: kh, RPIDHash: app, Created: time.Now().UTC()})
	a.stats.Registrations++
	if err := a.st.save(a.cfg.Dir); err != nil {
		a.log.Error("softfido: save state", "err", err)
		return withSW(nil, swWrongData) // a credential that is not saved must not be handed out
	}
	out := []byte{0x05}
	out = append(out, pub...)
	out = append(out, byte(len(kh)))
	out = append(out, kh...)
	out = append(out, a.st.AttestCert...)
	out = append(out, sig...)
	return withSW(out, swNoError)
}

func (a *Authenticator) u2fAuthenticate(c apdu) []byte {
	if len(c.data) < 65 || len(c.data) != 65+int(c.data[64]) {
		return withSW(nil, swWrongLength)
	}
	challenge, app, kh := c.data[:32], c.data[32:64], c.data[65:]
	a.mu.Lock()
	priv, err := a.st.unwrap(kh, app)
	silentOK := !a.cfg.NoSilent
	a.mu.Unlock()
	if err != nil {
		return withSW(nil, swWrongData)
	}
	var flags byte
	switch c.p1 {
	case ctrlCheckOnly:
		return withSW(nil, swConditionsNotSatisfied) // "yes, this key handle is mine"
	case ctrlEnforce:
		if !a.u2fPresence() {
			return withSW(nil, swConditionsNotSatisfied)
		}
		if !a.noteAssertion() { // counted once touched: the polls before are not signing requests
			return nil
		}
		flags = 0x01
	case ctrlDontEnforce:
		if !silentOK {
			return withSW(nil, swWrongData)
		}
		if !a.noteAssertion() {
			return nil
		}
	default:
		return withSW(nil, swWrongData)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.st.Counter++
	signed := make([]byte, 0, 32+1+4+32)
	signed = append(signed, app...)
	signed = append(signed, flags)
	signed = binary.BigEndian.AppendUint32(signed, a.st.Counter)
	signed = append(signed, challenge...)
	digest := sha256.Sum256(signed)
	sig, err := ecdsa.SignASN1(rand.Reader, priv, digest[:])
	if err != nil {
		return withSW(nil, swWrongData)
	}
	if err := a.st.save(a.cfg.Dir); err != nil {
		a.log.Error("softfido: save state", "err", err)
		return withSW(nil, swWrongData) // never sign with a counter that could repeat
	}
	a.stats.Assertions++
	if flags&0x01 == 0 {
		a.stats.SilentAssertions++
	}
	out := append([]byte{flags}, signed[33:37]...)
	return withSW(append(out, sig...), swNoError)
}
