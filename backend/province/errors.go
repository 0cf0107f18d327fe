package province

import "errors"

// Kind classifies an error for the adapters (HTTP status, CLI exit message).
type Kind string

const (
	KindInvalid         Kind = "invalid"         // malformed input
	KindUnauthenticated Kind = "unauthenticated" // no or bad credentials
	KindForbidden       Kind = "forbidden"
	KindNotFound        Kind = "not_found"
	KindConflict        Kind = "conflict"
	KindGone            Kind = "gone" // expired
	KindUnprocessable   Kind = "unprocessable"
	KindRateLimited     Kind = "rate_limited"
	KindUnavailable     Kind = "unavailable"
	KindInternal        Kind = "internal"
)

// Error is what the province's use cases return: a kind and the message in Vietnamese and
// English.
type Error struct {
	Kind  Kind   `json:"code"`
	VI    string `json:"vi"`
	EN    string `json:"en"`
	cause error
}

func (e *Error) Error() string {
	if e.cause != nil {
		return e.VI + " (" + e.EN + "): " + e.cause.Error()
	}
	return e.VI + " (" + e.EN + ")"
}

func (e *Error) Unwrap() error { return e.cause }

func newErr(k Kind, vi, en string) *Error { return &Error{Kind: k, VI: vi, EN: en} }

// AsError gives every error the one shape adapters show; anything unclassified is internal.
func AsError(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Kind: KindInternal, VI: "Lỗi hệ thống", EN: "Internal error", cause: err}
}
