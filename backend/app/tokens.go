package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"time"

	"giaydiduong/backend/auth"
	"giaydiduong/backend/domain"
	"giaydiduong/backend/token"
	"giaydiduong/backend/token/ctaphid"
	"giaydiduong/backend/token/pkcs11"
	"giaydiduong/backend/token/softfido"
)

// The token types are the token package's; app names them for its callers.
type (
	// TokenKind is the kind of a leader's signing token.
	TokenKind = token.Kind
	// TokenRef names the token to use.
	TokenRef = token.Ref
	// TokenInfo is a token plugged into this PC.
	TokenInfo = token.Info
	// Tokens reaches the signing tokens of this PC.
	Tokens = token.Access
	// SoftKeyState says whether there is a software key and whether it is plugged in.
	SoftKeyState = token.SoftKeyState
)

// Token kinds.
const (
	TokenFIDO   = token.KindFIDO
	TokenPKCS11 = token.KindPKCS11
)

// NewTokens serves the PC's HID bus, plus soft when it is not nil.
func NewTokens(soft *softfido.Authenticator, log *slog.Logger) *Tokens {
	return token.NewAccess(soft, log)
}

// NewSoftKey opens the software FIDO key kept in dir (its state file is created there on
// first use) and plugs it in. touchDelay is how long the simulated officer takes to touch it.
func NewSoftKey(dir string, touchDelay time.Duration) (*softfido.Authenticator, error) {
	p := softfido.Presence{Mode: softfido.AutoTouch}
	if touchDelay > 0 {
		p = softfido.Presence{Mode: softfido.TouchAfter, Delay: touchDelay}
	}
	k, err := softfido.New(softfido.Config{Dir: dir, Presence: p, Product: "Khóa mềm GiayDiDuong (dùng thử)", Manufacturer: "GiayDiDuong"})
	if err != nil {
		return nil, fmt.Errorf("software key: %w", err)
	}
	if err := k.Plug(); err != nil {
		return nil, fmt.Errorf("software key: %w", err)
	}
	return k, nil
}

// pkcs11Driver loads a PKCS#11 library, naming it in the error a clerk sees.
func (a *App) pkcs11Driver(ctx context.Context, lib string) (*pkcs11.Driver, error) {
	d, err := a.tokens().Driver(ctx, lib)
	if err != nil {
		return nil, &Error{Code: CodeValidation, VI: "Không nạp được tệp thư viện của thiết bị ký số (" + lib + "): kiểm tra đường dẫn trong Cài đặt và phần mềm của nhà cung cấp chữ ký số",
			EN: "Cannot load the token's PKCS#11 library " + lib, Fields: fieldErr("library", "load", "Không nạp được thư viện", "Cannot load the library"), cause: err}
	}
	return d, nil
}

// SetSoftKeyPlugged is the demo's "pull the key out" for those who use keys: leaders, and
// the office admin who enrolls them.
func (a *App) SetSoftKeyPlugged(actor Actor, plugged bool) (SoftKeyState, error) {
	if !auth.Allowed(actor.Role, auth.DecideApplication) && !auth.Allowed(actor.Role, auth.ManageUsers) {
		return SoftKeyState{}, forbidden()
	}
	st, err := a.Tokens.SetSoftKeyPlugged(plugged)
	if errors.Is(err, token.ErrNoSoftKey) {
		return SoftKeyState{}, newError(CodeNotFound, "Không có khóa mềm dùng thử", "There is no software key")
	}
	return st, err
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
	return "", invalid("library", "required", "Chưa chọn tệp thư viện của thiết bị ký số: đặt đường dẫn trong Cài đặt", "No PKCS#11 library: set its path in Settings")
}

// ListTokens lists the tokens plugged in now: FIDO keys on the bus and the tokens in the
// slots of library, or of the office's PKCS#11 library when library is "".
func (a *App) ListTokens(ctx context.Context, library string) ([]TokenInfo, error) {
	lib, err := a.pkcs11Library(ctx, TokenRef{Kind: TokenPKCS11, Library: library})
	if err != nil {
		lib = "" // no certificate tokens configured: only FIDO keys
	}
	return a.tokens().List(ctx, lib), nil
}

