package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"giaydiduong/backend/accountlist"
	"giaydiduong/backend/auth"
	"giaydiduong/backend/domain"
	"giaydiduong/backend/store"
)

// AccountRegistration is one person of the office's account-registration list.
type AccountRegistration struct {
	ID      string `json:"id"`
	Version int64  `json:"version"`
	accountlist.Entry
	RoleVI string `json:"role_vi"`
}

func registrationView(r store.AccountRegistration) AccountRegistration {
	e := accountlist.Entry{FullName: r.FullName, IDNumber: r.IDNumber, Title: r.Title, Unit: r.Unit, Phone: r.Phone,
		Email: r.Email, Role: accountlist.Role(r.Role), HasToken: r.HasToken, ActsFor: []string{}}
	if r.ActsFor != "" {
		e.ActsFor = strings.Split(r.ActsFor, ",")
	}
	return AccountRegistration{ID: r.ID, Version: r.Version, Entry: e, RoleVI: e.Role.Label()}
}

func (a *App) accountListOptions() accountlist.Options {
	day := a.today()
	t, _ := time.Parse(time.DateOnly, day)
	return accountlist.Options{Today: t, UnitInForce: func(code string) bool { _, ok := a.UnitOn(code, day); return ok }}
}

// AccountRegistrations lists the registration list (office admin: it holds staff CCCDs).
func (a *App) AccountRegistrations(ctx context.Context, actor Actor) ([]AccountRegistration, error) {
	if err := a.require(actor, auth.ManageUsers); err != nil {
		return nil, err
	}
	rows, err := a.read(ctx).AccountRegistrations()
	if err != nil {
		return nil, err
	}
	out := make([]AccountRegistration, len(rows))
	for i, r := range rows {
		out[i] = registrationView(r)
	}
	return out, nil
}

// SaveAccountRegistration adds a person to the list (no id) or changes one (id and the
// version read). Each person is judged exactly as a row of the file the province reads.
func (a *App) SaveAccountRegistration(ctx context.Context, actor Actor, in AccountRegistration) (AccountRegistration, error) {
	if err := a.require(actor, auth.ManageUsers); err != nil {
		return AccountRegistration{}, err
	}
	e, probs := accountlist.CheckEntry(in.Entry, a.accountListOptions())
	if len(probs) > 0 {
		out := &Error{Code: CodeValidation, VI: probs[0].VI, EN: probs[0].EN}
		for _, p := range probs {
			out.Fields = append(out.Fields, domain.FieldError{Field: p.Field, Code: p.Code, VI: p.VI, EN: p.EN})
		}
		return AccountRegistration{}, out
	}
	fields := map[string]any{"full_name": e.FullName, "id_number": e.IDNumber, "title": e.Title, "unit": e.Unit, "phone": e.Phone,
		"email": e.Email, "role": string(e.Role), "acts_for": strings.Join(e.ActsFor, ","), "has_token": e.HasToken}
	var saved store.AccountRegistration
	err := a.write(ctx, actor.Username, func(c *change) error {
		if other, ok, err := c.q.AccountRegistrationByIDNumber(e.IDNumber); err != nil {
			return err
		} else if ok && other.ID != in.ID {
			return &Error{Code: CodeConflict, VI: fmt.Sprintf("Số CCCD %s đã có trong danh sách (%s).", e.IDNumber, other.FullName),
				EN:     fmt.Sprintf("ID number %s is already on the list (%s).", e.IDNumber, other.FullName),
				Fields: []domain.FieldError{{Field: "id_number", Code: "duplicate", VI: "Số CCCD đã có trong danh sách", EN: "Already on the list"}}}
		}
		action := "account_list.update"
		if in.ID == "" {
			action = "account_list.add"
			saved = store.AccountRegistration{ID: newID(), Version: 1, FullName: e.FullName, IDNumber: e.IDNumber, Title: e.Title, Unit: e.Unit,
				Phone: e.Phone, Email: e.Email, Role: string(e.Role), ActsFor: strings.Join(e.ActsFor, ","), HasToken: e.HasToken,
				CreatedBy: actor.UserID, CreatedAt: c.at, UpdatedAt: c.at}
			if err := c.q.InsertAccountRegistration(&saved); err != nil {
				return err
			}
		} else {
			fields["updated_at"] = c.at
			if err := c.q.UpdateAccountRegistration(in.ID, in.Version, fields); err != nil {
				return staleRegistration(err)
			}
			var err error
			if saved, err = c.q.AccountRegistrationByID(in.ID); err != nil {
				return err
			}
		}
		// The list is the office's own paperwork, sent as a file: audited, not synced.
		return c.record(action, "account_registration", saved.ID, nil, map[string]any{"full_name": e.FullName, "role": e.Role, "has_token": e.HasToken})
	})
	if err != nil {
		return AccountRegistration{}, err
	}
	return registrationView(saved), nil
}

