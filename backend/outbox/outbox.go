// Package outbox is the office's durable queue of changes for the provincial sync: every
// change to a synced record appends its new version here in the same transaction, so the
// sync client (which pushes idempotently by record id and version) can never miss one.
package outbox

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Entry is one record version waiting to be pushed.
type Entry struct {
	Seq       int64      `json:"seq" gorm:"primaryKey"`
	Entity    string     `json:"entity"`
	EntityID  string     `json:"entity_id"`
	Version   int64      `json:"version"`
	Payload   string     `json:"payload"`
	CreatedAt time.Time  `json:"created_at"`
	SentAt    *time.Time `json:"sent_at"`
}

// TableName is the outbox table.
func (Entry) TableName() string { return "outbox" }

// Append queues version of the record inside tx (the caller's transaction).
func Append(tx *gorm.DB, at time.Time, entity, id string, version int64, record any) error {
	payload, err := json.Marshal(record)
	if err != nil {
		return fmt.Errorf("outbox %s %s: encode: %w", entity, id, err)
	}
	e := Entry{Entity: entity, EntityID: id, Version: version, Payload: string(payload), CreatedAt: at.UTC()}
	if err := tx.Create(&e).Error; err != nil {
		return fmt.Errorf("outbox %s %s v%d: %w", entity, id, version, err)
	}
	return nil
}

// Pending returns up to limit entries not yet sent, oldest first.
func Pending(ctx context.Context, db *gorm.DB, limit int) ([]Entry, error) {
	var out []Entry
	if err := db.WithContext(ctx).Where("sent_at IS NULL").Order("seq").Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	return out, nil
}
