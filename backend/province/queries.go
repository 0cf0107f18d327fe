package province

import (
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// The server's queries, named; the use cases do not build query chains of their own.

func isNotFound(err error) bool { return errors.Is(err, gorm.ErrRecordNotFound) }

func readAuthority(db *gorm.DB) (authorityRow, bool, error) {
	var a authorityRow
	err := db.First(&a, 1).Error
	if isNotFound(err) {
		return a, false, nil
	}
	if err != nil {
		return a, false, fmt.Errorf("read the authority: %w", err)
	}
	return a, true, nil
}

func findCode(tx *gorm.DB, selector string) (enrollmentCodeRow, bool, error) {
	var c enrollmentCodeRow
	err := tx.First(&c, "selector = ?", selector).Error
	if isNotFound(err) {
		return c, false, nil
	}
	if err != nil {
		return c, false, fmt.Errorf("read enrollment code: %w", err)
	}
	return c, true, nil
}

func countCodeFailure(tx *gorm.DB, selector string) error {
	err := tx.Model(&enrollmentCodeRow{}).Where("selector = ?", selector).
		UpdateColumn("failed_attempts", gorm.Expr("failed_attempts + 1")).Error
	if err != nil {
		return fmt.Errorf("count failed attempt: %w", err)
	}
	return nil
}

// claimCode binds an unused code to a key; false when another request claimed it first, so
// two racing requests cannot both enroll (the database decides, not a read before the write).
func claimCode(tx *gorm.DB, selector, keyHash, serial string, at time.Time) (bool, error) {
	res := tx.Model(&enrollmentCodeRow{}).Where("selector = ? AND used_at IS NULL", selector).
		Updates(map[string]any{"used_at": at, "key_hash": keyHash, "cert_serial": serial})
	if res.Error != nil {
		return false, fmt.Errorf("claim enrollment code: %w", res.Error)
	}
	return res.RowsAffected == 1, nil
}

func recordFailure(db *gorm.DB, id, client string, at time.Time) error {
	if err := db.Create(&enrollFailureRow{ID: id, Client: client, At: at}).Error; err != nil {
		return fmt.Errorf("record failed enrollment: %w", err)
	}
	return nil
}

func countFailuresSince(db *gorm.DB, client string, since time.Time) (int64, error) {
	var n int64
	err := db.Model(&enrollFailureRow{}).Where("client = ? AND at > ?", client, since).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count failed enrollments: %w", err)
	}
	return n, nil
}

func pruneFailures(db *gorm.DB, before time.Time) error {
	if err := db.Where("at < ?", before).Delete(&enrollFailureRow{}).Error; err != nil {
		return fmt.Errorf("prune failed enrollments: %w", err)
	}
	return nil
}

func findOffice(db *gorm.DB, id string) (officeRow, bool, error) {
	var o officeRow
	err := db.First(&o, "id = ?", id).Error
	if isNotFound(err) {
		return o, false, nil
	}
	if err != nil {
		return o, false, fmt.Errorf("read office: %w", err)
	}
	return o, true, nil
}

func listOffices(db *gorm.DB, unit string) ([]officeRow, error) {
	q := db.Order("unit_code, created_at")
	if unit != "" {
		q = q.Where("unit_code = ?", unit)
	}
	var out []officeRow
	if err := q.Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list offices: %w", err)
	}
	return out, nil
}

func findCert(db *gorm.DB, serial string) (officeCertRow, bool, error) {
	var c officeCertRow
	err := db.First(&c, "serial = ?", serial).Error
	if isNotFound(err) {
		return c, false, nil
	}
	if err != nil {
		return c, false, fmt.Errorf("read office certificate: %w", err)
	}
	return c, true, nil
}

func certsOfOffice(db *gorm.DB, officeID string) ([]officeCertRow, error) {
	var out []officeCertRow
	if err := db.Order("issued_at").Find(&out, "office_id = ?", officeID).Error; err != nil {
		return nil, fmt.Errorf("list office certificates: %w", err)
	}
	return out, nil
}

