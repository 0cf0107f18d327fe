package store

import "fmt"

// PaperKey is a paper permit's identity within its office: the number written on the paper
// and the day it was issued (YYYY-MM-DD).
type PaperKey struct {
	PaperNumber string
	IssuedOn    string
}

// PaperPermitKeys returns which of the office's paper permits issued between from and to
// (inclusive, YYYY-MM-DD) are already entered.
func (q Q) PaperPermitKeys(unitCode, from, to string) (map[PaperKey]bool, error) {
	var rows []PaperKey
	if err := q.db.Table("permits").Select("paper_number, issued_on").
		Where("channel = ? AND unit_code = ? AND issued_on BETWEEN ? AND ?", "paper_backfill", unitCode, from, to).
		Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("read entered paper permits: %w", err)
	}
	out := make(map[PaperKey]bool, len(rows))
	for _, r := range rows {
		out[r] = true
	}
	return out, nil
}

// PaperPermitExists reports whether this paper permit is already entered.
func (q Q) PaperPermitExists(unitCode string, k PaperKey) (bool, error) {
	var n int64
	if err := q.db.Table("permits").Where("channel = ? AND unit_code = ? AND paper_number = ? AND issued_on = ?",
		"paper_backfill", unitCode, k.PaperNumber, k.IssuedOn).Count(&n).Error; err != nil {
		return false, fmt.Errorf("look up paper permit %s of %s: %w", k.PaperNumber, k.IssuedOn, err)
	}
	return n > 0, nil
}

// InsertPaperPermits saves a batch of backfilled permits and their applications, a hundred
// rows per INSERT statement.
func (q Q) InsertPaperPermits(apps []Application, permits []Permit) error {
	if len(apps) == 0 {
		return nil
	}
	if err := q.db.CreateInBatches(apps, 100).Error; err != nil {
		return fmt.Errorf("save backfilled applications: %w", err)
	}
	if err := q.db.CreateInBatches(permits, 100).Error; err != nil {
		return fmt.Errorf("save backfilled permits: %w", err)
	}
	return nil
}

// ReservePermitSeqs takes n consecutive numbers of a counter and returns the first.
func (q Q) ReservePermitSeqs(counter string, year, n int) (int, error) {
	var last int
	if err := q.db.Raw(`INSERT INTO permit_counters (unit_code, year, last_seq) VALUES (?, ?, ?)
		ON CONFLICT (unit_code, year) DO UPDATE SET last_seq = last_seq + excluded.last_seq RETURNING last_seq`, counter, year, n).Scan(&last).Error; err != nil {
		return 0, fmt.Errorf("reserve %d numbers of %s %d: %w", n, counter, year, err)
	}
	return last - n + 1, nil
}

// PaperApplications says which of these applications are those of paper permits.
func (q Q) PaperApplications(ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	var got []string
	if err := q.db.Table("permits").Where("channel = ? AND application_id IN ?", "paper_backfill", ids).Pluck("application_id", &got).Error; err != nil {
		return nil, fmt.Errorf("look up paper permits of applications: %w", err)
	}
	for _, id := range got {
		out[id] = true
	}
	return out, nil
}
