package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"unicode/utf8"

	"giaydiduong/backend/auth"
	"giaydiduong/backend/domain"
	"giaydiduong/backend/permit"
	"giaydiduong/backend/scan"
	"giaydiduong/backend/store"
)

// Review reasons: why a scanned page was not attached on its own. Stable codes for gddctl
// --json and the window.
const (
	ReasonUnreadable    = "unreadable"     // no permit QR could be read
	ReasonOverLimits    = "over_limits"    // the page is over the size limits
	ReasonOtherOffice   = "other_office"   // the QR names a permit of another office
	ReasonUnknownPermit = "unknown_permit" // this office issued no permit with that number
	ReasonQRInvalid     = "qr_invalid"     // the QR does not verify or differs from the issued one
	ReasonAlreadySigned = "already_signed" // the permit was signed digitally or handed over already
	ReasonRevoked       = "revoked"
	ReasonDuplicate     = "duplicate" // a second copy of a permit that already has its signed page
)

var reasonText = map[string][2]string{
	ReasonUnreadable:    {"Không đọc được mã QR trên trang", "No permit QR could be read on the page"},
	ReasonOverLimits:    {"Trang vượt giới hạn kích thước", "The page is over the size limits"},
	ReasonOtherOffice:   {"Mã QR là của giấy đi đường do cơ quan khác cấp", "The QR is of a permit issued by another office"},
	ReasonUnknownPermit: {"Không có giấy đi đường nào mang số này", "No permit with this number was issued here"},
	ReasonQRInvalid:     {"Mã QR không hợp lệ hoặc không khớp với giấy đã cấp", "The QR does not verify or differs from the permit issued"},
	ReasonAlreadySigned: {"Giấy đi đường đã được ký số hoặc đã giao, không chờ chữ ký tay", "The permit was signed digitally or handed over; it is not awaiting a hand signature"},
	ReasonRevoked:       {"Giấy đi đường đã bị thu hồi", "The permit has been revoked"},
	ReasonDuplicate:     {"Giấy đi đường này đã có bản quét đã ký (bản thứ hai)", "This permit already has its signed scan (second copy)"},
}

// ScanPageResult is what became of one page of an imported file.
type ScanPageResult struct {
	Page         int    `json:"page"` // in the file, from 1
	PageID       string `json:"page_id"`
	Status       string `json:"status"` // attached, review, or discarded (an earlier import's decision)
	PermitNumber string `json:"permit_number,omitempty"`
	Reason       string `json:"reason,omitempty"`
	MessageVI    string `json:"message_vi,omitempty"`
	MessageEN    string `json:"message_en,omitempty"`
	Warning      string `json:"warning,omitempty"`
	// AlreadyImported says this exact page was imported before; nothing changed.
	AlreadyImported bool `json:"already_imported,omitempty"`
}

// ScanImport is the outcome of importing one file.
type ScanImport struct {
	File     string           `json:"file"`
	Pages    []ScanPageResult `json:"pages"`
	Matched  int              `json:"matched"`
	Review   int              `json:"review"`
	Total    int              `json:"total"`
	Complete bool             `json:"complete"`        // false when cancelled: the pages listed are saved, the rest were not read
	Error    *Error           `json:"error,omitempty"` // the file was refused (set by adapters importing many files)
}

// CheckScanFileSize refuses a file over the office's size limit (Settings.ScanMaxFileMB)
// before it is read into memory: every import route asks it first.
func (a *App) CheckScanFileSize(ctx context.Context, name string, size int64) error {
	lim, err := a.scanLimits(ctx)
	if err != nil {
		return err
	}
	return checkScanFileSize(lim, name, size)
}

func checkScanFileSize(lim scan.Limits, name string, size int64) error {
	if size <= lim.MaxFileBytes {
		return nil
	}
	// In MB rounded up, so a file just over the limit does not read "(10 MB); at most 10 MB".
	mb := (size + 1<<20 - 1) >> 20
	return scanRefusal(name, &scan.Error{Code: scan.CodeTooLarge,
		VI: fmt.Sprintf("Tệp quá lớn (%d MB); tối đa %d MB (cài đặt của văn phòng)", mb, lim.MaxFileBytes>>20),
		EN: fmt.Sprintf("The file is too large (%d MB); at most %d MB (the office's setting)", mb, lim.MaxFileBytes>>20)})
}

