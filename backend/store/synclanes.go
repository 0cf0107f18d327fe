package store

import (
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"giaydiduong/backend/audit"
	"giaydiduong/backend/outbox"
)

// The office's attachments lane and audit receipts.

// AttachmentScan marks a sent outbox entry as looked at for attachments.
type AttachmentScan struct {
	OutboxSeq int64 `gorm:"primaryKey"`
	Expected  int
}

// TableName is the scan marker table.
func (AttachmentScan) TableName() string { return "sync_attachment_scan" }

// SyncAttachment is one attachment a sent record refers to.
type SyncAttachment struct {
	OutboxSeq int64  `gorm:"primaryKey"`
	SHA256    string `gorm:"primaryKey;column:sha256"`
	Entity    string
	EntityID  string
	Version   int64
	Present   bool
	Attempts  int
	LastError string
	UpdatedAt time.Time
}

// TableName is the attachments table.
func (SyncAttachment) TableName() string { return "sync_attachments" }

// AuditReceipt is one receipt of the province's, as stored.
type AuditReceipt struct {
	Seq         int64 `gorm:"primaryKey"`
	Hash        string
	OfficeID    string
	UnitCode    string
	SignedAt    string
	RootKeyHash string
	Signature   []byte
	ReceivedAt  time.Time
}

// TableName is the receipts table.
func (AuditReceipt) TableName() string { return "audit_receipts" }

// UnscannedSentOutbox is up to limit sent entries of the given kinds, answered applied or
// duplicate, not looked at for attachments yet, oldest first.
func (q Q) UnscannedSentOutbox(kinds []string, limit int) ([]outbox.Entry, error) {
	var out []outbox.Entry
	err := q.db.Where("sent_at IS NOT NULL AND push_status IN ? AND entity IN ? AND NOT EXISTS (SELECT 1 FROM sync_attachment_scan s WHERE s.outbox_seq = outbox.seq)",
		[]string{"applied", "duplicate"}, kinds).Order("seq").Limit(limit).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("read sent outbox entries: %w", err)
	}
	return out, nil
}

// NoteAttachments marks an entry looked at, with the attachments its record refers to.
func (q Q) NoteAttachments(seq int64, atts []SyncAttachment) error {
	if err := q.db.Clauses(clause.OnConflict{DoNothing: true}).Create(&AttachmentScan{OutboxSeq: seq, Expected: len(atts)}).Error; err != nil {
		return fmt.Errorf("mark outbox entry %d scanned: %w", seq, err)
	}
	if len(atts) == 0 {
		return nil
	}
	if err := q.db.Clauses(clause.OnConflict{DoNothing: true}).Create(&atts).Error; err != nil {
		return fmt.Errorf("note attachments of outbox entry %d: %w", seq, err)
	}
	return nil
}

// MissingAttachments is up to limit distinct hashes the province has not confirmed yet, the
// least tried first.
func (q Q) MissingAttachments(limit int) ([]string, error) {
	var out []string
	err := q.db.Model(&SyncAttachment{}).Select("sha256").Where("present = ?", false).
		Group("sha256").Order("MAX(attempts), MIN(outbox_seq)").Limit(limit).Pluck("sha256", &out).Error
	if err != nil {
		return nil, fmt.Errorf("read missing attachments: %w", err)
	}
	return out, nil
}

// MarkAttachment records the province's answer for a hash: present, or the error of this try.
func (q Q) MarkAttachment(sha string, present bool, errText string, at time.Time) error {
	fields := map[string]any{"present": present, "last_error": errText, "updated_at": at.UTC()}
	if !present {
		fields["attempts"] = gorm.Expr("attempts + 1")
	}
	if err := q.db.Model(&SyncAttachment{}).Where("sha256 = ? AND present = ?", sha, false).Updates(fields).Error; err != nil {
		return fmt.Errorf("mark attachment %s: %w", sha, err)
	}
	return nil
}

// AttachmentCounts are the lane's totals.
type AttachmentCounts struct {
	Expected int64 // distinct attachments sent records refer to
	Present  int64
	Failing  int64 // missing, with an error from the last try
}

