// Package p11root keeps the provincial root key in a PKCS#11 token (an HSM, or SoftHSM2 in
// tests): the key pair is generated on the token as sensitive and not extractable, and every
// signature is made by the token. It is its own package because PKCS#11 needs cgo and only
// gdd-server links it.
package p11root

import (
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"
	"sync"

	p11 "github.com/miekg/pkcs11"

	"giaydiduong/backend/pki"
)

// DefaultKeyLabel names the root key pair on the token.
const DefaultKeyLabel = "GDD provincial root"

// Config says which token and key.
type Config struct {
	Lib        string // the PKCS#11 library
	TokenLabel string // "" for the only token present
	PIN        string // the user PIN
	KeyLabel   string // DefaultKeyLabel when ""
}

// p256 is the DER OID of the P-256 curve (CKA_EC_PARAMS).
var p256 = []byte{0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07}

// Key is the root key on the token. PKCS#11 sessions are not safe for concurrent use, so
// signatures take turns.
type Key struct {
	mu    sync.Mutex
	ctx   *p11.Ctx
	sess  p11.SessionHandle
	priv  p11.ObjectHandle
	pub   *ecdsa.PublicKey
	token string
	label string
}

// Create makes the root key pair on the token, or opens the one an earlier init left (an
// init whose database commit failed runs again with the same key).
func Create(cfg Config) (*Key, error) {
	return open(cfg, true)
}

// Open finds the root key on the token.
func Open(cfg Config) (*Key, error) {
	return open(cfg, false)
}

func open(cfg Config, create bool) (_ *Key, err error) {
	if cfg.Lib == "" {
		return nil, errors.New("no PKCS#11 library given")
	}
	if cfg.KeyLabel == "" {
		cfg.KeyLabel = DefaultKeyLabel
	}
	ctx := p11.New(cfg.Lib)
	if ctx == nil {
		return nil, fmt.Errorf("cannot load the PKCS#11 library %s", cfg.Lib)
	}
	if err := ctx.Initialize(); err != nil && !isCode(err, p11.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
		ctx.Destroy()
		return nil, fmt.Errorf("initialise %s: %w", cfg.Lib, err)
	}
	k := &Key{ctx: ctx, label: cfg.KeyLabel}
	defer func() {
		if err != nil {
			k.Close()
		}
	}()
	slot, token, err := findSlot(ctx, cfg.TokenLabel)
	if err != nil {
		return nil, err
	}
	k.token = token
	k.sess, err = ctx.OpenSession(slot, p11.CKF_SERIAL_SESSION|p11.CKF_RW_SESSION)
	if err != nil {
		return nil, fmt.Errorf("open a session on token %q: %w", token, err)
	}
	if err := ctx.Login(k.sess, p11.CKU_USER, cfg.PIN); err != nil && !isCode(err, p11.CKR_USER_ALREADY_LOGGED_IN) {
		if isCode(err, p11.CKR_PIN_INCORRECT) {
			return nil, fmt.Errorf("log in to token %q: wrong PIN", token)
		}
		return nil, fmt.Errorf("log in to token %q: %w", token, err)
	}
	priv, found, err := k.find(p11.CKO_PRIVATE_KEY)
	if err != nil {
		return nil, err
	}
	if !found {
		if !create {
			return nil, fmt.Errorf("token %q holds no key labelled %q", token, cfg.KeyLabel)
		}
		if priv, err = k.generate(); err != nil {
			return nil, err
		}
	}
	k.priv = priv
	pubObj, found, err := k.find(p11.CKO_PUBLIC_KEY)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("token %q holds the private key %q without its public key", token, cfg.KeyLabel)
	}
	if k.pub, err = k.publicKey(pubObj); err != nil {
		return nil, err
	}
	return k, nil
}

func findSlot(ctx *p11.Ctx, label string) (uint, string, error) {
	slots, err := ctx.GetSlotList(true)
	if err != nil {
		return 0, "", fmt.Errorf("list PKCS#11 slots: %w", err)
	}
	var names []string
	for _, s := range slots {
		ti, err := ctx.GetTokenInfo(s)
		if err != nil {
			continue
		}
		name := strings.TrimRight(ti.Label, " \x00")
		if name == label || (label == "" && len(slots) == 1) {
			return s, name, nil
		}
		names = append(names, name)
	}
	if label == "" {
		return 0, "", fmt.Errorf("%d tokens present (%s): name one with --root-token", len(slots), strings.Join(names, ", "))
	}
	return 0, "", fmt.Errorf("no token labelled %q (present: %s)", label, strings.Join(names, ", "))
}

func (k *Key) find(class uint) (p11.ObjectHandle, bool, error) {
	tmpl := []*p11.Attribute{p11.NewAttribute(p11.CKA_CLASS, class), p11.NewAttribute(p11.CKA_LABEL, k.label)}
	if err := k.ctx.FindObjectsInit(k.sess, tmpl); err != nil {
		return 0, false, fmt.Errorf("search the token: %w", err)
	}
	objs, _, err := k.ctx.FindObjects(k.sess, 2)
	ferr := k.ctx.FindObjectsFinal(k.sess)
	if err = errors.Join(err, ferr); err != nil {
		return 0, false, fmt.Errorf("search the token: %w", err)
	}
	switch len(objs) {
	case 0:
		return 0, false, nil
	case 1:
		return objs[0], true, nil
	}
	return 0, false, fmt.Errorf("token %q holds more than one key labelled %q", k.token, k.label)
}