// scanLimits are the built-in limits with the office's file size limit.
func (a *App) scanLimits(ctx context.Context) (scan.Limits, error) {
	s, err := a.settings(ctx)
	if err != nil {
		return scan.Limits{}, err
	}
	lim := ScanLimits
	if mb := int64(s.ScanMaxFileMB) << 20; mb > 0 && mb < lim.MaxFileBytes {
		lim.MaxFileBytes = mb
	}
	return lim, nil
}

func scanRefusal(name string, se *scan.Error) error {
	return &Error{Code: CodeValidation, VI: name + ": " + se.VI, EN: name + ": " + se.EN,
		Fields: []domain.FieldError{{Field: "file", Code: se.Code, VI: se.VI, EN: se.EN}}}
}

// ScanProgress is called after each page is saved (committed): done of total, and the page.
type ScanProgress func(done, total int, page ScanPageResult)

// ScanLimits are the built-in bounds of what a scanned file may cost; the office can lower
// the file size (Settings.ScanMaxFileMB).
var ScanLimits = scan.DefaultLimits

// ImportScan reads a scanned file (PDF, TIFF, JPEG, PNG) and files every page: attached to
// the permit its QR names when that permit of this office waits for a hand signature, else
// into the review queue with the reason. A file that cannot be read at all is refused with a
// reason and changes nothing. Each page is saved in its own transaction before it is
// reported, so a crash loses no page reported imported; a page is identified by the SHA-256
// of its stored image, so importing it again changes nothing.
func (a *App) ImportScan(ctx context.Context, actor Actor, name string, data []byte, progress ScanProgress) (ScanImport, error) {
	if err := a.require(actor, auth.EnterApplication); err != nil {
		return ScanImport{}, err
	}
	unit, err := a.officeUnit(ctx)
	if err != nil {
		return ScanImport{}, err
	}
	lim, err := a.scanLimits(ctx)
	if err != nil {
		return ScanImport{}, err
	}
	if err := checkScanFileSize(lim, name, int64(len(data))); err != nil {
		return ScanImport{}, err
	}
	pages, err := scan.Open(data, lim)
	if err != nil {
		var se *scan.Error
		if errors.As(err, &se) {
			return ScanImport{}, scanRefusal(name, se)
		}
		return ScanImport{}, fmt.Errorf("open scan %s: %w", name, err)
	}
	fileSum := sha256.Sum256(data)
	fileSHA := hex.EncodeToString(fileSum[:])
	out := ScanImport{File: name, Total: len(pages)}
	// Pages of this very file filed before (a re-import, a watched folder's second drop, the
	// rest of a stack after a crash) are known by the file's hash and page number: they are
	// reported as they were filed, without decoding them again.
	known, err := a.st.Read(ctx).ScanPagesOfSource(fileSHA)
	if err != nil {
		return ScanImport{}, err
	}

	// Pages are read by a worker per core and saved one at a time, in page order, so the
	// result and the review queue follow the stack.
	workers := max(1, min(runtime.GOMAXPROCS(0), len(pages), 4))
	reads := make([]chan pageRead, len(pages))
	for i := range reads {
		reads[i] = make(chan pageRead, 1)
	}
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if _, ok := known[pages[i].Index]; ok {
					reads[i] <- pageRead{}
					continue
				}
				r, err := scan.ReadPage(rctx, pages[i])
				reads[i] <- pageRead{r, err}
			}
		}()
	}
	go func() {
		defer close(next)
		for i := range pages {
			select {
			case next <- i:
			case <-rctx.Done():
				return
			}
		}
	}()
	defer wg.Wait()
	for i := range pages {
		var pr pageRead
		select {
		case pr = <-reads[i]:
		case <-ctx.Done():
			return out, nil
		}
		if pr.err != nil {
			if ctx.Err() != nil {
				return out, nil
			}
			return out, fmt.Errorf("read %s: %w", name, pr.err)
		}
		var res ScanPageResult
		if old, ok := known[pages[i].Index]; ok {
			res = a.knownPage(ctx, old)
		} else if res, err = a.filePage(ctx, actor, unit, name, fileSHA, pr.read); err != nil {
			return out, err
		}
		out.Pages = append(out.Pages, res)
		switch res.Status {
		case store.ScanAttached:
			out.Matched++
		case store.ScanReview:
			out.Review++
		}
		if progress != nil {
			progress(i+1, len(pages), res)
		}
	}
	out.Complete = true
	return out, nil
}

