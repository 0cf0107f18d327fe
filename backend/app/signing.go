package app

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"giaydiduong/backend/auth"
	"giaydiduong/backend/domain"
	"giaydiduong/backend/pdfsign"
	"giaydiduong/backend/permit"
	"giaydiduong/backend/render"
	"giaydiduong/backend/store"
	"giaydiduong/backend/token"
	"giaydiduong/backend/token/pkcs11"
)

// SignInput is a leader's request to sign permits with their token.
type SignInput struct {
	Numbers []string `json:"numbers"`
	Token   TokenRef `json:"token"`
	PIN     string   `json:"pin"`
}

// SignProgress is where a batch is.
type SignProgress struct {
	Total        int    `json:"total"`
	Done         int    `json:"done"`
	WaitingTouch bool   `json:"waiting_touch"` // the key waits: "Chạm vào khóa để ký"
	Current      string `json:"current"`       // the permit being signed
}

// Why a batch stopped early.
const (
	StoppedRemoved   = "removed"
	StoppedCancelled = "cancelled"
	StoppedError     = "error"
)

// SignResult is how a batch ended. Permits in Signed are signed and saved; those in Unsigned
// are exactly as they were.
type SignResult struct {
	Signed    []string `json:"signed"`
	Unsigned  []string `json:"unsigned"`
	Total     int      `json:"total"`
	Stopped   string   `json:"stopped"` // "", or StoppedRemoved, StoppedCancelled, StoppedError
	MessageVI string   `json:"message_vi"`
	MessageEN string   `json:"message_en"`
	// Error is what stopped it, when something did.
	Error *Error `json:"error,omitempty"`
}

// batch is a signing run whose token is open and whose PIN was accepted.
type batch struct {
	actor   Actor
	leader  store.User
	key     store.SigningKey
	office  *OfficeInfo
	permits []Permit // read once, with their applications, when the batch is checked
	// qr signs a QR (FIDO or an EC certificate); nil for an RSA certificate, whose permits
	// keep the office-signed QR.
	qr permit.Signer
	// fido is qr when it is a FIDO key, whose signature counter is kept per credential.
	fido *token.FIDOSigner
	// trust is the trust list each re-signed QR is checked against before it is saved.
	trust *permit.TrustList
	// pdf signs the permit PDF (PKCS#11 only).
	pdf     crypto.Signer
	pdfCert *pkcs11.Certificate
	touch   *touchFlag
	close   func()
}

// touchFlag is whether the key waits for a touch; onWait hears when it starts waiting.
type touchFlag struct {
	mu      sync.Mutex
	waiting bool
	onWait  func()
}

func (t *touchFlag) set(v bool) {
	t.mu.Lock()
	was, fn := t.waiting, t.onWait
	t.waiting = v
	t.mu.Unlock()
	if v && !was && fn != nil {
		fn()
	}
}

func (t *touchFlag) get() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.waiting
}

func (t *touchFlag) listen(fn func()) {
	t.mu.Lock()
	t.onWait = fn
	t.mu.Unlock()
}

// SignPermits signs permits awaiting a leader's signature with the leader's enrolled token.
// Each permit is saved as soon as it is signed, so a token pulled out, a cancel or a crash
// leaves the signed ones signed and the rest untouched; the result says which are which.
// progress, when set, is called after each permit and when the key waits for a touch.
func (a *App) SignPermits(ctx context.Context, actor Actor, in SignInput, progress func(SignProgress)) (SignResult, error) {
	b, err := a.prepareBatch(ctx, actor, in)
	if err != nil {
		return SignResult{}, err
	}
	defer b.close()
	return a.runBatch(ctx, b, progress), nil
}

