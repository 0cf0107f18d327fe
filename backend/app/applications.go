package app

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"giaydiduong/backend/auth"
	"giaydiduong/backend/domain"
	"giaydiduong/backend/store"
)

// Application is an application as the screens and gddctl show it.
type Application struct {
	store.Application
	CreatedByName string `json:"created_by_name"`
	DecidedByName string `json:"decided_by_name"`
	// Actions is what the user asking may do with it now (set where a user asks).
	Actions []domain.Action `json:"actions"`
	// Mark is PaperMark when the application is that of a paper permit entered afterwards.
	Mark string `json:"mark,omitempty"`
}

// ListFilter selects a page of applications. Dates are YYYY-MM-DD on the created date.
type ListFilter struct {
	Status      string `json:"status"`
	PurposeCode string `json:"purpose_code"`
	DateFrom    string `json:"date_from"`
	DateTo      string `json:"date_to"`
	Search      string `json:"search"`
	Page        int    `json:"page"`
	PageSize    int    `json:"page_size"`
}

// ApplicationPage is one page of a list.
type ApplicationPage struct {
	Items    []Application `json:"items"`
	Total    int64         `json:"total"`
	Page     int           `json:"page"`
	PageSize int           `json:"page_size"`
}

// Vietnam has one time zone and no daylight saving; calendar rules use it wherever the
// office PC's own zone is set.
var vietnam = time.FixedZone("ICT", 7*3600)

// AddOptions says how AddApplication saves.
type AddOptions struct {
	// Draft saves without submitting to the approvers.
	Draft bool `json:"draft"`
	// AllowDuplicate is the clerk's confirmation, after being shown them, that the
	// citizen's open application or overlapping permit does not stop this one; it is
	// recorded in the audit event.
	AllowDuplicate bool `json:"allow_duplicate"`
}

// AddApplication validates and saves an application entered for a walk-in citizen, as
// submitted (or as a draft). It refuses a possible duplicate (see AddApplicationWith).
func (a *App) AddApplication(ctx context.Context, actor Actor, in domain.ApplicationInput, draft bool) (Application, error) {
	return a.AddApplicationWith(ctx, actor, in, AddOptions{Draft: draft})
}

// AddApplicationWith validates and saves an application. When the same ID number has an
// application still open (draft or submitted) or approved for an overlapping window, it
// returns a CodeDuplicate error carrying those records, unless opts.AllowDuplicate.
func (a *App) AddApplicationWith(ctx context.Context, actor Actor, in domain.ApplicationInput, opts AddOptions) (Application, error) {
	if err := a.require(actor, auth.EnterApplication); err != nil {
		return Application{}, err
	}
	clean, rules, err := a.checkApplication(ctx, in)
	if err != nil {
		return Application{}, err
	}
	status := domain.StatusSubmitted
	if opts.Draft {
		status = domain.StatusDraft
	}
	office, err := a.officeOrErr(ctx)
	if err != nil {
		return Application{}, err
	}
	var rec store.Application
	err = a.write(ctx, actor.Username, func(c *change) error {
		// Checked inside the write transaction: two clerks entering the same citizen at once
		// cannot both pass.
		dups, err := checkDuplicates(c.q, clean, "", opts.AllowDuplicate)
		if err != nil {
			return err
		}
		rec = store.Application{
			ID: newID(), Version: 1, OfficeUnitCode: rules.UnitCode, OfficeUnitName: office.UnitName, Status: string(status),
			RulesVersion: rules.Version, CreatedBy: actor.UserID, CreatedAt: c.at, UpdatedAt: c.at,
		}
		setInput(&rec, clean)
		// The residence as it is named today, kept with the record: a later change of the
		// unit list does not rename it.
		rec.ResidenceCommuneName, rec.ResidencePlace, _ = a.place(clean.ResidenceCommuneCode, "")
		if err := c.q.InsertApplication(&rec); err != nil {
			return err
		}
		details := map[string]any{"status": rec.Status}
		if len(dups) > 0 {
			details["allow_duplicate"] = true
			details["duplicates"] = duplicateIDs(dups)
		}
		return c.record("application.create", "application", rec.ID, rec.Wire(), details)
	})
	if err != nil {
		return Application{}, err
	}
	return a.GetApplication(ctx, actor, rec.ID)
}

