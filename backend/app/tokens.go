package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"giaydiduong/backend/auth"
	"giaydiduong/backend/domain"
	"giaydiduong/backend/token"
	"giaydiduong/backend/token/ctaphid"
	"giaydiduong/backend/token/pkcs11"
	"giaydiduong/backend/token/softfido"
)

// TokenKind is the kind of a leader's signing token.
type TokenKind string

// Token kinds.
const (
	TokenFIDO   TokenKind = "fido"   // a FIDO security key on the USB HID bus
	TokenPKCS11 TokenKind = "pkcs11" // a CA certificate token behind a vendor PKCS#11 library
)

// TokenRef names the token to use.
type TokenRef struct {
	Kind TokenKind `json:"kind"`
	// Path is the FIDO key's device path from ListTokens; empty means the only key plugged in.
	Path string `json:"path,omitempty"`
	// Library is the PKCS#11 library; empty means the office's setting.
	Library string `json:"library,omitempty"`
	Slot    uint   `json:"slot"`
}

// TokenInfo is a token plugged into this PC.
type TokenInfo struct {
	Kind         TokenKind `json:"kind"`
	Path         string    `json:"path,omitempty"`
	Library      string    `json:"library,omitempty"`
	Slot         uint      `json:"slot"`
	Label        string    `json:"label"`
	Manufacturer string    `json:"manufacturer"`
	Serial       string    `json:"serial"`
	Software     bool      `json:"software"` // the demo's software key
	NeedsPIN     bool      `json:"needs_pin"`
	PINLocked    bool      `json:"pin_locked"`
	PINFinalTry  bool      `json:"pin_final_try"`
}

// Tokens reaches the signing tokens of this PC: FIDO keys through the hub, certificate
// tokens through their PKCS#11 libraries (loaded once, on first use).
type Tokens struct {
	Hub *token.Hub
	// Soft is the software FIDO key of the demo and the tests, or nil.
	Soft *softfido.Authenticator

	mu       sync.Mutex
	drivers  map[string]*pkcs11.Driver
	log      *slog.Logger
	watching atomic.Bool // Watch is polling the bus, so listing need not enumerate again
}

// Watch polls the HID bus until ctx ends (about once a second, see token.Hub) and calls
// onEvent as keys arrive and leave: the window's live token list.
func (t *Tokens) Watch(ctx context.Context, onEvent func(token.Event)) {
	t.watching.Store(true)
	defer t.watching.Store(false)
	go func() { _ = t.Hub.Run(ctx) }()
	for ev := range t.Hub.Events() {
		onEvent(ev)
	}
}

// NewTokens serves the PC's HID bus, plus soft when it is not nil.
func NewTokens(soft *softfido.Authenticator, log *slog.Logger) *Tokens {
	if log == nil {
		log = slog.Default()
	}
	var bus token.Bus = token.SystemBus{}
	if soft != nil {
		sb := softfido.NewBus()
		sb.Attach(soft)
		bus = token.Buses{sb, token.SystemBus{}}
	}
	return &Tokens{Hub: token.NewHub(bus, token.HubOptions{Logger: log}), Soft: soft, drivers: map[string]*pkcs11.Driver{}, log: log}
}

// NewSoftKey opens the software FIDO key kept in dir (its state file is created there on
// first use) and plugs it in. touchDelay is how long the simulated officer takes to touch it.
func NewSoftKey(dir string, touchDelay time.Duration) (*softfido.Authenticator, error) {
	p := softfido.Presence{Mode: softfido.AutoTouch}
	if touchDelay > 0 {
		p = softfido.Presence{Mode: softfido.TouchAfter, Delay: touchDelay}
	}
	k, err := softfido.New(softfido.Config{Dir: dir, Presence: p, Product: "Khoá mềm GiayDiDuong (dùng thử)", Manufacturer: "GiayDiDuong"})
	if err != nil {
		return nil, fmt.Errorf("software key: %w", err)
	}
	if err := k.Plug(); err != nil {
		return nil, fmt.Errorf("software key: %w", err)
	}
	return k, nil
}

// Close unloads the PKCS#11 libraries.
func (t *Tokens) Close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for p, d := range t.drivers {
		if err := d.Close(); err != nil {
			t.log.Warn("unload PKCS#11 library", "library", p, "err", err)
		}
	}
	t.drivers = map[string]*pkcs11.Driver{}
}

func (t *Tokens) driver(ctx context.Context, lib string) (*pkcs11.Driver, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if d, ok := t.drivers[lib]; ok {
		return d, nil
	}
	d, err := pkcs11.New(ctx, lib, pkcs11.Options{Logger: t.log})
	if err != nil {
		return nil, &Error{Code: CodeValidation, VI: "Không nạp được thư viện PKCS#11 của thiết bị ký số (" + lib + "): kiểm tra đường dẫn trong Cài đặt và phần mềm của nhà cung cấp chữ ký số",
			EN: "Cannot load the token's PKCS#11 library " + lib, Fields: fieldErr("library", "load", "Không nạp được thư viện", "Cannot load the library"), cause: err}
	}
	t.drivers[lib] = d
	return d, nil
}

