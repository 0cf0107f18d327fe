package desktop

import (
	"encoding/base64"
	"os"
	"path/filepath"

	"giaydiduong/backend/app"
	"giaydiduong/backend/scanner"
	"giaydiduong/backend/store"
)

// ScanService is the screen "Nhập bản quét đã ký": import scanned signed copies, the review
// queue, and the signed scan on a permit.
type ScanService struct{ base }

// Start imports a file (base64) in the background and returns the job id to poll.
func (s *ScanService) Start(name, b64 string) (string, error) {
	return call(s.base, func(a app.Actor) (string, error) {
		data, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			return "", badFile("file")
		}
		return s.app.StartScanImport(s.ctx, a, name, data)
	})
}

// Job is the progress of an import.
func (s *ScanService) Job(id string) (app.ScanJob, error) {
	return poll(s.base, func(a app.Actor) (app.ScanJob, error) { return s.app.ScanImportJob(a, id) })
}

// Cancel stops an import after the page being saved.
func (s *ScanService) Cancel(id string) error {
	_, err := call(s.base, func(a app.Actor) (struct{}, error) { return struct{}{}, s.app.CancelScanImport(a, id) })
	return err
}

// ScanFromScanner scans a stack from the scanner and starts one import job per page file;
// a jam returns the jobs of the pages scanned before it with the error.
func (s *ScanService) ScanFromScanner(device, source string, dpi int) ([]string, error) {
	return call(s.base, func(a app.Actor) ([]string, error) {
		st, scanErr := scanner.Scan(s.ctx, scanner.Options{Device: device, Source: source, DPI: dpi})
		defer st.Cleanup()
		var jobs []string
		for _, p := range st.Pages {
			data, err := os.ReadFile(p)
			if err != nil {
				return jobs, err
			}
			id, err := s.app.StartScanImport(s.ctx, a, filepath.Base(p), data)
			if err != nil {
				return jobs, err
			}
			jobs = append(jobs, id)
		}
		if se, ok := scanErr.(*scanner.Error); ok {
			return jobs, &app.Error{Code: app.CodeConflict, VI: se.VI, EN: se.EN}
		}
		return jobs, scanErr
	})
}

// Review lists the pages waiting for a clerk.
func (s *ScanService) Review() ([]store.ScanPage, error) {
	return call(s.base, func(a app.Actor) ([]store.ScanPage, error) { return s.app.ScanReview(s.ctx, a) })
}

func (s *ScanService) Assign(pageID, number string) (store.ScanPage, error) {
	return call(s.base, func(a app.Actor) (store.ScanPage, error) { return s.app.AssignScan(s.ctx, a, pageID, number) })
}

func (s *ScanService) Discard(pageID, reason string) (store.ScanPage, error) {
	return call(s.base, func(a app.Actor) (store.ScanPage, error) { return s.app.DiscardScan(s.ctx, a, pageID, reason) })
}

// Image is a stored page (or its thumbnail) as base64 JPEG.
func (s *ScanService) Image(pageID string, thumb bool) (string, error) {
	return call(s.base, func(a app.Actor) (string, error) {
		b, err := s.app.ScanImage(s.ctx, a, pageID, thumb)
		return base64.StdEncoding.EncodeToString(b), err
	})
}

// ForPermit is the signed scan attached to a permit, or null.
func (s *ScanService) ForPermit(number string) (*store.ScanPage, error) {
	return call(s.base, func(a app.Actor) (*store.ScanPage, error) { return s.app.PermitScan(s.ctx, a, number) })
}

// Candidates are the permits a review page may be attached to, by name or number.
func (s *ScanService) Candidates(query string) ([]app.Permit, error) {
	return call(s.base, func(a app.Actor) ([]app.Permit, error) { return s.app.ScanCandidates(s.ctx, a, query) })
}
