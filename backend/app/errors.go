package app

import (
	"errors"
	"strings"
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
		// The message names each problem in words; the field keys stay in Fields for the window.
		return &Error{Code: CodeValidation, VI: "Dữ liệu chưa hợp lệ: " + joinMessages(v.Fields, false), EN: "Invalid input: " + joinMessages(v.Fields, true), Fields: v.Fields, cause: err}
	}
	if errors.Is(err, domain.ErrInvalidTransition) {
		return &Error{Code: CodeInvalidTransition, VI: "Không thể làm bước này với hồ sơ hoặc giấy ở trạng thái hiện tại; hãy tải lại danh sách", EN: "This step is not possible in the record's current state (" + err.Error() + "); reload the list", cause: err}
	}
	return &Error{Code: CodeInternal, VI: "Lỗi hệ thống", EN: "Internal error", cause: err}
}

// joinMessages joins the fields' messages, each once, in one language.
func joinMessages(fs []domain.FieldError, en bool) string {
	parts := make([]string, 0, len(fs))
	seen := map[string]bool{}
	for _, f := range fs {
		m := f.VI
		if en {
			m = f.EN
		}
		m = strings.TrimSuffix(strings.TrimSpace(m), ".")
		if m == "" || seen[m] {
			continue
		}
		seen[m] = true
		parts = append(parts, m)
	}
	return strings.Join(parts, "; ")
}