// maxDuplicatesShown bounds the records a duplicate error carries.
const maxDuplicatesShown = 5

// checkDuplicates finds the possible duplicates of in (other than excludeID) and refuses
// them unless allowed; it returns those it found.
func checkDuplicates(q store.Q, in domain.ApplicationInput, excludeID string, allow bool) ([]store.PossibleDuplicate, error) {
	dups, err := q.PossibleDuplicates(in.IDNumber, in.ValidFrom, in.ValidTo, excludeID, maxDuplicatesShown)
	if err != nil {
		return nil, err
	}
	if len(dups) > 0 && !allow {
		return nil, duplicateError(dups)
	}
	return dups, nil
}

func duplicateIDs(dups []store.PossibleDuplicate) []string {
	ids := make([]string, len(dups))
	for i, d := range dups {
		ids[i] = d.ID
	}
	return ids
}

func duplicateError(dups []store.PossibleDuplicate) *Error {
	d := dups[0]
	what, whatEN := "hồ sơ đang chờ", "an open application"
	if d.PermitNumber != "" {
		what, whatEN = "giấy đi đường số "+d.PermitNumber, "permit "+d.PermitNumber
	} else if d.Status == string(domain.StatusApproved) {
		what, whatEN = "hồ sơ đã duyệt", "an approved application"
	}
	from, to := displayDate(d.ValidFrom), displayDate(d.ValidTo)
	e := newError(CodeDuplicate,
		fmt.Sprintf("Số định danh %s đã có %s (%s, %s – %s). Xác nhận nếu vẫn muốn nhập hồ sơ mới", d.IDNumber, what, d.FullName, from, to),
		fmt.Sprintf("ID number %s already has %s (%s, %s – %s). Confirm to enter a new application anyway", d.IDNumber, whatEN, d.FullName, from, to))
	e.Duplicates = make([]Duplicate, len(dups))
	for i, d := range dups {
		e.Duplicates[i] = Duplicate{ID: d.ID, FullName: d.FullName, IDNumber: d.IDNumber, Status: d.Status,
			ValidFrom: d.ValidFrom, ValidTo: d.ValidTo, RouteTo: d.RouteTo, CreatedAt: d.CreatedAt,
			PermitNumber: d.PermitNumber, PermitStatus: d.PermitStatus}
	}
	return e
}

// displayDate is YYYY-MM-DD as people read it (dd/MM/yyyy).
func displayDate(iso string) string {
	d, err := time.Parse(time.DateOnly, iso)
	if err != nil {
		return iso
	}
	return d.Format("02/01/2006")
}

// UpdateDraft replaces the content of a draft (a correction before it is submitted),
// with the same checks as a new application, duplicates included.
func (a *App) UpdateDraft(ctx context.Context, actor Actor, id string, in domain.ApplicationInput, opts AddOptions) (Application, error) {
	if err := a.require(actor, auth.EnterApplication); err != nil {
		return Application{}, err
	}
	clean, _, err := a.checkApplication(ctx, in)
	if err != nil {
		return Application{}, err
	}
	err = a.write(ctx, actor.Username, func(c *change) error {
		rec, err := c.q.ApplicationByID(id)
		if err != nil {
			if isNotFound(err) {
				return notFound("hồ sơ " + id)
			}
			return err
		}
		if rec.Status != string(domain.StatusDraft) {
			return newError(CodeInvalidTransition, "Chỉ sửa được hồ sơ nháp", "Only a draft can be edited")
		}
		dups, err := checkDuplicates(c.q, clean, rec.ID, opts.AllowDuplicate)
		if err != nil {
			return err
		}
		setInput(&rec, clean)
		rec.ResidenceCommuneName, rec.ResidencePlace, _ = a.place(clean.ResidenceCommuneCode, "")
		next := domain.StatusDraft
		if !opts.Draft {
			next = domain.StatusSubmitted
		}
		if err := c.q.UpdateApplication(rec.ID, rec.Version, inputFields(rec, next, c.at)); err != nil {
			if errors.Is(err, store.ErrStale) {
				return newError(CodeConflict, "Hồ sơ vừa được người khác cập nhật, hãy tải lại", "The application was changed by someone else; reload it")
			}
			return err
		}
		if rec, err = c.q.ApplicationByID(id); err != nil {
			return err
		}
		details := map[string]any{"status": rec.Status}
		if len(dups) > 0 {
			details["allow_duplicate"] = true
			details["duplicates"] = duplicateIDs(dups)
		}
		return c.record("application.edit", "application", rec.ID, rec.Wire(), details)
	})
	if err != nil {
		return Application{}, err
	}
	return a.GetApplication(ctx, actor, id)
}

