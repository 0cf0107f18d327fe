package store

import (
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm/clause"

	"giaydiduong/backend/domain"
)

// UnitVersion is what a unit code meant over a span of days.
type UnitVersion struct {
	ID         int64 `gorm:"primaryKey"`
	Code       string
	Name       string
	Type       string
	Level      string
	ParentCode string
	ValidFrom  string   // YYYY-MM-DD; "" = since before the lists held
	ValidTo    string   // first day no longer in force; "" = in force
	Successors []string `gorm:"serializer:json"`
}

// TableName is the unit_versions table.
func (UnitVersion) TableName() string { return "unit_versions" }

// UnitList is one list of units the office took in (shipped, or sent by the province).
type UnitList struct {
	ID            int64     `gorm:"primaryKey" json:"-"`
	EffectiveFrom string    `json:"effective_from"`
	InForceFrom   string    `json:"in_force_from"`
	Source        string    `json:"source"`
	Department    string    `json:"department"`
	SHA256        string    `gorm:"column:sha256" json:"sha256"`
	Units         int       `json:"units"`
	Closed        int       `json:"closed"`
	Added         int       `json:"added"`
	ImportedAt    time.Time `json:"imported_at"`
	ImportedBy    string    `json:"imported_by"`
}

// TableName is the unit_lists table.
func (UnitList) TableName() string { return "unit_lists" }

type unitCode struct{ Code string }

func (unitCode) TableName() string { return "units" }

func versionOf(u domain.Unit) UnitVersion {
	s := u.Successors
	if s == nil {
		s = []string{}
	}
	return UnitVersion{Code: u.Code, Name: u.Name, Type: u.Type, Level: string(u.Level), ParentCode: u.ParentCode,
		ValidFrom: u.ValidFrom, ValidTo: u.ValidTo, Successors: s}
}

// UnitVersions reads every version of every unit. It scans rows itself: it runs at every
// start over some 3,700 rows, where gorm's reflection would cost more than the query.
func (q Q) UnitVersions() ([]domain.Unit, error) {
	rows, err := q.db.Raw(`SELECT code, name, type, level, parent_code, valid_from, valid_to, successors
		FROM unit_versions ORDER BY code, valid_from`).Rows()
	if err != nil {
		return nil, fmt.Errorf("read unit versions: %w", err)
	}
	defer rows.Close()
	var out []domain.Unit
	for rows.Next() {
		var u domain.Unit
		var succ string
		if err := rows.Scan(&u.Code, &u.Name, &u.Type, &u.Level, &u.ParentCode, &u.ValidFrom, &u.ValidTo, &succ); err != nil {
			return nil, fmt.Errorf("read unit versions: %w", err)
		}
		if succ != "" && succ != "[]" {
			if err := json.Unmarshal([]byte(succ), &u.Successors); err != nil {
				return nil, fmt.Errorf("unit %s: successors: %w", u.Code, err)
			}
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read unit versions: %w", err)
	}
	return out, nil
}

// CurrentUnitList is the newest list taken in, or nil when there is none.
func (q Q) CurrentUnitList() (*UnitList, error) {
	var l UnitList
	err := q.db.Order("effective_from DESC, id DESC").Limit(1).Find(&l).Error
	if err != nil {
		return nil, fmt.Errorf("read current unit list: %w", err)
	}
	if l.ID == 0 {
		return nil, nil
	}
	return &l, nil
}

// UnitLists is every list taken in, oldest first.
func (q Q) UnitLists() ([]UnitList, error) {
	var out []UnitList
	if err := q.db.Order("effective_from, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("read unit lists: %w", err)
	}
	return out, nil
}

// SaveUnitList records a list (inside a Write): the versions it ends (their end day and successors)
// and the versions it adds; codes never seen before join the code registry that records
// refer to.
func (q Q) SaveUnitList(l UnitList, closed, added []domain.Unit) error {
	tx := q.db
	codes := make([]unitCode, 0, len(added))
	for _, u := range added {
		codes = append(codes, unitCode{u.Code})
	}
	if len(codes) > 0 {
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(codes, 500).Error; err != nil {
			return fmt.Errorf("register unit codes: %w", err)
		}
	}
	for _, u := range closed {
		v := versionOf(u)
		succ, err := json.Marshal(v.Successors)
		if err != nil {
			return fmt.Errorf("end unit %s: %w", u.Code, err)
		}
		res := tx.Model(&UnitVersion{}).Where("code = ? AND valid_to = ''", u.Code).
			Updates(map[string]any{"valid_to": v.ValidTo, "successors": string(succ)})
		if res.Error != nil {
			return fmt.Errorf("end unit %s: %w", u.Code, res.Error)
		}
		if res.RowsAffected != 1 {
			return fmt.Errorf("end unit %s: %d versions in force", u.Code, res.RowsAffected)
		}
	}
	rows := make([]UnitVersion, len(added))
	for i, u := range added {
		rows[i] = versionOf(u)
	}
	if len(rows) > 0 {
		if err := tx.CreateInBatches(rows, 300).Error; err != nil {
			return fmt.Errorf("add unit versions: %w", err)
		}
	}
	l.Closed, l.Added = len(closed), len(added)
	if err := tx.Create(&l).Error; err != nil {
		return fmt.Errorf("record unit list: %w", err)
	}
	return nil
}

// ResidenceUnitsOfApplications counts applications by residence commune as each stored it
// (code, name as of its date, day), created in [from, to) (UTC), for reports that regroup
// them by today's units.
func (q Q) ResidenceUnitsOfApplications(from, to time.Time) ([]domain.UnitRef, error) {
	var out []domain.UnitRef
	err := q.db.Table("applications").
		Select("residence_commune_code AS code, residence_commune_name AS name, date(created_at, '+7 hours') AS day, count(*) AS count").
		Where("created_at >= ? AND created_at < ?", from, to).
		Group("residence_commune_code, residence_commune_name, day").Order("code, day").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("count applications by residence: %w", err)
	}
	return out, nil
}

// UpdateOfficeUnit saves the office's unit and name, from version o.Version to the next.
func (q Q) UpdateOfficeUnit(o Office) error {
	return q.updateVersioned(&Office{}, "office", o.ID, o.Version,
		map[string]any{"unit_code": o.UnitCode, "unit_name": o.UnitName, "name": o.Name, "updated_at": o.UpdatedAt})
}
