package softfido

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"time"

	"github.com/fxamacker/cbor/v2"
)

// CTAP2 commands and status codes (CTAP 2.0 sections 5 and 6.3).
const (
	ctapMakeCredential = 0x01
	ctapGetAssertion   = 0x02
	ctapGetInfo        = 0x04
	ctapClientPIN      = 0x06
	ctapReset          = 0x07

	stOK                   = 0x00
	stInvalidCommand       = 0x01
	stInvalidParameter     = 0x02
	stInvalidLength        = 0x03
	stCBORUnexpectedType   = 0x11
	stInvalidCBOR          = 0x12
	stMissingParameter     = 0x14
	stCredentialExcluded   = 0x19
	stUnsupportedAlgorithm = 0x26
	stUnsupportedOption    = 0x2b
	stInvalidOption        = 0x2c
	stKeepaliveCancel      = 0x2d
	stNoCredentials        = 0x2e
	stUserActionTimeout    = 0x2f
	stPINInvalid           = 0x31
	stPINBlocked           = 0x32
	stPINAuthInvalid       = 0x33
	stPINAuthBlocked       = 0x34
	stPINNotSet            = 0x35
	stPINRequired          = 0x36
	stPINPolicyViolation   = 0x37
	stOther                = 0x7f

	flagUP = 0x01
	flagUV = 0x04
	flagAT = 0x40
)

var (
	canonicalEnc = func() cbor.EncMode {
		m, err := cbor.CTAP2EncOptions().EncMode()
		if err != nil {
			panic(err)
		}
		return m
	}()
	strictDec = func() cbor.DecMode {
		m, err := cbor.DecOptions{DupMapKey: cbor.DupMapKeyEnforcedAPF, IndefLength: cbor.IndefLengthForbidden}.DecMode()
		if err != nil {
			panic(err)
		}
		return m
	}()
)

type rpEntity struct {
	ID   string `cbor:"id"`
	Name string `cbor:"name,omitempty"`
}

type userEntity struct {
	ID          []byte `cbor:"id"`
	Name        string `cbor:"name,omitempty"`
	DisplayName string `cbor:"displayName,omitempty"`
}

type credDescriptor struct {
	ID   []byte `cbor:"id"`
	Type string `cbor:"type"`
}

type ec2Key struct {
	Kty int64  `cbor:"1,keyasint"`
	Alg int64  `cbor:"3,keyasint"`
	Crv int64  `cbor:"-1,keyasint"`
	X   []byte `cbor:"-2,keyasint"`
	Y   []byte `cbor:"-3,keyasint"`
}

func ec2KeyOf(point []byte, alg int64) ec2Key {
	return ec2Key{Kty: 2, Alg: alg, Crv: 1, X: point[1:33], Y: point[33:65]}
}

// decodeRequest decodes a request map and refuses CBOR that is not CTAP2 canonical, as
// real keys do, so a client that encodes loosely fails here and not only in the field.
func decodeRequest(b []byte, v any) byte {
	if len(b) == 0 {
		return stMissingParameter
	}
	var generic any
	if err := strictDec.Unmarshal(b, &generic); err != nil {
		return stInvalidCBOR
	}
	again, err := canonicalEnc.Marshal(generic)
	if err != nil || !bytes.Equal(again, b) {
		return stInvalidCBOR
	}
	if err := strictDec.Unmarshal(b, v); err != nil {
		var te *cbor.UnmarshalTypeError
		if errors.As(err, &te) {
			return stCBORUnexpectedType
		}
		return stInvalidCBOR
	}
	return stOK
}

func status(code byte) []byte { return []byte{code} }

func ok(v any) []byte {
	b, err := canonicalEnc.Marshal(v)
	if err != nil {
		return status(stOther)
	}
	return append([]byte{stOK}, b...)
}

// processCTAP2 answers one CTAP2 request; nil means "no answer" (the key was pulled out).
func (a *Authenticator) processCTAP2(j *job) []byte {
	if len(j.data) == 0 {
		return status(stInvalidLength)
	}
	body := j.data[1:]
	switch j.data[0] {
	case ctapGetInfo:
		return a.getInfo()
	case ctapMakeCredential:
		return a.makeCredential(j, body)
	case ctapGetAssertion:
		return a.getAssertion(j, body)
	case ctapClientPIN:
		return a.clientPIN(body)
	case ctapReset:
		return a.reset(j)
	}
	return status(stInvalidCommand)
}

