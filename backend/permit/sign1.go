package permit

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"

	"github.com/veraison/go-cose"
)

// Prefix starts every permit QR text; the digit is the format version.
const Prefix = "GDD1:"

// External AAD per document type: the provincial root key signs both lists, and an office key
// could in principle be asked to sign anything, so each signature is bound to what it signs.
const (
	aadPermit     = "GDD1"
	aadTrust      = "GDD-TL1"
	aadRevocation = "GDD-RL1"
)

// headerLabelFrame holds a Frame in the unprotected header as [scheme, authenticatorData
// without its first 32 bytes]: those are SHA-256(FIDORelyingPartyID), which the verifier
// knows, so sending them would cost 48 QR characters for nothing. -65537 is the first label of
// the private-use range (RFC 9052 section 3.1).
const headerLabelFrame int64 = -65537

// maxTextLen bounds the input before any work: the largest QR code holds 4296 alphanumeric
// characters.
const maxTextLen = 4296

var (
	// ErrMalformed is wrapped by every Decode error.
	ErrMalformed = errors.New("malformed permit")
	// errSignature is wrapped by every signature check failure.
	errSignature = errors.New("signature does not verify")

	// protectedES256 is the only protected header GDD1 uses: {1: -7} (alg ES256). The key id
	// lives in the signed payload, so it is covered without being repeated here.
	protectedES256 = []byte{0xa1, 0x01, 0x26}
	// rawProtectedES256 is protectedES256 wrapped as a CBOR byte string.
	rawProtectedES256 = []byte{0x43, 0xa1, 0x01, 0x26}

	p256N     = elliptic.P256().Params().N
	p256HalfN = new(big.Int).Rsh(p256N, 1)
	fidoRPID  = sha256.Sum256([]byte(FIDORelyingPartyID))
)

// Sign1 is a decoded COSE_Sign1 (RFC 9052): the parts a verifier needs.
type Sign1 struct {
	Protected []byte // serialized protected header (always {1: -7})
	Payload   []byte // the signed CBOR payload
	Signature []byte // r||s, 64 bytes, low S
	Frame     *Frame // nil unless a FramedSigner signed it
}

// toBeSigned builds the COSE Sig_structure ["Signature1", protected, aad, payload], the
// message a Signer signs.
func toBeSigned(protected []byte, aad string, payload []byte) ([]byte, error) {
	b, err := cborEnc.Marshal([]any{"Signature1", protected, []byte(aad), payload})
	if err != nil {
		return nil, fmt.Errorf("build Sig_structure: %w", err)
	}
	return b, nil
}

// coseSigner adapts a Signer to go-cose, remembering the frame of a FramedSigner.
type coseSigner struct {
	ctx   context.Context
	s     Signer
	frame *Frame
}

func (c *coseSigner) Algorithm() cose.Algorithm { return c.s.Algorithm() }

func (c *coseSigner) Sign(_ io.Reader, message []byte) ([]byte, error) {
	if fs, ok := c.s.(FramedSigner); ok {
		sig, fr, err := fs.SignFramed(c.ctx, message)
		if err != nil {
			return nil, err
		}
		c.frame = &fr
		return sig, nil
	}
	return c.s.Sign(c.ctx, message)
}

// signCOSE signs payload as an untagged COSE_Sign1 (the prefix or the file format already says
// what it is, so tag 18 would be a wasted byte).
func signCOSE(ctx context.Context, s Signer, aad string, payload []byte) ([]byte, error) {
	if s == nil {
		return nil, errors.New("no signer")
	}
	if alg := s.Algorithm(); alg != cose.AlgorithmES256 {
		return nil, fmt.Errorf("signer %s: algorithm %v not supported, want ES256", KeyID(s.KeyID()), alg)
	}
	msg := cose.UntaggedSign1Message{
		Headers: cose.Headers{
			Protected:   cose.ProtectedHeader{cose.HeaderLabelAlgorithm: cose.AlgorithmES256},
			Unprotected: cose.UnprotectedHeader{},
		},
		Payload: payload,
	}
	cs := &coseSigner{ctx: ctx, s: s}
	if err := msg.Sign(nil, []byte(aad), cs); err != nil {
		return nil, fmt.Errorf("signer %s: %w", KeyID(s.KeyID()), err)
	}
	sig, err := lowS(msg.Signature)
	if err != nil {
		return nil, fmt.Errorf("signer %s: %w", KeyID(s.KeyID()), err)
	}
	msg.Signature = sig
	if cs.frame != nil {
		if err := cs.frame.check(); err != nil {
			return nil, fmt.Errorf("signer %s: %w", KeyID(s.KeyID()), err)
		}
		if !bytes.Equal(cs.frame.AuthenticatorData[:32], fidoRPID[:]) {
			return nil, fmt.Errorf("signer %s: FIDO credential is not for relying party %q", KeyID(s.KeyID()), FIDORelyingPartyID)
		}
		msg.Headers.Unprotected[headerLabelFrame] = cs.frame.wire()
	}
	out, err := msg.MarshalCBOR()
	if err != nil {
		return nil, fmt.Errorf("encode COSE_Sign1: %w", err)
	}
	// A token that returns a wrong signature would otherwise only be noticed at a checkpoint.
	if pk, ok := s.(publicKeyer); ok {
		m, err := parseSign1(out)
		if err != nil {
			return nil, fmt.Errorf("re-read COSE_Sign1: %w", err)
		}
		pub, ok := pk.Public().(*ecdsa.PublicKey)
		if !ok {
			return nil, fmt.Errorf("signer %s: public key %T is not ECDSA", KeyID(s.KeyID()), pk.Public())
		}
		if err := m.verify(aad, pub); err != nil {
			return nil, fmt.Errorf("signer %s produced an invalid signature: %w", KeyID(s.KeyID()), err)
		}
	}
	return out, nil
}