// prepareBatch checks everything that can be checked before the first signature: role,
// permits, enrollment, the token is the leader's own, the PIN.
func (a *App) prepareBatch(ctx context.Context, actor Actor, in SignInput) (*batch, error) {
	if err := a.requireDecider(ctx, actor); err != nil {
		return nil, err
	}
	if in.Token.Kind != TokenFIDO && in.Token.Kind != TokenPKCS11 {
		return nil, invalid("token.kind", "unknown", "Chọn loại khóa: khóa ký số USB hoặc thiết bị ký số có chứng thư số", "Choose a FIDO key or a PKCS#11 token")
	}
	if len(in.Numbers) == 0 || len(in.Numbers) > MaxBatch {
		return nil, invalid("numbers", "count", fmt.Sprintf("Chọn từ 1 đến %d giấy đi đường để ký", MaxBatch), fmt.Sprintf("Choose 1 to %d permits to sign", MaxBatch))
	}
	b := &batch{actor: actor, touch: &touchFlag{}, close: func() {}}
	var err error
	if b.leader, err = a.read(ctx).UserByID(actor.UserID); err != nil {
		return nil, fmt.Errorf("read leader: %w", err)
	}
	seen := map[string]bool{}
	for _, n := range in.Numbers {
		n, err := canonicalNumber(n)
		if err != nil {
			return nil, err
		}
		if seen[n] {
			return nil, invalid("numbers", "duplicate", "Giấy số "+n+" được chọn hai lần", "Permit "+n+" is listed twice")
		}
		seen[n] = true
		p, err := a.permit(ctx, n)
		if err != nil {
			if AsError(err).Code == CodeNotFound {
				return nil, invalid("numbers", "unknown", "Không có giấy đi đường số "+n, "No permit "+n)
			}
			return nil, err
		}
		if p.Status != string(domain.PermitAwaitingHand) {
			return nil, invalid("numbers", "not_awaiting", "Giấy số "+n+" không ở trạng thái chờ lãnh đạo ký", "Permit "+n+" is not waiting for a signature")
		}
		// A permit whose travel window has passed is of no use to anyone once signed.
		if p.Expired {
			return nil, invalid("numbers", "expired", "Giấy số "+n+" đã hết thời hạn đi lại ("+ddmmyyyy(p.Application.ValidTo)+"): không ký, hãy cấp giấy mới nếu cần",
				"Permit "+n+" has expired ("+p.Application.ValidTo+"): it is not signed")
		}
		b.permits = append(b.permits, p)
	}
	if b.office, err = a.officeOrErr(ctx); err != nil {
		return nil, err
	}
	now := a.Now().UTC()
	if b.key, err = a.read(ctx).CurrentSigningKey(actor.UserID, string(in.Token.Kind), now); err != nil {
		if isNotFound(err) {
			return nil, newError(CodeConflict, "Lãnh đạo "+b.leader.FullName+" chưa được đăng ký khóa ký loại này (hoặc khóa đã hết hạn): quản trị văn phòng cần đăng ký khóa trước",
				"No current key of this kind is enrolled for "+b.leader.FullName+": the office admin must enroll it first")
		}
		return nil, err
	}
	if b.key.Algorithm == "ES256" {
		// A QR signed by a key the province has not listed would fail at every checkpoint.
		tl, _, _, err := a.lists(ctx)
		if err != nil {
			return nil, err
		}
		var kid permit.KeyID
		if err := kid.UnmarshalText([]byte(b.key.KeyID)); err != nil {
			return nil, fmt.Errorf("enrolled key id: %w", err)
		}
		b.trust = tl
		entry, ok := tl.Lookup(kid)
		if !ok {
			return nil, newError(CodeConflict, "Khóa ký của lãnh đạo chưa có trong danh sách tin cậy của tỉnh: quản trị văn phòng gửi yêu cầu đăng ký khóa cho tỉnh (Cài đặt → Xuất yêu cầu đăng ký khóa) và nhập danh sách mới trước khi ký",
				"The leader's key is not in the provincial trust list yet: send the enrollment request and import the new list first")
		}
		// The province scopes each key to one unit; a permit of another unit signed with it
		// is rejected at every checkpoint.
		for _, p := range b.permits {
			if entry.UnitCode != p.UnitCode {
				return nil, newError(CodeConflict,
					"Danh sách tin cậy của tỉnh chỉ cho khóa này ký giấy của đơn vị "+entry.UnitCode+", không phải giấy số "+p.Number+": không ký",
					"The provincial trust list scopes this key to unit "+entry.UnitCode+", not to permit "+p.Number+": nothing was signed")
			}
		}
	}
	switch in.Token.Kind {
	case TokenFIDO:
		err = a.openFIDOBatch(ctx, b, in)
	default:
		err = a.openPKCS11Batch(ctx, b, in)
	}
	if err != nil {
		return nil, err
	}
	return b, nil
}