// knownPage reports a page filed by an earlier import, as it stands now.
func (a *App) knownPage(ctx context.Context, old store.ScanPage) ScanPageResult {
	res := ScanPageResult{Page: old.SourcePage, PageID: old.ID, Status: old.Status, Reason: old.Reason,
		MessageVI: old.ReasonVI, MessageEN: old.ReasonEN, Warning: old.Warning, AlreadyImported: true}
	if old.PermitID != nil {
		if p, err := a.st.Read(ctx).PermitByID(*old.PermitID); err == nil {
			res.PermitNumber = p.Number
		}
	}
	return res
}

type pageRead struct {
	read scan.Read
	err  error
}

// filePage saves one read page: attached or for review, with its audit event and outbox
// entries, in one transaction.
func (a *App) filePage(ctx context.Context, actor Actor, unit, name, fileSHA string, r scan.Read) (ScanPageResult, error) {
	res := ScanPageResult{Page: r.Index}
	if r.Warning != nil {
		res.Warning = r.Warning.VI
	}
	// What the page is, decided before the transaction from its own content.
	var content string
	if r.Problem == nil {
		sum := sha256.Sum256(r.Stored.JPEG)
		content = hex.EncodeToString(sum[:])
	} else {
		sum := sha256.Sum256(fmt.Appendf(nil, "unreadable:%s:%d", fileSHA, r.Index))
		content = hex.EncodeToString(sum[:])
	}
	var verdict *permit.Result
	if r.Found != nil {
		v := a.verifyScanQR(ctx, r.Found.Text)
		verdict = &v
	}
	err := a.write(ctx, actor.Username, func(c *change) error {
		if old, ok, err := c.q.ScanPageByContent(content); err != nil {
			return err
		} else if ok {
			res.PageID, res.Status, res.Reason, res.AlreadyImported = old.ID, old.Status, old.Reason, true
			res.MessageVI, res.MessageEN = old.ReasonVI, old.ReasonEN
			if old.PermitID != nil {
				if p, err := c.q.PermitByID(*old.PermitID); err == nil {
					res.PermitNumber = p.Number
				}
			}
			return nil
		}
		pg := store.ScanPage{
			ID: newID(), Version: 1, UnitCode: unit, ContentSHA256: content, SourceName: name, SourceSHA256: fileSHA,
			SourcePage: r.Index, ScanDPI: int(r.DPI + 0.5), Status: store.ScanReview, ImportedBy: actor.UserID,
			ImportedAt: c.at, CreatedAt: c.at, UpdatedAt: c.at,
		}
		if r.Warning != nil {
			pg.Warning = r.Warning.VI
		}
		if r.Problem == nil {
			if err := putPageBlobs(c, &pg, r.Stored); err != nil {
				return err
			}
		}
		var target *store.Permit
		reason, detail := "", [2]string{}
		switch {
		case r.Problem != nil:
			reason = ReasonUnreadable
			if r.Problem.Code == scan.CodeTooLarge {
				reason = ReasonOverLimits
			}
			detail = [2]string{r.Problem.VI, r.Problem.EN}
		case r.Found == nil:
			reason = ReasonUnreadable
			if r.LowDPI {
				detail = [2]string{scan.LowDPIWarning.VI, scan.LowDPIWarning.EN}
			}
		default:
			var p store.Permit
			reason, p = a.matchPermit(c, unit, r.Found.Text, verdict)
			if verdict.Payload != nil {
				pg.QRNumber = verdict.Payload.Number
			}
			if reason == "" {
				target = &p
			}
		}
		if target != nil {
			pg.Status, pg.PermitID = store.ScanAttached, &target.ID
		} else {
			t := reasonText[reason]
			pg.Reason, pg.ReasonVI, pg.ReasonEN = reason, t[0], t[1]
			if detail[0] != "" {
				pg.ReasonVI, pg.ReasonEN = t[0]+": "+detail[0], t[1]+": "+detail[1]
			}
		}
		if err := c.q.InsertScanPage(&pg); err != nil {
			return err
		}
		details := map[string]any{"file": name, "file_sha256": fileSHA, "page": r.Index, "content_sha256": content, "status": pg.Status, "reason": pg.Reason}
		if err := c.record("scan.import", "scan_page", pg.ID, pg.Wire(), details); err != nil {
			return err
		}
		res.PageID, res.Status, res.Reason, res.MessageVI, res.MessageEN = pg.ID, pg.Status, pg.Reason, pg.ReasonVI, pg.ReasonEN
		if target != nil {
			res.PermitNumber = target.Number
			return markHandSignedFromScan(c, actor, *target, pg.ID)
		}
		return nil
	})
	if err != nil {
		return ScanPageResult{}, fmt.Errorf("save page %d of %s: %w", r.Index, name, err)
	}
	return res, nil
}

