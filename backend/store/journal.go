package store

import (
	"time"

	"giaydiduong/backend/audit"
	"giaydiduong/backend/outbox"
	"giaydiduong/backend/syncwire"
)

// Audit appends an event to the hash-chained log, in this transaction.
func (q Q) Audit(at time.Time, actor, action, entity, entityID string, details any) error {
	return audit.Append(q.db, at, actor, action, entity, entityID, details)
}

// Queue puts a record's new version in the outbox, in this transaction.
func (q Q) Queue(at time.Time, rec syncwire.Record) error {
	return outbox.Append(q.db, at, rec)
}

// AuditBatch appends events in order, in this transaction, with one chain-head update.
func (q Q) AuditBatch(at time.Time, actor string, items []audit.Item) error {
	return audit.AppendBatch(q.db, at, actor, items)
}

// QueueBatch puts records' new versions in the outbox, in order, in this transaction.
func (q Q) QueueBatch(at time.Time, recs []syncwire.Record) error {
	return outbox.AppendBatch(q.db, at, recs)
}

// VerifyAudit walks the whole audit chain.
func (q Q) VerifyAudit() (audit.Report, error) {
	return audit.Verify(q.db.Statement.Context, q.db)
}

// PendingOutbox returns up to limit entries not yet sent, oldest first.
func (q Q) PendingOutbox(limit int) ([]outbox.Entry, error) {
	return outbox.Pending(q.db.Statement.Context, q.db, limit)
}