func (a *App) openFIDOBatch(ctx context.Context, b *batch, in SignInput) error {
	cred, err := credentialOf(b.key)
	if err != nil {
		return fmt.Errorf("enrolled credential: %w", err)
	}
	dev, err := a.openFIDO(ctx, in.Token, nil)
	if err != nil {
		return err
	}
	// One touch for the batch where the key verifies the leader by PIN; else one per permit.
	s, err := token.NewFIDOSigner(ctx, dev, cred, token.SignerOptions{PIN: in.PIN, Batch: token.TouchOnce, OnTouch: func() { b.touch.set(true) }, Logger: a.log,
		LastCounter: uint32(b.key.SignCount)})
	if err != nil {
		_ = dev.Close()
		return tokenError(err)
	}
	b.qr, b.fido, b.close = s, s, func() { _ = dev.Close() }
	return nil
}

func (a *App) openPKCS11Batch(ctx context.Context, b *batch, in SignInput) error {
	sess, err := a.openPKCS11(ctx, in.Token, in.PIN)
	if err != nil {
		return err
	}
	certs, err := sess.Certificates(ctx)
	if err != nil {
		_ = sess.Close()
		return tokenError(err)
	}
	c, ok := token.MatchCertificate(certs, b.key.Certificate)
	if !ok {
		_ = sess.Close()
		return tokenError(token.ErrNotEnrolled)
	}
	k, err := sess.Signer(c)
	if err != nil {
		_ = sess.Close()
		return tokenError(err)
	}
	b.pdf, b.pdfCert, b.close = k, &c, func() { _ = sess.Close() }
	if b.key.Algorithm == "ES256" {
		if b.qr, err = k.PermitSigner(); err != nil {
			_ = sess.Close()
			return err
		}
	}
	return nil
}

// recordCounterRefusal audit-logs a FIDO assertion refused for a counter that repeated or
// went back: the sign of a cloned key, which the office admin must look into.
func (a *App) recordCounterRefusal(ctx context.Context, b *batch, number string, cause error) {
	err := a.write(ctx, b.actor.Username, func(c *change) error {
		return c.record("token.counter_refused", "signing_key", b.key.KeyID, nil,
			map[string]any{"key_id": b.key.KeyID, "permit": number, "last_counter": b.fido.Counter(), "error": cause.Error()})
	})
	if err != nil {
		a.log.Error("audit a refused FIDO counter", "key_id", b.key.KeyID, "err", err)
	}
}

// runBatch signs and saves permit after permit until done, cancelled or the token fails.
func (a *App) runBatch(ctx context.Context, b *batch, progress func(SignProgress)) SignResult {
	res := SignResult{Total: len(b.permits), Signed: []string{}, Unsigned: []string{}}
	report := func(done int, current string) {
		if progress != nil {
			progress(SignProgress{Total: res.Total, Done: done, Current: current, WaitingTouch: b.touch.get()})
		}
	}
	var stopErr error
	for i, p := range b.permits {
		if err := ctx.Err(); err != nil {
			stopErr = err
		} else {
			report(i, p.Number)
			b.touch.listen(func() { report(i, p.Number) })
			stopErr = a.signOne(ctx, b, p)
		}
		b.touch.set(false)
		if stopErr != nil {
			for _, q := range b.permits[i:] {
				res.Unsigned = append(res.Unsigned, q.Number)
			}
			break
		}
		res.Signed = append(res.Signed, p.Number)
		report(i+1, "")
	}
	a.explain(&res, stopErr)
	return res
}

