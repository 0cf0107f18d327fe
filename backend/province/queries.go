package province

import (
	"errors"
	"fmt"
	"strings"
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

// recordKey names one version of one record.
type recordKey struct {
	Entity   string
	EntityID string
	Version  int64
}

// chunk bounds the rows per statement (SQLite allows 32,766 parameters).
const chunk = 200

// insertRecords stores the versions not there yet and returns which it stored. ON CONFLICT DO
// NOTHING waits for a racing transaction on PostgreSQL and never raises, so the batch's
// transaction stays usable; rows go in the order given (the caller's lock order).
func insertRecords(tx *gorm.DB, rows []officeRecordRow) (map[recordKey]bool, error) {
	out := map[recordKey]bool{}
	for start := 0; start < len(rows); start += chunk {
		part := rows[start:min(start+chunk, len(rows))]
		var sql strings.Builder
		sql.WriteString("INSERT INTO office_records (entity, entity_id, version, hash, office_id, unit_code, body, received_at) VALUES ")
		args := make([]any, 0, len(part)*8)
		for i, r := range part {
			if i > 0 {
				sql.WriteString(", ")
			}
			sql.WriteString("(?, ?, ?, ?, ?, ?, ?, ?)")
			args = append(args, r.Entity, r.EntityID, r.Version, r.Hash, r.OfficeID, r.UnitCode, r.Body, r.ReceivedAt)
		}
		sql.WriteString(" ON CONFLICT DO NOTHING RETURNING entity, entity_id, version")
		res, err := tx.Raw(sql.String(), args...).Rows()
		if err != nil {
			return nil, fmt.Errorf("store records: %w", err)
		}
		for res.Next() {
			var k recordKey
			if err := res.Scan(&k.Entity, &k.EntityID, &k.Version); err != nil {
				res.Close()
				return nil, fmt.Errorf("store records: %w", err)
			}
			out[k] = true
		}
		if err := res.Close(); err != nil {
			return nil, fmt.Errorf("store records: %w", err)
		}
	}
	return out, nil
}

// recordHashes reads the stored hash of each version.
func recordHashes(tx *gorm.DB, keys []recordKey) (map[recordKey]string, error) {
	out := map[recordKey]string{}
	for start := 0; start < len(keys); start += chunk {
		part := keys[start:min(start+chunk, len(keys))]
		var where strings.Builder
		args := make([]any, 0, len(part)*3)
		for i, k := range part {
			if i > 0 {
				where.WriteString(" OR ")
			}
			where.WriteString("(entity = ? AND entity_id = ? AND version = ?)")
			args = append(args, k.Entity, k.EntityID, k.Version)
		}
		var rows []officeRecordRow
		if err := tx.Select("entity, entity_id, version, hash").Where(where.String(), args...).Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("read stored records: %w", err)
		}
		for _, r := range rows {
			out[recordKey{r.Entity, r.EntityID, r.Version}] = r.Hash
		}
	}
	return out, nil
}

// recordOwners is the office that sent any version of each (entity, id).
func recordOwners(tx *gorm.DB, keys []recordKey) (map[[2]string]string, error) {
	out := map[[2]string]string{}
	for start := 0; start < len(keys); start += chunk {
		part := keys[start:min(start+chunk, len(keys))]
		var where strings.Builder
		args := make([]any, 0, len(part)*2)
		for i, k := range part {
			if i > 0 {
				where.WriteString(" OR ")
			}
			where.WriteString("(entity = ? AND entity_id = ?)")
			args = append(args, k.Entity, k.EntityID)
		}
		var rows []officeRecordRow
		if err := tx.Select("DISTINCT entity, entity_id, office_id").Where(where.String(), args...).Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("read record owners: %w", err)
		}
		for _, r := range rows {
			out[[2]string{r.Entity, r.EntityID}] = r.OfficeID
		}
	}
	return out, nil
}

// quarantine keeps bad items, once per office and content.
func quarantine(tx *gorm.DB, rows []pushQuarantineRow) error {
	if len(rows) == 0 {
		return nil
	}
	if err := tx.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(&rows, chunk).Error; err != nil {
		return fmt.Errorf("quarantine: %w", err)
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
