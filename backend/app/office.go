package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"giaydiduong/backend/auth"
	"giaydiduong/backend/domain"
	"giaydiduong/backend/store"
	"giaydiduong/backend/units"
)

// demoSuffix marks the demo office's name.
const demoSuffix = " (bản dùng thử)"

// OfficeInfo is what every screen shows about the office.
type OfficeInfo struct {
	Name         string            `json:"name"`
	UnitCode     string            `json:"unit_code"`
	UnitName     string            `json:"unit_name"`
	ProvinceCode string            `json:"province_code"`
	ProvinceName string            `json:"province_name"`
	AgencyKind   domain.AgencyKind `json:"agency_kind"`
	Demo         bool              `json:"demo"`
	// Department runs the system for the province (accounts, trust lists), named by the
	// unit list: "Sở Khoa học và Công nghệ tỉnh Đồng Tháp".
	Department string `json:"department"`
	// UnitEnded is set when the office's own unit is no longer in force (merged, renamed):
	// the office admin must choose its current commune.
	UnitEnded *UnitEnded `json:"unit_ended"`
}

// UnitEnded says that the office's unit no longer exists, and what may replace it.
type UnitEnded struct {
	Name  string `json:"name"`
	Since string `json:"since"` // YYYY-MM-DD, "" when not known
	// Suggested are today's units that may be the office's now: the successors the
	// province's list names, or the unit now under the same code.
	Suggested []domain.Unit `json:"suggested"`
}

// SetupInput is the first-run wizard: the office, its unit and its administrator.
type SetupInput struct {
	OfficeName    string            `json:"office_name"`
	AgencyKind    domain.AgencyKind `json:"agency_kind"`
	UnitCode      string            `json:"unit_code"`
	AdminUsername string            `json:"admin_username"`
	AdminFullName string            `json:"admin_full_name"`
	AdminPassword string            `json:"admin_password"`
}

// Office returns the office, or nil before the first-run set-up.
func (a *App) Office(ctx context.Context) (*OfficeInfo, error) {
	o, err := a.read(ctx).Office()
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	info := &OfficeInfo{Name: o.Name, UnitCode: o.UnitCode, UnitName: o.UnitName, AgencyKind: domain.AgencyKind(o.AgencyKind), Demo: o.Demo}
	st, today := a.unitsNow(), a.today()
	cur, inForce := st.ix.On(o.UnitCode, today)
	if info.UnitName == "" {
		info.UnitName = cur.Name
	}
	// A code can stay while its unit changes (28261: Phường 1, now Phường Mỹ Tho): the
	// office's unit is the one it chose, code and name.
	if !inForce || cur.Name != info.UnitName {
		ended := &UnitEnded{Name: info.UnitName, Suggested: []domain.Unit{}}
		if v, ok := st.ix.Version(o.UnitCode, info.UnitName, today); ok {
			ended.Since = v.ValidTo
			if v.ValidTo != "" {
				ended.Suggested = append(ended.Suggested, st.ix.Today(v.Code, lastDay(v), today)...)
			}
		}
		if inForce && len(ended.Suggested) == 0 {
			ended.Suggested = append(ended.Suggested, cur)
		}
		info.UnitEnded = ended
	}
	// The province above the office's unit, as it stands now.
	code := o.UnitCode
	if info.UnitEnded != nil && len(info.UnitEnded.Suggested) > 0 {
		code = info.UnitEnded.Suggested[0].Code
	}
	if chain := st.ix.Chain(code, today); len(chain) > 0 {
		p := chain[len(chain)-1]
		info.ProvinceCode, info.ProvinceName = p.Code, p.Name
	}
	dept := st.list.Department
	if dept == "" {
		dept = units.DefaultDepartment
	}
	info.Department = dept
	if info.ProvinceName != "" {
		info.Department = dept + " " + lowerFirst(info.ProvinceName)
	}
	return info, nil
}

// lastDay is the last day v was in force.
func lastDay(v domain.Unit) string {
	end, err := time.Parse(time.DateOnly, v.ValidTo)
	if err != nil {
		return v.ValidTo
	}
	return end.AddDate(0, 0, -1).Format(time.DateOnly)
}

// lowerFirst writes "Tỉnh Đồng Tháp" as after a department's name: "tỉnh Đồng Tháp".
func lowerFirst(name string) string {
	for _, p := range []string{"Tỉnh ", "Thành phố "} {
		if rest, ok := strings.CutPrefix(name, p); ok {
			return strings.ToLower(p) + rest
		}
	}
	return name
}

func (a *App) officeUnit(ctx context.Context) (string, error) {
	o, err := a.Office(ctx)
	if err != nil {
		return "", err
	}
	if o == nil {
		return "", newError(CodeConflict, "Văn phòng chưa được thiết lập", "The office is not set up yet")
	}
	return o.UnitCode, nil
}

// Setup creates the office, its units, its first rules and its administrator. It runs once.
func (a *App) Setup(ctx context.Context, in SetupInput) (Actor, error) {
	return a.setup(ctx, in, false)
}

