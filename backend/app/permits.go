package app

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"giaydiduong/backend/auth"
	"giaydiduong/backend/domain"
	"giaydiduong/backend/permit"
	"giaydiduong/backend/render"
	"giaydiduong/backend/store"
)

// Permit is a permit as screens and gddctl show it: the stored record, whether its window
// has passed, and the application it was issued from.
type Permit struct {
	store.Permit
	Expired bool `json:"expired"`
	// Signed is whether a leader has signed it (by hand, or with a token). Until then
	// signer_name is only whom the paper's signature block names.
	Signed      bool        `json:"signed"`
	Application Application `json:"application"`
	// Actions is what the user asking may do with it now (set where a user asks).
	Actions []domain.Action `json:"actions"`
	// Mark is PaperMark for a paper permit entered afterwards: it has no QR to verify.
	Mark string `json:"mark,omitempty"`
}

// IssuePermit gives an approved application its permit: the next gapless number for the
// office's unit and year, and a QR signed with the office key. With no leader's token
// involved, the paper is then signed by hand, so the permit waits for that signature.
func (a *App) IssuePermit(ctx context.Context, actor Actor, applicationID string) (Permit, error) {
	if err := a.require(actor, auth.EnterApplication); err != nil {
		return Permit{}, err
	}
	signer, keyRec, err := a.officeSigner(ctx)
	if err != nil {
		return Permit{}, err
	}
	office, err := a.officeOrErr(ctx)
	if err != nil {
		return Permit{}, err
	}
	// Without lists (a new office before its first import) there is no trust entry to check
	// against; the QR is then checked where it is verified.
	trust, _, _, listErr := a.lists(ctx)
	var number string
	err = a.write(ctx, actor.Username, func(c *change) error {
		app, err := c.q.ApplicationByID(applicationID)
		if err != nil {
			if isNotFound(err) {
				return notFound("hồ sơ " + applicationID)
			}
			return err
		}
		if app.Status != string(domain.StatusApproved) {
			return newError(CodeInvalidTransition, "Chỉ cấp giấy cho hồ sơ đã được duyệt", "Only an approved application can be issued a permit")
		}
		if keyRec.UnitCode != app.OfficeUnitCode {
			// The number names the unit; only that unit's key may sign it.
			return newError(CodeConflict, "Khóa ký của văn phòng được đăng ký cho đơn vị "+keyRec.UnitCode+", không phải đơn vị "+app.OfficeUnitCode+" của hồ sơ",
				"The office key is enrolled for unit "+keyRec.UnitCode+", not the application's unit "+app.OfficeUnitCode)
		}
		if _, err := c.q.PermitNumberOf(app.ID); err == nil {
			return newError(CodeConflict, "Hồ sơ này đã được cấp giấy đi đường", "This application already has a permit")
		} else if !isNotFound(err) {
			return err
		}
		// The issuing unit as it stands on the issue date, kept with the permit for reprints.
		unitName := app.OfficeUnitName
		if app.OfficeUnitCode == office.UnitCode {
			unitName = office.UnitName
		}
		unitName, unitPlace, _ := a.place(app.OfficeUnitCode, unitName)
		year := c.at.In(vietnam).Year()
		// The counter moves in the same transaction as the permit: a rolled-back issuance
		// gives its number back, so numbers have no gaps.
		seq, err := c.q.NextPermitSeq(app.OfficeUnitCode, year)
		if err != nil {
			return err
		}
		number = permit.Number(app.OfficeUnitCode, year, seq)
		payload, err := permit.PayloadOf(applicationFacts(app), number, c.at)
		if err != nil {
			return err
		}
		payload.KeyID = signer.KeyID()
		if _, ok := trust.Lookup(payload.KeyID); listErr == nil && !ok {
			return newError(CodeConflict, "Khóa ký của văn phòng chưa có trong danh sách tin cậy của tỉnh: quản trị gửi yêu cầu đăng ký khóa (Cài đặt → Xuất yêu cầu đăng ký khóa) và nhập danh sách mới",
				"The office key is not in the provincial trust list yet: send the key request to the province and import its new list")
		}
		if listErr == nil {
			maxDays := 0
			if rules, err := a.rulesVersion(ctx, app.OfficeUnitCode, app.RulesVersion); err == nil {
				maxDays = rules.MaxDays
			}
			if err := permit.CheckIssue(payload, trust, c.at, maxDays); err != nil {
				return &Error{Code: CodeConflict, VI: "Không cấp được giấy: giấy phải nằm trong thời hạn và đơn vị của khóa ký, và không dài hơn số ngày tối đa theo quy định",
					EN: "Cannot issue: the permit must lie inside its key's validity and unit, and within the rules' maximum days", cause: err}
			}
		}
		qr, err := permit.Encode(ctx, payload, signer)
		if err != nil {
			return fmt.Errorf("sign permit %s: %w", number, err)
		}
		// The leader who decided is the one the paper's signature block names; nobody has
		// signed yet (Permit.Signed is false until the hand signature or the token's).
		signerName, signerTitle := "", ""
		if app.DecidedBy != nil {
			if leader, err := c.q.UserByID(*app.DecidedBy); err == nil {
				signerName, signerTitle = leader.FullName, leader.Title
			}
		}
		p := store.Permit{
			ID: newID(), Version: 1, Number: number, UnitCode: app.OfficeUnitCode, UnitName: unitName, UnitPlace: unitPlace, Year: year, Seq: seq, ApplicationID: app.ID,
			Status: string(domain.PermitAwaitingHand), QR: qr, KeyID: permit.KeyID(signer.KeyID()).String(), SignatureKind: "hand",
			SignerName: signerName, SignerTitle: signerTitle, IssuedAt: c.at, IssuedBy: actor.UserID, CreatedAt: c.at, UpdatedAt: c.at,
			Channel: ChannelWalkIn, IssuedOn: c.at.In(vietnam).Format("2006-01-02"), PurposeCode: app.PurposeCode,
		}
		if err := c.q.InsertPermit(&p); err != nil {
			return err
		}
		return c.record("permit.issue", "permit", p.ID, p.Wire(), map[string]string{"number": number, "application_id": app.ID, "key_id": p.KeyID})
	})
	if err != nil {
		return Permit{}, err
	}
	return a.GetPermit(ctx, actor, number)
}

