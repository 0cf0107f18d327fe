// Package outbox is the office's durable queue of changes for the provincial sync: every
// change to a synced record appends its new version here in the same transaction, so the
// sync client (which pushes idempotently by record id and version) can never miss one.
// Entries hold the record's syncwire form (canonical CBOR) and its content hash.
package outbox

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"giaydiduong/backend/syncwire"
)

// Entry is one record version waiting to be pushed.
type Entry struct {
	Seq      int64  `json:"seq" gorm:"primaryKey"`
	Entity   string `json:"entity"`
	EntityID string `json:"entity_id"`
	Version  int64  `json:"version"`
	// Payload is the JSON of entries queued before the wire records (schema version 0).
	Payload       string    `json:"payload"`
	SchemaVersion int       `json:"schema_version"`
	Record        []byte    `json:"record"`       // syncwire.Encode
	ContentHash   string    `json:"content_hash"` // syncwire.Hash of Record
	CreatedAt     time.Time `json:"created_at"`
	// SentAt is when the office stopped sending the entry: the province's final answer (or a
	// kind the office never pushes). Nil while it waits.
	SentAt *time.Time `json:"sent_at"`
	// PushStatus is that answer (see the Push* constants); PushReason the province's words.
	PushStatus   string `json:"push_status"`
	PushReason   string `json:"push_reason"`
	PushAttempts int    `json:"push_attempts"`
}

// What the office recorded for an entry, beside the province's syncwire.ItemStatus values.
const (
	// PushLocal: a province-owned kind (accounts, rules…); the province would refuse it, so
	// the office does not send it.
	PushLocal = "local"
	// PushUnsendable: queued before records had a wire form; it cannot be sent as it is.
	PushUnsendable = "unsendable"
)

// Failed reports whether the entry was answered in a way a person must look at.
func (e Entry) Failed() bool {
	switch e.PushStatus {
	case string(syncwire.Conflict), string(syncwire.Rejected), PushUnsendable:
		return true
	}
	return false
}

// TableName is the outbox table.
func (Entry) TableName() string { return "outbox" }

// Append queues a record's version inside tx (the caller's transaction).
func Append(tx *gorm.DB, at time.Time, rec syncwire.Record) error {
	kind, id, version := rec.Key()
	b, err := syncwire.Encode(rec)
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	e := Entry{Entity: string(kind), EntityID: id, Version: version, SchemaVersion: syncwire.SchemaVersion, Record: b, ContentHash: syncwire.Hash(b), CreatedAt: at.UTC()}
	if err := tx.Create(&e).Error; err != nil {
		return fmt.Errorf("outbox %s %s v%d: %w", kind, id, version, err)
	}
	return nil
}

// AppendBatch queues records' versions inside tx, in order, a hundred per statement.
func AppendBatch(tx *gorm.DB, at time.Time, recs []syncwire.Record) error {
	if len(recs) == 0 {
		return nil
	}
	entries := make([]Entry, len(recs))
	for i, rec := range recs {
		kind, id, version := rec.Key()
		b, err := syncwire.Encode(rec)
		if err != nil {
			return fmt.Errorf("outbox: %w", err)
		}
		entries[i] = Entry{Entity: string(kind), EntityID: id, Version: version, SchemaVersion: syncwire.SchemaVersion, Record: b, ContentHash: syncwire.Hash(b), CreatedAt: at.UTC()}
	}
	if err := tx.CreateInBatches(entries, 100).Error; err != nil {
		return fmt.Errorf("outbox batch of %d: %w", len(recs), err)
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