// inputFields is what an edit of rec writes.
func inputFields(rec store.Application, status domain.Status, at time.Time) map[string]any {
	return map[string]any{
		"full_name": rec.FullName, "search_text": rec.SearchText, "birth_date": rec.BirthDate, "gender": rec.Gender,
		"id_number": rec.IDNumber, "phone": rec.Phone, "residence_commune_code": rec.ResidenceCommuneCode,
		"residence_commune_name": rec.ResidenceCommuneName, "residence_place": rec.ResidencePlace,
		"residence_street": rec.ResidenceStreet, "card_address": rec.CardAddress, "workplace": rec.Workplace,
		"purpose_code": rec.PurposeCode, "route_from": rec.RouteFrom, "route_to": rec.RouteTo,
		"vehicle_type": rec.VehicleType, "vehicle_plate": rec.VehiclePlate, "valid_from": rec.ValidFrom,
		"valid_to": rec.ValidTo, "note": rec.Note, "status": string(status), "updated_at": at,
	}
}

// CopyApplication returns the content of an application (a rejected one, typically) as a
// new application's input, for the clerk to correct and submit: the citizen's data and the
// trip as they were, the validity window moved to start today when it has passed.
func (a *App) CopyApplication(ctx context.Context, actor Actor, id string) (domain.ApplicationInput, error) {
	if err := a.require(actor, auth.EnterApplication); err != nil {
		return domain.ApplicationInput{}, err
	}
	src, err := a.GetApplication(ctx, actor, id)
	if err != nil {
		return domain.ApplicationInput{}, err
	}
	in := domain.ApplicationInput{
		FullName: src.FullName, BirthDate: src.BirthDate, Gender: domain.Gender(src.Gender), IDNumber: src.IDNumber,
		Phone: src.Phone, ResidenceCommuneCode: src.ResidenceCommuneCode, ResidenceStreet: src.ResidenceStreet,
		CardAddress: src.CardAddress, Workplace: src.Workplace, PurposeCode: src.PurposeCode, RouteFrom: src.RouteFrom,
		RouteTo: src.RouteTo, VehicleType: domain.VehicleType(src.VehicleType), VehiclePlate: src.VehiclePlate,
		ValidFrom: src.ValidFrom, ValidTo: src.ValidTo, Note: src.Note,
	}
	today := a.Now().In(vietnam).Format(time.DateOnly)
	if in.ValidFrom < today {
		from, err1 := time.Parse(time.DateOnly, in.ValidFrom)
		to, err2 := time.Parse(time.DateOnly, in.ValidTo)
		days := 0
		if err1 == nil && err2 == nil && !to.Before(from) {
			days = int(to.Sub(from).Hours() / 24)
		}
		start, _ := time.Parse(time.DateOnly, today)
		in.ValidFrom, in.ValidTo = today, start.AddDate(0, 0, days).Format(time.DateOnly)
	}
	return in, nil
}

// CheckApplication validates an application against the current rules without saving it or
// needing a user, so a script can refuse bad input before it signs in (a sign-in is audited).
func (a *App) CheckApplication(ctx context.Context, in domain.ApplicationInput) error {
	_, _, err := a.checkApplication(ctx, in)
	return err
}

func (a *App) checkApplication(ctx context.Context, in domain.ApplicationInput) (domain.ApplicationInput, domain.Rules, error) {
	rules, err := a.currentRules(ctx)
	if err != nil {
		return in, rules, err
	}
	clean, err := domain.ValidateApplication(in, a.Now().In(vietnam), rules, a)
	return clean, rules, err
}

