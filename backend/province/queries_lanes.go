package province

import (
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Rows and queries of the attachments lane and the anchored audit chains.

type blobRow struct {
	SHA256     string `gorm:"primaryKey;column:sha256"`
	Size       int64
	Data       []byte
	OfficeID   string
	ReceivedAt time.Time
}

func (blobRow) TableName() string { return "blobs" }

type recordAttachmentRow struct {
	Entity   string `gorm:"primaryKey"`
	EntityID string `gorm:"primaryKey"`
	Version  int64  `gorm:"primaryKey"`
	SHA256   string `gorm:"primaryKey;column:sha256"`
	OfficeID string
}

func (recordAttachmentRow) TableName() string { return "record_attachments" }

type officeAuditEventRow struct {
	OfficeID string `gorm:"primaryKey"`
	Seq      int64  `gorm:"primaryKey"`
	EventID  string `gorm:"primaryKey"`
	Hash     string
	PrevHash string
}

func (officeAuditEventRow) TableName() string { return "office_audit_events" }

type auditAnchorRow struct {
	OfficeID  string `gorm:"primaryKey"`
	Seq       int64
	Hash      string
	UpdatedAt time.Time
}

func (auditAnchorRow) TableName() string { return "audit_anchors" }

type auditFlagRow struct {
	ID         string `gorm:"primaryKey"`
	OfficeID   string
	Kind       string
	Seq        int64
	Detail     string
	DetectedAt time.Time
}

func (auditFlagRow) TableName() string { return "audit_flags" }

// insertIgnoring inserts rows, leaving any already there.
func insertIgnoring[T any](tx *gorm.DB, rows []T) error {
	if len(rows) == 0 {
		return nil
	}
	if err := tx.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(&rows, chunk).Error; err != nil {
		return fmt.Errorf("insert %T: %w", rows[0], err)
	}
	return nil
}

// blobsPresent is which of the hashes the province holds.
func blobsPresent(db *gorm.DB, hashes []string) (map[string]bool, error) {
	out := map[string]bool{}
	for start := 0; start < len(hashes); start += chunk {
		var have []string
		if err := db.Model(&blobRow{}).Where("sha256 IN ?", hashes[start:min(start+chunk, len(hashes))]).Pluck("sha256", &have).Error; err != nil {
			return nil, fmt.Errorf("read blobs: %w", err)
		}
		for _, h := range have {
			out[h] = true
		}
	}
	return out, nil
}

func officeRefersTo(db *gorm.DB, officeID, sha string) (bool, error) {
	var n int64
	if err := db.Model(&recordAttachmentRow{}).Where("sha256 = ? AND office_id = ?", sha, officeID).Limit(1).Count(&n).Error; err != nil {
		return false, fmt.Errorf("read record attachments: %w", err)
	}
	return n > 0, nil
}

// insertBlob stores a blob once; false when it was already there.
func insertBlob(tx *gorm.DB, b blobRow) (bool, error) {
	res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&b)
	if res.Error != nil {
		return false, fmt.Errorf("store blob: %w", res.Error)
	}
	return res.RowsAffected == 1, nil
}

func readBlob(db *gorm.DB, sha string) ([]byte, bool, error) {
	var rows []blobRow
	if err := db.Where("sha256 = ?", sha).Limit(1).Find(&rows).Error; err != nil {
		return nil, false, fmt.Errorf("read blob: %w", err)
	}
	if len(rows) == 0 {
		return nil, false, nil
	}
	return rows[0].Data, true, nil
}

func attachmentsOf(db *gorm.DB, entity, id string, version int64) ([]string, error) {
	var out []string
	if err := db.Model(&recordAttachmentRow{}).Where("entity = ? AND entity_id = ? AND version = ?", entity, id, version).Order("sha256").Pluck("sha256", &out).Error; err != nil {
		return nil, fmt.Errorf("read record attachments: %w", err)
	}
	return out, nil
}