// applicationFacts is what the permit package needs of an application for its QR.
func applicationFacts(app store.Application) permit.Application {
	return permit.Application{FullName: app.FullName, BirthDate: app.BirthDate, IDNumber: app.IDNumber, PurposeCode: app.PurposeCode,
		RouteFrom: app.RouteFrom, RouteTo: app.RouteTo, VehiclePlate: app.VehiclePlate, ValidFrom: app.ValidFrom, ValidTo: app.ValidTo,
		UnitCode: app.OfficeUnitCode}
}

// GetPermit finds a permit by its number (anyone who may view applications), with what the
// user may do with it now.
func (a *App) GetPermit(ctx context.Context, actor Actor, number string) (Permit, error) {
	if err := a.require(actor, auth.ViewApplications); err != nil {
		return Permit{}, err
	}
	p, err := a.permit(ctx, number)
	if err != nil {
		return Permit{}, err
	}
	allowPermit(actor, &p)
	return p, nil
}

// canonicalNumber reads a permit number as a person typed it ("28249/2026/42"), or says why not.
func canonicalNumber(number string) (string, error) {
	c, err := permit.CanonicalNumber(number)
	if err != nil {
		e := invalid("number", "format", "Số giấy đi đường không hợp lệ: cần dạng <mã đơn vị>/<năm>/<số thứ tự>, ví dụ 28249/2026/000042",
			"Not a permit number: want <unit code>/<year>/<sequence>, e.g. 28249/2026/000042")
		e.cause = err
		return "", e
	}
	return c, nil
}

// permit finds a permit by its number, in any spelling canonicalNumber reads.
func (a *App) permit(ctx context.Context, number string) (Permit, error) {
	number, err := canonicalNumber(number)
	if err != nil {
		return Permit{}, err
	}
	p, err := a.read(ctx).PermitByNumber(number)
	if err != nil {
		if isNotFound(err) {
			return Permit{}, notFound("giấy đi đường số " + number)
		}
		return Permit{}, err
	}
	out, err := a.permitViews(ctx, []store.Permit{p})
	if err != nil {
		return Permit{}, err
	}
	return out[0], nil
}

