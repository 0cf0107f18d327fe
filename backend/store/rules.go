package store

import "fmt"

// LatestRules reads the newest rules version of a unit in force today (Vietnam, UTC+7): a
// version the province published ahead waits for its effective day.
func (q Q) LatestRules(unitCode string) (RulesRow, error) {
	var r RulesRow
	if err := q.db.Where("unit_code = ? AND (effective_from = '' OR effective_from <= date('now', '+7 hours'))", unitCode).Order("rule_version DESC").Limit(1).Find(&r).Error; err != nil {
		return RulesRow{}, fmt.Errorf("read rules: %w", err)
	}
	if r.ID == "" {
		return RulesRow{}, ErrNotFound
	}
	return r, nil
}

// RulesVersion reads one version of a unit's rules.
func (q Q) RulesVersion(unitCode string, version int) (RulesRow, error) {
	var r RulesRow
	return r, q.first(&r, fmt.Sprintf("rules v%d", version), "unit_code = ? AND rule_version = ?", unitCode, version)
}

// RulesHistory reads every version of a unit's rules, newest first.
func (q Q) RulesHistory(unitCode string) ([]RulesRow, error) {
	var rows []RulesRow
	if err := q.db.Where("unit_code = ?", unitCode).Order("rule_version DESC").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read rules history: %w", err)
	}
	return rows, nil
}

// InsertRules saves a new version of a unit's rules.
func (q Q) InsertRules(r *RulesRow) error { return q.insert(r, "rules") }
