package token

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"sync"

	"github.com/veraison/go-cose"

	"giaydiduong/backend/permit"
	"giaydiduong/backend/token/ctaphid"
)

var (
	// ErrDeviceRemoved is ctaphid.ErrDeviceRemoved: the key was pulled out.
	ErrDeviceRemoved = ctaphid.ErrDeviceRemoved
	// ErrPINRequired: the key has a PIN and none was given.
	ErrPINRequired = errors.New("the key has a PIN: enter it to sign")
	// ErrWrongPIN: the PIN was wrong; the error says how many tries are left.
	ErrWrongPIN = errors.New("wrong PIN")
	// ErrPINAuthBlocked: three wrong PINs in a row; the key accepts none until it is re-plugged.
	ErrPINAuthBlocked = errors.New("too many wrong PINs in a row: unplug the key and plug it in again")
	// ErrPINBlocked: no tries left; only a reset (which deletes every credential) unblocks it.
	ErrPINBlocked = errors.New("the key's PIN is blocked after too many wrong PINs: the key must be reset and enrolled again")
	// ErrNotEnrolled: the plugged-in key does not hold the enrolled credential.
	ErrNotEnrolled = errors.New("this key does not hold the enrolled credential: plug in the officer's own key")
	// ErrCounterNotIncreasing: the key's signature counter repeated or went back, as a cloned
	// key's (or a replayed answer's) does.
	ErrCounterNotIncreasing = errors.New("the key's signature counter did not increase: it may be a copy of the enrolled key")
	// ErrFramedOnly is returned by FIDOSigner.Sign: a FIDO key never signs raw messages.
	ErrFramedOnly = errors.New("a FIDO key signs only through SignFramed")
)

// RelyingParty is the FIDO relying party of permit credentials.
const RelyingParty = permit.FIDORelyingPartyID

var rpIDHash = sha256.Sum256([]byte(RelyingParty))

// Protocol is how a credential was created.
type Protocol string

// Protocols.
const (
	ProtocolCTAP2 Protocol = "ctap2"
	ProtocolU2F   Protocol = "u2f"
)

// Credential is an enrolled FIDO credential: what the office stores to sign with it later,
// and, as PublicKey, what goes into the provincial trust list.
type Credential struct {
	ID        []byte   `json:"id"`         // credential id (U2F key handle)
	PublicKey []byte   `json:"public_key"` // SubjectPublicKeyInfo DER, P-256
	RPID      string   `json:"rp_id"`
	Protocol  Protocol `json:"protocol"`
	AAGUID    []byte   `json:"aaguid,omitempty"`
	// AttestationFormat is what the key said it is at enrolment: "packed" or "fido-u2f" with a
	// certificate, "none" (usual for software keys), "tpm", … for the province to judge.
	AttestationFormat string `json:"attestation_format,omitempty"`
}

// Key parses the public key.
func (c Credential) Key() (*ecdsa.PublicKey, error) {
	k, err := x509.ParsePKIXPublicKey(c.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("credential public key: %w", err)
	}
	ek, ok := k.(*ecdsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("credential public key is %T, want ECDSA P-256", k)
	}
	return ek, nil
}

// KeyID is the permit key id of the credential's public key.
func (c Credential) KeyID() (permit.KeyID, error) {
	k, err := c.Key()
	if err != nil {
		return permit.KeyID{}, err
	}
	kid, err := permit.KeyIDOf(k)
	if err != nil {
		return permit.KeyID{}, fmt.Errorf("credential key id: %w", err)
	}
	return kid, nil
}

// EnrollOptions tune Enroll.
type EnrollOptions struct {
	PIN string // required when the key has a PIN
	// UserID and UserName name the officer on the key (CTAP2 stores them with the credential).
	UserID   []byte
	UserName string
	OnTouch  func() // the key waits for a touch
	Logger   *slog.Logger
}

func (o EnrollOptions) logger() *slog.Logger {
	if o.Logger == nil {
		return slog.Default()
	}
	return o.Logger
}