// permitViews joins permits with their applications and display names in three reads,
// however many permits there are.
func (a *App) permitViews(ctx context.Context, recs []store.Permit) ([]Permit, error) {
	ids := make([]string, len(recs))
	for i, p := range recs {
		ids[i] = p.ApplicationID
	}
	byID, err := a.read(ctx).ApplicationsByID(ids)
	if err != nil {
		return nil, err
	}
	apps := make([]store.Application, len(recs))
	for i, p := range recs {
		app, ok := byID[p.ApplicationID]
		if !ok {
			return nil, fmt.Errorf("read permit %s application: %w", p.Number, store.ErrNotFound)
		}
		apps[i] = app
	}
	views, err := a.decorate(ctx, apps)
	if err != nil {
		return nil, err
	}
	today := a.Now().In(vietnam).Format(time.DateOnly)
	out := make([]Permit, len(recs))
	for i, p := range recs {
		out[i] = Permit{Permit: p, Expired: apps[i].ValidTo < today, Signed: p.SignedAt != nil || p.HandSignedAt != nil, Application: views[i]}
		if p.Channel == ChannelPaperBackfill {
			out[i].Mark = PaperMark
		}
	}
	return out, nil
}

// permitsByNumber reads permits in the order given, in one pass; a missing number is
// not found.
func (a *App) permitsByNumber(ctx context.Context, numbers []string) ([]Permit, error) {
	byNumber, err := a.read(ctx).PermitsByNumbers(numbers)
	if err != nil {
		return nil, err
	}
	recs := make([]store.Permit, len(numbers))
	for i, n := range numbers {
		p, ok := byNumber[n]
		if !ok {
			return nil, notFound("giấy đi đường số " + n)
		}
		recs[i] = p
	}
	return a.permitViews(ctx, recs)
}

// PermitForApplication returns the permit issued from an application, if any.
func (a *App) PermitForApplication(ctx context.Context, actor Actor, applicationID string) (*Permit, error) {
	if err := a.require(actor, auth.ViewApplications); err != nil {
		return nil, err
	}
	number, err := a.read(ctx).PermitNumberOf(applicationID)
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	out, err := a.GetPermit(ctx, actor, number)
	return &out, err
}

// MarkHandSigned records that the leader signed and stamped the printed permit.
func (a *App) MarkHandSigned(ctx context.Context, actor Actor, number string) (Permit, error) {
	if err := a.require(actor, auth.EnterApplication); err != nil {
		return Permit{}, err
	}
	return a.permitStep(ctx, actor, number, domain.PermitActionHandSig, nil)
}

// HandOverOptions are what the clerk asks for as the citizen takes the permit.
type HandOverOptions struct {
	// HandSigned confirms, for a permit still waiting for the leader's hand signature, that
	// the paper now carries it and the seal: the permit is marked hand-signed and handed over
	// in one transaction (two audit events). Without it such a permit is refused (HandOverReady).
	HandSigned bool `json:"hand_signed"`
	// PrintCopy prints a copy for the citizen first ("Bản in lại lần N", counted and audited
	// as any print); if the printer refuses it, the permit is not marked handed over.
	PrintCopy bool   `json:"print_copy"`
	Printer   string `json:"printer"` // "" = the office default
	A4        bool   `json:"a4"`      // else A5
}

// HandOver records that the citizen received the permit (who, when), printing a copy for
// them first when asked. The options are variadic so that callers without any keep working.
func (a *App) HandOver(ctx context.Context, actor Actor, number string, opts ...HandOverOptions) (Permit, error) {
	if err := a.require(actor, auth.EnterApplication); err != nil {
		return Permit{}, err
	}
	var opt HandOverOptions
	if len(opts) > 0 {
		opt = opts[0]
	}
	if opt.PrintCopy {
		if err := a.printCitizenCopy(ctx, actor, number, opt); err != nil {
			return Permit{}, err
		}
	}
	return a.permitStep(ctx, actor, number, domain.PermitActionHandOut, nil)
}

// printCitizenCopy prints the citizen's copy before a hand-over; only a permit that can be
// handed over (or is about to be signed and handed over) gets one.
func (a *App) printCitizenCopy(ctx context.Context, actor Actor, number string, opt HandOverOptions) error {
	n, err := canonicalNumber(number)
	if err != nil {
		return err
	}
	p, err := a.read(ctx).PermitByNumber(n)
	if err != nil {
		if isNotFound(err) {
			return notFound("giấy đi đường số " + n)
		}
		return err
	}
	if !(opt.HandSigned && p.Status == string(domain.PermitAwaitingHand)) {
		if _, err := domain.PermitTransition(domain.PermitStatus(p.Status), domain.PermitActionHandOut); err != nil {
			return err
		}
	}
	paper := render.A5
	if opt.A4 {
		paper = render.A4
	}
	if _, err := a.PrintPermits(ctx, actor, []string{n}, opt.Printer, paper); err != nil {
		e := *AsError(err)
		e.VI += " (giấy chưa được ghi nhận là đã giao)"
		e.EN += " (the permit is not marked handed over)"
		return &e
	}
	return nil
}

