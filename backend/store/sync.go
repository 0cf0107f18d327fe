package store

import (
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"giaydiduong/backend/outbox"
)

// The office's push bookkeeping: which outbox entries still wait, what the province said
// about each, and the last attempt and success.

// WaitingOutbox returns up to limit entries still to send whose seq is after afterSeq, oldest
// first. A run walks the queue with afterSeq, so an entry answered "retry" waits for the next
// run instead of being sent again and again in this one.
func (q Q) WaitingOutbox(afterSeq int64, limit int) ([]outbox.Entry, error) {
	var out []outbox.Entry
	if err := q.db.Where("sent_at IS NULL AND seq > ?", afterSeq).Order("seq").Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	return out, nil
}

// PushOutcome is what the office learnt about one entry.
type PushOutcome struct {
	Seq    int64
	Status string // a syncwire.ItemStatus, outbox.PushLocal or outbox.PushUnsendable
	Reason string
	Final  bool // stop sending it (false: retry later)
}

// RecordPush stores outcomes. Only an entry still waiting is touched, so a stale answer
// never overwrites a final one.
func (q Q) RecordPush(at time.Time, outcomes []PushOutcome) error {
	for _, o := range outcomes {
		fields := map[string]any{"push_status": o.Status, "push_reason": o.Reason, "push_attempts": gorm.Expr("push_attempts + 1")}
		if o.Final {
			fields["sent_at"] = at.UTC()
		}
		if err := q.db.Model(&outbox.Entry{}).Where("seq = ? AND sent_at IS NULL", o.Seq).Updates(fields).Error; err != nil {
			return fmt.Errorf("record push of outbox entry %d: %w", o.Seq, err)
		}
	}
	return nil
}

// CountWaitingOutbox is how many entries are still to send.
func (q Q) CountWaitingOutbox() (int64, error) {
	var n int64
	if err := q.db.Model(&outbox.Entry{}).Where("sent_at IS NULL").Count(&n).Error; err != nil {
		return 0, fmt.Errorf("count outbox: %w", err)
	}
	return n, nil
}

// FailedOutbox is every entry the province answered with a conflict or a rejection (and the
// ones that could not be sent), oldest first.
func (q Q) FailedOutbox(limit int) ([]outbox.Entry, error) {
	var out []outbox.Entry
	err := q.db.Omit("record", "payload").Where("push_status IN ?", []string{"conflict", "rejected", outbox.PushUnsendable}).Order("seq").Limit(limit).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("read failed outbox entries: %w", err)
	}
	return out, nil
}

// CountFailedOutbox is how many entries need a person.
func (q Q) CountFailedOutbox() (int64, error) {
	var n int64
	if err := q.db.Model(&outbox.Entry{}).Where("push_status IN ?", []string{"conflict", "rejected", outbox.PushUnsendable}).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("count failed outbox entries: %w", err)
	}
	return n, nil
}

// SyncState is the office's last sync attempt and success.
type SyncState struct {
	ID            int `gorm:"primaryKey"`
	LastAttemptAt *time.Time
	LastSuccessAt *time.Time
	LastError     string
}

// TableName is the one-row sync state table.
func (SyncState) TableName() string { return "sync_state" }

// SyncState reads the state (zero before the first attempt).
func (q Q) SyncState() (SyncState, error) {
	var s SyncState
	err := q.db.Where("id = 1").Take(&s).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return SyncState{ID: 1}, nil
	}
	if err != nil {
		return SyncState{}, fmt.Errorf("read sync state: %w", err)
	}
	return s, nil
}

// SaveSyncAttempt records an attempt at at; errText empty means it succeeded.
func (q Q) SaveSyncAttempt(at time.Time, errText string) error {
	s, err := q.SyncState()
	if err != nil {
		return err
	}
	at = at.UTC()
	s.ID, s.LastAttemptAt, s.LastError = 1, &at, errText
	if errText == "" {
		s.LastSuccessAt = &at
	}
	if err := q.db.Save(&s).Error; err != nil {
		return fmt.Errorf("save sync state: %w", err)
	}
	return nil
}
