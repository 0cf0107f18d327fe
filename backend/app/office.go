package app

import (
	"context"
	"sort"
	"strings"

	"giaydiduong/backend/auth"
	"giaydiduong/backend/domain"
	"giaydiduong/backend/store"
	"giaydiduong/backend/units"
)

// OfficeInfo is what every screen shows about the office.
type OfficeInfo struct {
	Name         string            `json:"name"`
	UnitCode     string            `json:"unit_code"`
	UnitName     string            `json:"unit_name"`
	DistrictCode string            `json:"district_code"`
	ProvinceCode string            `json:"province_code"`
	AgencyKind   domain.AgencyKind `json:"agency_kind"`
	Demo         bool              `json:"demo"`
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
	info := &OfficeInfo{Name: o.Name, UnitCode: o.UnitCode, AgencyKind: domain.AgencyKind(o.AgencyKind), Demo: o.Demo}
	u, _ := a.Unit(o.UnitCode)
	info.UnitName = u.Name
	// Walk up so the UI can preselect the office's own district and province.
	for code := o.UnitCode; code != ""; {
		u, ok := a.Unit(code)
		if !ok {
			break
		}
		switch u.Level {
		case domain.LevelDistrict:
			info.DistrictCode = u.Code
		case domain.LevelProvince:
			info.ProvinceCode = u.Code
		}
		code = u.ParentCode
	}
	return info, nil
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
	all, err := units.Default()
	if err != nil {
		return Actor{}, err
	}
	known := map[string]domain.Unit{}
	for _, u := range all {
		known[u.Code] = u
	}
	v := &domain.ValidationError{}
	if in.OfficeName == "" {
		v.Add("office_name", "required", "Cần nhập tên cơ quan", "Office name is required")
	}
	if !in.AgencyKind.Valid() {
		v.Add("agency_kind", "invalid", "Chọn loại cơ quan", "Choose the kind of agency")
	}
	if u, ok := known[in.UnitCode]; !ok || u.Level == domain.LevelProvince {
		v.Add("unit_code", "invalid", "Chọn đơn vị hành chính cấp huyện hoặc xã của cơ quan", "Choose the office's district or commune")
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
		if err := c.q.InsertUnits(all); err != nil {
			return err
		}
		o := store.Office{ID: newID(), Version: 1, Name: in.OfficeName, AgencyKind: string(in.AgencyKind), UnitCode: in.UnitCode, Demo: demo, CreatedAt: c.at, UpdatedAt: c.at}
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
	return actor, a.loadUnits(ctx)
}

// Units returns the children of parent ("" for the provinces), sorted by code. Before the
// first-run set-up it answers from the shipped list, so the wizard can pick the office's unit.
func (a *App) Units(parent string) ([]domain.Unit, error) {
	a.unitsMu.RLock()
	defer a.unitsMu.RUnlock()
	if len(a.units) == 0 {
		return DefaultUnits(parent)
	}
	var out []domain.Unit
	for _, u := range a.units {
		if u.ParentCode == parent {
			out = append(out, u)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out, nil
}

// DefaultUnits lists the shipped units, for the first-run wizard before the database has any.
func DefaultUnits(parent string) ([]domain.Unit, error) {
	all, err := units.Default()
	if err != nil {
		return nil, err
	}
	var out []domain.Unit
	for _, u := range all {
		if u.ParentCode == parent {
			out = append(out, u)
		}
	}
	return out, nil
}

// ErrUnitNotFound says no unit has code.
func ErrUnitNotFound(code string) error { return notFound("đơn vị hành chính " + code) }