// RevokePermit withdraws a permit (a leader's decision). Verifiers at this office see it
// revoked at once; the province publishes it to everyone else.
func (a *App) RevokePermit(ctx context.Context, actor Actor, number, reason string) (Permit, error) {
	if err := a.requireDecider(ctx, actor); err != nil {
		return Permit{}, err
	}
	reason = domain.NormalizeText(reason)
	if n := utf8.RuneCountInString(reason); n < 3 || n > 500 {
		return Permit{}, invalid("reason", "required", "Cần nhập lý do thu hồi (3–500 ký tự)", "A revocation reason is required (3–500 characters)")
	}
	return a.permitStep(ctx, actor, number, domain.PermitActionRevoke, map[string]any{"revoke_reason": reason, "revoked_by": actor.UserID})
}

func (a *App) permitStep(ctx context.Context, actor Actor, number string, action domain.Action, extra map[string]any) (Permit, error) {
	number, err := canonicalNumber(number)
	if err != nil {
		return Permit{}, err
	}
	err = a.write(ctx, actor.Username, func(c *change) error { return stepPermit(c, actor, number, action, extra) })
	if err != nil {
		return Permit{}, err
	}
	return a.GetPermit(ctx, actor, number)
}

// stepPermit moves one permit one step in c's transaction, with its audit event and outbox
// record; several steps may share one transaction (the ready panel's hand-over).
func stepPermit(c *change, actor Actor, number string, action domain.Action, extra map[string]any) error {
	p, err := c.q.PermitByNumber(number)
	if err != nil {
		if isNotFound(err) {
			return notFound("giấy đi đường số " + number)
		}
		return err
	}
	next, err := domain.PermitTransition(domain.PermitStatus(p.Status), action)
	if err != nil {
		return err
	}
	upd := map[string]any{"status": string(next), "updated_at": c.at}
	switch action {
	case domain.PermitActionHandSig:
		upd["hand_signed_at"], upd["hand_signed_by"] = c.at, actor.UserID
	case domain.PermitActionHandOut:
		upd["handed_over_at"], upd["handed_over_by"] = c.at, actor.UserID
	case domain.PermitActionRevoke:
		upd["revoked_at"] = c.at
	}
	for k, v := range extra {
		upd[k] = v
	}
	if err := c.q.UpdatePermit(p.ID, p.Version, upd); err != nil {
		if errors.Is(err, store.ErrStale) {
			return newError(CodeConflict, "Giấy đi đường vừa được người khác cập nhật", "The permit was changed by someone else")
		}
		return err
	}
	from := p.Status
	if p, err = c.q.PermitByID(p.ID); err != nil {
		return err
	}
	details := map[string]any{"number": number, "from": from, "status": p.Status}
	if r, ok := extra["revoke_reason"]; ok {
		details["reason"] = r
	}
	return c.record("permit."+string(action), "permit", p.ID, p.Wire(), details)
}

// Verification is a verdict with what the verifier shows beside it.
type Verification struct {
	permit.Result
	Trust *TrustStatus `json:"trust,omitempty"`
	// Paper is set when the text is not a QR but the number of a paper permit this office
	// entered afterwards: the register vouches that it was recorded, no signature does.
	Paper *PaperVerdict `json:"paper,omitempty"`
}

// PaperVerdict is what the register knows of a paper permit.
type PaperVerdict struct {
	Mark        string `json:"mark"`
	Number      string `json:"number"`
	PaperNumber string `json:"paper_number"`
	IssuedOn    string `json:"issued_on"`
	Status      string `json:"status"`
}

// Verify checks a permit's QR text offline against this office's lists and its own
// revocations; curfew warnings follow the locality's rules.
func (a *App) Verify(ctx context.Context, actor Actor, text string) (Verification, error) {
	if err := a.require(actor, auth.ViewApplications); err != nil {
		return Verification{}, err
	}
	return a.verify(ctx, text)
}

