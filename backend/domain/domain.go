// Package domain holds the entities of the permit office, their validation and the
// application workflow. It is pure: no I/O, no clock (callers pass "now").
package domain

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Role is what a local account may do in the office.
type Role string

const (
	RoleClerk       Role = "clerk"        // cán bộ tiếp nhận
	RoleApprover    Role = "approver"     // lãnh đạo
	RoleOfficeAdmin Role = "office_admin" // quản trị
)

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	return r == RoleClerk || r == RoleApprover || r == RoleOfficeAdmin
}

// Gender as written on the citizen ID card.
type Gender string

const (
	Male   Gender = "male"
	Female Gender = "female"
)

// UnitLevel is the level of an administrative unit.
type UnitLevel string

const (
	LevelProvince UnitLevel = "province"
	LevelDistrict UnitLevel = "district"
	LevelCommune  UnitLevel = "commune"
)

// Unit is an administrative unit with its national (GSO) code, as it was over a span of
// days: a code can be reused later for another unit, so a unit is code, name and dates.
type Unit struct {
	Code       string    `json:"code"`
	Name       string    `json:"name"`
	Level      UnitLevel `json:"level"`
	ParentCode string    `json:"parent_code"`
	Type       string    `json:"type"`
	// ValidFrom is the first day in force (YYYY-MM-DD); "" means since before the lists we
	// hold. ValidTo is the first day no longer in force; "" means in force.
	ValidFrom string `json:"valid_from"`
	ValidTo   string `json:"valid_to"`
	// Successors are the units this one was merged into, when the province's list says so.
	Successors []string `json:"successors"`
}

// UnitRef is a unit as a group of records names it: the code, the name stored with them,
// the (Vietnam) day of the records, and how many there are.
type UnitRef struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Day   string `json:"day"`
	Count int64  `json:"count"`
}

// InForceOn reports whether the unit was in force on day (YYYY-MM-DD).
func (u Unit) InForceOn(day string) bool {
	return (u.ValidFrom == "" || u.ValidFrom <= day) && (u.ValidTo == "" || day < u.ValidTo)
}

// AgencyKind is the kind of body an office belongs to; the guidance makes each sector and
// locality responsible for its own people.
type AgencyKind string

const (
	AgencyCommuneCommittee  AgencyKind = "commune_committee"  // UBND xã/phường/thị trấn
	AgencyDistrictCommittee AgencyKind = "district_committee" // UBND huyện/thị xã/thành phố
	AgencySectorDepartment  AgencyKind = "sector_department"  // phòng, ban chuyên môn, sở ngành
	AgencyPartyMass         AgencyKind = "party_mass"         // Đảng, đoàn thể
	AgencyDistrictUnit      AgencyKind = "district_unit"      // đơn vị cấp huyện khác
)

// AgencyKinds lists the kinds in display order.
var AgencyKinds = []AgencyKind{AgencyCommuneCommittee, AgencyDistrictCommittee, AgencySectorDepartment, AgencyPartyMass, AgencyDistrictUnit}

// Valid reports whether k is a known agency kind.
func (k AgencyKind) Valid() bool {
	for _, v := range AgencyKinds {
		if v == k {
			return true
		}
	}
	return false
}

// Status is an application's place in the workflow.
type Status string

const (
	StatusDraft     Status = "draft"
	StatusSubmitted Status = "submitted"
	StatusApproved  Status = "approved"
	StatusRejected  Status = "rejected"
)

// Statuses lists every status in workflow order.
var Statuses = []Status{StatusDraft, StatusSubmitted, StatusApproved, StatusRejected}

// Action is a workflow step.
type Action string

const (
	ActionSubmit  Action = "submit"
	ActionApprove Action = "approve"
	ActionReject  Action = "reject"
)

// transitions is the whole workflow: from a status, which action leads where.
var transitions = map[Status]map[Action]Status{
	StatusDraft:     {ActionSubmit: StatusSubmitted},
	StatusSubmitted: {ActionApprove: StatusApproved, ActionReject: StatusRejected},
}

// ErrInvalidTransition is wrapped by every refused workflow step.
var ErrInvalidTransition = errors.New("invalid transition")

// Transition returns the status that action leads to from s, or an error wrapping
// ErrInvalidTransition.
func Transition(s Status, a Action) (Status, error) {
	if next, ok := transitions[s][a]; ok {
		return next, nil
	}
	return "", fmt.Errorf("%w: cannot %s an application that is %s", ErrInvalidTransition, a, s)
}

// Purpose is one allowed reason for travel in a locality's rules.
type Purpose struct {
	Code string `json:"code"`
	VI   string `json:"vi"`
	EN   string `json:"en"`
}