func setInput(rec *store.Application, in domain.ApplicationInput) {
	rec.FullName, rec.BirthDate, rec.Gender, rec.IDNumber, rec.Phone = in.FullName, in.BirthDate, string(in.Gender), in.IDNumber, in.Phone
	rec.ResidenceCommuneCode, rec.ResidenceStreet, rec.CardAddress, rec.Workplace = in.ResidenceCommuneCode, in.ResidenceStreet, in.CardAddress, in.Workplace
	rec.PurposeCode, rec.RouteFrom, rec.RouteTo = in.PurposeCode, in.RouteFrom, in.RouteTo
	rec.VehicleType, rec.VehiclePlate, rec.ValidFrom, rec.ValidTo, rec.Note = string(in.VehicleType), in.VehiclePlate, in.ValidFrom, in.ValidTo, in.Note
	rec.SearchText = domain.FoldForSearch(in.FullName) + " " + in.IDNumber
}

// SubmitApplication sends a draft to the approvers.
func (a *App) SubmitApplication(ctx context.Context, actor Actor, id string) (Application, error) {
	if err := a.require(actor, auth.EnterApplication); err != nil {
		return Application{}, err
	}
	return a.transition(ctx, actor, id, domain.ActionSubmit, "", nil)
}

// ApproveApplication approves a submitted application (approver).
func (a *App) ApproveApplication(ctx context.Context, actor Actor, id string) (Application, error) {
	return a.decide(ctx, actor, id, domain.ActionApprove, "")
}

// RejectApplication rejects a submitted application with a reason (approver).
func (a *App) RejectApplication(ctx context.Context, actor Actor, id, reason string) (Application, error) {
	reason = domain.NormalizeText(reason)
	if n := utf8.RuneCountInString(reason); n < 3 || n > 500 {
		return Application{}, invalid("reason", "required", "Cần nhập lý do từ chối (3–500 ký tự)", "A rejection reason is required (3–500 characters)")
	}
	return a.decide(ctx, actor, id, domain.ActionReject, reason)
}

func (a *App) decide(ctx context.Context, actor Actor, id string, action domain.Action, reason string) (Application, error) {
	if err := a.requireDecider(ctx, actor); err != nil {
		return Application{}, err
	}
	settings, err := a.settings(ctx)
	if err != nil {
		return Application{}, err
	}
	return a.transition(ctx, actor, id, action, reason, func(rec *store.Application) error {
		if auth.FourEyesBars(settings.FourEyes, rec.CreatedBy, actor.UserID) {
			return newError(CodeForbidden,
				"Nguyên tắc bốn mắt: người nhập hồ sơ không được tự duyệt hồ sơ đó",
				"Four-eyes rule: you cannot decide an application you entered")
		}
		return nil
	})
}

// transition moves one application through the workflow in one transaction.
func (a *App) transition(ctx context.Context, actor Actor, id string, action domain.Action, reason string, check func(*store.Application) error) (Application, error) {
	err := a.write(ctx, actor.Username, func(c *change) error {
		rec, err := c.q.ApplicationByID(id)
		if err != nil {
			if isNotFound(err) {
				return notFound("hồ sơ " + id)
			}
			return err
		}
		from := rec.Status
		next, err := domain.Transition(domain.Status(from), action)
		if err != nil {
			return err
		}
		if check != nil {
			if err := check(&rec); err != nil {
				return err
			}
		}
		upd := map[string]any{"status": string(next), "updated_at": c.at}
		if action == domain.ActionApprove || action == domain.ActionReject {
			upd["decided_by"], upd["decided_at"], upd["reject_reason"] = actor.UserID, c.at, reason
		}
		if err := c.q.UpdateApplication(rec.ID, rec.Version, upd); err != nil {
			if errors.Is(err, store.ErrStale) {
				return newError(CodeConflict, "Hồ sơ vừa được người khác cập nhật, hãy tải lại", "The application was changed by someone else; reload it")
			}
			return err
		}
		if rec, err = c.q.ApplicationByID(id); err != nil {
			return err
		}
		details := map[string]any{"from": from, "status": rec.Status}
		if reason != "" {
			details["reason"] = reason
		}
		return c.record("application."+string(action), "application", rec.ID, rec.Wire(), details)
	})
	if err != nil {
		return Application{}, err
	}
	return a.GetApplication(ctx, actor, id)
}

