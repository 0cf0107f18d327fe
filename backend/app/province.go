package app

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"giaydiduong/backend/auth"
	"giaydiduong/backend/pki"
	"giaydiduong/backend/syncclient"
)

// ProvinceEnrollment is the office's link to the provincial server.
type ProvinceEnrollment = syncclient.Identity

// EnrollWithProvince exchanges the one-time code the province gave for the office's sync
// certificate (office admin). The office's own unit travels with the request, so a code
// made for another unit is refused before it is used.
func (a *App) EnrollWithProvince(ctx context.Context, actor Actor, serverURL, code string) (ProvinceEnrollment, error) {
	if err := a.require(actor, auth.ManageSettings); err != nil {
		return ProvinceEnrollment{}, err
	}
	serverURL = strings.TrimSpace(serverURL)
	if !strings.HasPrefix(serverURL, "https://") {
		return ProvinceEnrollment{}, invalid("server", "scheme", "Địa chỉ máy chủ tỉnh phải bắt đầu bằng https://", "The provincial server address must start with https://")
	}
	if _, err := pki.ParseEnrollmentCode(code); err != nil {
		return ProvinceEnrollment{}, invalid("code", "format", "Mã đăng ký phải gồm 28 chữ và số (các nhóm 4 ký tự)", "The enrollment code must be 28 letters and digits (groups of 4)")
	}
	o, err := a.Office(ctx)
	if err != nil {
		return ProvinceEnrollment{}, err
	}
	if o == nil {
		return ProvinceEnrollment{}, newError(CodeConflict, "Văn phòng chưa được thiết lập (gddctl init)", "The office is not set up yet (gddctl init)")
	}
	id, err := syncclient.Enroll(ctx, a.dir, serverURL, code, o.UnitCode)
	if err != nil {
		return ProvinceEnrollment{}, enrollError(err)
	}
	err = a.write(ctx, actor.Username, func(c *change) error {
		return c.record("office.enroll", "province_enrollment", id.OfficeID, nil, map[string]any{
			"server_url": id.ServerURL, "office_id": id.OfficeID, "unit_code": id.UnitCode, "serial": id.Serial, "not_after": id.NotAfter,
		})
	})
	return id, err
}

// ProvinceEnrollmentStatus is the office's enrollment, nil when not enrolled.
func (a *App) ProvinceEnrollmentStatus() (*ProvinceEnrollment, error) {
	id, err := syncclient.LoadIdentity(a.dir)
	if errors.Is(err, syncclient.ErrNotEnrolled) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &id, nil
}

// enrollError turns the server's refusal into the office's error shape, keeping its words.
func enrollError(err error) error {
	if errors.Is(err, syncclient.ErrAlreadyEnrolled) {
		return &Error{Code: CodeConflict, VI: "Văn phòng đã đăng ký với máy chủ tỉnh", EN: "The office is already enrolled with the province", cause: err}
	}
	var se *syncclient.ServerError
	if !errors.As(err, &se) {
		return &Error{Code: CodeInternal, VI: "Không đăng ký được với máy chủ tỉnh", EN: "Could not enroll with the provincial server", cause: err}
	}
	vi, en := se.VI, se.EN
	if vi == "" {
		vi, en = "Máy chủ tỉnh từ chối đăng ký", "The provincial server refused the enrollment"
	}
	code := CodeInternal
	switch se.Status {
	case http.StatusBadRequest, http.StatusUnauthorized, http.StatusGone, http.StatusUnprocessableEntity:
		return invalid("code", se.Code, vi, en)
	case http.StatusConflict, http.StatusForbidden:
		code = CodeConflict
	case http.StatusTooManyRequests:
		code = CodeLocked
	}
	return &Error{Code: code, VI: vi, EN: en, cause: err}
}
