package province

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"giaydiduong/backend/syncwire"
)

// Push stores a batch of an office's records. Each item gets its own status; a bad item is
// quarantined and answered, never an error for the batch. The whole batch is one transaction
// (an error from the database fails it all, and the office sends it again: every item is
// idempotent). Uniqueness per (entity, id, version) is the primary key's, so two instances
// taking the same batch at once store each version once.
func (s *Service) Push(ctx context.Context, sess OfficeSession, items []syncwire.PushItem) ([]syncwire.PushResult, error) {
	results := make([]syncwire.PushResult, len(items))
	counts := map[syncwire.ItemStatus]int{}
	decoded, order := decodeInLockOrder(items)
	err := s.write(ctx, func(tx *gorm.DB, at time.Time) error {
		clear(counts)
		for _, i := range order {
			r, err := s.pushItem(tx, at, sess, items[i], decoded[i])
			if err != nil {
				return err
			}
			r.Index = i
			results[i] = r
			counts[r.Status]++
		}
		if counts[syncwire.Applied]+counts[syncwire.Conflict]+counts[syncwire.Rejected] == 0 {
			return nil // nothing changed: no event
		}
		return s.audit(tx, at, "office:"+sess.OfficeID, "push", "office", sess.OfficeID, counts)
	})
	if err != nil {
		return nil, err
	}
	return results, nil
}

// decoded is an item's record, or why it does not decode.
type decoded struct {
	rec syncwire.Record
	err error
}

// decodeInLockOrder decodes every item and gives the order to store them in: by (kind, id,
// version), so two transactions storing overlapping batches take the rows' locks in the same
// order and cannot deadlock on PostgreSQL. Items that do not decode go first (they lock no
// record row).
func decodeInLockOrder(items []syncwire.PushItem) ([]decoded, []int) {
	type keyed struct {
		i       int
		kind    syncwire.Kind
		id      string
		version int64
	}
	dec := make([]decoded, len(items))
	ks := make([]keyed, len(items))
	for i, it := range items {
		ks[i].i = i
		dec[i].rec, dec[i].err = syncwire.Decode(it.Record)
		if dec[i].err == nil {
			ks[i].kind, ks[i].id, ks[i].version = dec[i].rec.Key()
		}
	}
	slices.SortStableFunc(ks, func(a, b keyed) int {
		return cmp.Or(cmp.Compare(a.kind, b.kind), cmp.Compare(a.id, b.id), cmp.Compare(a.version, b.version))
	})
	out := make([]int, len(ks))
	for j, k := range ks {
		out[j] = k.i
	}
	return dec, out
}

func (s *Service) pushItem(tx *gorm.DB, at time.Time, sess OfficeSession, item syncwire.PushItem, d decoded) (syncwire.PushResult, error) {
	var res syncwire.PushResult
	hash := syncwire.Hash(item.Record)
	if item.Hash != hash {
		res.Status, res.Reason = syncwire.Retry, "the record's bytes do not match its hash (damaged on the way): send it again"
		return res, nil
	}
	reject := func(reason string) (syncwire.PushResult, error) {
		res.Status, res.Reason = syncwire.Rejected, reason
		return res, quarantine(tx, pushQuarantineRow{ID: newID(), OfficeID: sess.OfficeID, Status: string(syncwire.Rejected), Entity: string(res.Kind), EntityID: res.ID, Version: res.Version, Hash: hash, Reason: reason, Body: item.Record, ReceivedAt: at})
	}
	if d.err != nil {
		return reject(d.err.Error())
	}
	rec := d.rec
	kind, id, version := rec.Key()
	res.Kind, res.ID, res.Version = kind, id, version
	switch {
	case !syncwire.OfficeOwned(kind):
		return reject(fmt.Sprintf("%s records belong to the province; an office cannot push them", kind))
	case id == "" || len(id) > 200:
		return reject("the record has no usable id")
	case version < 1:
		return reject("the record's version must be 1 or more")
	}
	if unit := unitOf(rec); unit != "" && unit != sess.UnitCode {
		return reject(fmt.Sprintf("the record is unit %s's; this office is unit %s", unit, sess.UnitCode))
	}
	owner, ok, err := recordOwner(tx, string(kind), id)
	if err != nil {
		return res, err
	}
	if ok && owner != sess.OfficeID {
		return reject(fmt.Sprintf("%s %s belongs to another office", kind, id))
	}
	row := officeRecordRow{Entity: string(kind), EntityID: id, Version: version, Hash: hash, OfficeID: sess.OfficeID, UnitCode: sess.UnitCode, Body: item.Record, ReceivedAt: at}
	inserted, err := insertRecord(tx, row)
	if err != nil {
		return res, err
	}
	if inserted {
		res.Status = syncwire.Applied
		return res, nil
	}
	stored, err := recordHash(tx, string(kind), id, version)
	if err != nil {
		return res, err
	}
	if stored == hash {
		res.Status = syncwire.Duplicate
		return res, nil
	}
	res.Status, res.Reason = syncwire.Conflict, fmt.Sprintf("version %d of %s %s was already received with other content; kept aside for the province to look at", version, kind, id)
	return res, quarantine(tx, pushQuarantineRow{ID: newID(), OfficeID: sess.OfficeID, Status: string(syncwire.Conflict), Entity: string(kind), EntityID: id, Version: version, Hash: hash, Reason: res.Reason, Body: item.Record, ReceivedAt: at})
}

// unitOf is the unit a record names, for the kinds that name one; the others are tied to the
// office by who sent them.
func unitOf(r syncwire.Record) string {
	switch v := r.(type) {
	case *syncwire.Application:
		return v.OfficeUnitCode
	case *syncwire.Permit:
		return v.UnitCode
	case *syncwire.SigningKeyRequest:
		return v.UnitCode
	case *syncwire.Office:
		return v.UnitCode
	}
	return ""
}

// QuarantinedItem is a pushed item kept aside for a person.
type QuarantinedItem struct {
	ID         string    `json:"id"`
	OfficeID   string    `json:"office_id"`
	Status     string    `json:"status"`
	Entity     string    `json:"entity"`
	EntityID   string    `json:"entity_id"`
	Version    int64     `json:"version"`
	Hash       string    `json:"hash"`
	Reason     string    `json:"reason"`
	ReceivedAt time.Time `json:"received_at"`
}

// Quarantine lists what needs a person's attention (of one office, or all).
func (s *Service) Quarantine(ctx context.Context, officeID string) ([]QuarantinedItem, error) {
	rows, err := listQuarantine(s.db.WithContext(ctx), officeID)
	if err != nil {
		return nil, err
	}
	out := make([]QuarantinedItem, len(rows))
	for i, r := range rows {
		out[i] = QuarantinedItem{ID: r.ID, OfficeID: r.OfficeID, Status: r.Status, Entity: r.Entity, EntityID: r.EntityID, Version: r.Version, Hash: r.Hash, Reason: r.Reason, ReceivedAt: r.ReceivedAt}
	}
	return out, nil
}
