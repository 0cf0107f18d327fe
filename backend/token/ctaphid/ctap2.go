package ctaphid

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/fxamacker/cbor/v2"
)

// CTAP2 authenticator commands (CTAP 2.0 section 5).
const (
	cmdMakeCredential byte = 0x01
	cmdGetAssertion   byte = 0x02
	cmdGetInfo        byte = 0x04
	cmdClientPIN      byte = 0x06
	cmdReset          byte = 0x07
)

// Authenticator data flags (WebAuthn section 6.1).
const (
	FlagUP byte = 0x01 // user present (touched)
	FlagUV byte = 0x04 // user verified (PIN)
	FlagAT byte = 0x40 // attested credential data included
	FlagED byte = 0x80 // extension data included
)

// COSE algorithm ES256 and key parameters (RFC 9053).
const (
	coseAlgES256     = -7
	coseAlgECDHHKDF  = -25 // the PIN protocol's key agreement algorithm, as CTAP 2.0 names it
	coseKtyEC2       = 2
	coseCrvP256      = 1
	pinProtocolOne   = 1
	pinAuthSize      = 16
	credentialPubKey = "public-key"
)

var (
	// ctap2Enc writes CTAP2 canonical CBOR (CTAP 2.0 section 6.0.1): shortest forms, map
	// keys sorted by length then bytes. Keys refuse anything else.
	ctap2Enc = mustEncMode(cbor.CTAP2EncOptions())
	// ctap2Dec refuses duplicate map keys, which a well-behaved key never sends.
	ctap2Dec = mustDecMode(cbor.DecOptions{DupMapKey: cbor.DupMapKeyEnforcedAPF})
)

func mustEncMode(o cbor.EncOptions) cbor.EncMode {
	m, err := o.EncMode()
	if err != nil {
		panic(err)
	}
	return m
}

func mustDecMode(o cbor.DecOptions) cbor.DecMode {
	m, err := o.DecMode()
	if err != nil {
		panic(err)
	}
	return m
}

// cbor sends one CTAP2 command and returns the answer's CBOR after a zero status byte.
func (d *Device) cbor(ctx context.Context, cmd byte, req any) ([]byte, error) {
	body := []byte{cmd}
	if req != nil {
		b, err := ctap2Enc.Marshal(req)
		if err != nil {
			return nil, fmt.Errorf("encode CTAP2 request: %w", err)
		}
		body = append(body, b...)
	}
	resp, err := d.Transact(ctx, CmdCBOR, body)
	if err != nil {
		return nil, err
	}
	if len(resp) == 0 {
		return nil, fmt.Errorf("%w: empty CTAP2 answer", ErrProtocol)
	}
	if resp[0] != 0 {
		return nil, StatusError(resp[0])
	}
	return resp[1:], nil
}

// AuthenticatorInfo is the answer to authenticatorGetInfo.
type AuthenticatorInfo struct {
	Versions     []string        `cbor:"1,keyasint"`
	Extensions   []string        `cbor:"2,keyasint,omitempty"`
	AAGUID       []byte          `cbor:"3,keyasint"`
	Options      map[string]bool `cbor:"4,keyasint,omitempty"`
	MaxMsgSize   uint64          `cbor:"5,keyasint,omitempty"`
	PINProtocols []uint64        `cbor:"6,keyasint,omitempty"`
}

// Option returns an option's value and whether the key reported it at all.
func (i *AuthenticatorInfo) Option(name string) (value, present bool) {
	value, present = i.Options[name]
	return value, present
}

// HasVersion reports whether the key lists a protocol version ("U2F_V2", "FIDO_2_0", ...).
func (i *AuthenticatorInfo) HasVersion(v string) bool { return slices.Contains(i.Versions, v) }

// PINSet reports whether the key has a PIN, so that assertions need a PIN token.
func (i *AuthenticatorInfo) PINSet() bool {
	v, ok := i.Option("clientPin")
	return ok && v
}

// SupportsPIN reports whether the key can have a PIN (set or not) with PIN protocol 1.
func (i *AuthenticatorInfo) SupportsPIN() bool {
	_, ok := i.Option("clientPin")
	return ok && slices.Contains(i.PINProtocols, pinProtocolOne)
}