func putPageBlobs(c *change, pg *store.ScanPage, st scan.Stored) error {
	for _, b := range []struct {
		data []byte
		dst  **string
	}{{st.JPEG, &pg.BlobSHA256}, {st.Thumb, &pg.ThumbSHA256}} {
		sum := sha256.Sum256(b.data)
		h := hex.EncodeToString(sum[:])
		if err := c.q.PutBlob(&store.Blob{SHA256: h, MediaType: "image/jpeg", Size: int64(len(b.data)), Data: b.data, CreatedAt: c.at}); err != nil {
			return err
		}
		*b.dst = &h
	}
	pg.Width, pg.Height, pg.DPI, pg.Colour = st.Width, st.Height, st.DPI, st.Colour
	return nil
}

// verifyScanQR checks a scanned QR offline: against the provincial lists when the office
// has them, else signature-blind (the exact match with the issued QR below is what makes a
// page this office's).
func (a *App) verifyScanQR(ctx context.Context, text string) permit.Result {
	if v, err := a.verify(ctx, text); err == nil {
		return v.Result
	}
	return permit.Verify(text, a.Now(), nil, nil, permit.VerifyOptions{})
}

// matchPermit decides whether a verified QR names a permit of this office that waits for a
// hand signature; it returns the review reason otherwise.
func (a *App) matchPermit(c *change, unit, text string, v *permit.Result) (string, store.Permit) {
	if v.Status == permit.StatusMalformed || v.Status == permit.StatusBadSignature || v.Payload == nil {
		return ReasonQRInvalid, store.Permit{}
	}
	if v.Payload.UnitCode != unit {
		return ReasonOtherOffice, store.Permit{}
	}
	p, err := c.q.PermitByNumber(v.Payload.Number)
	if err != nil {
		return ReasonUnknownPermit, store.Permit{}
	}
	// The QR this office printed, byte for byte: anything else was altered or forged, even
	// if it carries a valid signature of some other text.
	if p.QR != text {
		return ReasonQRInvalid, store.Permit{}
	}
	return permitAwaitsScan(c, p), p
}

// permitAwaitsScan returns "" when p can take a signed page, else the review reason.
func permitAwaitsScan(c *change, p store.Permit) string {
	if _, ok, err := c.q.AttachedScanPage(p.ID); err != nil || ok {
		return ReasonDuplicate
	}
	switch domain.PermitStatus(p.Status) {
	case domain.PermitAwaitingHand:
		return ""
	case domain.PermitHandSigned:
		// Marked signed by hand before the scan came in: the page is its missing record.
		return ""
	case domain.PermitRevoked:
		return ReasonRevoked
	default:
		return ReasonAlreadySigned
	}
}

