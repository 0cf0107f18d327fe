package store

import "fmt"

// PermitByNumber reads the permit with this number.
func (q Q) PermitByNumber(number string) (Permit, error) {
	var p Permit
	return p, q.first(&p, "permit", "number = ?", number)
}

// PermitByID reads one permit.
func (q Q) PermitByID(id string) (Permit, error) {
	var p Permit
	return p, q.first(&p, "permit", "id = ?", id)
}

// PermitNumberOf returns the number of the permit issued from an application (ErrNotFound
// when there is none).
func (q Q) PermitNumberOf(applicationID string) (string, error) {
	var p Permit
	if err := q.db.Select("number").Where("application_id = ?", applicationID).Limit(1).Find(&p).Error; err != nil {
		return "", fmt.Errorf("read permit of application %s: %w", applicationID, err)
	}
	if p.Number == "" {
		return "", ErrNotFound
	}
	return p.Number, nil
}

// NextPermitSeq takes the next number of a unit's year. It moves in the caller's
// transaction: a rolled-back issuance gives its number back, so numbers have no gaps.
func (q Q) NextPermitSeq(unitCode string, year int) (int, error) {
	var seq int
	if err := q.db.Raw(`INSERT INTO permit_counters (unit_code, year, last_seq) VALUES (?, ?, 1)
		ON CONFLICT (unit_code, year) DO UPDATE SET last_seq = last_seq + 1 RETURNING last_seq`, unitCode, year).Scan(&seq).Error; err != nil {
		return 0, fmt.Errorf("next permit number: %w", err)
	}
	return seq, nil
}

// InsertPermit saves a new permit.
func (q Q) InsertPermit(p *Permit) error { return q.insert(p, "permit "+p.Number) }

// UpdatePermit sets fields on the permit still at version (ErrStale otherwise).
func (q Q) UpdatePermit(id string, version int64, fields map[string]any) error {
	return q.updateVersioned(&Permit{}, "permit", id, version, fields)
}

// SetPrintCount records how many copies of a permit were handed out. A copy is not a new
// version of the permit.
func (q Q) SetPrintCount(id string, count int) error {
	if err := q.db.Model(&Permit{}).Where("id = ?", id).Update("print_count", count).Error; err != nil {
		return fmt.Errorf("count copy of permit %s: %w", id, err)
	}
	return nil
}

// PermitsByNumbers reads the permits with these numbers, keyed by number.
func (q Q) PermitsByNumbers(numbers []string) (map[string]Permit, error) {
	out := make(map[string]Permit, len(numbers))
	if len(numbers) == 0 {
		return out, nil
	}
	var recs []Permit
	// SQLite allows 32766 bound values; a batch is at most a thousand.
	if err := q.db.Where("number IN ?", numbers).Find(&recs).Error; err != nil {
		return nil, fmt.Errorf("read permits: %w", err)
	}
	for _, p := range recs {
		out[p.Number] = p
	}
	return out, nil
}

// ListPermits returns up to limit permits of one status ("" for all), newest first.
func (q Q) ListPermits(status string, limit int) ([]Permit, error) {
	tx := q.db.Order("issued_at DESC, number DESC").Limit(limit)
	if status != "" {
		tx = tx.Where("status = ?", status)
	}
	var recs []Permit
	if err := tx.Find(&recs).Error; err != nil {
		return nil, fmt.Errorf("list permits: %w", err)
	}
	return recs, nil
}

// RevokedPermits lists the permits this office revoked.
func (q Q) RevokedPermits() ([]Permit, error) {
	var out []Permit
	if err := q.db.Where("status = ?", "revoked").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("read revoked permits: %w", err)
	}
	return out, nil
}
