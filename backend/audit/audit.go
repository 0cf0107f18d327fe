// Package audit keeps the office's tamper-evident log: every state change appends one event
// in the same transaction, and each event's hash covers the previous one, so an edit, a
// deletion or a reordering breaks the chain at the first event touched.
package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Event is one audited state change.
type Event struct {
	Seq      int64  `json:"seq" gorm:"primaryKey"`
	ID       string `json:"id"`
	At       string `json:"at"` // RFC 3339 UTC with nanoseconds, stored as text so the hash re-computes exactly
	Actor    string `json:"actor"`
	Action   string `json:"action"`
	Entity   string `json:"entity"`
	EntityID string `json:"entity_id"`
	Data     string `json:"data"`
	PrevHash string `json:"prev_hash"`
	Hash     string `json:"hash"`
}

// TableName is the audit table.
func (Event) TableName() string { return "audit_events" }

type head struct {
	ID   int `gorm:"primaryKey"`
	Seq  int64
	Hash string
}

func (head) TableName() string { return "audit_head" }

// genesis is the previous hash of the first event.
const genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// Append adds an event inside tx (the caller's transaction). data is marshalled to JSON.
func Append(tx *gorm.DB, at time.Time, actor, action, entity, entityID string, data any) error {
	payload, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("audit %s: encode data: %w", action, err)
	}
	var h head
	err = tx.First(&h, 1).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		h = head{ID: 1, Seq: 0, Hash: genesis}
	case err != nil:
		return fmt.Errorf("audit %s: read chain head: %w", action, err)
	}
	e := Event{
		Seq:      h.Seq + 1,
		ID:       uuid.Must(uuid.NewV7()).String(),
		At:       at.UTC().Format(time.RFC3339Nano),
		Actor:    actor,
		Action:   action,
		Entity:   entity,
		EntityID: entityID,
		Data:     string(payload),
		PrevHash: h.Hash,
	}
	e.Hash = e.computeHash()
	if err := tx.Create(&e).Error; err != nil {
		return fmt.Errorf("audit %s: insert event: %w", action, err)
	}
	if err := tx.Save(&head{ID: 1, Seq: e.Seq, Hash: e.Hash}).Error; err != nil {
		return fmt.Errorf("audit %s: move chain head: %w", action, err)
	}
	return nil
}

// Item is one event of a batch (AppendBatch).
type Item struct {
	Action, Entity, EntityID string
	Data                     any
}

// AppendBatch adds events inside tx as Append would one by one, chained in order, but reads
// and moves the chain head once and inserts the events a hundred per statement: a bulk
// import of 10,000 rows would otherwise spend most of its time on 20,000 head statements.
func AppendBatch(tx *gorm.DB, at time.Time, actor string, items []Item) error {
	if len(items) == 0 {
		return nil
	}
	var h head
	err := tx.First(&h, 1).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		h = head{ID: 1, Seq: 0, Hash: genesis}
	case err != nil:
		return fmt.Errorf("audit batch: read chain head: %w", err)
	}
	events := make([]Event, len(items))
	stamp := at.UTC().Format(time.RFC3339Nano)
	for i, it := range items {
		payload, err := json.Marshal(it.Data)
		if err != nil {
			return fmt.Errorf("audit %s: encode data: %w", it.Action, err)
		}
		e := Event{Seq: h.Seq + 1, ID: uuid.Must(uuid.NewV7()).String(), At: stamp, Actor: actor, Action: it.Action,
			Entity: it.Entity, EntityID: it.EntityID, Data: string(payload), PrevHash: h.Hash}
		e.Hash = e.computeHash()
		events[i] = e
		h = head{ID: 1, Seq: e.Seq, Hash: e.Hash}
	}
	if err := tx.CreateInBatches(events, 100).Error; err != nil {
		return fmt.Errorf("audit batch: insert events: %w", err)
	}
	if err := tx.Save(&h).Error; err != nil {
		return fmt.Errorf("audit batch: move chain head: %w", err)
	}
	return nil
}

// computeHash covers every field but the hash itself; the JSON encoding of a fixed struct
// is deterministic.
func (e Event) computeHash() string {
	c := e
	c.Hash = ""
	b, _ := json.Marshal(c) // a struct of strings and an int cannot fail to encode
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Problem names the first event where the chain breaks.
type Problem struct {
	Seq    int64  `json:"seq"`
	Reason string `json:"reason"`
}

// Report is the result of a verification.
type Report struct {
	Events  int64    `json:"events"`
	OK      bool     `json:"ok"`
	Problem *Problem `json:"problem,omitempty"`
	// Receipts is how many heads the province has receipted (an office's chain only), and
	// ReceiptedSeq the latest; every one must still be in the chain.
	Receipts     int   `json:"receipts"`
	ReceiptedSeq int64 `json:"receipted_seq"`
}

// Verify walks the whole chain in order.
func Verify(ctx context.Context, db *gorm.DB) (Report, error) {
	rows, err := db.WithContext(ctx).Model(&Event{}).Order("seq").Rows()
	if err != nil {
		return Report{}, fmt.Errorf("read audit log: %w", err)
	}
	defer rows.Close()
	var r Report
	prev, want := genesis, int64(1)
	for rows.Next() {
		var e Event
		if err := db.ScanRows(rows, &e); err != nil {
			return Report{}, fmt.Errorf("read audit event: %w", err)
		}
		r.Events++
		switch {
		case e.Seq != want:
			r.Problem = &Problem{Seq: e.Seq, Reason: fmt.Sprintf("event %d is missing before event %d", want, e.Seq)}
		case e.PrevHash != prev:
			r.Problem = &Problem{Seq: e.Seq, Reason: "previous-hash link broken (an event was removed or reordered)"}
		case e.computeHash() != e.Hash:
			r.Problem = &Problem{Seq: e.Seq, Reason: "content does not match its hash (the event was edited)"}
		}
		if r.Problem != nil {
			return r, nil
		}
		prev, want = e.Hash, want+1
	}
	if err := rows.Err(); err != nil {
		return Report{}, fmt.Errorf("read audit log: %w", err)
	}
	var h head
	err = db.WithContext(ctx).First(&h, 1).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		if r.Events > 0 {
			r.Problem = &Problem{Seq: r.Events, Reason: "chain head record is missing"}
			return r, nil
		}
	case err != nil:
		return Report{}, fmt.Errorf("read audit chain head: %w", err)
	case h.Seq != r.Events || h.Hash != prev:
		r.Problem = &Problem{Seq: r.Events + 1, Reason: fmt.Sprintf("chain ends at event %d but its head says %d (events were cut off the end)", r.Events, h.Seq)}
		return r, nil
	}
	r.OK = true
	return r, nil
}

// HashOf is the hash e must carry to chain: what Append wrote and Verify checks. The sync's
// compact push body leaves it out and the province recomputes it.
func HashOf(e Event) string { return e.computeHash() }