func (a *Authenticator) getInfo() []byte {
	a.mu.Lock()
	defer a.mu.Unlock()
	return ok(struct {
		Versions     []string        `cbor:"1,keyasint"`
		AAGUID       []byte          `cbor:"3,keyasint"`
		Options      map[string]bool `cbor:"4,keyasint"`
		MaxMsgSize   uint64          `cbor:"5,keyasint"`
		PINProtocols []uint64        `cbor:"6,keyasint"`
	}{
		Versions: []string{"U2F_V2", "FIDO_2_0"},
		AAGUID:   a.st.AAGUID,
		Options:  map[string]bool{"rk": false, "up": true, "plat": false, "clientPin": a.st.PINHash != nil},
		// maxMsgSize is the largest CTAPHID message; answers are far smaller.
		MaxMsgSize:   maxMessageSize,
		PINProtocols: []uint64{1},
	})
}

// checkPINAuth verifies pinAuth = LEFT(HMAC-SHA-256(pinToken, clientDataHash), 16) and
// returns the UV flag to set. required says a missing pinAuth is an error when a PIN is set.
func (a *Authenticator) checkPINAuth(pinAuth []byte, protocol *uint64, cdh []byte, required bool) (byte, byte) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if pinAuth == nil {
		if required && a.st.PINHash != nil {
			return 0, stPINRequired
		}
		return 0, stOK
	}
	if a.st.PINHash == nil {
		return 0, stPINNotSet
	}
	if protocol == nil || *protocol != 1 {
		return 0, stPINAuthInvalid
	}
	m := hmac.New(sha256.New, a.pinToken)
	m.Write(cdh)
	if len(pinAuth) != 16 || !hmac.Equal(m.Sum(nil)[:16], pinAuth) {
		return 0, stPINAuthInvalid
	}
	return flagUV, stOK
}

func presenceStatus(r presenceResult) []byte {
	switch r {
	case presenceCancelled:
		return status(stKeepaliveCancel)
	case presenceTimeout:
		return status(stUserActionTimeout)
	case presenceGone:
		return nil
	}
	return status(stOther)
}