// SupportsUserPresence reports the "up" option: whether the key can test for user presence
// at all (default true). Whether it accepts getAssertion with up=false is only known by
// asking; a key that does not answers StatusUnsupportedOption or StatusInvalidOption.
func (i *AuthenticatorInfo) SupportsUserPresence() bool {
	v, ok := i.Option("up")
	return !ok || v
}

// GetInfo asks for the key's versions, options and limits.
func (d *Device) GetInfo(ctx context.Context) (*AuthenticatorInfo, error) {
	resp, err := d.cbor(ctx, cmdGetInfo, nil)
	if err != nil {
		return nil, fmt.Errorf("ctap2 getInfo: %w", err)
	}
	var info AuthenticatorInfo
	if err := ctap2Dec.Unmarshal(resp, &info); err != nil {
		return nil, fmt.Errorf("ctap2 getInfo: %w: %w", ErrProtocol, err)
	}
	return &info, nil
}

// RelyingParty is a PublicKeyCredentialRpEntity.
type RelyingParty struct {
	ID   string `cbor:"id"`
	Name string `cbor:"name,omitempty"`
}

// User is a PublicKeyCredentialUserEntity.
type User struct {
	ID          []byte `cbor:"id"`
	Name        string `cbor:"name,omitempty"`
	DisplayName string `cbor:"displayName,omitempty"`
}

// CredentialDescriptor is a PublicKeyCredentialDescriptor.
type CredentialDescriptor struct {
	ID   []byte `cbor:"id"`
	Type string `cbor:"type"`
}

type credentialParam struct {
	Alg  int    `cbor:"alg"`
	Type string `cbor:"type"`
}

// MakeCredentialRequest asks for a new ES256 credential.
type MakeCredentialRequest struct {
	ClientDataHash []byte // 32 bytes
	RP             RelyingParty
	User           User
	ExcludeList    [][]byte
	// PINToken, when the key has a PIN, proves the PIN was entered (see GetPINToken).
	PINToken []byte
}

type makeCredentialWire struct {
	ClientDataHash   []byte                 `cbor:"1,keyasint"`
	RP               RelyingParty           `cbor:"2,keyasint"`
	User             User                   `cbor:"3,keyasint"`
	PubKeyCredParams []credentialParam      `cbor:"4,keyasint"`
	ExcludeList      []CredentialDescriptor `cbor:"5,keyasint,omitempty"`
	PINAuth          []byte                 `cbor:"8,keyasint,omitempty"`
	PINProtocol      uint64                 `cbor:"9,keyasint,omitempty"`
}

type attestationWire struct {
	Fmt      string          `cbor:"1,keyasint"`
	AuthData []byte          `cbor:"2,keyasint"`
	AttStmt  cbor.RawMessage `cbor:"3,keyasint"`
}

// Attestation is the answer to authenticatorMakeCredential.
type Attestation struct {
	Format   string
	AuthData AuthData
	AttStmt  cbor.RawMessage
}

// AuthData is parsed authenticator data.
type AuthData struct {
	Raw      []byte
	RPIDHash [32]byte
	Flags    byte
	Counter  uint32
	// Set only when Flags has FlagAT (makeCredential answers).
	AAGUID       []byte
	CredentialID []byte
	PublicKey    *ecdsa.PublicKey
}

// ParseAuthData reads rpIdHash(32) flags(1) counter(4) [attested credential data] [extensions].
func ParseAuthData(b []byte) (AuthData, error) {
	if len(b) < 37 {
		return AuthData{}, fmt.Errorf("%w: authenticator data of %d bytes", ErrProtocol, len(b))
	}
	ad := AuthData{Raw: b, Flags: b[32], Counter: binary.BigEndian.Uint32(b[33:37])}
	copy(ad.RPIDHash[:], b[:32])
	if ad.Flags&FlagAT == 0 {
		return ad, nil
	}
	rest := b[37:]
	if len(rest) < 18 {
		return AuthData{}, fmt.Errorf("%w: attested credential data of %d bytes", ErrProtocol, len(rest))
	}
	ad.AAGUID = rest[:16]
	n := int(binary.BigEndian.Uint16(rest[16:18]))
	rest = rest[18:]
	if len(rest) < n {
		return AuthData{}, fmt.Errorf("%w: credential id of %d bytes, %d left", ErrProtocol, n, len(rest))
	}
	ad.CredentialID, rest = rest[:n], rest[n:]
	dec := ctap2Dec.NewDecoder(bytes.NewReader(rest))
	var key coseKey
	if err := dec.Decode(&key); err != nil {
		return AuthData{}, fmt.Errorf("%w: credential public key: %w", ErrProtocol, err)
	}
	pub, err := key.ecdsa(coseAlgES256)
	if err != nil {
		return AuthData{}, fmt.Errorf("%w: credential public key: %w", ErrProtocol, err)
	}
	ad.PublicKey = pub
	return ad, nil
}

