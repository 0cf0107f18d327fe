package token

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	"giaydiduong/backend/token/pkcs11"
	"giaydiduong/backend/token/softfido"
)

// Kind is the kind of a leader's signing token.
type Kind string

// Token kinds.
const (
	KindFIDO   Kind = "fido"   // a FIDO security key on the USB HID bus
	KindPKCS11 Kind = "pkcs11" // a CA certificate token behind a vendor PKCS#11 library
)

// Ref names the token to use.
type Ref struct {
	Kind Kind `json:"kind"`
	// Path is the FIDO key's device path from a listing; empty means the only key plugged in.
	Path string `json:"path,omitempty"`
	// Library is the PKCS#11 library; empty means the office's setting.
	Library string `json:"library,omitempty"`
	Slot    uint   `json:"slot"`
}

// Info is a token plugged into this PC.
type Info struct {
	Kind         Kind   `json:"kind"`
	Path         string `json:"path,omitempty"`
	Library      string `json:"library,omitempty"`
	Slot         uint   `json:"slot"`
	Label        string `json:"label"`
	Manufacturer string `json:"manufacturer"`
	Serial       string `json:"serial"`
	Software     bool   `json:"software"` // the demo's software key
	NeedsPIN     bool   `json:"needs_pin"`
	PINLocked    bool   `json:"pin_locked"`
	PINFinalTry  bool   `json:"pin_final_try"`
}

// Access reaches the signing tokens of this PC: FIDO keys through the hub, certificate
// tokens through their PKCS#11 libraries (loaded once, on first use).
type Access struct {
	Hub *Hub
	// Soft is the software FIDO key of the demo and the tests, or nil.
	Soft *softfido.Authenticator

	mu       sync.Mutex
	drivers  map[string]*pkcs11.Driver
	log      *slog.Logger
	watching atomic.Bool // Watch is polling the bus, so listing need not enumerate again
}

// NewAccess serves the PC's HID bus, plus soft when it is not nil.
func NewAccess(soft *softfido.Authenticator, log *slog.Logger) *Access {
	if log == nil {
		log = slog.Default()
	}
	var bus Bus = SystemBus{}
	if soft != nil {
		sb := softfido.NewBus()
		sb.Attach(soft)
		bus = Buses{sb, SystemBus{}}
	}
	return &Access{Hub: NewHub(bus, HubOptions{Logger: log}), Soft: soft, drivers: map[string]*pkcs11.Driver{}, log: log}
}

// Watch polls the HID bus until ctx ends (about once a second, see Hub) and calls onEvent as
// keys arrive and leave: the window's live token list.
func (t *Access) Watch(ctx context.Context, onEvent func(Event)) {
	t.watching.Store(true)
	defer t.watching.Store(false)
	go func() { _ = t.Hub.Run(ctx) }()
	for ev := range t.Hub.Events() {
		onEvent(ev)
	}
}

// Close unloads the PKCS#11 libraries.
func (t *Access) Close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for p, d := range t.drivers {
		if err := d.Close(); err != nil {
			t.log.Warn("unload PKCS#11 library", "library", p, "err", err)
		}
	}
	t.drivers = map[string]*pkcs11.Driver{}
}

// Driver loads the PKCS#11 library lib, once.
func (t *Access) Driver(ctx context.Context, lib string) (*pkcs11.Driver, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if d, ok := t.drivers[lib]; ok {
		return d, nil
	}
	d, err := pkcs11.New(ctx, lib, pkcs11.Options{Logger: t.log})
	if err != nil {
		return nil, err
	}
	t.drivers[lib] = d
	return d, nil
}

// SoftKeyState says whether there is a software key and whether it is plugged in.
type SoftKeyState struct {
	Present bool `json:"present"`
	Plugged bool `json:"plugged"`
}

// ErrNoSoftKey: this PC has no software key to plug or pull.
var ErrNoSoftKey = errors.New("there is no software key")

// SoftKey reports the software key.
func (t *Access) SoftKey() SoftKeyState {
	if t == nil || t.Soft == nil {
		return SoftKeyState{}
	}
	return SoftKeyState{Present: true, Plugged: t.Soft.Plugged()}
}