func (a *Authenticator) makeCredential(j *job, body []byte) []byte {
	var req struct {
		ClientDataHash []byte      `cbor:"1,keyasint"`
		RP             *rpEntity   `cbor:"2,keyasint"`
		User           *userEntity `cbor:"3,keyasint"`
		Params         []struct {
			Alg  int64  `cbor:"alg"`
			Type string `cbor:"type"`
		} `cbor:"4,keyasint"`
		Exclude     []credDescriptor `cbor:"5,keyasint"`
		Extensions  cbor.RawMessage  `cbor:"6,keyasint"`
		Options     map[string]bool  `cbor:"7,keyasint"`
		PINAuth     []byte           `cbor:"8,keyasint"`
		PINProtocol *uint64          `cbor:"9,keyasint"`
	}
	if st := decodeRequest(body, &req); st != stOK {
		return status(st)
	}
	if len(req.ClientDataHash) != 32 || req.RP == nil || req.User == nil || req.Params == nil {
		return status(stMissingParameter)
	}
	es256 := false
	for _, p := range req.Params {
		es256 = es256 || (p.Alg == -7 && p.Type == "public-key")
	}
	if !es256 {
		return status(stUnsupportedAlgorithm)
	}
	if _, ok := req.Options["up"]; ok {
		return status(stInvalidOption)
	}
	if req.Options["rk"] || req.Options["uv"] {
		return status(stUnsupportedOption) // no resident keys, no built-in user verification
	}
	uv, st := a.checkPINAuth(req.PINAuth, req.PINProtocol, req.ClientDataHash, true)
	if st != stOK {
		return status(st)
	}
	rpHash := sha256.Sum256([]byte(req.RP.ID))
	for _, c := range req.Exclude {
		a.mu.Lock()
		_, err := a.st.unwrap(c.ID, rpHash[:])
		a.mu.Unlock()
		if err == nil {
			if r := a.waitPresence(j); r != presenceOK {
				return presenceStatus(r)
			}
			return status(stCredentialExcluded)
		}
	}
	if r := a.waitPresence(j); r != presenceOK {
		return presenceStatus(r)
	}
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return status(stOther)
	}
	pub, err := priv.PublicKey.Bytes()
	if err != nil {
		return status(stOther)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	id, err := a.st.wrap(priv, rpHash[:])
	if err != nil {
		return status(stOther)
	}
	coseKey, err := canonicalEnc.Marshal(ec2KeyOf(pub, -7))
	if err != nil {
		return status(stOther)
	}
	a.st.Counter++
	ad := make([]byte, 0, 37+18+len(id)+len(coseKey))
	ad = append(ad, rpHash[:]...)
	ad = append(ad, flagUP|flagAT|uv)
	ad = binary.BigEndian.AppendUint32(ad, a.st.Counter)
	ad = append(ad, a.st.AAGUID...)
	ad = binary.BigEndian.AppendUint16(ad, uint16(len(id)))
	ad = append(ad, id...)
	ad = append(ad, coseKey...)
	digest := sha256.Sum256(append(bytes.Clone(ad), req.ClientDataHash...))
	sig, err := ecdsa.SignASN1(rand.Reader, priv, digest[:]) // "packed" self attestation
	if err != nil {
		return status(stOther)
	}
	a.st.Credentials = append(a.st.Credentials, credential{
		ID: id, RPIDHash: rpHash[:], RPID: req.RP.ID, UserName: req.User.Name, Created: time.Now().UTC(),
	})
	if err := a.st.save(a.cfg.Dir); err != nil {
		a.log.Error("softfido: save state", "err", err)
		return status(stOther)
	}
	a.stats.Registrations++
	return ok(struct {
		Fmt      string `cbor:"1,keyasint"`
		AuthData []byte `cbor:"2,keyasint"`
		AttStmt  struct {
			Alg int64  `cbor:"alg"`
			Sig []byte `cbor:"sig"`
		} `cbor:"3,keyasint"`
	}{Fmt: "packed", AuthData: ad, AttStmt: struct {
		Alg int64  `cbor:"alg"`
		Sig []byte `cbor:"sig"`
	}{-7, sig}})
}

func (a *Authenticator) getAssertion(j *job, body []byte) []byte {
	var req struct {
		RPID           *string          `cbor:"1,keyasint"`
		ClientDataHash []byte           `cbor:"2,keyasint"`
		AllowList      []credDescriptor `cbor:"3,keyasint"`
		Extensions     cbor.RawMessage  `cbor:"4,keyasint"`
		Options        map[string]bool  `cbor:"5,keyasint"`
		PINAuth        []byte           `cbor:"6,keyasint"`
		PINProtocol    *uint64          `cbor:"7,keyasint"`
	}
	if st := decodeRequest(body, &req); st != stOK {
		return status(st)
	}
	if req.RPID == nil || len(req.ClientDataHash) != 32 {
		return status(stMissingParameter)
	}
	if req.Options["uv"] {
		return status(stUnsupportedOption)
	}
	up := true
	if v, ok := req.Options["up"]; ok {
		up = v
	}
	a.mu.Lock()
	silentOK := !a.cfg.NoSilent
	a.mu.Unlock()
	if !up && !silentOK {
		return status(stUnsupportedOption)
	}
	uv, st := a.checkPINAuth(req.PINAuth, req.PINProtocol, req.ClientDataHash, false)
	if st != stOK {
		return status(st)
	}
	rpHash := sha256.Sum256([]byte(*req.RPID))
	var (
		priv *ecdsa.PrivateKey
		id   []byte
	)
	a.mu.Lock()
	for _, c := range req.AllowList {
		if k, err := a.st.unwrap(c.ID, rpHash[:]); err == nil {
			priv, id = k, c.ID
			break
		}
	}
	a.mu.Unlock()
	if priv == nil {
		return status(stNoCredentials) // no resident keys: only allowList credentials exist
	}
	if !a.noteAssertion() {
		return nil
	}
	var flags byte
	if up {
		if r := a.waitPresence(j); r != presenceOK {
			return presenceStatus(r)
		}
		flags = flagUP
	}
	flags |= uv
	a.mu.Lock()
	defer a.mu.Unlock()
	a.st.Counter++
	ad := make([]byte, 0, 37)
	ad = append(ad, rpHash[:]...)
	ad = append(ad, flags)
	ad = binary.BigEndian.AppendUint32(ad, a.st.Counter)
	digest := sha256.Sum256(append(bytes.Clone(ad), req.ClientDataHash...))
	sig, err := ecdsa.SignASN1(rand.Reader, priv, digest[:])
	if err != nil {
		return status(stOther)
	}
	if err := a.st.save(a.cfg.Dir); err != nil {
		a.log.Error("softfido: save state", "err", err)
		return status(stOther) // never sign with a counter that could repeat
	}
	a.stats.Assertions++
	if !up {
		a.stats.SilentAssertions++
	}
	return ok(struct {
		Credential credDescriptor `cbor:"1,keyasint"`
		AuthData   []byte         `cbor:"2,keyasint"`
		Signature  []byte         `cbor:"3,keyasint"`
	}{credDescriptor{ID: id, Type: "public-key"}, ad, sig})
}