// markHandSignedFromScan records the page on the permit and, when it still waited, marks it
// hand-signed (who, when, which page), with the audit event and the outbox entry.
func markHandSignedFromScan(c *change, actor Actor, p store.Permit, pageID string) error {
	upd := map[string]any{"hand_signed_page": pageID, "updated_at": c.at}
	from := p.Status
	action := "permit.scan_attached"
	if domain.PermitStatus(p.Status) == domain.PermitAwaitingHand {
		next, err := domain.PermitTransition(domain.PermitStatus(p.Status), domain.PermitActionHandSig)
		if err != nil {
			return err
		}
		upd["status"], upd["hand_signed_at"], upd["hand_signed_by"] = string(next), c.at, actor.UserID
		action = "permit." + string(domain.PermitActionHandSig)
	}
	if err := c.q.UpdatePermit(p.ID, p.Version, upd); err != nil {
		if errors.Is(err, store.ErrStale) {
			return newError(CodeConflict, "Giấy đi đường vừa được người khác cập nhật", "The permit was changed by someone else")
		}
		return err
	}
	np, err := c.q.PermitByID(p.ID)
	if err != nil {
		return fmt.Errorf("reread permit: %w", err)
	}
	return c.record(action, "permit", np.ID, np.Wire(), map[string]any{"number": np.Number, "from": from, "status": np.Status, "scan_page": pageID})
}

// ScanReview lists the pages waiting for a clerk, oldest first.
func (a *App) ScanReview(ctx context.Context, actor Actor) ([]store.ScanPage, error) {
	if err := a.require(actor, auth.ViewApplications); err != nil {
		return nil, err
	}
	return a.st.Read(ctx).ScanPages(store.ScanReview, MaxBatch)
}

// AssignScan attaches a page from the review queue to a permit the clerk chose (after
// comparing the page with the permit side by side), marking it hand-signed.
func (a *App) AssignScan(ctx context.Context, actor Actor, pageID, number string) (store.ScanPage, error) {
	if err := a.require(actor, auth.EnterApplication); err != nil {
		return store.ScanPage{}, err
	}
	var out store.ScanPage
	err := a.write(ctx, actor.Username, func(c *change) error {
		pg, err := reviewPage(c, pageID)
		if err != nil {
			return err
		}
		if pg.BlobSHA256 == nil {
			return newError(CodeConflict, "Trang này không đọc được nên không thể gắn vào giấy; hãy quét lại", "This page could not be read, so it cannot be attached; scan it again")
		}
		p, err := c.q.PermitByNumber(number)
		if err != nil {
			if isNotFound(err) {
				return notFound("giấy đi đường số " + number)
			}
			return fmt.Errorf("read permit: %w", err)
		}
		if reason := permitAwaitsScan(c, p); reason != "" {
			t := reasonText[reason]
			return newError(CodeInvalidTransition, t[0], t[1])
		}
		if err := c.q.UpdateScanPage(pg.ID, pg.Version, map[string]any{
			"status": store.ScanAttached, "permit_id": p.ID, "decided_by": actor.UserID, "decided_at": c.at, "updated_at": c.at,
		}); err != nil {
			return staleScan(err)
		}
		if out, err = c.q.ScanPageByID(pg.ID); err != nil {
			return fmt.Errorf("reread scan page: %w", err)
		}
		if err := c.record("scan.assign", "scan_page", out.ID, out.Wire(), map[string]any{"number": p.Number, "was_reason": pg.Reason}); err != nil {
			return err
		}
		return markHandSignedFromScan(c, actor, p, pg.ID)
	})
	return out, err
}

// DiscardScan takes a page out of the review queue (a blank sheet, a page of something
// else), with the clerk's reason.
func (a *App) DiscardScan(ctx context.Context, actor Actor, pageID, reason string) (store.ScanPage, error) {
	if err := a.require(actor, auth.EnterApplication); err != nil {
		return store.ScanPage{}, err
	}
	reason = domain.NormalizeText(reason)
	if n := utf8.RuneCountInString(reason); n < 3 || n > 500 {
		return store.ScanPage{}, invalid("reason", "required", "Cần nhập lý do bỏ trang (3–500 ký tự)", "A reason to discard the page is required (3–500 characters)")
	}
	var out store.ScanPage
	err := a.write(ctx, actor.Username, func(c *change) error {
		pg, err := reviewPage(c, pageID)
		if err != nil {
			return err
		}
		if err := c.q.UpdateScanPage(pg.ID, pg.Version, map[string]any{
			"status": store.ScanDiscarded, "discard_reason": reason, "decided_by": actor.UserID, "decided_at": c.at, "updated_at": c.at,
		}); err != nil {
			return staleScan(err)
		}
		if out, err = c.q.ScanPageByID(pg.ID); err != nil {
			return fmt.Errorf("reread scan page: %w", err)
		}
		return c.record("scan.discard", "scan_page", out.ID, out.Wire(), map[string]any{"reason": reason, "was_reason": pg.Reason})
	})
	return out, err
}