// Enroll creates a credential for RelyingParty on the key: CTAP2 makeCredential where the key
// speaks CTAP2, else U2F REGISTER (whose attestation signature is checked).
func Enroll(ctx context.Context, dev *ctaphid.Device, opts EnrollOptions) (Credential, error) {
	dev.SetKeepalive(touchPrompt(opts.OnTouch))
	defer dev.SetKeepalive(nil)
	var challenge [32]byte
	if _, err := rand.Read(challenge[:]); err != nil {
		return Credential{}, fmt.Errorf("enroll: %w", err)
	}
	if !dev.Info().Capabilities.Has(ctaphid.CapCBOR) {
		reg, err := dev.U2FRegister(ctx, challenge, rpIDHash)
		if err != nil {
			return Credential{}, fmt.Errorf("enroll: %w", err)
		}
		// The attestation is not trusted (the trust list is), but a signature that does not
		// verify means a garbled answer. Some old keys carry certificates Go cannot parse;
		// those are enrolled without the check rather than turned away.
		if _, perr := x509.ParseCertificate(reg.AttestationCert); perr != nil {
			opts.logger().Warn("enroll: attestation certificate unreadable; not checked", "err", perr)
		} else if err := reg.Verify(challenge, rpIDHash); err != nil {
			return Credential{}, fmt.Errorf("enroll: %w", err)
		}
		pub, err := reg.Key()
		if err != nil {
			return Credential{}, fmt.Errorf("enroll: %w", err)
		}
		return newCredential(reg.KeyHandle, pub, ProtocolU2F, nil, "fido-u2f")
	}
	info, err := dev.GetInfo(ctx)
	if err != nil {
		return Credential{}, fmt.Errorf("enroll: %w", err)
	}
	var tok []byte
	if info.PINSet() {
		if tok, err = pinToken(ctx, dev, opts.PIN); err != nil {
			return Credential{}, fmt.Errorf("enroll: %w", err)
		}
	}
	uid := opts.UserID
	if len(uid) == 0 {
		uid = challenge[:16] // CTAP2 requires a user id; nothing reads it back
	}
	att, err := dev.MakeCredential(ctx, ctaphid.MakeCredentialRequest{
		ClientDataHash: challenge[:],
		RP:             ctaphid.RelyingParty{ID: RelyingParty, Name: "Giấy đi đường"},
		User:           ctaphid.User{ID: uid, Name: opts.UserName, DisplayName: opts.UserName},
		PINToken:       tok,
	})
	if err != nil {
		return Credential{}, fmt.Errorf("enroll: %w", mapPINError(err))
	}
	return newCredential(att.AuthData.CredentialID, att.AuthData.PublicKey, ProtocolCTAP2, att.AuthData.AAGUID, att.Format)
}

func newCredential(id []byte, pub *ecdsa.PublicKey, p Protocol, aaguid []byte, format string) (Credential, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return Credential{}, fmt.Errorf("enroll: %w", err)
	}
	return Credential{ID: bytes.Clone(id), PublicKey: der, RPID: RelyingParty, Protocol: p, AAGUID: bytes.Clone(aaguid), AttestationFormat: format}, nil
}

// touchPrompt turns the transport's keepalive into a "touch the key" callback.
func touchPrompt(fn func()) func(ctaphid.KeepaliveStatus) {
	if fn == nil {
		return nil
	}
	return func(s ctaphid.KeepaliveStatus) {
		if s == ctaphid.StatusUPNeeded {
			fn()
		}
	}
}

// pinToken exchanges the PIN for a token, with errors an officer can act on.
func pinToken(ctx context.Context, dev *ctaphid.Device, pin string) ([]byte, error) {
	if pin == "" {
		return nil, ErrPINRequired
	}
	tok, err := dev.GetPINToken(ctx, pin)
	if err == nil {
		return tok, nil
	}
	if errors.Is(err, ctaphid.StatusPINInvalid) {
		if n, rerr := dev.PINRetries(ctx); rerr == nil {
			return nil, fmt.Errorf("%w (%d tries left)", ErrWrongPIN, n)
		}
	}
	return nil, mapPINError(err)
}

