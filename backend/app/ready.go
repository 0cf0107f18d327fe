package app

import (
	"context"
	"fmt"
	"sort"
	"time"

	"giaydiduong/backend/auth"
	"giaydiduong/backend/domain"
	"giaydiduong/backend/printing"
	"giaydiduong/backend/render"
)

// The counter's "Sẵn sàng trả kết quả" panel: every citizen whose application was approved
// and whose permit is not yet in their hand, one row each, with the one step left.

// ReadyStage is the step a ready row waits for.
type ReadyStage string

const (
	// ReadyToIssue: approved, no permit yet; "Cấp và in" issues it and prints it.
	ReadyToIssue ReadyStage = "to_issue"
	// ReadyToSign: issued and (usually) printed, waiting for the leader's hand signature and
	// seal, or a token signature; handing over confirms the paper was signed by hand.
	ReadyToSign ReadyStage = "to_sign"
	// ReadyToHandOver: signed (by hand or with a token), waiting for the citizen.
	ReadyToHandOver ReadyStage = "to_hand_over"
)

// ReadyItem is one row of the panel.
type ReadyItem struct {
	Stage       ReadyStage  `json:"stage"`
	Application Application `json:"application"`
	// Permit is nil until it is issued.
	Permit *Permit `json:"permit,omitempty"`
	// Since is when the row reached its stage (decision, issue or signature): newest first.
	Since time.Time `json:"since"`
}

// ReadyPermits lists the rows of the panel, newest first (up to MaxBatch of each kind).
func (a *App) ReadyPermits(ctx context.Context, actor Actor) ([]ReadyItem, error) {
	if err := a.require(actor, auth.ViewApplications); err != nil {
		return nil, err
	}
	q := a.read(ctx)
	apps, err := q.ApprovedWithoutPermit(MaxBatch)
	if err != nil {
		return nil, err
	}
	recs, err := q.PermitsNotHandedOver(MaxBatch)
	if err != nil {
		return nil, err
	}
	views, err := a.decorate(ctx, apps)
	if err != nil {
		return nil, err
	}
	permits, err := a.permitViews(ctx, recs)
	if err != nil {
		return nil, err
	}
	if err := a.allowApplications(ctx, actor, views); err != nil {
		return nil, err
	}
	out := make([]ReadyItem, 0, len(views)+len(permits))
	for _, v := range views {
		since := v.CreatedAt
		if v.DecidedAt != nil {
			since = *v.DecidedAt
		}
		out = append(out, ReadyItem{Stage: ReadyToIssue, Application: v, Since: since})
	}
	for i := range permits {
		p := permits[i]
		allowPermit(actor, &p)
		item := ReadyItem{Stage: ReadyToHandOver, Application: p.Application, Permit: &p, Since: p.IssuedAt}
		if p.Status == string(domain.PermitAwaitingHand) {
			item.Stage = ReadyToSign
		}
		for _, t := range []*time.Time{p.SignedAt, p.HandSignedAt} {
			if t != nil && t.After(item.Since) {
				item.Since = *t
			}
		}
		out = append(out, item)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Since.After(out[j].Since) })
	return out, nil
}

// IssuedPrint is what "Cấp và in" did: the permit, and the print job when it printed.
type IssuedPrint struct {
	Permit Permit       `json:"permit"`
	Job    printing.Job `json:"job"`
}

// IssueAndPrint issues an approved application's permit and prints it on printer (the office
// default when ""). They are two transactions: when printing fails the permit stays issued
// (its number is taken, gapless) and waits in the panel to be printed, and the error says so.
func (a *App) IssueAndPrint(ctx context.Context, actor Actor, applicationID, printer string, paper render.Paper) (IssuedPrint, error) {
	p, err := a.IssuePermit(ctx, actor, applicationID)
	if err != nil {
		return IssuedPrint{}, err
	}
	job, err := a.PrintPermits(ctx, actor, []string{p.Number}, printer, paper)
	if err != nil {
		return IssuedPrint{Permit: p}, notPrinted([]string{p.Number}, err)
	}
	p, err = a.GetPermit(ctx, actor, p.Number)
	return IssuedPrint{Permit: p, Job: job}, err
}

// notPrinted says that permits were issued but the printer refused, keeping its reason.
func notPrinted(numbers []string, err error) error {
	e := AsError(err)
	what := numbers[0]
	if len(numbers) > 1 {
		what = fmt.Sprintf("%d giấy", len(numbers))
	}
	whatEN := numbers[0]
	if len(numbers) > 1 {
		whatEN = fmt.Sprintf("%d permits", len(numbers))
	}
	return &Error{Code: e.Code, VI: "Đã cấp giấy " + what + " nhưng chưa in được: " + e.VI, EN: "Issued " + whatEN + " but could not print: " + e.EN,
		Fields: e.Fields, cause: err}
}