// coseKey is an EC2 COSE_Key (RFC 9052 section 7, RFC 9053 section 7.1).
type coseKey struct {
	Kty int    `cbor:"1,keyasint"`
	Alg int    `cbor:"3,keyasint"`
	Crv int    `cbor:"-1,keyasint"`
	X   []byte `cbor:"-2,keyasint"`
	Y   []byte `cbor:"-3,keyasint"`
}

func (k coseKey) point() ([]byte, error) {
	if k.Kty != coseKtyEC2 || k.Crv != coseCrvP256 || len(k.X) != 32 || len(k.Y) != 32 {
		return nil, fmt.Errorf("COSE key kty %d crv %d with %d/%d-byte coordinates, want an EC2 P-256 key", k.Kty, k.Crv, len(k.X), len(k.Y))
	}
	return append(append([]byte{0x04}, k.X...), k.Y...), nil
}

func (k coseKey) ecdsa(alg int) (*ecdsa.PublicKey, error) {
	if k.Alg != alg {
		return nil, fmt.Errorf("COSE key algorithm %d, want %d", k.Alg, alg)
	}
	pt, err := k.point()
	if err != nil {
		return nil, err
	}
	return ParseP256Point(pt)
}

func coseKeyOf(point []byte, alg int) coseKey {
	return coseKey{Kty: coseKtyEC2, Alg: alg, Crv: coseCrvP256, X: point[1:33], Y: point[33:65]}
}

// pinAuth is LEFT(HMAC-SHA-256(pinToken, clientDataHash), 16), PIN protocol 1.
func pinAuth(token, clientDataHash []byte) []byte {
	m := hmac.New(sha256.New, token)
	m.Write(clientDataHash)
	return m.Sum(nil)[:pinAuthSize]
}

// MakeCredential creates an ES256 credential. The key waits for a touch first.
func (d *Device) MakeCredential(ctx context.Context, req MakeCredentialRequest) (*Attestation, error) {
	if len(req.ClientDataHash) != sha256.Size {
		return nil, fmt.Errorf("ctap2 makeCredential: client data hash of %d bytes", len(req.ClientDataHash))
	}
	w := makeCredentialWire{
		ClientDataHash:   req.ClientDataHash,
		RP:               req.RP,
		User:             req.User,
		PubKeyCredParams: []credentialParam{{Alg: coseAlgES256, Type: credentialPubKey}},
	}
	for _, id := range req.ExcludeList {
		w.ExcludeList = append(w.ExcludeList, CredentialDescriptor{ID: id, Type: credentialPubKey})
	}
	if req.PINToken != nil {
		w.PINAuth, w.PINProtocol = pinAuth(req.PINToken, req.ClientDataHash), pinProtocolOne
	}
	resp, err := d.cbor(ctx, cmdMakeCredential, w)
	if err != nil {
		return nil, fmt.Errorf("ctap2 makeCredential: %w", err)
	}
	var aw attestationWire
	if err := ctap2Dec.Unmarshal(resp, &aw); err != nil {
		return nil, fmt.Errorf("ctap2 makeCredential: %w: %w", ErrProtocol, err)
	}
	ad, err := ParseAuthData(aw.AuthData)
	if err != nil {
		return nil, fmt.Errorf("ctap2 makeCredential: %w", err)
	}
	if ad.PublicKey == nil {
		return nil, fmt.Errorf("ctap2 makeCredential: %w: no attested credential data", ErrProtocol)
	}
	if want := sha256.Sum256([]byte(req.RP.ID)); ad.RPIDHash != want {
		return nil, fmt.Errorf("ctap2 makeCredential: %w: credential is for another relying party", ErrProtocol)
	}
	return &Attestation{Format: aw.Fmt, AuthData: ad, AttStmt: aw.AttStmt}, nil
}