// SetSoftKeyPlugged plugs the software key in or pulls it out, as an officer would the real
// one: the demo's way to try removal in the middle of a batch.
func (t *Access) SetSoftKeyPlugged(plugged bool) (SoftKeyState, error) {
	if t == nil || t.Soft == nil {
		return SoftKeyState{}, ErrNoSoftKey
	}
	if plugged && !t.Soft.Plugged() {
		if err := t.Soft.Plug(); err != nil {
			return SoftKeyState{}, fmt.Errorf("plug software key: %w", err)
		}
	} else if !plugged {
		t.Soft.Unplug()
	}
	return t.SoftKey(), nil
}

// List lists the tokens plugged in now: FIDO keys on the bus, then the initialised tokens in
// the slots of the PKCS#11 library lib ("" for none). A library that fails to load or list
// is logged and leaves the FIDO keys listed.
func (t *Access) List(ctx context.Context, lib string) []Info {
	if !t.watching.Load() {
		if _, err := t.Hub.Refresh(ctx); err != nil && !errors.Is(err, ErrBusy) {
			t.log.Warn("list tokens: HID enumeration failed", "err", err)
		}
	}
	out := []Info{}
	softPath := ""
	if t.Soft != nil && t.Soft.Plugged() {
		softPath = t.Soft.Info().Path
	}
	for _, k := range t.Hub.Tokens() {
		out = append(out, Info{Kind: KindFIDO, Path: k.Path, Label: k.label(), Manufacturer: k.Manufacturer, Serial: k.Serial, Software: k.Path == softPath})
	}
	if lib == "" {
		return out
	}
	d, err := t.Driver(ctx, lib)
	if err != nil {
		t.log.Warn("list tokens: PKCS#11 library", "library", lib, "err", err)
		return out
	}
	slots, err := d.Slots(ctx)
	if err != nil {
		t.log.Warn("list tokens: PKCS#11 slots", "library", lib, "err", err)
		return out
	}
	for _, s := range slots {
		if !s.HasToken || !s.Token.Initialized {
			continue
		}
		out = append(out, Info{Kind: KindPKCS11, Library: lib, Slot: s.ID, Label: s.Token.Label, Manufacturer: s.Token.Manufacturer, Serial: s.Token.Serial,
			NeedsPIN: !s.Token.ProtectedAuthPath, PINLocked: s.Token.PINLocked, PINFinalTry: s.Token.PINFinalTry})
	}
	return out
}

func (k Token) label() string {
	if k.Product != "" {
		return k.Product
	}
	return k.Model
}

// Finding a FIDO key.
var (
	ErrNoKey        = errors.New("no FIDO key is plugged in")
	ErrAmbiguousKey = errors.New("several FIDO keys are plugged in")
)

// FindFIDO enumerates the bus and returns the key at path, or the only key plugged in when
// path is "".
func (t *Access) FindFIDO(ctx context.Context, path string) (Token, error) {
	if _, err := t.Hub.Refresh(ctx); err != nil && !errors.Is(err, ErrBusy) {
		return Token{}, fmt.Errorf("find FIDO key: %w", err)
	}
	keys := t.Hub.Tokens()
	var found *Token
	for i := range keys {
		if path == "" || keys[i].Path == path {
			if found != nil {
				return Token{}, ErrAmbiguousKey
			}
			found = &keys[i]
		}
	}
	if found == nil {
		return Token{}, ErrNoKey
	}
	return *found, nil
}

// FIDOLabel names the key at path (or the first one) as an enrollment records it.
func (t *Access) FIDOLabel(path string) string {
	for _, k := range t.Hub.Tokens() {
		if path == "" || k.Path == path {
			return k.label()
		}
	}
	return "FIDO"
}

// MatchCertificate finds the enrolled certificate (DER) among a token's, with its key.
func MatchCertificate(certs []pkcs11.Certificate, der []byte) (pkcs11.Certificate, bool) {
	for _, c := range certs {
		if c.Cert != nil && bytes.Equal(c.Cert.Raw, der) && c.HasKey {
			return c, true
		}
	}
	return pkcs11.Certificate{}, false
}
