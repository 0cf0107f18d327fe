package app

import (
	"errors"
	"fmt"
	"time"

	"giaydiduong/backend/domain"
)

// Code classifies an error for every adapter (window, CLI, HTTP).
type Code string

const (
	CodeValidation        Code = "validation"
	CodeForbidden         Code = "forbidden"
	CodeUnauthenticated   Code = "unauthenticated"
	CodeNotFound          Code = "not_found"
	CodeConflict          Code = "conflict"
	CodeLocked            Code = "locked"
	CodeInvalidTransition Code = "invalid_transition"
	CodeScreenLocked      Code = "screen_locked"
	CodeInternal          Code = "internal"
	// CodeDuplicate: the citizen already has an open application or an overlapping permit;
	// the error's Duplicates name them, and the caller may confirm (AddOptions.AllowDuplicate).
	CodeDuplicate Code = "duplicate"
)

// Error is what the service layer returns to its adapters: a code, a message in Vietnamese
// and English, and, for bad input, the fields at fault.
type Error struct {
	Code   Code                `json:"code"`
	VI     string              `json:"vi"`
	EN     string              `json:"en"`
	Fields []domain.FieldError `json:"fields,omitempty"`
	// Duplicates are the existing records a CodeDuplicate error is about.
	Duplicates []Duplicate `json:"duplicates,omitempty"`
	cause      error
}

// Duplicate is an existing record of the same citizen that a new application may repeat.
type Duplicate struct {
	ID           string    `json:"id"`
	FullName     string    `json:"full_name"`
	IDNumber     string    `json:"id_number"`
	Status       string    `json:"status"`
	ValidFrom    string    `json:"valid_from"`
	ValidTo      string    `json:"valid_to"`
	RouteTo      string    `json:"route_to"`
	CreatedAt    time.Time `json:"created_at"`
	PermitNumber string    `json:"permit_number"`
	PermitStatus string    `json:"permit_status"`
}

func (e *Error) Error() string {
	if e.cause != nil && e.Code == CodeInternal {
		return e.VI + ": " + e.cause.Error()
	}
	return e.VI
}

func (e *Error) Unwrap() error { return e.cause }

func newError(code Code, vi, en string) *Error { return &Error{Code: code, VI: vi, EN: en} }

func forbidden() *Error {
	return newError(CodeForbidden, "Bạn không có quyền thực hiện thao tác này", "You are not allowed to do this")
}

func notFound(what string) *Error {
	return newError(CodeNotFound, "Không tìm thấy "+what, "Not found: "+what)
}

func invalid(field, code, vi, en string) *Error {
	return &Error{Code: CodeValidation, VI: vi, EN: en, Fields: []domain.FieldError{{Field: field, Code: code, VI: vi, EN: en}}}
}

// AsError turns any error into an *Error, so adapters have one shape to show.
func AsError(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	var v *domain.ValidationError
	if errors.As(err, &v) {
		return &Error{Code: CodeValidation, VI: v.Error(), EN: "Invalid input: " + joinEN(v.Fields), Fields: v.Fields, cause: err}
	}
	if errors.Is(err, domain.ErrInvalidTransition) {
		return &Error{Code: CodeInvalidTransition, VI: "Không thể chuyển trạng thái hồ sơ: " + err.Error(), EN: err.Error(), cause: err}
	}
	return &Error{Code: CodeInternal, VI: "Lỗi hệ thống", EN: "Internal error", cause: err}
}

func joinEN(fs []domain.FieldError) string {
	s := ""
	for i, f := range fs {
		if i > 0 {
			s += "; "
		}
		s += fmt.Sprintf("%s: %s", f.Field, f.EN)
	}
	return s
}