// lowS checks an r||s signature's shape and replaces s by n-s when s > n/2. Both verify, so
// without this anyone could derive a second valid QR text from a permit; with it, one permit
// has exactly one text.
func lowS(sig []byte) ([]byte, error) {
	if len(sig) != 64 {
		return nil, fmt.Errorf("ES256 signature has %d bytes, want 64 (r||s)", len(sig))
	}
	s := new(big.Int).SetBytes(sig[32:])
	if s.Cmp(p256HalfN) <= 0 {
		return sig, nil
	}
	out := bytes.Clone(sig)
	new(big.Int).Sub(p256N, s).FillBytes(out[32:])
	return out, nil
}

// wire is the frame as written into the unprotected header.
func (f *Frame) wire() []any {
	return []any{uint64(f.Scheme), f.AuthenticatorData[32:]}
}

func (f *Frame) check() error {
	if f.Scheme != FrameFIDO {
		return fmt.Errorf("unknown signature frame scheme %d", f.Scheme)
	}
	// 37 bytes: rpIdHash, flags, counter; extensions may follow. The bound keeps QR texts sane.
	if n := len(f.AuthenticatorData); n < 37 || n > 512 {
		return fmt.Errorf("FIDO authenticator data has %d bytes, want 37..512", n)
	}
	return nil
}

// parseSign1 decodes an untagged COSE_Sign1 as GDD1 writes it and nothing else: protected
// header exactly {1: -7}, unprotected header empty or one Frame, canonical CBOR throughout.
func parseSign1(b []byte) (Sign1, error) {
	var msg cose.UntaggedSign1Message
	if err := msg.UnmarshalCBOR(b); err != nil {
		return Sign1{}, fmt.Errorf("COSE_Sign1: %w", err)
	}
	if !bytes.Equal(msg.Headers.RawProtected, rawProtectedES256) {
		return Sign1{}, fmt.Errorf("COSE_Sign1: protected header %x, want %x", []byte(msg.Headers.RawProtected), rawProtectedES256)
	}
	m := Sign1{Protected: protectedES256, Payload: msg.Payload, Signature: msg.Signature}
	if m.Payload == nil {
		return Sign1{}, errors.New("COSE_Sign1: detached payload")
	}
	unprotected := cose.UnprotectedHeader{}
	for label, v := range msg.Headers.Unprotected {
		if l, ok := label.(int64); !ok || l != headerLabelFrame {
			return Sign1{}, fmt.Errorf("COSE_Sign1: unexpected unprotected header %v", label)
		}
		parts, ok := v.([]any)
		if !ok || len(parts) != 2 {
			return Sign1{}, errors.New("COSE_Sign1: signature frame is not [scheme, data]")
		}
		scheme, ok1 := parts[0].(int64)
		data, ok2 := parts[1].([]byte)
		if !ok1 || !ok2 || scheme < 0 || scheme > 255 {
			return Sign1{}, errors.New("COSE_Sign1: signature frame has wrong types")
		}
		m.Frame = &Frame{Scheme: FrameScheme(scheme), AuthenticatorData: append(fidoRPID[:len(fidoRPID):len(fidoRPID)], data...)}
		if err := m.Frame.check(); err != nil {
			return Sign1{}, fmt.Errorf("COSE_Sign1: %w", err)
		}
		unprotected[headerLabelFrame] = m.Frame.wire()
	}
	if len(m.Signature) != 64 {
		return Sign1{}, fmt.Errorf("COSE_Sign1: signature has %d bytes, want 64", len(m.Signature))
	}
	// Re-encode from the parsed parts: any other spelling of the same message (longer length
	// fields, reordered maps) is refused, so a verified text is the one that was issued.
	again := cose.UntaggedSign1Message{
		Headers:   cose.Headers{RawProtected: rawProtectedES256, Unprotected: unprotected},
		Payload:   m.Payload,
		Signature: m.Signature,
	}
	canon, err := again.MarshalCBOR()
	if err != nil || !bytes.Equal(canon, b) {
		return Sign1{}, errors.New("COSE_Sign1: not in canonical form")
	}
	return m, nil
}

