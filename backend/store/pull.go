package store

import (
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// The office's side of pull: cursors per feed and what was pulled.

// PullCursor is where the office is in one feed.
type PullCursor struct {
	Feed        string `gorm:"primaryKey"`
	Cursor      string
	Gen         int64
	InSnapshot  bool
	Pulled      int64
	LastPullAt  *time.Time
	ResetReason string
}

// TableName is the cursors table.
func (PullCursor) TableName() string { return "pull_cursors" }

// PulledRecord is one signed province record as pulled (its newest version).
type PulledRecord struct {
	Entity    string `gorm:"primaryKey"`
	EntityID  string `gorm:"primaryKey"`
	Feed      string
	Version   int64
	Record    []byte
	Signature []byte
	Gen       int64
	PulledAt  time.Time
}

// TableName is the pulled records table.
func (PulledRecord) TableName() string { return "pulled_records" }

// PulledRevocation is a permit revoked at the province.
type PulledRevocation struct {
	Number    string `gorm:"primaryKey"`
	UnitCode  string
	Reason    string
	RevokedBy string
	RevokedAt time.Time
	Record    []byte
	Signature []byte
	Gen       int64
}

// TableName is the pulled revocations table.
func (PulledRevocation) TableName() string { return "pulled_revocations" }

// PullCursorOf reads a feed's cursor (a zero one, Gen 0, before the first pull).
func (q Q) PullCursorOf(feed string) (PullCursor, error) {
	var c []PullCursor
	if err := q.db.Where("feed = ?", feed).Limit(1).Find(&c).Error; err != nil {
		return PullCursor{}, fmt.Errorf("read pull cursor %s: %w", feed, err)
	}
	if len(c) == 0 {
		return PullCursor{Feed: feed}, nil
	}
	return c[0], nil
}

// PullCursors reads every feed's cursor.
func (q Q) PullCursors() ([]PullCursor, error) {
	var out []PullCursor
	if err := q.db.Order("feed").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("read pull cursors: %w", err)
	}
	return out, nil
}

// SavePullCursor stores a feed's cursor (in the transaction that applied its page).
func (q Q) SavePullCursor(c PullCursor) error {
	if err := q.db.Save(&c).Error; err != nil {
		return fmt.Errorf("save pull cursor %s: %w", c.Feed, err)
	}
	return nil
}

// PulledRecordOf reads one pulled record (ErrNotFound when the province sent none).
func (q Q) PulledRecordOf(entity, id string) (PulledRecord, error) {
	var r PulledRecord
	return r, q.first(&r, "pulled "+entity, "entity = ? AND entity_id = ?", entity, id)
}

// PulledRecordsOf lists the pulled records of one entity kind.
func (q Q) PulledRecordsOf(entity string) ([]PulledRecord, error) {
	var out []PulledRecord
	if err := q.db.Where("entity = ?", entity).Order("entity_id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list pulled %s: %w", entity, err)
	}
	return out, nil
}

// SavePulledRecords stores records, replacing older versions (and only older ones).
func (q Q) SavePulledRecords(rows []PulledRecord) error {
	if len(rows) == 0 {
		return nil
	}
	err := q.db.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "entity"}, {Name: "entity_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"feed", "version", "record", "signature", "gen", "pulled_at"}),
		Where:     clause.Where{Exprs: []clause.Expression{clause.Expr{SQL: "excluded.version >= pulled_records.version"}}},
	}).CreateInBatches(&rows, 200).Error
	if err != nil {
		return fmt.Errorf("save pulled records: %w", err)
	}
	return nil
}

// DropPulledRecordsBefore removes a feed's records older than gen (gone at the province,
// found by a completed snapshot), returning them.
func (q Q) DropPulledRecordsBefore(feed string, gen int64) ([]PulledRecord, error) {
	var gone []PulledRecord
	if err := q.db.Where("feed = ? AND gen < ?", feed, gen).Find(&gone).Error; err != nil {
		return nil, fmt.Errorf("read stale pulled records: %w", err)
	}
	if err := q.db.Where("feed = ? AND gen < ?", feed, gen).Delete(&PulledRecord{}).Error; err != nil {
		return nil, fmt.Errorf("drop stale pulled records: %w", err)
	}
	return gone, nil
}

