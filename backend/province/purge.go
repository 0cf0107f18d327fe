package province

import (
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"giaydiduong/backend/syncwire"
)

// purgedRecordRow marks a record whose personal data its office purged.
type purgedRecordRow struct {
	OfficeID string `gorm:"primaryKey"`
	EntityID string `gorm:"primaryKey"`
	PurgeID  string
	PurgedAt time.Time
}

func (purgedRecordRow) TableName() string { return "purged_records" }

// afterStore does what newly stored records change beyond their own rows, in the push's
// transaction: the permits' report columns, an office's retention purge (the province
// removes the personal data of its copies, every version), and the purge of a copy that
// arrives after its record was purged.
func (s *Service) afterStore(tx *gorm.DB, sess OfficeSession, at time.Time, results []syncwire.PushResult, dec []decoded) error {
	var permits []*syncwire.Permit
	var purges []*syncwire.Purge
	var personal []string // ids of applied records that hold personal data
	for i, r := range results {
		if r.Status != syncwire.Applied {
			continue
		}
		switch v := dec[i].rec.(type) {
		case *syncwire.Permit:
			permits = append(permits, v)
			personal = append(personal, v.ID)
		case *syncwire.Purge:
			purges = append(purges, v)
		case *syncwire.Application:
			personal = append(personal, v.ID)
		case *syncwire.ScanPage:
			personal = append(personal, v.ID)
		}
	}
	if err := recordPermitFacts(tx, sess.OfficeID, permits); err != nil {
		return err
	}
	for _, p := range purges {
		if err := s.applyPurge(tx, sess, at, p); err != nil {
			return err
		}
	}
	if len(personal) == 0 {
		return nil
	}
	var late []string
	if err := tx.Model(&purgedRecordRow{}).Where("office_id = ? AND entity_id IN ?", sess.OfficeID, personal).Pluck("entity_id", &late).Error; err != nil {
		return fmt.Errorf("look up purged records: %w", err)
	}
	if err := redactStored(tx, sess.OfficeID, late); err != nil {
		return err
	}
	return dropAttachments(tx, sess.OfficeID, late)
}

// dropAttachments forgets the files (scanned pages, signed PDFs) of purged records and
// deletes the office's blobs no other record of it refers to.
func dropAttachments(tx *gorm.DB, officeID string, ids []string) error {
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		var shas []string
		if err := tx.Table("record_attachments").Where("office_id = ? AND entity_id IN ?", officeID, chunk).Distinct().Pluck("sha256", &shas).Error; err != nil {
			return fmt.Errorf("read purged records' attachments: %w", err)
		}
		if len(shas) == 0 {
			continue
		}
		if err := tx.Exec("DELETE FROM record_attachments WHERE office_id = ? AND entity_id IN ?", officeID, chunk).Error; err != nil {
			return fmt.Errorf("forget purged records' attachments: %w", err)
		}
		if err := tx.Exec(`DELETE FROM blobs WHERE office_id = ? AND sha256 IN ?
			AND NOT EXISTS (SELECT 1 FROM record_attachments r WHERE r.sha256 = blobs.sha256 AND r.office_id = blobs.office_id)`, officeID, shas).Error; err != nil {
			return fmt.Errorf("delete purged blobs: %w", err)
		}
	}
	return nil
}

// applyPurge marks the purge's records and removes the personal data of every stored version.
func (s *Service) applyPurge(tx *gorm.DB, sess OfficeSession, at time.Time, p *syncwire.Purge) error {
	ids := append(append(append([]string{}, p.ApplicationIDs...), p.PermitIDs...), p.ScanPageIDs...)
	rows := make([]purgedRecordRow, len(ids))
	for i, id := range ids {
		rows[i] = purgedRecordRow{OfficeID: sess.OfficeID, EntityID: id, PurgeID: p.ID, PurgedAt: at}
	}
	if len(rows) > 0 {
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(rows, 200).Error; err != nil {
			return fmt.Errorf("mark purged records: %w", err)
		}
	}
	if err := redactStored(tx, sess.OfficeID, ids); err != nil {
		return err
	}
	if err := dropAttachments(tx, sess.OfficeID, ids); err != nil {
		return err
	}
	return s.audit(tx, at, "office:"+sess.OfficeID, "office.purge", "purge", p.ID, map[string]any{
		"expired_before": p.ExpiredBefore, "applications": len(p.ApplicationIDs), "permits": len(p.PermitIDs), "scan_pages": len(p.ScanPageIDs),
	})
}

// redactStored rewrites the stored bodies of these records (all versions) without their
// personal data. The hash column keeps the hash of the record as received, so the office
// sending that version again is still answered "duplicate".
func redactStored(tx *gorm.DB, officeID string, ids []string) error {
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		var rows []officeRecordRow
		if err := tx.Where("office_id = ? AND entity IN ? AND entity_id IN ?", officeID,
			[]string{string(syncwire.KindApplication), string(syncwire.KindPermit), string(syncwire.KindScanPage)}, chunk).
			Order("entity, entity_id, version").Find(&rows).Error; err != nil {
			return fmt.Errorf("read records to purge: %w", err)
		}
		for _, r := range rows {
			rec, err := syncwire.Decode(r.Body)
			if err != nil {
				return fmt.Errorf("decode %s %s v%d to purge: %w", r.Entity, r.EntityID, r.Version, err)
			}
			if !Redact(rec) {
				continue
			}
			body, err := syncwire.Encode(rec)
			if err != nil {
				return fmt.Errorf("encode purged %s %s: %w", r.Entity, r.EntityID, err)
			}
			if err := tx.Model(&officeRecordRow{}).Where("entity = ? AND entity_id = ? AND version = ?", r.Entity, r.EntityID, r.Version).
				Update("body", body).Error; err != nil {
				return fmt.Errorf("purge %s %s v%d: %w", r.Entity, r.EntityID, r.Version, err)
			}
		}
	}
	return nil
}

// Redact removes a record's personal data in place (the fields the office's purge empties)
// and says whether it changed anything.
func Redact(rec syncwire.Record) bool {
	switch v := rec.(type) {
	case *syncwire.Application:
		before := *v
		v.FullName, v.BirthDate, v.IDNumber, v.Phone, v.ResidenceStreet, v.Workplace = "", "", "", "", "", ""
		v.RouteFrom, v.RouteTo, v.VehiclePlate, v.Note, v.RejectReason = "", "", "", "", ""
		return before != *v
	case *syncwire.Permit:
		before := *v
		v.QR, v.SignedPDF = "", ""
		return before != *v
	case *syncwire.ScanPage:
		before := *v
		v.SHA256, v.ThumbSHA256, v.SourceName = "", "", ""
		return before != *v
	}
	return false
}