// HandOverReady gives the citizen their permit: the panel's one action after signing.
func (a *App) HandOverReady(ctx context.Context, actor Actor, number string, opts HandOverOptions) (Permit, error) {
	if err := a.require(actor, auth.EnterApplication); err != nil {
		return Permit{}, err
	}
	number, err := canonicalNumber(number)
	if err != nil {
		return Permit{}, err
	}
	if opts.PrintCopy {
		if err := a.printCitizenCopy(ctx, actor, number, opts); err != nil {
			return Permit{}, err
		}
	}
	err = a.write(ctx, actor.Username, func(c *change) error {
		p, err := c.q.PermitByNumber(number)
		if err != nil {
			if isNotFound(err) {
				return notFound("giấy đi đường số " + number)
			}
			return err
		}
		if p.Status == string(domain.PermitAwaitingHand) {
			if !opts.HandSigned {
				return newError(CodeInvalidTransition, "Giấy "+number+" chưa có chữ ký của lãnh đạo: xác nhận lãnh đạo đã ký tay và đóng dấu trước khi trao",
					"Permit "+number+" is not signed yet: confirm the leader signed and stamped it before handing it over")
			}
			if err := stepPermit(c, actor, number, domain.PermitActionHandSig, nil); err != nil {
				return err
			}
		}
		return stepPermit(c, actor, number, domain.PermitActionHandOut, nil)
	})
	if err != nil {
		return Permit{}, err
	}
	return a.GetPermit(ctx, actor, number)
}

// ReadyPrint is what the batch print did.
type ReadyPrint struct {
	// Issued are the permits the batch issued first (approved applications without one).
	Issued []string `json:"issued"`
	// Printed are the permits sent in the one job, newest first.
	Printed []string     `json:"printed"`
	Job     printing.Job `json:"job"`
}

// PrintReady prints, in one job, every ready permit not printed yet, issuing first the
// permits of approved applications that have none. Permits already printed are not
// printed again (a reprint is the single permit's "In lại").
func (a *App) PrintReady(ctx context.Context, actor Actor, printer string, paper render.Paper) (ReadyPrint, error) {
	if err := a.require(actor, auth.EnterApplication); err != nil {
		return ReadyPrint{}, err
	}
	items, err := a.ReadyPermits(ctx, actor)
	if err != nil {
		return ReadyPrint{}, err
	}
	var out ReadyPrint
	for _, it := range items {
		switch {
		case it.Stage == ReadyToIssue:
			p, err := a.IssuePermit(ctx, actor, it.Application.ID)
			if err != nil {
				return out, err
			}
			out.Issued = append(out.Issued, p.Number)
			out.Printed = append(out.Printed, p.Number)
		case it.Permit.PrintCount == 0:
			out.Printed = append(out.Printed, it.Permit.Number)
		}
	}
	if len(out.Printed) == 0 {
		return out, newError(CodeValidation, "Không có giấy nào đang chờ in", "No ready permit is waiting to be printed")
	}
	if len(out.Printed) > MaxBatch {
		out.Printed = out.Printed[:MaxBatch]
	}
	if out.Job, err = a.PrintPermits(ctx, actor, out.Printed, printer, paper); err != nil {
		if len(out.Issued) > 0 {
			return out, notPrinted(out.Issued, err)
		}
		return out, err
	}
	return out, nil
}

// Changes is what a screen polls to know when to reload: a stamp that moves with every
// state change of the office (the audit chain's head, written in the same transaction as
// every change, by the window or gddctl alike) and the leader's waiting count.
type Changes struct {
	Stamp int64 `json:"stamp"`
	// Waiting counts the submitted applications for a user who decides; 0 for others.
	Waiting int64 `json:"waiting"`
}

// ChangesNow reads the stamp and the waiting count: two indexed reads.
func (a *App) ChangesNow(ctx context.Context, actor Actor) (Changes, error) {
	if err := a.require(actor, auth.ViewApplications); err != nil {
		return Changes{}, err
	}
	q := a.read(ctx)
	stamp, err := q.AuditHeadSeq()
	if err != nil {
		return Changes{}, err
	}
	out := Changes{Stamp: stamp}
	if auth.Allowed(actor.Role, auth.DecideApplication) {
		if out.Waiting, err = q.CountApplicationsOfStatus(string(domain.StatusSubmitted)); err != nil {
			return Changes{}, err
		}
	}
	return out, nil
}