// GetAssertionRequest asks for a signature over authenticator data | ClientDataHash.
type GetAssertionRequest struct {
	RPID           string
	ClientDataHash []byte // 32 bytes
	AllowList      [][]byte
	// NoUserPresence sends {"up": false}: a key that supports it signs at once, without the
	// UP flag. The zero value asks for a touch.
	NoUserPresence bool
	PINToken       []byte
}

type getAssertionWire struct {
	RPID           string                 `cbor:"1,keyasint"`
	ClientDataHash []byte                 `cbor:"2,keyasint"`
	AllowList      []CredentialDescriptor `cbor:"3,keyasint,omitempty"`
	Options        map[string]bool        `cbor:"5,keyasint,omitempty"`
	PINAuth        []byte                 `cbor:"6,keyasint,omitempty"`
	PINProtocol    uint64                 `cbor:"7,keyasint,omitempty"`
}

type assertionWire struct {
	Credential *CredentialDescriptor `cbor:"1,keyasint,omitempty"`
	AuthData   []byte                `cbor:"2,keyasint"`
	Signature  []byte                `cbor:"3,keyasint"`
	User       *User                 `cbor:"4,keyasint,omitempty"`
	Count      uint64                `cbor:"5,keyasint,omitempty"`
}

// Assertion is the answer to authenticatorGetAssertion.
type Assertion struct {
	CredentialID []byte
	AuthData     AuthData
	Signature    []byte // ECDSA DER over AuthData.Raw | ClientDataHash
}

// GetAssertion signs with one of the allowed credentials.
func (d *Device) GetAssertion(ctx context.Context, req GetAssertionRequest) (*Assertion, error) {
	if len(req.ClientDataHash) != sha256.Size {
		return nil, fmt.Errorf("ctap2 getAssertion: client data hash of %d bytes", len(req.ClientDataHash))
	}
	w := getAssertionWire{RPID: req.RPID, ClientDataHash: req.ClientDataHash}
	for _, id := range req.AllowList {
		w.AllowList = append(w.AllowList, CredentialDescriptor{ID: id, Type: credentialPubKey})
	}
	if req.NoUserPresence {
		w.Options = map[string]bool{"up": false}
	}
	if req.PINToken != nil {
		w.PINAuth, w.PINProtocol = pinAuth(req.PINToken, req.ClientDataHash), pinProtocolOne
	}
	resp, err := d.cbor(ctx, cmdGetAssertion, w)
	if err != nil {
		return nil, fmt.Errorf("ctap2 getAssertion: %w", err)
	}
	var aw assertionWire
	if err := ctap2Dec.Unmarshal(resp, &aw); err != nil {
		return nil, fmt.Errorf("ctap2 getAssertion: %w: %w", ErrProtocol, err)
	}
	ad, err := ParseAuthData(aw.AuthData)
	if err != nil {
		return nil, fmt.Errorf("ctap2 getAssertion: %w", err)
	}
	if want := sha256.Sum256([]byte(req.RPID)); ad.RPIDHash != want {
		return nil, fmt.Errorf("ctap2 getAssertion: %w: assertion is for another relying party", ErrProtocol)
	}
	a := &Assertion{AuthData: ad, Signature: aw.Signature}
	switch {
	case aw.Credential != nil:
		a.CredentialID = aw.Credential.ID
	case len(req.AllowList) == 1:
		a.CredentialID = req.AllowList[0] // the key may leave it out when only one was allowed
	}
	return a, nil
}

// Reset deletes every credential and the PIN. Keys accept it only within seconds of being
// plugged in, and after a touch.
func (d *Device) Reset(ctx context.Context) error {
	if _, err := d.cbor(ctx, cmdReset, nil); err != nil {
		return fmt.Errorf("ctap2 reset: %w", err)
	}
	return nil
}
