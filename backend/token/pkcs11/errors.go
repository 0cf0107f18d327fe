package pkcs11

import (
	"errors"
	"fmt"
)

// Errors a caller can test with errors.Is. Those the UI shows as they are carry Vietnamese
// text; the wrapped ReturnCode keeps the PKCS#11 detail for support.
var (
	// ErrPINIncorrect: the token refused the PIN. The error is a *PINError saying how many
	// tries the token admits are left, when it says.
	ErrPINIncorrect = errors.New("Mã PIN không đúng")
	// ErrPINLocked: too many wrong PINs; only the token's SO PIN (the CA's unlock tool) helps.
	ErrPINLocked = errors.New("Mã PIN đã bị khóa")
	// ErrTokenRemoved: the token was pulled out (or its session was closed under us) while in use.
	ErrTokenRemoved = errors.New("Thiết bị ký số đã bị rút ra")
	// ErrNoToken: the slot exists but holds no token.
	ErrNoToken = errors.New("Không có thiết bị ký số trong khe")
	// ErrSessionClosed: the Session was closed by its owner.
	ErrSessionClosed = errors.New("pkcs11: session closed")
	// ErrSlotBusy: another Session of this Driver is open on the slot. PKCS#11 login state is
	// shared by all sessions of a process, so a second login would not check its PIN.
	ErrSlotBusy = errors.New("pkcs11: slot already has an open session")
	// ErrNoPrivateKey: the certificate has no matching private key on the token.
	ErrNoPrivateKey = errors.New("pkcs11: no private key for the certificate")
	// ErrNotPermitKey: only ECDSA P-256 keys sign GDD1 permit QR codes (ES256). An RSA
	// certificate can still sign the permit PDF.
	ErrNotPermitKey = errors.New("pkcs11: this certificate's key cannot sign GDD1 permit QR codes (ES256 needs an ECDSA P-256 key; an RSA key can only sign the permit PDF)")
	// ErrUnavailable: this build cannot load PKCS#11 libraries (built without cgo).
	ErrUnavailable = errors.New("pkcs11: not available in this build (needs cgo: CGO_ENABLED=1, on Windows with a mingw-w64 C compiler)")
)

// ReturnCode is a PKCS#11 CK_RV. Errors from the library wrap one, so errors.As finds the code.
type ReturnCode uint

// The return codes this package acts on (PKCS#11 v2.40, pkcs11t.h).
const (
	ckrOK                     ReturnCode = 0x000
	ckrGeneralError           ReturnCode = 0x005
	ckrFunctionFailed         ReturnCode = 0x006
	ckrNoEvent                ReturnCode = 0x008
	ckrAttributeSensitive     ReturnCode = 0x011
	ckrAttributeTypeInvalid   ReturnCode = 0x012
	ckrDeviceError            ReturnCode = 0x030
	ckrDeviceRemoved          ReturnCode = 0x032
	ckrFunctionNotSupported   ReturnCode = 0x054
	ckrKeyHandleInvalid       ReturnCode = 0x060
	ckrObjectHandleInvalid    ReturnCode = 0x082
	ckrPINIncorrect           ReturnCode = 0x0A0
	ckrPINInvalid             ReturnCode = 0x0A1
	ckrPINLenRange            ReturnCode = 0x0A2
	ckrPINExpired             ReturnCode = 0x0A3
	ckrPINLocked              ReturnCode = 0x0A4
	ckrSessionClosed          ReturnCode = 0x0B0
	ckrSessionHandleInvalid   ReturnCode = 0x0B3
	ckrTokenNotPresent        ReturnCode = 0x0E0
	ckrTokenNotRecognized     ReturnCode = 0x0E1
	ckrUserAlreadyLoggedIn    ReturnCode = 0x100
	ckrUserNotLoggedIn        ReturnCode = 0x101
	ckrCryptokiNotInitialized ReturnCode = 0x190
	ckrCryptokiAlreadyInit    ReturnCode = 0x191
)