func mapPINError(err error) error {
	switch {
	case errors.Is(err, ctaphid.StatusPINInvalid):
		return fmt.Errorf("%w: %w", ErrWrongPIN, err)
	case errors.Is(err, ctaphid.StatusPINAuthBlocked):
		return fmt.Errorf("%w: %w", ErrPINAuthBlocked, err)
	case errors.Is(err, ctaphid.StatusPINBlocked):
		return fmt.Errorf("%w: %w", ErrPINBlocked, err)
	case errors.Is(err, ctaphid.StatusPINRequired):
		return fmt.Errorf("%w: %w", ErrPINRequired, err)
	case errors.Is(err, ctaphid.StatusNoCredentials), errors.Is(err, ctaphid.StatusInvalidCredential):
		return fmt.Errorf("%w: %w", ErrNotEnrolled, err)
	}
	return err
}

// BatchPresence says how a signer asks for touches.
type BatchPresence int

const (
	// TouchEach asks for a touch per permit: every signature carries the user-presence flag.
	TouchEach BatchPresence = iota
	// TouchOnce asks for one touch, then signs the rest without one (CTAP2 up=false) where
	// the key verified the user with its PIN for this signer: those signatures carry the
	// user-verified flag, which permit.Verify accepts in place of presence (UP or UV), as a
	// certificate token's signatures rest on its PIN alone. A key without a PIN (and every
	// U2F key, which cannot verify the user) is asked for a touch per permit.
	TouchOnce
)

func (p BatchPresence) String() string {
	switch p {
	case TouchEach:
		return "touch-each"
	case TouchOnce:
		return "touch-once"
	}
	return fmt.Sprintf("BatchPresence(%d)", int(p))
}

// SignerOptions tune a FIDOSigner.
type SignerOptions struct {
	PIN     string // required when the key has a PIN
	OnTouch func() // the key waits for a touch: show "Chạm vào khóa để ký"
	Batch   BatchPresence
	Logger  *slog.Logger
	// LastCounter is the highest signature counter seen from this credential: each assertion
	// must carry a higher one (both zero: a key without a counter).
	LastCounter uint32
}

// Signed is one FIDO signature: r||s and the frame permit.Encode stores beside it.
type Signed struct {
	Signature []byte
	Frame     permit.Frame
}

// FIDOSigner signs permits with an enrolled FIDO credential. It implements
// permit.FramedSigner: Encode calls SignFramed, which sends clientDataHash = SHA-256(COSE
// Sig_structure) and returns the authenticator data as the frame. It also knows its public
// key, so Encode verifies each signature before printing it.
type FIDOSigner struct {
	dev     *ctaphid.Device
	cred    Credential
	pub     *ecdsa.PublicKey
	kid     permit.KeyID
	opts    SignerOptions
	log     *slog.Logger
	ctap2   bool
	token   []byte // PIN token, when the key has a PIN
	counter uint32 // the highest signature counter seen

	mu        sync.Mutex // one signing operation at a time
	noSilent  bool       // the key refused a silent assertion
	touched   bool       // a signature of this signer carried user presence
	onTouchFn func()
}

var _ permit.FramedSigner = (*FIDOSigner)(nil)

