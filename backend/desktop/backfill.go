package desktop

import (
	"bytes"
	"encoding/base64"
	"io"

	"giaydiduong/backend/app"
	"giaydiduong/backend/backfill"
	"giaydiduong/backend/report"
)

// BackfillService is the screen "Nhập giấy cấp thủ công": one paper permit by form, or a
// whole Excel file checked and imported as a job.
type BackfillService struct{ base }

func b64Of(write func(w io.Writer) error) (string, error) {
	var b bytes.Buffer
	if err := write(&b); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(b.Bytes()), nil
}

// Template is the Excel import template (base64).
func (s *BackfillService) Template() (string, error) {
	return call(s.base, func(a app.Actor) (string, error) {
		return b64Of(func(w io.Writer) error { return s.app.BackfillTemplate(s.ctx, a, w) })
	})
}

// Submit enters one paper permit; scanB64 is its scanned copy ("" for none).
func (s *BackfillService) Submit(form backfill.Form, scanName, scanB64 string) (app.Permit, error) {
	return call(s.base, func(a app.Actor) (app.Permit, error) {
		var paper *app.PaperScan
		if scanB64 != "" {
			data, err := base64.StdEncoding.DecodeString(scanB64)
			if err != nil {
				return app.Permit{}, badFile("scan")
			}
			paper = &app.PaperScan{Name: scanName, Data: data}
		}
		return s.app.BackfillPermit(s.ctx, a, form, paper)
	})
}

// StartImport checks (commit false) or imports (commit true) a file in the background.
func (s *BackfillService) StartImport(name, b64 string, commit bool) (string, error) {
	return call(s.base, func(a app.Actor) (string, error) {
		data, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			return "", badFile("file")
		}
		return s.app.StartBackfillImport(s.ctx, a, name, data, commit)
	})
}

// Job is the progress of a check or import.
func (s *BackfillService) Job(id string) (app.BackfillJob, error) {
	return poll(s.base, func(a app.Actor) (app.BackfillJob, error) { return s.app.BackfillImportJob(a, id) })
}

// Cancel stops a check or import.
func (s *BackfillService) Cancel(id string) error {
	_, err := call(s.base, func(a app.Actor) (struct{}, error) { return struct{}{}, s.app.CancelBackfillImport(a, id) })
	return err
}

// ReportService is the screen "Báo cáo, thống kê": figures, the daily register, retention.
type ReportService struct{ base }

// Summary counts the permits of a period.
func (s *ReportService) Summary(from, to string) (report.Summary, error) {
	return call(s.base, func(a app.Actor) (report.Summary, error) { return s.app.ReportSummary(s.ctx, a, from, to) })
}

// Register is one day's register book.
func (s *ReportService) Register(day string) (report.Register, error) {
	return call(s.base, func(a app.Actor) (report.Register, error) { return s.app.DailyRegister(s.ctx, a, day) })
}

// RegisterPDF is the day's register as PDF (base64).
func (s *ReportService) RegisterPDF(day string) (string, error) {
	return call(s.base, func(a app.Actor) (string, error) {
		return b64Of(func(w io.Writer) error { return s.app.WriteDailyRegisterPDF(s.ctx, a, day, w) })
	})
}

// RegisterXLSX is the day's register as an Excel workbook (base64).
func (s *ReportService) RegisterXLSX(day string) (string, error) {
	return call(s.base, func(a app.Actor) (string, error) {
		return b64Of(func(w io.Writer) error { return s.app.WriteDailyRegisterXLSX(s.ctx, a, day, w) })
	})
}

// Retention is how many days after expiry personal data is kept.
func (s *ReportService) Retention() (int, error) {
	return call(s.base, func(a app.Actor) (int, error) { return s.app.RetentionDays(s.ctx, a) })
}

// SetRetention changes it (office admin).
func (s *ReportService) SetRetention(days int) (int, error) {
	return call(s.base, func(a app.Actor) (int, error) { return s.app.SetRetentionDays(s.ctx, a, days) })
}

// Purge runs the retention purge now (office admin).
func (s *ReportService) Purge() (app.PurgeResult, error) {
	return call(s.base, func(a app.Actor) (app.PurgeResult, error) { return s.app.RunPurge(s.ctx, a) })
}

// AccountListService is the screen "Danh sách đăng ký tài khoản".
type AccountListService struct{ base }

// List is the registration list.
func (s *AccountListService) List() ([]app.AccountRegistration, error) {
	return call(s.base, func(a app.Actor) ([]app.AccountRegistration, error) { return s.app.AccountRegistrations(s.ctx, a) })
}

// Save adds (no id) or changes a person.
func (s *AccountListService) Save(in app.AccountRegistration) (app.AccountRegistration, error) {
	return call(s.base, func(a app.Actor) (app.AccountRegistration, error) { return s.app.SaveAccountRegistration(s.ctx, a, in) })
}

// Delete takes a person off the list.
func (s *AccountListService) Delete(id string, version int64) error {
	_, err := call(s.base, func(a app.Actor) (struct{}, error) {
		return struct{}{}, s.app.DeleteAccountRegistration(s.ctx, a, id, version)
	})
	return err
}

// Export is the list on the province's template (base64).
func (s *AccountListService) Export(h app.AccountListHeader) (string, error) {
	return call(s.base, func(a app.Actor) (string, error) {
		return b64Of(func(w io.Writer) error { _, err := s.app.ExportAccountList(s.ctx, a, h, w); return err })
	})
}

// Template is the province's empty template (base64).
func (s *AccountListService) Template() (string, error) {
	return call(s.base, func(a app.Actor) (string, error) { return b64Of(s.app.AccountListTemplate) })
}