// signOne signs one permit and saves it in its own transaction; the save checks the permit
// is still the version the batch read.
func (a *App) signOne(ctx context.Context, b *batch, p Permit) error {
	at := a.Now().UTC().Truncate(time.Second)
	qr, keyID := p.QR, p.KeyID
	if b.qr != nil {
		// The QR says when the leader signed: that is when the permit took effect.
		payload, err := permit.PayloadOf(applicationFacts(p.Application.Application), p.Number, at)
		if err != nil {
			return err
		}
		payload.KeyID = b.qr.KeyID()
		if b.trust != nil {
			// The same bounds as the office key's: the leader's key validity, unit and the
			// rules' maximum window, or every checkpoint rejects the QR.
			maxDays := 0
			if rules, err := a.rulesVersion(ctx, p.Application.OfficeUnitCode, p.Application.RulesVersion); err == nil {
				maxDays = rules.MaxDays
			}
			if err := permit.CheckIssue(payload, b.trust, at, maxDays); err != nil {
				return &Error{Code: CodeConflict, VI: "Không ký được giấy số " + p.Number + ": giấy phải nằm trong thời hạn và đơn vị của khóa ký của lãnh đạo",
					EN: "Cannot sign permit " + p.Number + ": it must lie inside the leader's key validity and unit", cause: err}
			}
		}
		qr, err = permit.Encode(ctx, payload, b.qr)
		if errors.Is(err, token.ErrCounterNotIncreasing) {
			a.recordCounterRefusal(ctx, b, p.Number, err)
		}
		if err != nil {
			return fmt.Errorf("sign permit %s: %w", p.Number, err)
		}
		keyID = permit.KeyID(b.qr.KeyID()).String()
	}
	var pdf []byte
	if b.pdf != nil {
		var err error
		if pdf, err = a.signedPDF(ctx, b, p, qr, at); err != nil {
			return err
		}
	}
	return a.write(ctx, b.actor.Username, func(c *change) error {
		if _, err := domain.PermitTransition(domain.PermitStatus(p.Status), domain.PermitActionSign); err != nil {
			return err
		}
		upd := map[string]any{"status": string(domain.PermitSigned), "updated_at": c.at, "qr": qr, "key_id": keyID,
			"signature_kind": render.SignatureDigital, "signer_name": b.leader.FullName, "signer_title": b.leader.Title, "signed_at": at, "signed_by": b.actor.UserID}
		if pdf != nil {
			sum := sha256.Sum256(pdf)
			blob := store.Blob{SHA256: hex.EncodeToString(sum[:]), MediaType: "application/pdf", Size: int64(len(pdf)), Data: pdf, CreatedAt: c.at}
			if err := c.q.PutBlob(&blob); err != nil {
				return fmt.Errorf("store signed PDF of %s: %w", p.Number, err)
			}
			upd["signed_pdf"] = blob.SHA256
		}
		// The version guard also holds the status: every change of status moves the version.
		if err := c.q.UpdatePermit(p.ID, p.Version, upd); err != nil {
			if errors.Is(err, store.ErrStale) {
				return newError(CodeConflict, "Giấy số "+p.Number+" vừa được người khác cập nhật", "Permit "+p.Number+" was changed by someone else")
			}
			return fmt.Errorf("save signed permit %s: %w", p.Number, err)
		}
		if b.fido != nil {
			if err := c.q.RaiseSignCount(b.key.KeyID, int64(b.fido.Counter())); err != nil {
				return err
			}
		}
		saved, err := c.q.PermitByID(p.ID)
		if err != nil {
			return err
		}
		return c.record("permit.sign", "permit", saved.ID, saved.Wire(),
			map[string]any{"number": p.Number, "from": p.Status, "key_id": keyID, "token": b.key.Kind, "signed_pdf": saved.SignedPDF})
	})
}

