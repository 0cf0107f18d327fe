package store

import (
	"fmt"

	"giaydiduong/backend/domain"
)

// ApprovedWithoutPermit lists up to limit approved applications that have no permit yet,
// most recently decided first: the citizens whose permit the counter issues next.
func (q Q) ApprovedWithoutPermit(limit int) ([]Application, error) {
	var recs []Application
	if err := q.db.Where("status = ? AND NOT EXISTS (SELECT 1 FROM permits p WHERE p.application_id = applications.id)", string(domain.StatusApproved)).
		Order("decided_at DESC, id DESC").Limit(limit).Find(&recs).Error; err != nil {
		return nil, fmt.Errorf("list approved applications without permit: %w", err)
	}
	return recs, nil
}

// PermitsNotHandedOver lists up to limit permits issued here and not yet given to the
// citizen (awaiting the leader's hand signature, signed by hand, or signed with a token),
// newest first.
func (q Q) PermitsNotHandedOver(limit int) ([]Permit, error) {
	var recs []Permit
	if err := q.db.Where("status IN ? AND channel = ?", []string{string(domain.PermitAwaitingHand), string(domain.PermitHandSigned), string(domain.PermitSigned)}, domain.ChannelWalkIn).
		Order("issued_at DESC, number DESC").Limit(limit).Find(&recs).Error; err != nil {
		return nil, fmt.Errorf("list permits not handed over: %w", err)
	}
	return recs, nil
}

// CountApplicationsOfStatus counts the applications in one status (the leader's waiting
// count in the menu).
func (q Q) CountApplicationsOfStatus(status string) (int64, error) {
	var n int64
	if err := q.db.Model(&Application{}).Where("status = ?", status).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("count %s applications: %w", status, err)
	}
	return n, nil
}