// GetApplication returns one application with display names.
func (a *App) GetApplication(ctx context.Context, actor Actor, id string) (Application, error) {
	if err := a.require(actor, auth.ViewApplications); err != nil {
		return Application{}, err
	}
	rec, err := a.read(ctx).ApplicationByID(id)
	if err != nil {
		if isNotFound(err) {
			return Application{}, notFound("hồ sơ " + id)
		}
		return Application{}, err
	}
	page, err := a.decorate(ctx, []store.Application{rec})
	if err != nil {
		return Application{}, err
	}
	if err := a.allowApplications(ctx, actor, page); err != nil {
		return Application{}, err
	}
	return page[0], nil
}

func (a *App) decorate(ctx context.Context, recs []store.Application) ([]Application, error) {
	ids := map[string]bool{}
	for _, r := range recs {
		ids[r.CreatedBy] = true
		if r.DecidedBy != nil {
			ids[*r.DecidedBy] = true
		}
	}
	keys := make([]string, 0, len(ids))
	for k := range ids {
		keys = append(keys, k)
	}
	names, _, err := a.read(ctx).UserNames(keys)
	if err != nil {
		return nil, err
	}
	appIDs := make([]string, len(recs))
	for i, r := range recs {
		appIDs[i] = r.ID
	}
	paper, err := a.read(ctx).PaperApplications(appIDs)
	if err != nil {
		return nil, err
	}
	out := make([]Application, len(recs))
	for i, r := range recs {
		out[i] = Application{Application: r, CreatedByName: names[r.CreatedBy]}
		if paper[r.ID] {
			out[i].Mark = PaperMark
		}
		if r.DecidedBy != nil {
			out[i].DecidedByName = names[*r.DecidedBy]
		}
	}
	return out, nil
}

// MaxPageSize bounds one page of a list.
const MaxPageSize = 200

// ListApplications filters, searches (ignoring diacritics and đ/Đ) and pages applications,
// newest first.
func (a *App) ListApplications(ctx context.Context, actor Actor, f ListFilter) (ApplicationPage, error) {
	if err := a.require(actor, auth.ViewApplications); err != nil {
		return ApplicationPage{}, err
	}
	if f.Page < 1 {
		f.Page = 1
	}
	if f.PageSize < 1 {
		f.PageSize = 20
	}
	if f.PageSize > MaxPageSize {
		f.PageSize = MaxPageSize
	}
	q := store.ApplicationFilter{Status: f.Status, PurposeCode: f.PurposeCode, Search: domain.FoldForSearch(f.Search),
		Offset: (f.Page - 1) * f.PageSize, Limit: f.PageSize}
	if f.Status != "" && !validStatus(f.Status) {
		return ApplicationPage{}, invalid("status", "invalid", "Trạng thái không hợp lệ: "+f.Status, "Unknown status: "+f.Status)
	}
	for _, d := range []struct {
		field, val string
		days       int
		set        **time.Time
	}{{"date_from", f.DateFrom, 0, &q.CreatedFrom}, {"date_to", f.DateTo, 1, &q.CreatedBefore}} {
		if d.val == "" {
			continue
		}
		day, err := time.ParseInLocation(time.DateOnly, d.val, vietnam)
		if err != nil {
			return ApplicationPage{}, invalid(d.field, "format", "Ngày phải có dạng YYYY-MM-DD", "Date must be YYYY-MM-DD")
		}
		t := day.AddDate(0, 0, d.days)
		*d.set = &t
	}
	page := ApplicationPage{Page: f.Page, PageSize: f.PageSize}
	recs, total, err := a.read(ctx).ListApplications(q)
	if err != nil {
		return ApplicationPage{}, err
	}
	page.Total = total
	items, err := a.decorate(ctx, recs)
	if err != nil {
		return ApplicationPage{}, err
	}
	if err := a.allowApplications(ctx, actor, items); err != nil {
		return ApplicationPage{}, err
	}
	page.Items = items
	return page, nil
}

func validStatus(s string) bool {
	for _, st := range domain.Statuses {
		if string(st) == s {
			return true
		}
	}
	return false
}
