package store

import (
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"giaydiduong/backend/syncwire"
)

// Scan page statuses.
const (
	ScanAttached  = "attached"
	ScanReview    = "review"
	ScanDiscarded = "discarded"
)

// ScanPage is one scanned page: attached to a permit, waiting for review, or discarded.
// Its image is a blob (BlobSHA256), never a file of its own.
type ScanPage struct {
	ID            string     `json:"id"`
	Version       int64      `json:"version"`
	UnitCode      string     `json:"unit_code"`
	ContentSHA256 string     `json:"content_sha256" gorm:"column:content_sha256"`
	BlobSHA256    *string    `json:"blob_sha256" gorm:"column:blob_sha256"`
	ThumbSHA256   *string    `json:"thumb_sha256" gorm:"column:thumb_sha256"`
	SourceName    string     `json:"source_name"`
	SourceSHA256  string     `json:"source_sha256" gorm:"column:source_sha256"`
	SourcePage    int        `json:"source_page"`
	Width         int        `json:"width"`
	Height        int        `json:"height"`
	DPI           int        `json:"dpi" gorm:"column:dpi"`
	ScanDPI       int        `json:"scan_dpi" gorm:"column:scan_dpi"`
	Colour        bool       `json:"colour"`
	Status        string     `json:"status"`
	Reason        string     `json:"reason"`
	ReasonVI      string     `json:"reason_vi" gorm:"column:reason_vi"`
	ReasonEN      string     `json:"reason_en" gorm:"column:reason_en"`
	Warning       string     `json:"warning"`
	QRNumber      string     `json:"qr_number" gorm:"column:qr_number"`
	PermitID      *string    `json:"permit_id"`
	ImportedBy    string     `json:"imported_by"`
	ImportedAt    time.Time  `json:"imported_at"`
	DecidedBy     *string    `json:"decided_by"`
	DecidedAt     *time.Time `json:"decided_at"`
	DiscardReason string     `json:"discard_reason"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

// ScanPageByContent finds the page stored with this content hash (ok false when none).
func (q Q) ScanPageByContent(sha string) (ScanPage, bool, error) {
	var p ScanPage
	err := q.db.Where("content_sha256 = ?", sha).Take(&p).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ScanPage{}, false, nil
	}
	if err != nil {
		return ScanPage{}, false, fmt.Errorf("read scan page: %w", err)
	}
	return p, true, nil
}

// ScanPagesOfSource returns the pages already filed from the file with this SHA-256, by
// their page number in it.
func (q Q) ScanPagesOfSource(fileSHA string) (map[int]ScanPage, error) {
	var list []ScanPage
	if err := q.db.Where("source_sha256 = ?", fileSHA).Find(&list).Error; err != nil {
		return nil, fmt.Errorf("read scan pages of file: %w", err)
	}
	out := make(map[int]ScanPage, len(list))
	for _, p := range list {
		out[p.SourcePage] = p
	}
	return out, nil
}

// ScanPageByID reads one page (gorm.ErrRecordNotFound when none).
func (q Q) ScanPageByID(id string) (ScanPage, error) {
	var p ScanPage
	if err := q.db.Where("id = ?", id).Take(&p).Error; err != nil {
		return ScanPage{}, err
	}
	return p, nil
}

// InsertScanPage adds a page.
func (q Q) InsertScanPage(p *ScanPage) error { return q.insert(p, "scan page") }

// UpdateScanPage sets fields on a page still at version and moves it to version+1.
func (q Q) UpdateScanPage(id string, version int64, fields map[string]any) error {
	return q.updateVersioned(&ScanPage{}, "scan page", id, version, fields)
}

// AttachedScanPage returns the page attached to a permit (ok false when none).
func (q Q) AttachedScanPage(permitID string) (ScanPage, bool, error) {
	var p ScanPage
	err := q.db.Where("permit_id = ? AND status = ?", permitID, ScanAttached).Take(&p).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ScanPage{}, false, nil
	}
	if err != nil {
		return ScanPage{}, false, fmt.Errorf("read attached scan page: %w", err)
	}
	return p, true, nil
}

// ScanPages lists pages of one status (all when empty), oldest import first.
func (q Q) ScanPages(status string, limit int) ([]ScanPage, error) {
	qq := q.db.Order("imported_at, source_name, source_page").Limit(limit)
	if status != "" {
		qq = qq.Where("status = ?", status)
	}
	var out []ScanPage
	if err := qq.Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list scan pages: %w", err)
	}
	return out, nil
}

// Wire is the page's sync record: its image travels as the blob it names.
func (p ScanPage) Wire() syncwire.ScanPage {
	return syncwire.ScanPage{ID: p.ID, Version: p.Version, UnitCode: p.UnitCode, PermitID: str(p.PermitID), Status: p.Status,
		Reason: p.Reason, Page: p.SourcePage, SourceName: p.SourceName, SourceSHA256: p.SourceSHA256, MediaType: "image/jpeg",
		SHA256: str(p.BlobSHA256), ThumbSHA256: str(p.ThumbSHA256), ScannedBy: p.ImportedBy, DecidedBy: str(p.DecidedBy),
		DecidedAt: syncwire.TimePtr(p.DecidedAt), DiscardReason: p.DiscardReason,
		CreatedAt: syncwire.Time(p.CreatedAt), UpdatedAt: syncwire.Time(p.UpdatedAt)}
}
