package store

import (
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// ApplicationByID reads one application.
func (q Q) ApplicationByID(id string) (Application, error) {
	var rec Application
	return rec, q.first(&rec, "application", "id = ?", id)
}

// ApplicationsByID reads the applications with these ids, keyed by id.
func (q Q) ApplicationsByID(ids []string) (map[string]Application, error) {
	out := make(map[string]Application, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var recs []Application
	if err := q.db.Where("id IN ?", ids).Find(&recs).Error; err != nil {
		return nil, fmt.Errorf("read applications: %w", err)
	}
	for _, r := range recs {
		out[r.ID] = r
	}
	return out, nil
}

// InsertApplication saves a new application.
func (q Q) InsertApplication(rec *Application) error { return q.insert(rec, "application") }

// UpdateApplication sets fields on the application still at version (ErrStale otherwise).
func (q Q) UpdateApplication(id string, version int64, fields map[string]any) error {
	return q.updateVersioned(&Application{}, "application", id, version, fields)
}

// ApplicationFilter selects applications; empty fields do not filter.
type ApplicationFilter struct {
	Status        string
	PurposeCode   string
	CreatedFrom   *time.Time // inclusive
	CreatedBefore *time.Time // exclusive
	// Search is already folded (domain.FoldForSearch): it matches a substring of the
	// folded name and the ID number.
	Search string
	Offset int
	Limit  int
}

// ListApplications returns one page, newest first, and the number of all that match.
func (q Q) ListApplications(f ApplicationFilter) ([]Application, int64, error) {
	base := q.db.Model(&Application{})
	if f.Status != "" {
		base = base.Where("status = ?", f.Status)
	}
	if f.PurposeCode != "" {
		base = base.Where("purpose_code = ?", f.PurposeCode)
	}
	if f.CreatedFrom != nil {
		base = base.Where("created_at >= ?", f.CreatedFrom.UTC())
	}
	if f.CreatedBefore != nil {
		base = base.Where("created_at < ?", f.CreatedBefore.UTC())
	}
	if f.Search != "" {
		base = base.Where("search_text LIKE ? ESCAPE '\\'", "%"+escapeLike(f.Search)+"%")
	}
	var recs []Application
	if err := base.Session(&gorm.Session{}).Order("created_at DESC, id DESC").Offset(f.Offset).Limit(f.Limit).Find(&recs).Error; err != nil {
		return nil, 0, fmt.Errorf("list applications: %w", err)
	}
	// A short, non-empty page (or an empty first page) already tells the total: skip the
	// second scan that a search would cost.
	if len(recs) < f.Limit && (len(recs) > 0 || f.Offset == 0) {
		return recs, int64(f.Offset + len(recs)), nil
	}
	var total int64
	if err := base.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count applications: %w", err)
	}
	return recs, total, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// PossibleDuplicate is an application of the same ID number that a new one may repeat, with
// its permit's number and status when one was issued.
type PossibleDuplicate struct {
	Application
	PermitNumber string `json:"permit_number"`
	PermitStatus string `json:"permit_status"`
}

// PossibleDuplicates returns, newest first (at most limit), the applications for idNumber
// other than excludeID that are still open (draft or submitted), or approved for a window
// overlapping [from, to] (YYYY-MM-DD) and not withdrawn by a revoked permit.
func (q Q) PossibleDuplicates(idNumber, from, to, excludeID string, limit int) ([]PossibleDuplicate, error) {
	var out []PossibleDuplicate
	err := q.db.Raw(`
SELECT a.*, COALESCE(p.number, '') AS permit_number, COALESCE(p.status, '') AS permit_status
FROM applications a
LEFT JOIN permits p ON p.application_id = a.id
WHERE a.id_number = ? AND a.id <> ?
  AND (a.status IN ('draft', 'submitted')
       OR (a.status = 'approved' AND a.valid_from <= ? AND a.valid_to >= ? AND COALESCE(p.status, '') <> 'revoked'))
ORDER BY a.created_at DESC, a.id DESC
LIMIT ?`, idNumber, excludeID, to, from, limit).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("find possible duplicates: %w", err)
	}
	return out, nil
}