// verify checks m's signature under pub for a document of type aad.
func (m Sign1) verify(aad string, pub *ecdsa.PublicKey) error {
	if pub == nil || pub.Curve != elliptic.P256() {
		return fmt.Errorf("%w: key is not P-256", errSignature)
	}
	if s := new(big.Int).SetBytes(m.Signature[min(32, len(m.Signature)):]); len(m.Signature) != 64 || s.Cmp(p256HalfN) > 0 {
		return fmt.Errorf("%w: not a low-S ES256 signature", errSignature)
	}
	content, err := toBeSigned(m.Protected, aad, m.Payload)
	if err != nil {
		return err
	}
	if m.Frame != nil {
		if err := m.Frame.check(); err != nil {
			return fmt.Errorf("%w: %w", errSignature, err)
		}
		ad := m.Frame.AuthenticatorData
		if !bytes.Equal(ad[:32], fidoRPID[:]) {
			return fmt.Errorf("%w: FIDO assertion is not for relying party %q", errSignature, FIDORelyingPartyID)
		}
		// The key vouches that its user touched it (UP) or gave its PIN (UV): either is a
		// person's act, not just a key left plugged in.
		if ad[32]&(fidoFlagUP|fidoFlagUV) == 0 {
			return fmt.Errorf("%w: FIDO assertion with neither user presence nor user verification", errSignature)
		}
		digest := sha256.Sum256(content)
		content = append(bytes.Clone(ad), digest[:]...)
	}
	v, err := cose.NewVerifier(cose.AlgorithmES256, pub)
	if err != nil {
		return fmt.Errorf("%w: %w", errSignature, err)
	}
	// go-cose's ES256 verifier checks ECDSA over SHA-256(content): the COSE message itself,
	// or the FIDO-framed bytes, which is exactly what an authenticator signs.
	if err := v.Verify(content, m.Signature); err != nil {
		return fmt.Errorf("%w: %w", errSignature, err)
	}
	return nil
}

// Authenticator data flags (WebAuthn §6.1).
const (
	fidoFlagUP = 0x01
	fidoFlagUV = 0x04
)

// Encode signs p with s and returns the QR text: Prefix + base45(COSE_Sign1(CBOR payload)).
// p.KeyID is set from s; a different non-zero p.KeyID is an error.
func Encode(ctx context.Context, p Payload, s Signer) (string, error) {
	if s == nil {
		return "", errors.New("encode permit: no signer")
	}
	kid := KeyID(s.KeyID())
	if !p.KeyID.IsZero() && p.KeyID != kid {
		return "", fmt.Errorf("encode permit %s: payload key id %s but signer key id %s", p.Number, p.KeyID, kid)
	}
	p.KeyID = kid
	body, err := p.marshalCBOR()
	if err != nil {
		return "", fmt.Errorf("encode permit %s: %w", p.Number, err)
	}
	msg, err := signCOSE(ctx, s, aadPermit, body)
	if err != nil {
		return "", fmt.Errorf("encode permit %s: %w", p.Number, err)
	}
	return Prefix + base45Encode(msg), nil
}

// Decode parses a QR text without checking its signature: use Verify for that. It returns
// an error wrapping ErrMalformed for anything Encode could not have produced, and never panics.
func Decode(text string) (Payload, Sign1, error) {
	if len(text) > maxTextLen {
		return Payload{}, Sign1{}, fmt.Errorf("%w: %d characters is longer than any QR code", ErrMalformed, len(text))
	}
	rest, ok := strings.CutPrefix(text, Prefix)
	if !ok {
		return Payload{}, Sign1{}, fmt.Errorf("%w: does not start with %q", ErrMalformed, Prefix)
	}
	raw, err := base45Decode(rest)
	if err != nil {
		return Payload{}, Sign1{}, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	m, err := parseSign1(raw)
	if err != nil {
		return Payload{}, Sign1{}, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	p, err := unmarshalPayload(m.Payload)
	if err != nil {
		return Payload{}, Sign1{}, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return p, m, nil
}
