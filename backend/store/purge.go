package store

import (
	"fmt"
	"time"
)

// PurgeSet is what one purge batch touched.
type PurgeSet struct {
	ApplicationIDs []string
	PermitIDs      []string
	ScanPageIDs    []string
	Blobs          int // blob rows deleted (scan pages, thumbnails, signed PDFs)
}

// PurgeDue lists up to limit applications whose validity ended before day (YYYY-MM-DD) and
// whose personal data is still kept. Drafts and rejected applications count too: they hold
// the same personal data.
func (q Q) PurgeDue(before string, limit int) ([]string, error) {
	var ids []string
	if err := q.db.Table("applications").Where("purged_at IS NULL AND valid_to < ?", before).
		Order("valid_to, id").Limit(limit).Pluck("id", &ids).Error; err != nil {
		return nil, fmt.Errorf("read applications due for purge: %w", err)
	}
	return ids, nil
}

// PurgePersonalData removes the personal data of these applications, of their permits (the
// QR holds name and ID; the signed PDF all of it) and of the scanned pages attached to those
// permits; blobs nothing else refers to are deleted. What reports count stays: dates, units,
// purposes, statuses, channels, genders and communes. Versions do not move: the purge is its
// own record (syncwire.Purge), not a new version of each.
func (q Q) PurgePersonalData(appIDs []string, at time.Time) (PurgeSet, error) {
	set := PurgeSet{ApplicationIDs: appIDs}
	if len(appIDs) == 0 {
		return set, nil
	}
	if err := q.db.Table("permits").Where("application_id IN ?", appIDs).Order("id").Pluck("id", &set.PermitIDs).Error; err != nil {
		return set, fmt.Errorf("purge: read permits: %w", err)
	}
	var pdfs []string
	if err := q.db.Table("permits").Where("application_id IN ? AND signed_pdf <> ''", appIDs).Pluck("signed_pdf", &pdfs).Error; err != nil {
		return set, fmt.Errorf("purge: read signed PDFs: %w", err)
	}
	type pageBlobs struct {
		ID          string
		BlobSHA256  *string
		ThumbSHA256 *string
	}
	var pages []pageBlobs
	if len(set.PermitIDs) > 0 {
		if err := q.db.Table("scan_pages").Select("id, blob_sha256, thumb_sha256").Where("permit_id IN ?", set.PermitIDs).Order("id").Scan(&pages).Error; err != nil {
			return set, fmt.Errorf("purge: read scan pages: %w", err)
		}
	}
	blobs := pdfs
	for _, p := range pages {
		set.ScanPageIDs = append(set.ScanPageIDs, p.ID)
		for _, h := range []*string{p.BlobSHA256, p.ThumbSHA256} {
			if h != nil {
				blobs = append(blobs, *h)
			}
		}
	}
	if err := q.db.Table("applications").Where("id IN ?", appIDs).Updates(map[string]any{
		"full_name": "", "search_text": "", "birth_date": "", "id_number": "", "phone": "", "residence_street": "",
		"card_address": "", "workplace": "", "route_from": "", "route_to": "", "vehicle_plate": "", "note": "",
		"reject_reason": "", "purged_at": at,
	}).Error; err != nil {
		return set, fmt.Errorf("purge applications: %w", err)
	}
	if len(set.PermitIDs) > 0 {
		if err := q.db.Table("permits").Where("id IN ?", set.PermitIDs).Updates(map[string]any{"qr": "", "signed_pdf": ""}).Error; err != nil {
			return set, fmt.Errorf("purge permits: %w", err)
		}
	}
	if len(set.ScanPageIDs) > 0 {
		if err := q.db.Table("scan_pages").Where("id IN ?", set.ScanPageIDs).Updates(map[string]any{"blob_sha256": nil, "thumb_sha256": nil, "updated_at": at}).Error; err != nil {
			return set, fmt.Errorf("purge scan pages: %w", err)
		}
	}
	if len(blobs) > 0 {
		// Content-addressed: a blob another record still names stays.
		res := q.db.Exec(`DELETE FROM blobs WHERE sha256 IN ?
			AND sha256 NOT IN (SELECT blob_sha256 FROM scan_pages WHERE blob_sha256 IS NOT NULL)
			AND sha256 NOT IN (SELECT thumb_sha256 FROM scan_pages WHERE thumb_sha256 IS NOT NULL)
			AND sha256 NOT IN (SELECT signed_pdf FROM permits WHERE signed_pdf <> '')`, blobs)
		if res.Error != nil {
			return set, fmt.Errorf("purge blobs: %w", res.Error)
		}
		set.Blobs = int(res.RowsAffected)
		// An attachment purged before the province had it is no longer owed to it: the
		// attachments lane would otherwise look for the deleted blob at every run.
		if err := q.db.Exec(`DELETE FROM sync_attachments WHERE present = ? AND sha256 IN ? AND sha256 NOT IN (SELECT sha256 FROM blobs)`, false, blobs).Error; err != nil {
			return set, fmt.Errorf("purge: forget unsent attachments: %w", err)
		}
	}
	return set, nil
}