// SoftKeyState says whether there is a software key and whether it is plugged in.
type SoftKeyState struct {
	Present bool `json:"present"`
	Plugged bool `json:"plugged"`
}

// SoftKey reports the software key.
func (t *Tokens) SoftKey() SoftKeyState {
	if t == nil || t.Soft == nil {
		return SoftKeyState{}
	}
	return SoftKeyState{Present: true, Plugged: t.Soft.Plugged()}
}

// SetSoftKeyPlugged plugs the software key in or pulls it out, as an officer would the real
// one: the demo's way to try removal in the middle of a batch.
func (t *Tokens) SetSoftKeyPlugged(plugged bool) (SoftKeyState, error) {
	if t == nil || t.Soft == nil {
		return SoftKeyState{}, newError(CodeNotFound, "Không có khoá mềm dùng thử", "There is no software key")
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

// SetSoftKeyPlugged is the demo's "pull the key out" for those who use keys: leaders, and
// the office admin who enrolls them.
func (a *App) SetSoftKeyPlugged(actor Actor, plugged bool) (SoftKeyState, error) {
	if !auth.Allowed(actor.Role, auth.DecideApplication) && !auth.Allowed(actor.Role, auth.ManageUsers) {
		return SoftKeyState{}, forbidden()
	}
	return a.Tokens.SetSoftKeyPlugged(plugged)
}

// tokens returns the App's token access, made on first use.
func (a *App) tokens() *Tokens {
	a.tokensOnce.Do(func() {
		if a.Tokens == nil {
			a.Tokens = NewTokens(nil, a.log)
		}
	})
	return a.Tokens
}

// pkcs11Library is the library a ref names, or the office setting, or on Windows the one
// CA library found installed.
func (a *App) pkcs11Library(ctx context.Context, ref TokenRef) (string, error) {
	if ref.Library != "" {
		return ref.Library, nil
	}
	s, err := a.settings(ctx)
	if err != nil {
		return "", err
	}
	if s.PKCS11Library != "" {
		return s.PKCS11Library, nil
	}
	if runtime.GOOS == "windows" {
		for _, l := range pkcs11.ProbeLibraries() {
			if l.Found {
				return l.Path, nil
			}
		}
	}
	return "", invalid("library", "required", "Chưa chọn thư viện PKCS#11 của thiết bị ký số: đặt đường dẫn trong Cài đặt", "No PKCS#11 library: set its path in Settings")
}

// ListTokens lists the tokens plugged in now: FIDO keys on the bus and the tokens in the
// slots of library, or of the office's PKCS#11 library when library is "".
func (a *App) ListTokens(ctx context.Context, library string) ([]TokenInfo, error) {
	t := a.tokens()
	if !t.watching.Load() {
		if _, err := t.Hub.Refresh(ctx); err != nil && !errors.Is(err, token.ErrBusy) {
			a.log.Warn("list tokens: HID enumeration failed", "err", err)
		}
	}
	out := []TokenInfo{}
	softPath := ""
	if t.Soft != nil && t.Soft.Plugged() {
		softPath = t.Soft.Info().Path
	}
	for _, k := range t.Hub.Tokens() {
		label := k.Product
		if label == "" {
			label = k.Model
		}
		out = append(out, TokenInfo{Kind: TokenFIDO, Path: k.Path, Label: label, Manufacturer: k.Manufacturer, Serial: k.Serial, Software: k.Path == softPath})
	}
	lib, err := a.pkcs11Library(ctx, TokenRef{Kind: TokenPKCS11, Library: library})
	if err != nil {
		return out, nil // no certificate tokens configured: only FIDO keys
	}
	d, err := t.driver(ctx, lib)
	if err != nil {
		a.log.Warn("list tokens: PKCS#11 library", "library", lib, "err", err)
		return out, nil
	}
	slots, err := d.Slots(ctx)
	if err != nil {
		a.log.Warn("list tokens: PKCS#11 slots", "library", lib, "err", err)
		return out, nil
	}
	for _, s := range slots {
		if !s.HasToken || !s.Token.Initialized {
			continue
		}
		out = append(out, TokenInfo{Kind: TokenPKCS11, Library: lib, Slot: s.ID, Label: s.Token.Label, Manufacturer: s.Token.Manufacturer, Serial: s.Token.Serial,
			NeedsPIN: !s.Token.ProtectedAuthPath, PINLocked: s.Token.PINLocked, PINFinalTry: s.Token.PINFinalTry})
	}
	return out, nil
}

// openFIDO opens the FIDO key ref names (or the only one plugged in).
func (a *App) openFIDO(ctx context.Context, ref TokenRef, onTouch func()) (*ctaphid.Device, error) {
	t := a.tokens()
	if _, err := t.Hub.Refresh(ctx); err != nil && !errors.Is(err, token.ErrBusy) {
		return nil, fmt.Errorf("find FIDO key: %w", err)
	}
	keys := t.Hub.Tokens()
	var found *token.Token
	for i := range keys {
		if ref.Path == "" || keys[i].Path == ref.Path {
			if found != nil {
				return nil, invalid("token", "ambiguous", "Có nhiều khoá FIDO đang cắm: hãy chọn một khoá", "Several FIDO keys are plugged in: choose one")
			}
			found = &keys[i]
		}
	}
	if found == nil {
		return nil, invalid("token", "absent", "Không thấy khoá ký FIDO: hãy cắm khoá vào máy", "No FIDO key found: plug the key in")
	}
	var opts ctaphid.Options
	if onTouch != nil {
		opts.OnKeepalive = func(s ctaphid.KeepaliveStatus) {
			if s == ctaphid.StatusUPNeeded {
				onTouch()
			}
		}
	}
	dev, err := t.Hub.Open(ctx, *found, opts)
	if err != nil {
		return nil, tokenError(err)
	}
	return dev, nil
}

// tokenError turns what a token said into a message a leader can act on.
func tokenError(err error) error {
	var pe *pkcs11.PINError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &pe):
		return &Error{Code: CodeValidation, VI: pe.Error(), EN: "Wrong PIN", Fields: fieldErr("pin", "wrong", pe.Error(), "Wrong PIN"), cause: err}
	case errors.Is(err, token.ErrWrongPIN):
		return &Error{Code: CodeValidation, VI: "Mã PIN của khoá không đúng", EN: "Wrong PIN: " + err.Error(), Fields: fieldErr("pin", "wrong", "Mã PIN không đúng", "Wrong PIN"), cause: err}
	case errors.Is(err, token.ErrPINRequired):
		return &Error{Code: CodeValidation, VI: "Khoá có mã PIN: hãy nhập mã PIN", EN: "The key has a PIN: enter it", Fields: fieldErr("pin", "required", "Cần nhập mã PIN", "PIN required"), cause: err}
	case errors.Is(err, pkcs11.ErrPINLocked):
		return &Error{Code: CodeLocked, VI: "Mã PIN của thiết bị ký số đã bị khoá do nhập sai nhiều lần: liên hệ nhà cung cấp chữ ký số để mở khoá", EN: "The token's PIN is locked after too many wrong PINs", Fields: fieldErr("pin", "locked", "Mã PIN đã bị khoá", "PIN locked"), cause: err}
	case errors.Is(err, token.ErrPINAuthBlocked):
		return &Error{Code: CodeLocked, VI: "Nhập sai mã PIN 3 lần liên tiếp: rút khoá ra, cắm lại rồi thử lại", EN: "Three wrong PINs in a row: unplug the key and plug it in again", Fields: fieldErr("pin", "blocked", "Rút khoá ra và cắm lại", "Re-plug the key"), cause: err}
	case errors.Is(err, token.ErrPINBlocked):
		return &Error{Code: CodeLocked, VI: "Mã PIN của khoá đã bị khoá hẳn: khoá phải được đặt lại và đăng ký lại", EN: "The key's PIN is blocked: it must be reset and enrolled again", Fields: fieldErr("pin", "locked", "Mã PIN đã bị khoá", "PIN blocked"), cause: err}
	case errors.Is(err, token.ErrNotEnrolled):
		return &Error{Code: CodeValidation, VI: "Khoá đang cắm không phải khoá đã đăng ký cho lãnh đạo này: hãy cắm đúng khoá của mình", EN: "The plugged-in key is not the one enrolled for this leader", Fields: fieldErr("token", "not_enrolled", "Không phải khoá đã đăng ký", "Not the enrolled key"), cause: err}
	case errors.Is(err, token.ErrDeviceRemoved), errors.Is(err, pkcs11.ErrTokenRemoved), errors.Is(err, pkcs11.ErrNoToken):
		return &Error{Code: CodeConflict, VI: "Khoá ký đã bị rút ra", EN: "The token was pulled out", Fields: fieldErr("token", "removed", "Khoá đã bị rút ra", "Token removed"), cause: err}
	case errors.Is(err, pkcs11.ErrSlotBusy):
		return &Error{Code: CodeConflict, VI: "Thiết bị ký số đang được dùng cho một lượt ký khác", EN: "The token is busy with another signing", cause: err}
	case errors.Is(err, pkcs11.ErrUnavailable):
		return &Error{Code: CodeConflict, VI: "Bản cài đặt này không dùng được thiết bị ký số PKCS#11", EN: err.Error(), cause: err}
	case errors.Is(err, ctaphid.StatusUserActionTimeout), errors.Is(err, context.DeadlineExceeded):
		return &Error{Code: CodeConflict, VI: "Hết thời gian chờ chạm vào khoá", EN: "Timed out waiting for a touch", cause: err}
	}
	return err
}

func fieldErr(field, code, vi, en string) []domain.FieldError {
	return []domain.FieldError{{Field: field, Code: code, VI: vi, EN: en}}
}
