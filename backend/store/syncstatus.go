package store

import (
	"fmt"
	"time"

	"giaydiduong/backend/outbox"
)

// OutboxState is one queued version's sync bookkeeping, without its record.
type OutboxState struct {
	Seq        int64
	EntityID   string
	Version    int64
	SentAt     *time.Time
	PushStatus string
	PushReason string
}

// OutboxStates is every queued version of the given records of kind entity, oldest first.
func (q Q) OutboxStates(entity string, ids []string) ([]OutboxState, error) {
	var out []OutboxState
	if len(ids) == 0 {
		return out, nil
	}
	err := q.db.Model(&outbox.Entry{}).Select("seq, entity_id, version, sent_at, push_status, push_reason").
		Where("entity = ? AND entity_id IN ?", entity, ids).Order("seq").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("read sync states of %s records: %w", entity, err)
	}
	return out, nil
}

// OutboxRecords is the wire record of each given outbox entry, by seq.
func (q Q) OutboxRecords(seqs []int64) (map[int64][]byte, error) {
	out := map[int64][]byte{}
	if len(seqs) == 0 {
		return out, nil
	}
	var rows []outbox.Entry
	if err := q.db.Select("seq, record").Where("seq IN ?", seqs).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read outbox records: %w", err)
	}
	for _, r := range rows {
		out[r.Seq] = r.Record
	}
	return out, nil
}

// WaitingOutboxBytes is the size of the records still to send (before compression).
func (q Q) WaitingOutboxBytes() (int64, error) {
	var n int64
	if err := q.db.Model(&outbox.Entry{}).Select("COALESCE(SUM(LENGTH(record)), 0)").Where("sent_at IS NULL").Scan(&n).Error; err != nil {
		return 0, fmt.Errorf("size the outbox: %w", err)
	}
	return n, nil
}