func (a *App) setup(ctx context.Context, in SetupInput, demo bool) (Actor, error) {
	in.OfficeName = domain.NormalizeText(in.OfficeName)
	in.AdminFullName = domain.NormalizeName(in.AdminFullName)
	in.AdminUsername = strings.ToLower(strings.TrimSpace(in.AdminUsername))
	unit, unitOK := a.Unit(in.UnitCode)
	v := &domain.ValidationError{}
	if in.OfficeName == "" {
		v.Add("office_name", "required", "Cần nhập tên cơ quan", "Office name is required")
	}
	if !in.AgencyKind.Valid() {
		v.Add("agency_kind", "invalid", "Chọn loại cơ quan", "Choose the kind of agency")
	}
	if !unitOK || unit.Level != domain.LevelCommune {
		vi, en := "Chọn xã, phường hoặc đặc khu của cơ quan (danh sách hiện nay)", "Choose the office's commune, ward or special zone (today's list)"
		if last, ok := a.LastVersion(in.UnitCode); ok && !unitOK && last.ValidTo != "" {
			vi = fmt.Sprintf("%s không còn từ %s; hãy chọn xã/phường hiện nay", last.Name, ddmmyyyy(last.ValidTo))
			en = fmt.Sprintf("%s no longer exists since %s; choose a current commune or ward", last.Name, last.ValidTo)
		}
		v.Add("unit_code", "invalid", vi, en)
	}
	checkNewUser(v, "admin_", in.AdminUsername, in.AdminFullName, in.AdminPassword)
	if err := v.Err(); err != nil {
		return Actor{}, err
	}
	hash, err := auth.HashPassword(in.AdminPassword)
	if err != nil {
		return Actor{}, err
	}
	// The key file is written before the transaction commits; a set-up that fails after it
	// leaves a key that the next attempt reuses.
	officeKey, err := a.openOrCreateOfficeKey(ctx)
	if err != nil {
		return Actor{}, err
	}
	var actor Actor
	err = a.write(ctx, in.AdminUsername, func(c *change) error {
		if _, err := c.q.Office(); err == nil {
			return newError(CodeConflict, "Văn phòng đã được thiết lập", "The office is already set up")
		} else if !isNotFound(err) {
			return err
		}
		o := store.Office{ID: newID(), Version: 1, Name: in.OfficeName, AgencyKind: string(in.AgencyKind), UnitCode: in.UnitCode, UnitName: unit.Name, Demo: demo, CreatedAt: c.at, UpdatedAt: c.at}
		if err := c.q.InsertOffice(&o); err != nil {
			return err
		}
		if err := c.record("office.setup", "office", o.ID, o.Wire(), map[string]any{"unit_code": o.UnitCode, "demo": demo}); err != nil {
			return err
		}
		if _, err := c.enrollOfficeKey(officeKey, o.Name, o.UnitCode); err != nil {
			return err
		}
		u, err := c.createUser(in.AdminUsername, in.AdminFullName, "", domain.RoleOfficeAdmin, hash)
		if err != nil {
			return err
		}
		actor = Actor{UserID: u.ID, Username: u.Username, FullName: u.FullName, Role: domain.RoleOfficeAdmin}
		c.actor = u.Username
		rules := domain.DefaultRules(in.UnitCode)
		rules.UpdatedBy = u.Username
		return c.saveRules(rules)
	})
	if err != nil {
		return Actor{}, err
	}
	return actor, nil
}

// Units returns the units in force today under parent ("" for the provinces), by code.
func (a *App) Units(parent string) ([]domain.Unit, error) {
	return a.unitsNow().ix.Children(parent, a.today()), nil
}

// ErrUnitNotFound says no unit has code.
func ErrUnitNotFound(code string) error { return notFound("đơn vị hành chính " + code) }

// ChangeOfficeUnit sets the office's own unit to a commune in force today (office admin),
// for an office whose unit was merged or renamed. A commune People's Committee takes the
// unit's name; the rules in force carry over to the new code.
func (a *App) ChangeOfficeUnit(ctx context.Context, actor Actor, code string) (*OfficeInfo, error) {
	if err := a.require(actor, auth.ManageSettings); err != nil {
		return nil, err
	}
	unit, ok := a.Unit(code)
	if !ok || unit.Level != domain.LevelCommune {
		vi, en := "Chọn xã, phường hoặc đặc khu trong danh sách hiện nay", "Choose a commune, ward or special zone of today's list"
		if last, found := a.LastVersion(code); found && !ok && last.ValidTo != "" {
			vi = fmt.Sprintf("%s không còn từ %s; hãy chọn xã/phường hiện nay", last.Name, ddmmyyyy(last.ValidTo))
			en = fmt.Sprintf("%s no longer exists since %s; choose a current commune or ward", last.Name, last.ValidTo)
		}
		return nil, invalid("unit_code", "invalid", vi, en)
	}
	rules, err := a.CurrentRules(ctx, actor)
	if err != nil {
		return nil, err
	}
	err = a.write(ctx, actor.Username, func(c *change) error {
		o, err := c.q.Office()
		if isNotFound(err) {
			return newError(CodeConflict, "Văn phòng chưa được thiết lập", "The office is not set up yet")
		}
		if err != nil {
			return err
		}
		from := map[string]string{"unit_code": o.UnitCode, "unit_name": o.UnitName, "name": o.Name}
		o.UnitCode, o.UnitName = unit.Code, unit.Name
		if domain.AgencyKind(o.AgencyKind) == domain.AgencyCommuneCommittee {
			o.Name = "UBND " + unit.Name
			if o.Demo {
				o.Name += demoSuffix
			}
		}
		o.UpdatedAt = c.at
		if err := c.q.UpdateOfficeUnit(o); err != nil {
			return err
		}
		o.Version++
		if from["unit_code"] != unit.Code {
			rules.UnitCode = unit.Code
			rules.UpdatedBy = actor.Username
			if err := c.saveRules(rules); err != nil {
				return err
			}
		}
		return c.record("office.unit_change", "office", o.ID, o.Wire(),
			map[string]any{"from": from, "to": map[string]string{"unit_code": o.UnitCode, "unit_name": o.UnitName, "name": o.Name}})
	})
	if err != nil {
		return nil, err
	}
	return a.Office(ctx)
}