func (a *App) verify(ctx context.Context, text string) (Verification, error) {
	tl, rl, _, err := a.lists(ctx)
	if err != nil {
		return Verification{}, err
	}
	opts := permit.VerifyOptions{MaxTrustAge: MaxTrustAge}
	if r, err := a.currentRules(ctx); err == nil && r.CurfewStart != "" {
		if cf, err := permit.ParseCurfew(r.CurfewStart, r.CurfewEnd); err == nil {
			opts.Curfew = cf
		}
	}
	if rev, err := a.provinceRevocation(ctx, text); err != nil {
		return Verification{}, err
	} else if rev != nil {
		merged := *rl
		merged.Entries = append(append([]permit.RevocationEntry(nil), rl.Entries...), *rev)
		rl = &merged
	}
	res := permit.Verify(text, a.Now(), tl, rl, opts)
	st, err := a.trustStatus(ctx)
	if err != nil {
		return Verification{}, err
	}
	v := Verification{Result: res, Trust: &st}
	if res.Status == permit.StatusMalformed {
		if p, err := a.read(ctx).PermitByNumber(strings.TrimSpace(text)); err == nil && p.Channel == ChannelPaperBackfill {
			v.Paper = &PaperVerdict{Mark: PaperMark, Number: p.Number, PaperNumber: p.PaperNumber, IssuedOn: p.IssuedOn, Status: p.Status}
		}
	}
	return v, nil
}

// VerifyImage finds the permit QR in a photo or scan and verifies it.
func (a *App) VerifyImage(ctx context.Context, actor Actor, data []byte) (Verification, error) {
	if err := a.require(actor, auth.ViewApplications); err != nil {
		return Verification{}, err
	}
	text, err := qrText("image", data)
	if err != nil {
		return Verification{}, err
	}
	return a.verify(ctx, text)
}

// VerifyPDF verifies the permit on every page of a PDF (a batch prints one per page).
func (a *App) VerifyPDF(ctx context.Context, actor Actor, pdf []byte) ([]Verification, error) {
	if err := a.require(actor, auth.ViewApplications); err != nil {
		return nil, err
	}
	pages, err := pdfPages(ctx, pdf)
	if err != nil {
		return nil, err
	}
	out := make([]Verification, len(pages))
	for i, p := range pages {
		if p.Err != nil {
			out[i] = Verification{Result: permit.Result{Status: permit.StatusMalformed, Warnings: []string{}, Detail: fmt.Sprintf("page %d: %v", p.Page, p.Err)}}
			continue
		}
		if out[i], err = a.verify(ctx, p.Text); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// VerifyWithBundle verifies against a trust bundle file instead of an office's lists: a
// checkpoint laptop with no office database. root pins the provincial key.
func VerifyWithBundle(text string, bundle []byte, root crypto.PublicKey, now time.Time) (Verification, error) {
	tl, rl, err := permit.ParseBundle(bundle, root)
	if err != nil {
		return Verification{}, &Error{Code: CodeValidation, VI: "Tệp danh sách tin cậy không hợp lệ hoặc không do tỉnh ký", EN: "The trust bundle is invalid or not signed by the pinned root", cause: err}
	}
	// Stateless: an expired list is refused outright, since this verifier cannot know what
	// was revoked since; a stale one is used with a warning and its age.
	if err := permit.CheckExpiry(tl, rl, now); err != nil {
		return Verification{}, &Error{Code: CodeValidation, VI: "Tệp danh sách tin cậy đã hết hạn: không thể xác minh, hãy lấy tệp mới của tỉnh",
			EN: "The trust bundle has expired: nothing can be verified against it; get a new one from the province", cause: err}
	}
	res := permit.Verify(text, now, tl, rl, permit.VerifyOptions{MaxTrustAge: MaxTrustAge})
	fp, _ := permit.Fingerprint(root)
	st := trustStatusOf(fp, tl, rl, now)
	return Verification{Result: res, Trust: &st}, nil
}

// ProvinceRootPEM returns the pinned provincial root key, for verifiers set up from this office.
func (a *App) ProvinceRootPEM(ctx context.Context) ([]byte, error) {
	root, err := a.provinceRoot(ctx)
	if err != nil {
		return nil, err
	}
	return permit.MarshalPublicKeyPEM(root)
}

// ListPermits lists the office's permits, newest first, of one status when status is not
// empty (the signing screen lists those awaiting a leader's signature).
func (a *App) ListPermits(ctx context.Context, actor Actor, status string) ([]Permit, error) {
	if err := a.require(actor, auth.ViewApplications); err != nil {
		return nil, err
	}
	if status != "" {
		known := false
		for _, s := range domain.PermitStatuses {
			known = known || string(s) == status
		}
		if !known {
			return nil, invalid("status", "unknown", "Trạng thái giấy không hợp lệ: "+status, "Unknown permit status: "+status)
		}
	}
	recs, err := a.read(ctx).ListPermits(status, MaxBatch)
	if err != nil {
		return nil, err
	}
	out, err := a.permitViews(ctx, recs)
	if err != nil {
		return nil, err
	}
	for i := range out {
		allowPermit(actor, &out[i])
	}
	return out, nil
}
