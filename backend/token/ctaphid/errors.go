package ctaphid

import (
	"errors"
	"fmt"
)

var (
	// ErrDeviceRemoved is wrapped by every error caused by a failed read or write: hidapi
	// reports an unplugged key that way, and no retry can help.
	ErrDeviceRemoved = errors.New("ctaphid: device removed")
	// ErrTimeout: the key sent nothing for this channel (not even a keepalive) for longer
	// than Options.IdleTimeout.
	ErrTimeout = errors.New("ctaphid: timed out waiting for the device")
	// ErrMessageTooLong: a request above MaxMessageSize bytes, refused before anything is sent.
	ErrMessageTooLong = errors.New("ctaphid: message longer than 7609 bytes")
	// ErrProtocol: the key answered something the specification does not allow.
	ErrProtocol = errors.New("ctaphid: protocol violation by the device")
)

// Error is a CTAPHID_ERROR code sent by the key.
type Error byte

// CTAPHID error codes (CTAP 2.0 section 8.1.9.1.6).
const (
	ErrInvalidCmd     Error = 0x01 // the command is not supported
	ErrInvalidPar     Error = 0x02 // a parameter is invalid
	ErrInvalidLen     Error = 0x03 // the message length is invalid
	ErrInvalidSeq     Error = 0x04 // a continuation packet came out of sequence
	ErrMsgTimeout     Error = 0x05 // the message was not completed in time
	ErrChannelBusy    Error = 0x06 // another channel has a transaction in progress
	ErrLockRequired   Error = 0x0a // the command needs a channel lock
	ErrInvalidChannel Error = 0x0b // the CID is not allocated
	ErrOther          Error = 0x7f // unspecified
)

var hidErrorNames = map[Error]string{
	ErrInvalidCmd: "ERR_INVALID_CMD", ErrInvalidPar: "ERR_INVALID_PAR", ErrInvalidLen: "ERR_INVALID_LEN",
	ErrInvalidSeq: "ERR_INVALID_SEQ", ErrMsgTimeout: "ERR_MSG_TIMEOUT", ErrChannelBusy: "ERR_CHANNEL_BUSY",
	ErrLockRequired: "ERR_LOCK_REQUIRED", ErrInvalidChannel: "ERR_INVALID_CHANNEL", ErrOther: "ERR_OTHER",
}

func (e Error) Error() string {
	if n, ok := hidErrorNames[e]; ok {
		return fmt.Sprintf("ctaphid: device error %s (0x%02x)", n, byte(e))
	}
	return fmt.Sprintf("ctaphid: device error 0x%02x", byte(e))
}

// StatusError is a non-zero CTAP2 status byte.
type StatusError byte

// CTAP2 status codes (CTAP 2.0 section 6.3) that callers act on; others keep their number.
const (
	StatusInvalidCommand       StatusError = 0x01
	StatusInvalidParameter     StatusError = 0x02
	StatusInvalidLength        StatusError = 0x03
	StatusCBORUnexpectedType   StatusError = 0x11
	StatusInvalidCBOR          StatusError = 0x12
	StatusMissingParameter     StatusError = 0x14
	StatusCredentialExcluded   StatusError = 0x19
	StatusInvalidCredential    StatusError = 0x22
	StatusUnsupportedAlgorithm StatusError = 0x26
	StatusOperationDenied      StatusError = 0x27
	StatusUnsupportedOption    StatusError = 0x2b
	StatusInvalidOption        StatusError = 0x2c
	StatusKeepaliveCancel      StatusError = 0x2d
	StatusNoCredentials        StatusError = 0x2e
	StatusUserActionTimeout    StatusError = 0x2f
	StatusNotAllowed           StatusError = 0x30
	StatusPINInvalid           StatusError = 0x31
	StatusPINBlocked           StatusError = 0x32
	StatusPINAuthInvalid       StatusError = 0x33
	StatusPINAuthBlocked       StatusError = 0x34
	StatusPINNotSet            StatusError = 0x35
	StatusPINRequired          StatusError = 0x36
	StatusPINPolicyViolation   StatusError = 0x37
	StatusOther                StatusError = 0x7f
)

var statusNames = map[StatusError]string{
	StatusInvalidCommand: "INVALID_COMMAND", StatusInvalidParameter: "INVALID_PARAMETER",
	StatusInvalidLength: "INVALID_LENGTH", StatusCBORUnexpectedType: "CBOR_UNEXPECTED_TYPE",
	StatusInvalidCBOR: "INVALID_CBOR", StatusMissingParameter: "MISSING_PARAMETER",
	StatusCredentialExcluded: "CREDENTIAL_EXCLUDED", StatusInvalidCredential: "INVALID_CREDENTIAL",
	StatusUnsupportedAlgorithm: "UNSUPPORTED_ALGORITHM", StatusOperationDenied: "OPERATION_DENIED",
	StatusUnsupportedOption: "UNSUPPORTED_OPTION", StatusInvalidOption: "INVALID_OPTION",
	StatusKeepaliveCancel: "KEEPALIVE_CANCEL", StatusNoCredentials: "NO_CREDENTIALS",
	StatusUserActionTimeout: "USER_ACTION_TIMEOUT", StatusNotAllowed: "NOT_ALLOWED",
	StatusPINInvalid: "PIN_INVALID", StatusPINBlocked: "PIN_BLOCKED", StatusPINAuthInvalid: "PIN_AUTH_INVALID",
	StatusPINAuthBlocked: "PIN_AUTH_BLOCKED", StatusPINNotSet: "PIN_NOT_SET", StatusPINRequired: "PIN_REQUIRED",
	StatusPINPolicyViolation: "PIN_POLICY_VIOLATION", StatusOther: "OTHER",
}

func (s StatusError) Error() string {
	if n, ok := statusNames[s]; ok {
		return fmt.Sprintf("ctap2: CTAP2_ERR_%s (0x%02x)", n, byte(s))
	}
	return fmt.Sprintf("ctap2: status 0x%02x", byte(s))
}

// StatusWord is a U2F (ISO 7816-4) status word other than 0x9000.
type StatusWord uint16

// U2F status words (FIDO U2F Raw Message Formats, section 3.3).
const (
	SWNoError                StatusWord = 0x9000
	SWConditionsNotSatisfied StatusWord = 0x6985 // test of user presence required
	SWWrongData              StatusWord = 0x6a80 // bad key handle, or a control byte the key does not know
	SWWrongLength            StatusWord = 0x6700
	SWClaNotSupported        StatusWord = 0x6e00
	SWInsNotSupported        StatusWord = 0x6d00
)

func (sw StatusWord) Error() string {
	switch sw {
	case SWConditionsNotSatisfied:
		return "u2f: SW_CONDITIONS_NOT_SATISFIED (0x6985)"
	case SWWrongData:
		return "u2f: SW_WRONG_DATA (0x6a80)"
	case SWWrongLength:
		return "u2f: SW_WRONG_LENGTH (0x6700)"
	case SWClaNotSupported:
		return "u2f: SW_CLA_NOT_SUPPORTED (0x6e00)"
	case SWInsNotSupported:
		return "u2f: SW_INS_NOT_SUPPORTED (0x6d00)"
	}
	return fmt.Sprintf("u2f: status word 0x%04x", uint16(sw))
}