// signedPDF renders the permit with an empty signature block and signs the file with the
// certificate token, its visible signature filling the block.
func (a *App) signedPDF(ctx context.Context, b *batch, view Permit, qr string, at time.Time) ([]byte, error) {
	view.QR, view.SignatureKind, view.SignerName, view.SignerTitle = qr, render.SignatureDigital, b.leader.FullName, b.leader.Title
	view.Status, view.SignedAt, view.PrintCount = string(domain.PermitSigned), &at, 0
	rp, err := a.renderable(ctx, view)
	if err != nil {
		return nil, err
	}
	rp.Signature.Widget = true
	var box [4]float64
	var buf bytes.Buffer
	if err := render.Permits(&buf, []render.Permit{rp}, render.Options{Paper: render.A5, SignatureBox: func(_ int, r [4]float64) { box = r }}); err != nil {
		return nil, fmt.Errorf("render permit %s: %w", view.Number, err)
	}
	signed, err := pdfsign.Sign(ctx, buf.Bytes(), b.pdf, []*x509.Certificate{b.pdfCert.Cert}, pdfsign.Appearance{
		Name: b.leader.FullName, Location: b.office.Name, Rect: box, Time: at, Reason: "Ký giấy đi đường số " + view.Number,
	})
	if err != nil {
		return nil, fmt.Errorf("sign PDF of permit %s: %w", view.Number, err)
	}
	return signed, nil
}

// explain writes the batch's outcome in words a leader reads at a glance.
func (a *App) explain(res *SignResult, stopErr error) {
	n, left := len(res.Signed), len(res.Unsigned)
	if stopErr == nil {
		res.MessageVI = fmt.Sprintf("Đã ký số %d giấy đi đường", n)
		res.MessageEN = "Signed " + permitsEN(n)
		return
	}
	e := AsError(tokenError(stopErr))
	res.Error = e
	why, whyEN := e.VI, e.EN
	switch {
	case errors.Is(stopErr, context.Canceled):
		res.Stopped, why, whyEN = StoppedCancelled, "đã hủy lượt ký", "signing was cancelled"
	case errors.Is(stopErr, token.ErrDeviceRemoved), errors.Is(stopErr, pkcs11.ErrTokenRemoved), errors.Is(stopErr, pkcs11.ErrNoToken):
		res.Stopped, why, whyEN = StoppedRemoved, "khóa ký đã bị rút ra", "the token was pulled out"
	default:
		res.Stopped = StoppedError
		a.log.Warn("signing batch stopped", "signed", n, "unsigned", left, "err", stopErr)
	}
	res.MessageVI = fmt.Sprintf("Đã ký %d giấy; %d giấy chưa ký vẫn chờ ký vì %s", n, left, why)
	res.MessageEN = fmt.Sprintf("Signed %s; %d still waiting for a signature because %s", permitsEN(n), left, whyEN)
}

func permitsEN(n int) string {
	if n == 1 {
		return "1 permit"
	}
	return fmt.Sprintf("%d permits", n)
}

// SignedPermitPDF returns the PDF a certificate token signed for a permit: the file whose
// signature Adobe Reader or pdfsig checks.
func (a *App) SignedPermitPDF(ctx context.Context, actor Actor, number string) ([]byte, error) {
	if err := a.require(actor, auth.ViewApplications); err != nil {
		return nil, err
	}
	p, err := a.permit(ctx, number)
	if err != nil {
		return nil, err
	}
	if p.SignedPDF == "" {
		return nil, newError(CodeNotFound, "Giấy số "+number+" không có tệp PDF ký số (chỉ thiết bị ký số có chứng thư mới ký tệp PDF)", "Permit "+number+" has no signed PDF")
	}
	blob, err := a.read(ctx).Blob(p.SignedPDF)
	if err != nil {
		return nil, fmt.Errorf("read signed PDF of %s: %w", number, err)
	}
	if sum := sha256.Sum256(blob.Data); hex.EncodeToString(sum[:]) != blob.SHA256 {
		return nil, fmt.Errorf("signed PDF of %s: stored bytes do not match their hash", number)
	}
	return blob.Data, nil
}
