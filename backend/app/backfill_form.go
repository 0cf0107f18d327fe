package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"giaydiduong/backend/auth"
	"giaydiduong/backend/backfill"
	"giaydiduong/backend/domain"
	"giaydiduong/backend/scan"
	"giaydiduong/backend/store"
)

// PaperScan is the scanned paper copy the form attaches (one page: a JPEG, PNG, TIFF or PDF).
type PaperScan struct {
	Name string `json:"name"`
	Data []byte `json:"data"`
}

// BackfillPermit enters one permit issued on paper, typed in from the paper, with its scanned
// copy when there is one. The form is judged exactly as a template row (backfill.JudgeForm:
// as of its issue date, the units of that day); the permit is stored like an imported one
// (channel paper_backfill, no QR, its own counter) and the scan is normalised and stored
// content-addressed like a hand-signed page, attached to it, all in one transaction.
func (a *App) BackfillPermit(ctx context.Context, actor Actor, form backfill.Form, paper *PaperScan) (Permit, error) {
	if err := a.require(actor, auth.BackfillPermits); err != nil {
		return Permit{}, err
	}
	rules, err := a.currentRules(ctx)
	if err != nil {
		return Permit{}, err
	}
	unit, err := a.officeUnit(ctx)
	if err != nil {
		return Permit{}, err
	}
	y, m, d := a.Now().In(vietnam).Date()
	row, probs := backfill.JudgeForm(form, backfill.Options{
		Today: time.Date(y, m, d, 0, 0, 0, 0, time.UTC), Rules: rules,
		UnitsOn: func(day time.Time) domain.UnitLookup { return unitsOnDay{a: a, day: day.Format(time.DateOnly)} },
	})
	if len(probs) > 0 {
		e := &Error{Code: CodeValidation, VI: "Giấy chưa nhập được: " + probs[0].VI, EN: "The permit cannot be entered: " + probs[0].EN}
		for _, p := range probs {
			e.Fields = append(e.Fields, domain.FieldError{Field: p.Field, Code: p.Code, VI: p.VI, EN: p.EN})
		}
		return Permit{}, e
	}
	var page *scan.Read
	if paper != nil && len(paper.Data) > 0 {
		r, err := a.readPaperScan(ctx, paper)
		if err != nil {
			return Permit{}, err
		}
		page = &r
	}
	if ok, err := a.read(ctx).PaperPermitExists(unit, store.PaperKey{PaperNumber: row.PaperNumber, IssuedOn: row.IssuedOn}); err != nil {
		return Permit{}, err
	} else if ok {
		return Permit{}, alreadyEntered(row)
	}
	added, err := a.saveBackfill(ctx, actor, unit, rules.Version, []backfill.Row{row}, func(c *change, ps []store.Permit) error {
		if len(ps) == 0 || page == nil {
			return nil
		}
		return attachPaperScan(c, actor, unit, paper, *page, ps[0])
	})
	if err != nil {
		return Permit{}, err
	}
	if added == 0 {
		return Permit{}, alreadyEntered(row) // entered by someone else meanwhile
	}
	number := fmt.Sprintf("TC/%s/%s", row.IssuedOn, row.PaperNumber)
	views, err := a.permitsByNumber(ctx, []string{number})
	if err != nil {
		return Permit{}, err
	}
	return views[0], nil
}

func alreadyEntered(row backfill.Row) *Error {
	vi := fmt.Sprintf("Giấy số %s cấp ngày %s đã được nhập bổ sung trước đây.", row.PaperNumber, viDay(row.IssuedOn))
	en := fmt.Sprintf("Paper permit %s issued on %s was entered before.", row.PaperNumber, row.IssuedOn)
	return &Error{Code: CodeConflict, VI: vi, EN: en, Fields: []domain.FieldError{{Field: "paper_number", Code: "already_entered", VI: vi, EN: en}}}
}

func viDay(iso string) string {
	if t, err := time.Parse(time.DateOnly, iso); err == nil {
		return t.Format("02/01/2006")
	}
	return iso
}

// readPaperScan opens the scanned copy and reads its one page with the scan path's own
// reader (limits, upright, 150 dpi, under 150 KB). A paper permit has no QR, so none is
// required; a file that is not one readable page is refused and nothing is written.
func (a *App) readPaperScan(ctx context.Context, paper *PaperScan) (scan.Read, error) {
	lim, err := a.scanLimits(ctx)
	if err != nil {
		return scan.Read{}, err
	}
	if err := checkScanFileSize(lim, paper.Name, int64(len(paper.Data))); err != nil {
		return scan.Read{}, err
	}
	pages, err := scan.Open(paper.Data, lim)
	if err != nil {
		var se *scan.Error
		if errors.As(err, &se) {
			return scan.Read{}, scanRefusal(paper.Name, se)
		}
		return scan.Read{}, fmt.Errorf("open paper scan %s: %w", paper.Name, err)
	}
	if len(pages) != 1 {
		vi := fmt.Sprintf("%s: bản quét giấy thủ công phải có đúng một trang (tệp có %d trang).", paper.Name, len(pages))
		en := fmt.Sprintf("%s: the paper copy's scan must be one page (the file has %d).", paper.Name, len(pages))
		return scan.Read{}, &Error{Code: CodeValidation, VI: vi, EN: en, Fields: []domain.FieldError{{Field: "scan", Code: "pages", VI: vi, EN: en}}}
	}
	r, err := scan.ReadPage(ctx, pages[0])
	if err != nil {
		return scan.Read{}, fmt.Errorf("read paper scan %s: %w", paper.Name, err)
	}
	if r.Problem != nil {
		return scan.Read{}, scanRefusal(paper.Name, r.Problem)
	}
	return r, nil
}

// attachPaperScan stores the page (content-addressed blobs) as a scan page attached to the
// paper permit, with its audit event and outbox record.
func attachPaperScan(c *change, actor Actor, unit string, paper *PaperScan, r scan.Read, p store.Permit) error {
	sum := sha256.Sum256(r.Stored.JPEG)
	content := hex.EncodeToString(sum[:])
	if old, ok, err := c.q.ScanPageByContent(content); err != nil {
		return err
	} else if ok {
		vi := fmt.Sprintf("%s: trang quét này đã được lưu trước đây (trang %s).", paper.Name, old.ID)
		en := fmt.Sprintf("%s: this scanned page was stored before (page %s).", paper.Name, old.ID)
		return &Error{Code: CodeConflict, VI: vi, EN: en, Fields: []domain.FieldError{{Field: "scan", Code: "duplicate", VI: vi, EN: en}}}
	}
	fileSum := sha256.Sum256(paper.Data)
	pid := p.ID
	pg := store.ScanPage{
		ID: newID(), Version: 1, UnitCode: unit, ContentSHA256: content, SourceName: paper.Name,
		SourceSHA256: hex.EncodeToString(fileSum[:]), SourcePage: r.Index, ScanDPI: int(r.DPI + 0.5),
		Status: store.ScanAttached, PermitID: &pid, ImportedBy: actor.UserID, ImportedAt: c.at, CreatedAt: c.at, UpdatedAt: c.at,
	}
	if r.Warning != nil {
		pg.Warning = r.Warning.VI
	}
	if err := putPageBlobs(c, &pg, r.Stored); err != nil {
		return err
	}
	if err := c.q.InsertScanPage(&pg); err != nil {
		return err
	}
	return c.record("scan.paper_copy", "scan_page", pg.ID, pg.Wire(), map[string]any{
		"file": paper.Name, "content_sha256": content, "permit": p.Number, "paper_number": p.PaperNumber,
	})
}