func revokeCerts(tx *gorm.DB, officeID, reason string, at time.Time) (int64, error) {
	res := tx.Model(&officeCertRow{}).Where("office_id = ? AND revoked_at IS NULL", officeID).
		Updates(map[string]any{"revoked_at": at, "revoke_reason": reason})
	if res.Error != nil {
		return 0, fmt.Errorf("revoke certificates: %w", res.Error)
	}
	return res.RowsAffected, nil
}

func revokeCert(tx *gorm.DB, serial, reason string, at time.Time) error {
	err := tx.Model(&officeCertRow{}).Where("serial = ? AND revoked_at IS NULL", serial).
		Updates(map[string]any{"revoked_at": at, "revoke_reason": reason}).Error
	if err != nil {
		return fmt.Errorf("revoke certificate: %w", err)
	}
	return nil
}

func setOfficeStatus(tx *gorm.DB, id, status string, revokedAt *time.Time) error {
	err := tx.Model(&officeRow{}).Where("id = ?", id).Updates(map[string]any{"status": status, "revoked_at": revokedAt}).Error
	if err != nil {
		return fmt.Errorf("update office: %w", err)
	}
	return nil
}

// lockAuditHead serialises audit appends on PostgreSQL, where two transactions could read the
// same head and collide on the next sequence number; SQLite's IMMEDIATE transactions already
// serialise every writer.
func lockAuditHead(tx *gorm.DB, d Dialect) error {
	if d != Postgres {
		return nil
	}
	var seq []int64
	if err := tx.Table("audit_head").Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = 1").Pluck("seq", &seq).Error; err != nil {
		return fmt.Errorf("lock audit head: %w", err)
	}
	return nil
}

// insertRecord stores a version unless it is there already (false then). ON CONFLICT DO
// NOTHING waits for a racing transaction on PostgreSQL and never raises, so the batch's
// transaction stays usable.
func insertRecord(tx *gorm.DB, r officeRecordRow) (bool, error) {
	res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&r)
	if res.Error != nil {
		return false, fmt.Errorf("store %s %s v%d: %w", r.Entity, r.EntityID, r.Version, res.Error)
	}
	return res.RowsAffected == 1, nil
}

func recordHash(tx *gorm.DB, entity, id string, version int64) (string, error) {
	var h []string
	err := tx.Model(&officeRecordRow{}).Where("entity = ? AND entity_id = ? AND version = ?", entity, id, version).Pluck("hash", &h).Error
	if err != nil || len(h) != 1 {
		return "", fmt.Errorf("read %s %s v%d: %v", entity, id, version, err)
	}
	return h[0], nil
}

// recordOwner is the office that sent any version of the record.
func recordOwner(tx *gorm.DB, entity, id string) (string, bool, error) {
	var owners []string
	err := tx.Model(&officeRecordRow{}).Where("entity = ? AND entity_id = ?", entity, id).Limit(1).Pluck("office_id", &owners).Error
	if err != nil {
		return "", false, fmt.Errorf("read owner of %s %s: %w", entity, id, err)
	}
	if len(owners) == 0 {
		return "", false, nil
	}
	return owners[0], true, nil
}

// quarantine keeps a bad item once per office and content.
func quarantine(tx *gorm.DB, r pushQuarantineRow) error {
	if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&r).Error; err != nil {
		return fmt.Errorf("quarantine %s %s: %w", r.Entity, r.EntityID, err)
	}
	return nil
}

func listQuarantine(db *gorm.DB, officeID string) ([]pushQuarantineRow, error) {
	q := db.Order("received_at")
	if officeID != "" {
		q = q.Where("office_id = ?", officeID)
	}
	var out []pushQuarantineRow
	if err := q.Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list quarantine: %w", err)
	}
	return out, nil
}