// CountAttachments reads the lane's totals.
func (q Q) CountAttachments() (AttachmentCounts, error) {
	var c AttachmentCounts
	err := q.db.Raw(`SELECT COUNT(*) AS expected, COALESCE(SUM(p), 0) AS present, COALESCE(SUM(CASE WHEN p = 0 AND e <> '' THEN 1 ELSE 0 END), 0) AS failing
		FROM (SELECT sha256, MAX(present) AS p, MAX(last_error) AS e FROM sync_attachments GROUP BY sha256)`).Scan(&c).Error
	if err != nil {
		return c, fmt.Errorf("count attachments: %w", err)
	}
	return c, nil
}

// UnscannedCount is how many sent entries of the kinds still wait to be looked at.
func (q Q) UnscannedCount(kinds []string) (int64, error) {
	var n int64
	err := q.db.Model(&outbox.Entry{}).Where("sent_at IS NOT NULL AND push_status IN ? AND entity IN ? AND NOT EXISTS (SELECT 1 FROM sync_attachment_scan s WHERE s.outbox_seq = outbox.seq)",
		[]string{"applied", "duplicate"}, kinds).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count sent outbox entries: %w", err)
	}
	return n, nil
}

// RecordAttachments is what the office knows of one record's attachments (its latest sent
// version).
func (q Q) RecordAttachments(entity, id string) ([]SyncAttachment, error) {
	var out []SyncAttachment
	err := q.db.Where("entity = ? AND entity_id = ? AND version = (SELECT MAX(version) FROM sync_attachments WHERE entity = ? AND entity_id = ?)", entity, id, entity, id).
		Order("sha256").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("read attachments of %s %s: %w", entity, id, err)
	}
	return out, nil
}

// SaveAuditReceipt keeps a receipt; one for a seq already receipted is kept as it was.
func (q Q) SaveAuditReceipt(r AuditReceipt) error {
	if err := q.db.Clauses(clause.OnConflict{DoNothing: true}).Create(&r).Error; err != nil {
		return fmt.Errorf("save audit receipt %d: %w", r.Seq, err)
	}
	return nil
}

// AuditReceipts is every receipt, by seq.
func (q Q) AuditReceipts() ([]AuditReceipt, error) {
	var out []AuditReceipt
	if err := q.db.Order("seq").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("read audit receipts: %w", err)
	}
	return out, nil
}

// AuditEventHashes is the stored hash of each event at the given seqs.
func (q Q) AuditEventHashes(seqs []int64) (map[int64]string, error) {
	out := map[int64]string{}
	for start := 0; start < len(seqs); start += 500 {
		var rows []struct {
			Seq  int64
			Hash string
		}
		if err := q.db.Table("audit_events").Select("seq, hash").Where("seq IN ?", seqs[start:min(start+500, len(seqs))]).Scan(&rows).Error; err != nil {
			return nil, fmt.Errorf("read audit events: %w", err)
		}
		for _, r := range rows {
			out[r.Seq] = r.Hash
		}
	}
	return out, nil
}

type auditPush struct {
	ID  int `gorm:"primaryKey"`
	Seq int64
}

func (auditPush) TableName() string { return "audit_push" }

// AuditPushCursor is the seq of the last audit event the province answered (0 before any).
func (q Q) AuditPushCursor() (int64, error) {
	var rows []auditPush
	if err := q.db.Where("id = 1").Limit(1).Find(&rows).Error; err != nil {
		return 0, fmt.Errorf("read audit push cursor: %w", err)
	}
	if len(rows) == 0 {
		return 0, nil
	}
	return rows[0].Seq, nil
}

// SetAuditPushCursor moves the cursor forward (never back).
func (q Q) SetAuditPushCursor(seq int64) error {
	err := q.db.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "id"}}, DoUpdates: clause.Set{{Column: clause.Column{Name: "seq"}, Value: gorm.Expr("MAX(audit_push.seq, excluded.seq)")}}}).
		Create(&auditPush{ID: 1, Seq: seq}).Error
	if err != nil {
		return fmt.Errorf("move audit push cursor: %w", err)
	}
	return nil
}

// AuditEventsAfter is up to limit events after seq, in chain order.
func (q Q) AuditEventsAfter(seq int64, limit int) ([]audit.Event, error) {
	var out []audit.Event
	if err := q.db.Where("seq > ?", seq).Order("seq").Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("read audit events: %w", err)
	}
	return out, nil
}