// generate makes a P-256 pair on the token: the private half sensitive and never
// extractable, so no API call can read it out.
func (k *Key) generate() (p11.ObjectHandle, error) {
	id := sha256.Sum256([]byte(k.label))
	pub := []*p11.Attribute{
		p11.NewAttribute(p11.CKA_CLASS, p11.CKO_PUBLIC_KEY),
		p11.NewAttribute(p11.CKA_KEY_TYPE, p11.CKK_EC),
		p11.NewAttribute(p11.CKA_TOKEN, true),
		p11.NewAttribute(p11.CKA_VERIFY, true),
		p11.NewAttribute(p11.CKA_EC_PARAMS, p256),
		p11.NewAttribute(p11.CKA_LABEL, k.label),
		p11.NewAttribute(p11.CKA_ID, id[:8]),
	}
	priv := []*p11.Attribute{
		p11.NewAttribute(p11.CKA_CLASS, p11.CKO_PRIVATE_KEY),
		p11.NewAttribute(p11.CKA_KEY_TYPE, p11.CKK_EC),
		p11.NewAttribute(p11.CKA_TOKEN, true),
		p11.NewAttribute(p11.CKA_PRIVATE, true),
		p11.NewAttribute(p11.CKA_SIGN, true),
		p11.NewAttribute(p11.CKA_SENSITIVE, true),
		p11.NewAttribute(p11.CKA_EXTRACTABLE, false),
		p11.NewAttribute(p11.CKA_LABEL, k.label),
		p11.NewAttribute(p11.CKA_ID, id[:8]),
	}
	_, h, err := k.ctx.GenerateKeyPair(k.sess, []*p11.Mechanism{p11.NewMechanism(p11.CKM_EC_KEY_PAIR_GEN, nil)}, pub, priv)
	if err != nil {
		return 0, fmt.Errorf("generate the root key on token %q: %w", k.token, err)
	}
	return h, nil
}

func (k *Key) publicKey(obj p11.ObjectHandle) (*ecdsa.PublicKey, error) {
	attrs, err := k.ctx.GetAttributeValue(k.sess, obj, []*p11.Attribute{p11.NewAttribute(p11.CKA_EC_PARAMS, nil), p11.NewAttribute(p11.CKA_EC_POINT, nil)})
	if err != nil {
		return nil, fmt.Errorf("read the root's public key: %w", err)
	}
	if string(attrs[0].Value) != string(p256) {
		return nil, errors.New("the root key on the token is not P-256")
	}
	var point []byte
	if _, err := asn1.Unmarshal(attrs[1].Value, &point); err != nil {
		point = attrs[1].Value // some libraries give the bare point
	}
	if _, err := ecdh.P256().NewPublicKey(point); err != nil {
		return nil, fmt.Errorf("the root's public key is not a P-256 point: %w", err)
	}
	return &ecdsa.PublicKey{Curve: elliptic.P256(), X: new(big.Int).SetBytes(point[1:33]), Y: new(big.Int).SetBytes(point[33:])}, nil
}

// Public is the root's public key.
func (k *Key) Public() crypto.PublicKey { return k.pub }

// Sign has the token sign a SHA-256 digest; the answer is ASN.1 like any crypto.Signer's.
func (k *Key) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	if opts != nil && opts.HashFunc() != crypto.SHA256 {
		return nil, fmt.Errorf("the root signs SHA-256 digests, not %v", opts.HashFunc())
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.ctx == nil {
		return nil, errors.New("the root key's token session is closed")
	}
	if err := k.ctx.SignInit(k.sess, []*p11.Mechanism{p11.NewMechanism(p11.CKM_ECDSA, nil)}, k.priv); err != nil {
		return nil, fmt.Errorf("token sign: %w", err)
	}
	raw, err := k.ctx.Sign(k.sess, digest)
	if err != nil {
		return nil, fmt.Errorf("token sign: %w", err)
	}
	return pki.ECDSASignatureDER(raw)
}

// Store names the token and key.
func (k *Key) Store() string { return "pkcs11:" + k.token + "/" + k.label }

// Close logs out and unloads the library.
func (k *Key) Close() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.ctx == nil {
		return nil
	}
	if k.sess != 0 {
		_ = k.ctx.Logout(k.sess)
		_ = k.ctx.CloseSession(k.sess)
	}
	_ = k.ctx.Finalize()
	k.ctx.Destroy()
	k.ctx = nil
	return nil
}

// Exportable reports whether the token would let the private key out (it must not).
func (k *Key) Exportable() (bool, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	attrs, err := k.ctx.GetAttributeValue(k.sess, k.priv, []*p11.Attribute{p11.NewAttribute(p11.CKA_SENSITIVE, nil), p11.NewAttribute(p11.CKA_EXTRACTABLE, nil)})
	if err != nil {
		return false, fmt.Errorf("read key attributes: %w", err)
	}
	sensitive := len(attrs[0].Value) == 1 && attrs[0].Value[0] == 1
	extractable := len(attrs[1].Value) == 1 && attrs[1].Value[0] == 1
	if _, err := k.ctx.GetAttributeValue(k.sess, k.priv, []*p11.Attribute{p11.NewAttribute(p11.CKA_VALUE, nil)}); err == nil {
		return true, nil
	}
	return !sensitive || extractable, nil
}

func isCode(err error, code uint) bool {
	var e p11.Error
	return errors.As(err, &e) && uint(e) == code
}

var _ pki.RootKey = (*Key)(nil)