// DeleteAccountRegistration takes a person off the list.
func (a *App) DeleteAccountRegistration(ctx context.Context, actor Actor, id string, version int64) error {
	if err := a.require(actor, auth.ManageUsers); err != nil {
		return err
	}
	return a.write(ctx, actor.Username, func(c *change) error {
		if err := c.q.DeleteAccountRegistration(id, version); err != nil {
			return staleRegistration(err)
		}
		return c.record("account_list.delete", "account_registration", id, nil, map[string]any{"version": version})
	})
}

func staleRegistration(err error) error {
	if errors.Is(err, store.ErrStale) {
		return newError(CodeConflict, "Người này vừa được người khác sửa hoặc xóa khỏi danh sách; hãy tải lại", "Someone else changed or removed this person; reload")
	}
	return err
}

// AccountListTemplate writes the province's empty registration template.
func (a *App) AccountListTemplate(w io.Writer) error { return accountlist.Template(w) }

// AccountListHeader is what the export puts above the list; empty fields take the office's
// name and code and today's date.
type AccountListHeader = accountlist.Header

// ExportAccountList writes the list on the province's template with the sending unit, its
// signer and the date. The export is audited (it carries staff CCCDs out of the office).
func (a *App) ExportAccountList(ctx context.Context, actor Actor, h AccountListHeader, w io.Writer) (AccountListHeader, error) {
	regs, err := a.AccountRegistrations(ctx, actor)
	if err != nil {
		return h, err
	}
	office, err := a.officeOrErr(ctx)
	if err != nil {
		return h, err
	}
	h.SendingUnit, h.Signer, h.SignerTitle = domain.NormalizeText(h.SendingUnit), domain.NormalizeName(h.Signer), domain.NormalizeText(h.SignerTitle)
	if h.SendingUnit == "" {
		h.SendingUnit = office.Name
	}
	if h.SendingUnitCode == "" {
		h.SendingUnitCode = office.UnitCode
	}
	if h.Date == "" {
		h.Date = a.today()
	}
	if h.Signer == "" {
		return h, invalid("signer", "required", "Chưa ghi người ký danh sách", "The list's signer is required")
	}
	if _, err := time.Parse(time.DateOnly, h.Date); err != nil {
		return h, invalid("date", "date_format", "Ngày lập không hợp lệ (yyyy-MM-dd)", "The date must be YYYY-MM-DD")
	}
	if len(regs) == 0 {
		return h, invalid("entries", "empty", "Danh sách chưa có người nào", "The list names nobody")
	}
	l := accountlist.List{Header: h}
	for _, r := range regs {
		l.Entries = append(l.Entries, r.Entry)
	}
	if err := a.write(ctx, actor.Username, func(c *change) error {
		return c.record("account_list.export", "office", office.UnitCode, nil, map[string]any{"people": len(regs), "signer": h.Signer, "date": h.Date})
	}); err != nil {
		return h, err
	}
	return h, accountlist.Write(w, l)
}