// NewFIDOSigner prepares to sign with cred on dev. When the key has a PIN it is checked here,
// so a wrong PIN fails before any permit is touched.
func NewFIDOSigner(ctx context.Context, dev *ctaphid.Device, cred Credential, opts SignerOptions) (*FIDOSigner, error) {
	if cred.RPID != RelyingParty {
		return nil, fmt.Errorf("fido signer: credential is for %q, want %q", cred.RPID, RelyingParty)
	}
	pub, err := cred.Key()
	if err != nil {
		return nil, fmt.Errorf("fido signer: %w", err)
	}
	kid, err := cred.KeyID()
	if err != nil {
		return nil, fmt.Errorf("fido signer: %w", err)
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	s := &FIDOSigner{dev: dev, cred: cred, pub: pub, kid: kid, opts: opts, log: opts.Logger, onTouchFn: opts.OnTouch, counter: opts.LastCounter}
	s.ctap2 = dev.Info().Capabilities.Has(ctaphid.CapCBOR)
	if s.ctap2 {
		info, err := dev.GetInfo(ctx)
		if err != nil {
			return nil, fmt.Errorf("fido signer: %w", err)
		}
		if info.PINSet() {
			if s.token, err = pinToken(ctx, dev, opts.PIN); err != nil {
				return nil, fmt.Errorf("fido signer: %w", err)
			}
		}
	} else {
		// U2F can say, without a touch, whether the key handle is this key's.
		mine, err := dev.U2FCheck(ctx, rpIDHash, cred.ID)
		if err != nil {
			return nil, fmt.Errorf("fido signer: %w", err)
		}
		if !mine {
			return nil, fmt.Errorf("fido signer: %w", ErrNotEnrolled)
		}
	}
	return s, nil
}

// KeyID implements permit.Signer.
func (s *FIDOSigner) KeyID() [8]byte { return s.kid }

// Algorithm implements permit.Signer.
func (s *FIDOSigner) Algorithm() cose.Algorithm { return cose.AlgorithmES256 }

// Public returns the credential's public key; permit.Encode checks each signature with it.
func (s *FIDOSigner) Public() crypto.PublicKey { return s.pub }

// Counter is the highest signature counter the signer has seen (for the caller to store).
func (s *FIDOSigner) Counter() uint32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counter
}

// Credential returns the credential the signer uses.
func (s *FIDOSigner) Credential() Credential { return s.cred }

// Sign implements permit.Signer; a FIDO key cannot sign a raw message.
func (s *FIDOSigner) Sign(context.Context, []byte) ([]byte, error) { return nil, ErrFramedOnly }

// SignFramed implements permit.FramedSigner: with one touch, or, after the first touch of a
// TouchOnce signer with a PIN, none (see TouchOnce).
func (s *FIDOSigner) SignFramed(ctx context.Context, message []byte) ([]byte, permit.Frame, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dev.SetKeepalive(touchPrompt(s.onTouchFn))
	defer s.dev.SetKeepalive(nil)
	sg, err := s.sign(ctx, message)
	if err != nil {
		return nil, permit.Frame{}, fmt.Errorf("fido sign: %w", err)
	}
	return sg.Signature, sg.Frame, nil
}

// SupportsSilent reports false once the key has refused a silent assertion, or answered one
// without user verification. getInfo has no field for it (its "up" option says whether the
// key can test presence at all), so the signer asks once and remembers the answer.
func (s *FIDOSigner) SupportsSilent() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.noSilent
}

// SignBatch signs messages in order; with TouchOnce and a key with a PIN, only the first
// needs a touch (see TouchOnce), otherwise each does, and touch is called for each. progress
// is called after every signature. On any failure (the key pulled out, a cancelled context)
// it returns the signatures made so far, in order, with an error saying how many were done;
// callers keep those and leave the rest unsigned.
func (s *FIDOSigner) SignBatch(ctx context.Context, messages [][]byte, progress func(done, total int), touch func()) ([]Signed, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if touch == nil {
		touch = s.onTouchFn
	}
	s.dev.SetKeepalive(touchPrompt(touch))
	defer s.dev.SetKeepalive(nil)
	out := make([]Signed, 0, len(messages))
	for i, m := range messages {
		sg, err := s.sign(ctx, m)
		if err != nil {
			return out, fmt.Errorf("fido batch: signed %d of %d, stopped at %d: %w", len(out), len(messages), i+1, err)
		}
		out = append(out, sg)
		if progress != nil {
			progress(len(out), len(messages))
		}
	}
	return out, nil
}