var codeNames = map[ReturnCode]string{
	ckrOK: "CKR_OK", ckrGeneralError: "CKR_GENERAL_ERROR", ckrFunctionFailed: "CKR_FUNCTION_FAILED",
	ckrNoEvent: "CKR_NO_EVENT", ckrAttributeSensitive: "CKR_ATTRIBUTE_SENSITIVE",
	ckrAttributeTypeInvalid: "CKR_ATTRIBUTE_TYPE_INVALID", ckrDeviceError: "CKR_DEVICE_ERROR",
	ckrDeviceRemoved: "CKR_DEVICE_REMOVED", ckrFunctionNotSupported: "CKR_FUNCTION_NOT_SUPPORTED",
	ckrKeyHandleInvalid: "CKR_KEY_HANDLE_INVALID", ckrObjectHandleInvalid: "CKR_OBJECT_HANDLE_INVALID",
	ckrPINIncorrect: "CKR_PIN_INCORRECT", ckrPINInvalid: "CKR_PIN_INVALID", ckrPINLenRange: "CKR_PIN_LEN_RANGE",
	ckrPINExpired: "CKR_PIN_EXPIRED", ckrPINLocked: "CKR_PIN_LOCKED", ckrSessionClosed: "CKR_SESSION_CLOSED",
	ckrSessionHandleInvalid: "CKR_SESSION_HANDLE_INVALID", ckrTokenNotPresent: "CKR_TOKEN_NOT_PRESENT",
	ckrTokenNotRecognized: "CKR_TOKEN_NOT_RECOGNIZED", ckrUserAlreadyLoggedIn: "CKR_USER_ALREADY_LOGGED_IN",
	ckrUserNotLoggedIn: "CKR_USER_NOT_LOGGED_IN", ckrCryptokiNotInitialized: "CKR_CRYPTOKI_NOT_INITIALIZED",
	ckrCryptokiAlreadyInit: "CKR_CRYPTOKI_ALREADY_INITIALIZED",
}

func (c ReturnCode) Error() string {
	if n, ok := codeNames[c]; ok {
		return fmt.Sprintf("%s (0x%X)", n, uint(c))
	}
	return fmt.Sprintf("CKR 0x%X", uint(c))
}

// Token flags (CK_TOKEN_INFO.flags) this package reads.
const (
	ckfLoginRequired       = 0x00000004
	ckfProtectedAuthPath   = 0x00000100
	ckfTokenInitialized    = 0x00000400
	ckfUserPINCountLow     = 0x00010000
	ckfUserPINFinalTry     = 0x00020000
	ckfUserPINLocked       = 0x00040000
	ckfUserPINToBeChanged  = 0x00080000
	ckfSlotTokenPresent    = 0x00000001 // CK_SLOT_INFO.flags
	ckfSlotRemovableDevice = 0x00000002
)

// PINError is a refused PIN. PKCS#11 does not give a count of tries left; it only says
// "few left" (CKF_USER_PIN_COUNT_LOW) or "one left" (CKF_USER_PIN_FINAL_TRY), so Remaining is
// 1 on the final try and -1 when the token does not say.
type PINError struct {
	Remaining int
	Low       bool       // the token reports few tries left
	Code      ReturnCode // what C_Login returned
}

func (e *PINError) Error() string {
	switch {
	case e.Remaining > 0:
		return fmt.Sprintf("Mã PIN không đúng, còn %d lần thử", e.Remaining)
	case e.Low:
		return "Mã PIN không đúng, còn ít lần thử trước khi thiết bị khóa mã PIN"
	default:
		return "Mã PIN không đúng"
	}
}

// Is makes errors.Is(err, ErrPINIncorrect) true.
func (e *PINError) Is(target error) bool { return target == ErrPINIncorrect }

// Unwrap exposes the return code.
func (e *PINError) Unwrap() error { return e.Code }

// loginError turns C_Login's failure into the error the UI shows. tokenFlags are read after
// the failed attempt, so they count it.
func loginError(err error, tokenFlags uint) error {
	var rv ReturnCode
	if !errors.As(err, &rv) {
		return fmt.Errorf("pkcs11: C_Login: %w", err)
	}
	switch {
	case rv == ckrPINLocked, tokenFlags&ckfUserPINLocked != 0 && isPINCode(rv):
		return fmt.Errorf("%w: %w", ErrPINLocked, rv)
	case isPINCode(rv):
		pe := &PINError{Remaining: -1, Low: tokenFlags&ckfUserPINCountLow != 0, Code: rv}
		if tokenFlags&ckfUserPINFinalTry != 0 {
			pe.Remaining = 1
		}
		return pe
	}
	return opError("C_Login", err)
}

func isPINCode(rv ReturnCode) bool {
	return rv == ckrPINIncorrect || rv == ckrPINInvalid || rv == ckrPINLenRange
}

// removalCodes are what libraries return once the token is gone: the device itself, or the
// sessions PKCS#11 closes on removal.
func isRemovalCode(rv ReturnCode) bool {
	switch rv {
	case ckrDeviceRemoved, ckrTokenNotPresent, ckrTokenNotRecognized, ckrSessionClosed, ckrSessionHandleInvalid:
		return true
	}
	return false
}

// opError wraps a library error with the function that failed, and marks removal.
func opError(op string, err error) error {
	var rv ReturnCode
	if errors.As(err, &rv) && isRemovalCode(rv) {
		return fmt.Errorf("pkcs11: %s: %w: %w", op, ErrTokenRemoved, err)
	}
	return fmt.Errorf("pkcs11: %s: %w", op, err)
}