// Rules are a unit's current epidemic rules for travel permits. They are data: the office
// admin (later the province) edits them, and each edit is a new version.
type Rules struct {
	UnitCode        string    `json:"unit_code"`
	Version         int       `json:"version"`
	PermitsRequired bool      `json:"permits_required"`
	Purposes        []Purpose `json:"purposes"`
	MaxDays         int       `json:"max_days"`
	CurfewStart     string    `json:"curfew_start"` // HH:MM, empty for none
	CurfewEnd       string    `json:"curfew_end"`
	UpdatedAt       time.Time `json:"updated_at"`
	UpdatedBy       string    `json:"updated_by"`
}

// Purpose returns the purpose with code, if the rules allow it.
func (r Rules) Purpose(code string) (Purpose, bool) {
	for _, p := range r.Purposes {
		if p.Code == code {
			return p, true
		}
	}
	return Purpose{}, false
}

// DefaultRules are the demo and first-run rules, close to what Tiền Giang applied in 2021.
func DefaultRules(unitCode string) Rules {
	return Rules{
		UnitCode:        unitCode,
		PermitsRequired: true,
		Purposes: []Purpose{
			{"work", "Đi làm việc tại cơ quan, doanh nghiệp", "Going to work"},
			{"medical", "Khám, chữa bệnh, cấp cứu", "Medical care or emergency"},
			{"essential_goods", "Mua lương thực, thực phẩm, thuốc men", "Buying food or medicine"},
			{"essential_service", "Cung ứng hàng hóa, dịch vụ thiết yếu", "Essential goods or services"},
			{"public_duty", "Thực hiện công vụ, phòng chống dịch", "Public duty or epidemic control"},
			{"funeral", "Tang lễ người thân", "Funeral of a relative"},
			{"other", "Lý do cấp thiết khác", "Other urgent reason"},
		},
		MaxDays:     14,
		CurfewStart: "18:00",
		CurfewEnd:   "06:00",
	}
}

// VehicleType is how the bearer travels.
type VehicleType string

const (
	VehicleWalk      VehicleType = "walk"
	VehicleBicycle   VehicleType = "bicycle"
	VehicleMotorbike VehicleType = "motorbike"
	VehicleCar       VehicleType = "car"
	VehicleTruck     VehicleType = "truck"
	VehicleOther     VehicleType = "other"
)

// VehicleTypes lists vehicle types in display order.
var VehicleTypes = []VehicleType{VehicleWalk, VehicleBicycle, VehicleMotorbike, VehicleCar, VehicleTruck, VehicleOther}

// NeedsPlate reports whether the vehicle carries a registration plate.
func (v VehicleType) NeedsPlate() bool {
	return v == VehicleMotorbike || v == VehicleCar || v == VehicleTruck
}

// Valid reports whether v is a known vehicle type.
func (v VehicleType) Valid() bool {
	for _, t := range VehicleTypes {
		if t == v {
			return true
		}
	}
	return false
}

// ApplicationInput is what a clerk enters for a walk-in citizen. Dates are YYYY-MM-DD.
type ApplicationInput struct {
	FullName             string `json:"full_name"`
	BirthDate            string `json:"birth_date"`
	Gender               Gender `json:"gender"`
	IDNumber             string `json:"id_number"`
	Phone                string `json:"phone"`
	ResidenceCommuneCode string `json:"residence_commune_code"`
	ResidenceStreet      string `json:"residence_street"`
	// CardAddress is the residence as the ID card gave it (often naming an old district);
	// it is kept, not matched against today's units.
	CardAddress  string      `json:"card_address"`
	Workplace    string      `json:"workplace"`
	PurposeCode  string      `json:"purpose_code"`
	RouteFrom    string      `json:"route_from"`
	RouteTo      string      `json:"route_to"`
	VehicleType  VehicleType `json:"vehicle_type"`
	VehiclePlate string      `json:"vehicle_plate"`
	ValidFrom    string      `json:"valid_from"`
	ValidTo      string      `json:"valid_to"`
	Note         string      `json:"note"`
}

// FieldError says which field is wrong and why, in Vietnamese and English.
type FieldError struct {
	Field string `json:"field"`
	Code  string `json:"code"`
	VI    string `json:"vi"`
	EN    string `json:"en"`
}

// ValidationError collects every field error of one input, so the clerk sees them all at once.
type ValidationError struct {
	Fields []FieldError `json:"fields"`
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.VI
	}
	return "Dữ liệu không hợp lệ: " + strings.Join(parts, "; ")
}

// Add records an error on field.
func (e *ValidationError) Add(field, code, vi, en string) {
	e.Fields = append(e.Fields, FieldError{Field: field, Code: code, VI: vi, EN: en})
}

// Has reports whether field already has an error.
func (e *ValidationError) Has(field string) bool {
	for _, f := range e.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

// Err returns e as an error, or nil when no field is wrong.
func (e *ValidationError) Err() error {
	if e == nil || len(e.Fields) == 0 {
		return nil
	}
	return e
}