// sign makes one assertion, silent when TouchOnce allows it; a key that refuses a silent one,
// or answers it without user verification, is asked with a touch instead, and from then on.
func (s *FIDOSigner) sign(ctx context.Context, m []byte) (Signed, error) {
	silent := s.opts.Batch == TouchOnce && s.touched && s.token != nil && !s.noSilent
	sg, err := s.assert(ctx, m, silent)
	if silent && (refusedSilent(err) || (err == nil && sg.Frame.AuthenticatorData[32]&ctaphid.FlagUV == 0)) {
		s.noSilent = true
		s.log.Info("fido signer: the key does not sign verified without a touch; one touch per permit from now on", "err", err)
		sg, err = s.assert(ctx, m, false)
	}
	if err == nil && !silent {
		s.touched = true
	}
	return sg, err
}

// refusedSilent recognises a key's "no" to a silent assertion: CTAP2 rejects the option, and
// a U2F key that does not know control byte 0x08 answers SW_WRONG_DATA (the key handle was
// just accepted, so it is not that).
func refusedSilent(err error) bool {
	return errors.Is(err, ctaphid.StatusUnsupportedOption) || errors.Is(err, ctaphid.StatusInvalidOption) ||
		errors.Is(err, ctaphid.SWWrongData) || errors.Is(err, ctaphid.SWInsNotSupported)
}

// assert makes one assertion over SHA-256(message) and checks it before returning it.
func (s *FIDOSigner) assert(ctx context.Context, message []byte, silent bool) (Signed, error) {
	if err := ctx.Err(); err != nil {
		return Signed{}, err
	}
	cdh := sha256.Sum256(message)
	var ad, der []byte
	if s.ctap2 {
		a, err := s.dev.GetAssertion(ctx, ctaphid.GetAssertionRequest{
			RPID: RelyingParty, ClientDataHash: cdh[:], AllowList: [][]byte{s.cred.ID},
			NoUserPresence: silent, PINToken: s.token,
		})
		if err != nil {
			return Signed{}, mapPINError(err)
		}
		ad, der = a.AuthData.Raw, a.Signature
	} else {
		ctrl := ctaphid.EnforceUserPresence
		if silent {
			ctrl = ctaphid.DontEnforceUserPresence
		}
		a, err := s.dev.U2FAuthenticate(ctx, ctrl, cdh, rpIDHash, s.cred.ID)
		if err != nil {
			if !silent && errors.Is(err, ctaphid.SWWrongData) {
				err = fmt.Errorf("%w: %w", ErrNotEnrolled, err)
			}
			return Signed{}, err
		}
		ad, der = a.AuthenticatorData(rpIDHash), a.Signature
	}
	if len(ad) < 37 || !bytes.Equal(ad[:32], rpIDHash[:]) {
		return Signed{}, errors.New("the key's authenticator data is not for relying party " + RelyingParty)
	}
	if !silent && ad[32]&ctaphid.FlagUP == 0 {
		return Signed{}, errors.New("the key signed without the user-presence flag although a touch was asked for")
	}
	// A key answering with another credential's signature would only be caught at a checkpoint.
	digest := sha256.Sum256(append(bytes.Clone(ad), cdh[:]...))
	if !ecdsa.VerifyASN1(s.pub, digest[:], der) {
		return Signed{}, fmt.Errorf("%w: its signature does not verify with the enrolled public key", ErrNotEnrolled)
	}
	if c := binary.BigEndian.Uint32(ad[33:37]); c != 0 || s.counter != 0 {
		if c <= s.counter {
			return Signed{}, fmt.Errorf("%w (counter %d, last seen %d)", ErrCounterNotIncreasing, c, s.counter)
		}
		s.counter = c
	}
	raw, err := rawSignature(der)
	if err != nil {
		return Signed{}, err
	}
	return Signed{Signature: raw, Frame: permit.Frame{Scheme: permit.FrameFIDO, AuthenticatorData: bytes.Clone(ad)}}, nil
}

