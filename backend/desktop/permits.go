package desktop

import (
	"encoding/base64"

	"giaydiduong/backend/app"
	"giaydiduong/backend/domain"
	"giaydiduong/backend/printing"
	"giaydiduong/backend/render"
)

// PermitService issues, shows, prints and revokes permits.
type PermitService struct{ base }

func paper(a4 bool) render.Paper {
	if a4 {
		return render.A4
	}
	return render.A5
}

func badFile(field string) error {
	return &app.Error{Code: app.CodeValidation, VI: "Tệp gửi lên bị hỏng", EN: "The uploaded file is corrupt",
		Fields: []domain.FieldError{{Field: field, Code: "bad_file", VI: "Tệp gửi lên bị hỏng", EN: "The uploaded file is corrupt"}}}
}

func (s *PermitService) Issue(applicationID string) (app.Permit, error) {
	return call(s.base, func(a app.Actor) (app.Permit, error) { return s.app.IssuePermit(s.ctx, a, applicationID) })
}

// List returns the office's permits, of one status when status is not "".
func (s *PermitService) List(status string) ([]app.Permit, error) {
	return call(s.base, func(a app.Actor) ([]app.Permit, error) { return s.app.ListPermits(s.ctx, a, status) })
}

func (s *PermitService) Get(number string) (app.Permit, error) {
	return call(s.base, func(a app.Actor) (app.Permit, error) { return s.app.GetPermit(s.ctx, a, number) })
}

// ForApplication returns the application's permit, or null when none was issued.
func (s *PermitService) ForApplication(applicationID string) (*app.Permit, error) {
	return call(s.base, func(a app.Actor) (*app.Permit, error) { return s.app.PermitForApplication(s.ctx, a, applicationID) })
}

func (s *PermitService) MarkHandSigned(number string) (app.Permit, error) {
	return call(s.base, func(a app.Actor) (app.Permit, error) { return s.app.MarkHandSigned(s.ctx, a, number) })
}

// HandOver records that the citizen received the permit; opts may ask for a printed copy.
func (s *PermitService) HandOver(number string, opts app.HandOverOptions) (app.Permit, error) {
	return call(s.base, func(a app.Actor) (app.Permit, error) { return s.app.HandOver(s.ctx, a, number, opts) })
}

func (s *PermitService) Revoke(number, reason string) (app.Permit, error) {
	return call(s.base, func(a app.Actor) (app.Permit, error) { return s.app.RevokePermit(s.ctx, a, number, reason) })
}

// Preview returns the PDF (base64) as it would print, without counting a copy.
func (s *PermitService) Preview(numbers []string, a4 bool) (string, error) {
	return call(s.base, func(a app.Actor) (string, error) {
		pdf, err := s.app.PermitsPDF(s.ctx, a, numbers, paper(a4), app.ForPreview)
		return base64.StdEncoding.EncodeToString(pdf), err
	})
}

// Print sends permits to printer ("" = the office default).
func (s *PermitService) Print(numbers []string, printer string, a4 bool) (printing.Job, error) {
	return call(s.base, func(a app.Actor) (printing.Job, error) {
		return s.app.PrintPermits(s.ctx, a, numbers, printer, paper(a4))
	})
}

// Printers lists the printers and which one the office uses by default.
func (s *PermitService) Printers() ([]printing.Printer, error) {
	return call(s.base, func(app.Actor) ([]printing.Printer, error) { return s.app.Printers(s.ctx) })
}

// FormPreview is the blank paper application form (base64 PDF).
func (s *PermitService) FormPreview(a4 bool) (string, error) {
	return call(s.base, func(app.Actor) (string, error) {
		pdf, err := s.app.ApplicationFormPDF(s.ctx, paper(a4))
		return base64.StdEncoding.EncodeToString(pdf), err
	})
}

func (s *PermitService) PrintForm(printer string, copies int, a4 bool) (printing.Job, error) {
	return call(s.base, func(a app.Actor) (printing.Job, error) {
		return s.app.PrintApplicationForm(s.ctx, a, printer, copies, paper(a4))
	})
}

// VerifyService is the checkpoint screen "Kiểm tra giấy đi đường".
type VerifyService struct{ base }

func (s *VerifyService) Text(text string) (app.Verification, error) {
	return call(s.base, func(a app.Actor) (app.Verification, error) { return s.app.Verify(s.ctx, a, text) })
}

// Image verifies the QR in a photo or scan (base64 PNG/JPEG).
func (s *VerifyService) Image(b64 string) (app.Verification, error) {
	return call(s.base, func(a app.Actor) (app.Verification, error) {
		data, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			return app.Verification{}, badFile("image")
		}
		return s.app.VerifyImage(s.ctx, a, data)
	})
}

// PDF verifies every page of a permit PDF (base64).
func (s *VerifyService) PDF(b64 string) ([]app.Verification, error) {
	return call(s.base, func(a app.Actor) ([]app.Verification, error) {
		data, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			return nil, badFile("pdf")
		}
		return s.app.VerifyPDF(s.ctx, a, data)
	})
}

func (s *VerifyService) TrustStatus() (app.TrustStatus, error) {
	return call(s.base, func(a app.Actor) (app.TrustStatus, error) { return s.app.TrustStatus(s.ctx, a) })
}