func reviewPage(c *change, id string) (store.ScanPage, error) {
	pg, err := c.q.ScanPageByID(id)
	if err != nil {
		if isNotFound(err) {
			return store.ScanPage{}, notFound("trang quét " + id)
		}
		return store.ScanPage{}, fmt.Errorf("read scan page: %w", err)
	}
	if pg.Status != store.ScanReview {
		return store.ScanPage{}, newError(CodeInvalidTransition, "Trang quét này không còn chờ xử lý", "This scanned page is no longer waiting for review")
	}
	return pg, nil
}

func staleScan(err error) error {
	if errors.Is(err, store.ErrStale) {
		return newError(CodeConflict, "Trang quét vừa được người khác xử lý", "The page was just handled by someone else")
	}
	return err
}

// ScanImage returns a stored page (or its thumbnail) as JPEG, checking its hash.
func (a *App) ScanImage(ctx context.Context, actor Actor, pageID string, thumb bool) ([]byte, error) {
	if err := a.require(actor, auth.ViewApplications); err != nil {
		return nil, err
	}
	db := a.st.Read(ctx)
	pg, err := db.ScanPageByID(pageID)
	if err != nil {
		if isNotFound(err) {
			return nil, notFound("trang quét " + pageID)
		}
		return nil, fmt.Errorf("read scan page: %w", err)
	}
	h := pg.BlobSHA256
	if thumb {
		h = pg.ThumbSHA256
	}
	if h == nil {
		return nil, newError(CodeNotFound, "Trang này không đọc được nên không có ảnh", "This page could not be read, so there is no image")
	}
	b, err := db.Blob(*h)
	if err != nil {
		return nil, fmt.Errorf("read page image: %w", err)
	}
	if sum := sha256.Sum256(b.Data); hex.EncodeToString(sum[:]) != b.SHA256 {
		return nil, fmt.Errorf("page image %s is damaged (hash mismatch)", b.SHA256)
	}
	return b.Data, nil
}

// PermitScan returns the signed page attached to a permit, if any (the permit panel).
func (a *App) PermitScan(ctx context.Context, actor Actor, number string) (*store.ScanPage, error) {
	if err := a.require(actor, auth.ViewApplications); err != nil {
		return nil, err
	}
	db := a.st.Read(ctx)
	p, err := db.PermitByNumber(number)
	if err != nil {
		if isNotFound(err) {
			return nil, notFound("giấy đi đường số " + number)
		}
		return nil, fmt.Errorf("read permit: %w", err)
	}
	pg, ok, err := db.AttachedScanPage(p.ID)
	if err != nil || !ok {
		return nil, err
	}
	return &pg, nil
}

// ScanCandidates are the permits a page from the review queue could be attached to, for the
// clerk's search by name (diacritics optional) or number: those awaiting a hand signature
// and those marked hand-signed without their page, at most 20.
func (a *App) ScanCandidates(ctx context.Context, actor Actor, query string) ([]Permit, error) {
	if err := a.require(actor, auth.ViewApplications); err != nil {
		return nil, err
	}
	q := domain.FoldForSearch(query)
	if utf8.RuneCountInString(q) < 2 {
		return nil, invalid("query", "too_short", "Nhập ít nhất 2 ký tự của họ tên hoặc số giấy", "Type at least 2 characters of the name or the number")
	}
	var out []Permit
	for _, st := range []domain.PermitStatus{domain.PermitAwaitingHand, domain.PermitHandSigned} {
		list, err := a.ListPermits(ctx, actor, string(st))
		if err != nil {
			return nil, err
		}
		for _, p := range list {
			if st == domain.PermitHandSigned && p.HandSignedPage != nil {
				continue
			}
			if strings.Contains(domain.FoldForSearch(p.Application.FullName), q) || strings.Contains(domain.FoldForSearch(p.Number), q) {
				out = append(out, p)
				if len(out) == 20 {
					return out, nil
				}
			}
		}
	}
	return out, nil
}