// openFIDO opens the FIDO key ref names (or the only one plugged in).
func (a *App) openFIDO(ctx context.Context, ref TokenRef, onTouch func()) (*ctaphid.Device, error) {
	found, err := a.tokens().FindFIDO(ctx, ref.Path)
	switch {
	case errors.Is(err, token.ErrAmbiguousKey):
		return nil, invalid("token", "ambiguous", "Có nhiều khóa ký số USB đang cắm: hãy chọn một khóa", "Several FIDO keys are plugged in: choose one")
	case errors.Is(err, token.ErrNoKey):
		return nil, invalid("token", "absent", "Không thấy khóa ký số USB: hãy cắm khóa vào máy", "No FIDO key found: plug the key in")
	case err != nil:
		return nil, err
	}
	var opts ctaphid.Options
	if onTouch != nil {
		opts.OnKeepalive = func(s ctaphid.KeepaliveStatus) {
			if s == ctaphid.StatusUPNeeded {
				onTouch()
			}
		}
	}
	dev, err := a.tokens().Hub.Open(ctx, found, opts)
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
		return &Error{Code: CodeValidation, VI: "Mã PIN của khóa không đúng", EN: "Wrong PIN: " + err.Error(), Fields: fieldErr("pin", "wrong", "Mã PIN không đúng", "Wrong PIN"), cause: err}
	case errors.Is(err, token.ErrPINRequired):
		return &Error{Code: CodeValidation, VI: "Khóa có mã PIN: hãy nhập mã PIN", EN: "The key has a PIN: enter it", Fields: fieldErr("pin", "required", "Cần nhập mã PIN", "PIN required"), cause: err}
	case errors.Is(err, pkcs11.ErrPINLocked):
		return &Error{Code: CodeLocked, VI: "Mã PIN của thiết bị ký số đã bị khóa do nhập sai nhiều lần: liên hệ nhà cung cấp chữ ký số để mở khóa", EN: "The token's PIN is locked after too many wrong PINs", Fields: fieldErr("pin", "locked", "Mã PIN đã bị khóa", "PIN locked"), cause: err}
	case errors.Is(err, token.ErrPINAuthBlocked):
		return &Error{Code: CodeLocked, VI: "Nhập sai mã PIN 3 lần liên tiếp: rút khóa ra, cắm lại rồi thử lại", EN: "Three wrong PINs in a row: unplug the key and plug it in again", Fields: fieldErr("pin", "blocked", "Rút khóa ra và cắm lại", "Re-plug the key"), cause: err}
	case errors.Is(err, token.ErrPINBlocked):
		return &Error{Code: CodeLocked, VI: "Mã PIN của khóa đã bị khóa hẳn: khóa phải được đặt lại và đăng ký lại", EN: "The key's PIN is blocked: it must be reset and enrolled again", Fields: fieldErr("pin", "locked", "Mã PIN đã bị khóa", "PIN blocked"), cause: err}
	case errors.Is(err, token.ErrNotEnrolled):
		return &Error{Code: CodeValidation, VI: "Khóa đang cắm không phải khóa đã đăng ký cho lãnh đạo này: hãy cắm đúng khóa của mình", EN: "The plugged-in key is not the one enrolled for this leader", Fields: fieldErr("token", "not_enrolled", "Không phải khóa đã đăng ký", "Not the enrolled key"), cause: err}
	case errors.Is(err, token.ErrCounterNotIncreasing):
		return &Error{Code: CodeConflict, VI: "Bộ đếm chữ ký của khóa ký số USB không tăng (khóa có thể đã bị sao chép): không ký; sự việc đã được ghi nhật ký, hãy báo quản trị",
			EN: "The FIDO key's signature counter did not increase (the key may have been copied): nothing was signed; this was logged, tell the admin", Fields: fieldErr("token", "counter", "Bộ đếm chữ ký không tăng", "Counter did not increase"), cause: err}
	case errors.Is(err, token.ErrDeviceRemoved), errors.Is(err, pkcs11.ErrTokenRemoved), errors.Is(err, pkcs11.ErrNoToken):
		return &Error{Code: CodeConflict, VI: "Khóa ký đã bị rút ra", EN: "The token was pulled out", Fields: fieldErr("token", "removed", "Khóa đã bị rút ra", "Token removed"), cause: err}
	case errors.Is(err, pkcs11.ErrSlotBusy):
		return &Error{Code: CodeConflict, VI: "Thiết bị ký số đang được dùng cho một lượt ký khác", EN: "The token is busy with another signing", cause: err}
	case errors.Is(err, pkcs11.ErrUnavailable):
		return &Error{Code: CodeConflict, VI: "Bản cài đặt này không dùng được thiết bị ký số có chứng thư số", EN: err.Error(), cause: err}
	case errors.Is(err, ctaphid.StatusUserActionTimeout), errors.Is(err, context.DeadlineExceeded):
		return &Error{Code: CodeConflict, VI: "Hết thời gian chờ chạm vào khóa", EN: "Timed out waiting for a touch", cause: err}
	}
	return err
}

func fieldErr(field, code, vi, en string) []domain.FieldError {
	return []domain.FieldError{{Field: field, Code: code, VI: vi, EN: en}}
}