// lockAnchor reads (creating at the genesis) an office's audit anchor, locked on PostgreSQL
// until the transaction ends so two pushes of one office walk its chain one at a time.
func lockAnchor(tx *gorm.DB, d Dialect, officeID string, genesis string, at time.Time) (auditAnchorRow, error) {
	if err := insertIgnoring(tx, []auditAnchorRow{{OfficeID: officeID, Seq: 0, Hash: genesis, UpdatedAt: at}}); err != nil {
		return auditAnchorRow{}, err
	}
	q := tx.Where("office_id = ?", officeID)
	if d == Postgres {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var a auditAnchorRow
	if err := q.First(&a).Error; err != nil {
		return a, fmt.Errorf("read audit anchor: %w", err)
	}
	return a, nil
}

func readAnchor(db *gorm.DB, officeID string) (auditAnchorRow, bool, error) {
	var rows []auditAnchorRow
	if err := db.Where("office_id = ?", officeID).Limit(1).Find(&rows).Error; err != nil {
		return auditAnchorRow{}, false, fmt.Errorf("read audit anchor: %w", err)
	}
	if len(rows) == 0 {
		return auditAnchorRow{}, false, nil
	}
	return rows[0], true, nil
}

func saveAnchor(tx *gorm.DB, a auditAnchorRow) error {
	if err := tx.Model(&auditAnchorRow{}).Where("office_id = ?", a.OfficeID).Updates(map[string]any{"seq": a.Seq, "hash": a.Hash, "updated_at": a.UpdatedAt}).Error; err != nil {
		return fmt.Errorf("move audit anchor: %w", err)
	}
	return nil
}

// auditEventsFrom is an office's received events from seq on, in chain order.
func auditEventsFrom(db *gorm.DB, officeID string, seq int64) ([]officeAuditEventRow, error) {
	var out []officeAuditEventRow
	if err := db.Where("office_id = ? AND seq >= ?", officeID, seq).Order("seq, event_id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("read office audit events: %w", err)
	}
	return out, nil
}

func countAuditEvents(db *gorm.DB, officeID string) (n int64, maxSeq int64, err error) {
	var r struct {
		N   int64
		Max *int64
	}
	if err := db.Model(&officeAuditEventRow{}).Select("COUNT(*) AS n, MAX(seq) AS max").Where("office_id = ?", officeID).Scan(&r).Error; err != nil {
		return 0, 0, fmt.Errorf("count office audit events: %w", err)
	}
	if r.Max != nil {
		maxSeq = *r.Max
	}
	return r.N, maxSeq, nil
}

func listAuditFlags(db *gorm.DB, officeID string) ([]auditFlagRow, error) {
	var out []auditFlagRow
	if err := db.Where("office_id = ?", officeID).Order("seq, kind").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("read audit flags: %w", err)
	}
	return out, nil
}

type unitBody struct {
	UnitCode string
	Body     []byte
}

// latestPermitBodies is each permit's latest received version (of one unit, or all).
func latestPermitBodies(db *gorm.DB, unit string) ([]unitBody, error) {
	q := db.Table("office_records r").Select("r.unit_code, r.body").
		Joins("JOIN (SELECT entity_id, MAX(version) AS v FROM office_records WHERE entity = ? GROUP BY entity_id) m ON m.entity_id = r.entity_id AND m.v = r.version", "permit").
		Where("r.entity = ?", "permit")
	if unit != "" {
		q = q.Where("r.unit_code = ?", unit)
	}
	var out []unitBody
	if err := q.Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("read permits: %w", err)
	}
	return out, nil
}

type unitAttachments struct {
	UnitCode string
	Expected int64
	Present  int64
}

// attachmentCounts is, per unit, the distinct attachments its records refer to and how many
// have arrived.
func attachmentCounts(db *gorm.DB, unit string) ([]unitAttachments, error) {
	q := db.Table("record_attachments a").
		Select("o.unit_code AS unit_code, COUNT(DISTINCT a.sha256) AS expected, COUNT(DISTINCT b.sha256) AS present").
		Joins("JOIN offices o ON o.id = a.office_id").
		Joins("LEFT JOIN blobs b ON b.sha256 = a.sha256").
		Group("o.unit_code")
	if unit != "" {
		q = q.Where("o.unit_code = ?", unit)
	}
	var out []unitAttachments
	if err := q.Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("count attachments: %w", err)
	}
	return out, nil
}
