package syncwire

// KindPurge is an office's retention purge: it removed the personal data of the records it
// names, and the province removes its copies' personal data too. Office-owned.
const KindPurge Kind = "purge"

// Purge says which records lost their personal data (name, ID, phone, address, QR, scans)
// and when; what reports count (dates, units, purposes, statuses, channels) stays.
type Purge struct {
	ID             string   `json:"id"`
	Version        int64    `json:"version"`
	OfficeUnitCode string   `json:"office_unit_code"`
	ExpiredBefore  string   `json:"expired_before"` // YYYY-MM-DD: valid_to before this day
	RetentionDays  int      `json:"retention_days"`
	ApplicationIDs []string `json:"application_ids"`
	PermitIDs      []string `json:"permit_ids"`
	ScanPageIDs    []string `json:"scan_page_ids"`
	PurgedAt       string   `json:"purged_at"`
	PurgedBy       string   `json:"purged_by"`
}

// Key identifies this version (a purge is written once).
func (r Purge) Key() (Kind, string, int64) { return KindPurge, r.ID, r.Version }