// SavePulledRevocations stores revocations (a revocation never changes: the first stands,
// but a snapshot's copy moves it to the new gen).
func (q Q) SavePulledRevocations(rows []PulledRevocation) error {
	if len(rows) == 0 {
		return nil
	}
	err := q.db.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "number"}},
		DoUpdates: clause.AssignmentColumns([]string{"gen"}),
	}).CreateInBatches(&rows, 500).Error
	if err != nil {
		return fmt.Errorf("save pulled revocations: %w", err)
	}
	return nil
}

// DropPulledRevocationsBefore removes revocations older than gen (gone at the province).
func (q Q) DropPulledRevocationsBefore(gen int64) (int64, error) {
	res := q.db.Where("gen < ?", gen).Delete(&PulledRevocation{})
	if res.Error != nil {
		return 0, fmt.Errorf("drop stale revocations: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// PulledRevocationOf reads the province's revocation of one permit number.
func (q Q) PulledRevocationOf(number string) (PulledRevocation, error) {
	var r PulledRevocation
	return r, q.first(&r, "revocation "+number, "number = ?", number)
}

// CountPulledRevocations is how many permits the province has revoked, as pulled.
func (q Q) CountPulledRevocations() (int64, error) {
	var n int64
	if err := q.db.Model(&PulledRevocation{}).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("count revocations: %w", err)
	}
	return n, nil
}

// UpsertProvinceUser makes the local account what the province's record says (the
// province's version replaces the row whatever its local version). Local-only columns (the
// sign-in counters, notices) are kept for an existing row.
func (q Q) UpsertProvinceUser(u User) (created bool, err error) {
	var n int64
	if err := q.db.Model(&User{}).Where("id = ?", u.ID).Count(&n).Error; err != nil {
		return false, fmt.Errorf("read user %s: %w", u.Username, err)
	}
	if n == 0 {
		return true, q.InsertUser(&u)
	}
	err = q.db.Model(&User{}).Where("id = ?", u.ID).Updates(map[string]any{"version": u.Version, "username": u.Username, "full_name": u.FullName, "title": u.Title,
		"role": u.Role, "password_hash": u.PasswordHash, "active": u.Active, "updated_at": u.UpdatedAt}).Error
	if err != nil {
		return false, fmt.Errorf("update user %s from the province: %w", u.Username, err)
	}
	return false, nil
}

// RetireLocalUsername moves a local account out of the way of a province account with the
// same username: renamed (username.local) and disabled, its history kept.
func (q Q) RetireLocalUsername(username, exceptID string, at time.Time) (bool, error) {
	res := q.db.Model(&User{}).Where("username = ? AND id <> ?", username, exceptID).
		Updates(map[string]any{"username": username + ".local", "active": false, "version": gorm.Expr("version + 1"), "updated_at": at})
	if res.Error != nil {
		return false, fmt.Errorf("retire local account %s: %w", username, res.Error)
	}
	return res.RowsAffected > 0, nil
}

// RulesByID reads one rules version by its id.
func (q Q) RulesByID(id string) (RulesRow, error) {
	var r RulesRow
	return r, q.first(&r, "rules "+id, "id = ?", id)
}

// NextRuleVersion is the unit's next local rule version number.
func (q Q) NextRuleVersion(unitCode string) (int, error) {
	var v []int
	if err := q.db.Raw("SELECT COALESCE(MAX(rule_version), 0) + 1 FROM rules WHERE unit_code = ?", unitCode).Scan(&v).Error; err != nil {
		return 0, fmt.Errorf("read rules: %w", err)
	}
	if len(v) == 0 {
		return 1, nil
	}
	return v[0], nil
}