func (a *Authenticator) reset(j *job) []byte {
	if r := a.waitPresence(j); r != presenceOK {
		return presenceStatus(r)
	}
	fresh, err := newState()
	if err != nil {
		return status(stOther)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	fresh.Counter = a.st.Counter
	a.st = fresh // a new master key: every credential id stops working
	if err := a.st.save(a.cfg.Dir); err != nil {
		return status(stOther)
	}
	return status(stOK)
}

// clientPIN implements PIN protocol 1 (CTAP 2.0 section 5.5).
func (a *Authenticator) clientPIN(body []byte) []byte {
	var req struct {
		Protocol     *uint64 `cbor:"1,keyasint"`
		Sub          *uint64 `cbor:"2,keyasint"`
		KeyAgreement *ec2Key `cbor:"3,keyasint"`
		PINAuth      []byte  `cbor:"4,keyasint"`
		NewPINEnc    []byte  `cbor:"5,keyasint"`
		PINHashEnc   []byte  `cbor:"6,keyasint"`
	}
	if st := decodeRequest(body, &req); st != stOK {
		return status(st)
	}
	if req.Protocol == nil || req.Sub == nil {
		return status(stMissingParameter)
	}
	if *req.Protocol != 1 {
		return status(stInvalidParameter)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	switch *req.Sub {
	case 0x01: // getRetries
		return ok(struct {
			Retries uint64 `cbor:"3,keyasint"`
		}{uint64(a.st.PINRetries)})
	case 0x02: // getKeyAgreement
		return ok(struct {
			Key ec2Key `cbor:"1,keyasint"`
		}{ec2KeyOf(a.pinKey.PublicKey().Bytes(), -25)})
	case 0x03, 0x04, 0x05:
	default:
		return status(stInvalidParameter)
	}
	if req.KeyAgreement == nil {
		return status(stMissingParameter)
	}
	secret, st := a.sharedSecret(req.KeyAgreement)
	if st != stOK {
		return status(st)
	}
	switch *req.Sub {
	case 0x03: // setPIN
		if req.NewPINEnc == nil || req.PINAuth == nil {
			return status(stMissingParameter)
		}
		if a.st.PINHash != nil {
			return status(stPINAuthInvalid) // CTAP 2.0: setPIN only when no PIN is set
		}
		if !hmac.Equal(leftHMAC(secret, req.NewPINEnc), req.PINAuth) {
			return status(stPINAuthInvalid)
		}
		return status(a.storeNewPIN(secret, req.NewPINEnc))
	case 0x04: // changePIN
		if req.NewPINEnc == nil || req.PINAuth == nil || req.PINHashEnc == nil {
			return status(stMissingParameter)
		}
		if a.st.PINHash == nil {
			return status(stPINNotSet)
		}
		if !hmac.Equal(leftHMAC(secret, req.NewPINEnc, req.PINHashEnc), req.PINAuth) {
			return status(stPINAuthInvalid)
		}
		if st := a.checkPINHash(secret, req.PINHashEnc); st != stOK {
			return status(st)
		}
		return status(a.storeNewPIN(secret, req.NewPINEnc))
	default: // getPINToken
		if req.PINHashEnc == nil {
			return status(stMissingParameter)
		}
		if a.st.PINHash == nil {
			return status(stPINNotSet)
		}
		if st := a.checkPINHash(secret, req.PINHashEnc); st != stOK {
			return status(st)
		}
		enc, err := cbc(secret, a.pinToken, true)
		if err != nil {
			return status(stOther)
		}
		return ok(struct {
			Token []byte `cbor:"2,keyasint"`
		}{enc})
	}
}

func (a *Authenticator) sharedSecret(k *ec2Key) ([]byte, byte) {
	if k.Kty != 2 || k.Crv != 1 || len(k.X) != 32 || len(k.Y) != 32 {
		return nil, stInvalidParameter
	}
	peer, err := ecdh.P256().NewPublicKey(append(append([]byte{0x04}, k.X...), k.Y...))
	if err != nil {
		return nil, stInvalidParameter
	}
	z, err := a.pinKey.ECDH(peer)
	if err != nil {
		return nil, stInvalidParameter
	}
	s := sha256.Sum256(z)
	return s[:], stOK
}

// checkPINHash follows CTAP 2.0 section 5.5.5: retries are decremented before the check, so
// pulling the key out mid-check cannot give free guesses; three misses in a row block PIN
// use until the key is re-plugged, and no retries left blocks it for good.
func (a *Authenticator) checkPINHash(secret, pinHashEnc []byte) byte {
	if a.st.PINRetries <= 0 {
		return stPINBlocked
	}
	if a.pinConsecutive >= maxConsecutivePINFailures {
		return stPINAuthBlocked
	}
	a.st.PINRetries--
	if err := a.st.save(a.cfg.Dir); err != nil {
		return stOther
	}
	got, err := cbc(secret, pinHashEnc, false)
	if err != nil || len(got) != 16 || subtle.ConstantTimeCompare(got, a.st.PINHash) != 1 {
		if k, err := ecdh.P256().GenerateKey(rand.Reader); err == nil {
			a.pinKey = k // a fresh key agreement after every miss
		}
		a.pinConsecutive++
		switch {
		case a.st.PINRetries == 0:
			return stPINBlocked
		case a.pinConsecutive >= maxConsecutivePINFailures:
			return stPINAuthBlocked
		}
		return stPINInvalid
	}
	a.pinConsecutive = 0
	a.st.PINRetries = maxPINRetries
	if err := a.st.save(a.cfg.Dir); err != nil {
		return stOther
	}
	return stOK
}

func (a *Authenticator) storeNewPIN(secret, newPINEnc []byte) byte {
	if len(newPINEnc) < 64 || len(newPINEnc)%16 != 0 {
		return stPINPolicyViolation
	}
	padded, err := cbc(secret, newPINEnc, false)
	if err != nil {
		return stOther
	}
	pin := padded
	if i := bytes.IndexByte(padded, 0); i >= 0 {
		pin = padded[:i]
	}
	if len(pin) < 4 || len(pin) > 63 {
		return stPINPolicyViolation
	}
	h := sha256.Sum256(pin)
	a.st.PINHash, a.st.PINRetries, a.pinConsecutive = h[:16], maxPINRetries, 0
	if err := a.st.save(a.cfg.Dir); err != nil {
		return stOther
	}
	return stOK
}

func leftHMAC(key []byte, parts ...[]byte) []byte {
	m := hmac.New(sha256.New, key)
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(nil)[:16]
}

func cbc(key, in []byte, encrypt bool) ([]byte, error) {
	if len(in) == 0 || len(in)%aes.BlockSize != 0 {
		return nil, errors.New("softfido: AES-CBC input is not whole blocks")
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	out := make([]byte, len(in))
	iv := make([]byte, aes.BlockSize)
	if encrypt {
		cipher.NewCBCEncrypter(b, iv).CryptBlocks(out, in)
	} else {
		cipher.NewCBCDecrypter(b, iv).CryptBlocks(out, in)
	}
	return out, nil
}