// rawSignature converts an ASN.1 ECDSA signature to r||s, 32 bytes each.
func rawSignature(der []byte) ([]byte, error) {
	var sig struct{ R, S *big.Int }
	rest, err := asn1.Unmarshal(der, &sig)
	if err != nil || len(rest) != 0 || sig.R == nil || sig.S == nil || sig.R.Sign() <= 0 || sig.S.Sign() <= 0 ||
		sig.R.BitLen() > 256 || sig.S.BitLen() > 256 {
		return nil, fmt.Errorf("the key's signature is not a P-256 ECDSA signature (%d bytes)", len(der))
	}
	out := make([]byte, 64)
	sig.R.FillBytes(out[:32])
	sig.S.FillBytes(out[32:])
	return out, nil
}

// EncodeBatch signs payloads as permit QR texts with SignBatch, so a batch takes one touch
// where the key and BatchPresence allow it. permit.Encode builds the message it signs, so
// each payload is first encoded with a recorder to learn that message (which also validates
// every payload before the key is touched), then encoded again with the batch's signatures.
// It returns the texts of the permits signed before any failure, in order.
func (s *FIDOSigner) EncodeBatch(ctx context.Context, payloads []permit.Payload, progress func(done, total int), touch func()) ([]string, error) {
	rec := &recorder{kid: s.kid}
	for i, p := range payloads {
		if _, err := permit.Encode(ctx, p, rec); err != nil {
			return nil, fmt.Errorf("fido batch: permit %d of %d: %w", i+1, len(payloads), err)
		}
	}
	signed, batchErr := s.SignBatch(ctx, rec.messages, progress, touch)
	texts := make([]string, 0, len(signed))
	for i, sg := range signed {
		text, err := permit.Encode(ctx, payloads[i], &replay{s: s, message: rec.messages[i], signed: sg})
		if err != nil {
			return texts, fmt.Errorf("fido batch: permit %d of %d: %w", i+1, len(payloads), err)
		}
		texts = append(texts, text)
	}
	return texts, batchErr
}

// recorder captures the message permit.Encode asks to sign and answers with a placeholder.
// It has no Public method, so Encode does not try to verify the placeholder.
type recorder struct {
	kid      permit.KeyID
	messages [][]byte
}

func (r *recorder) KeyID() [8]byte                               { return r.kid }
func (r *recorder) Algorithm() cose.Algorithm                    { return cose.AlgorithmES256 }
func (r *recorder) Sign(context.Context, []byte) ([]byte, error) { return nil, ErrFramedOnly }
func (r *recorder) SignFramed(_ context.Context, message []byte) ([]byte, permit.Frame, error) {
	r.messages = append(r.messages, bytes.Clone(message))
	placeholder := make([]byte, 64)
	placeholder[31], placeholder[63] = 1, 1
	ad := append(rpIDHash[:len(rpIDHash):len(rpIDHash)], ctaphid.FlagUP, 0, 0, 0, 0)
	return placeholder, permit.Frame{Scheme: permit.FrameFIDO, AuthenticatorData: ad}, nil
}

// replay hands permit.Encode a signature made earlier by SignBatch, for the same message.
type replay struct {
	s       *FIDOSigner
	message []byte
	signed  Signed
}

func (r *replay) KeyID() [8]byte                               { return r.s.kid }
func (r *replay) Algorithm() cose.Algorithm                    { return cose.AlgorithmES256 }
func (r *replay) Public() crypto.PublicKey                     { return r.s.pub }
func (r *replay) Sign(context.Context, []byte) ([]byte, error) { return nil, ErrFramedOnly }
func (r *replay) SignFramed(_ context.Context, message []byte) ([]byte, permit.Frame, error) {
	if !bytes.Equal(message, r.message) {
		return nil, permit.Frame{}, errors.New("fido batch: permit changed between recording and signing")
	}
	return r.signed.Signature, r.signed.Frame, nil
}
