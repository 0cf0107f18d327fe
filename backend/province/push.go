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
// taking the same batch at once store each version once. The database work is a few
// statements per batch, not per item: look up owners, insert all with ON CONFLICT DO NOTHING
// RETURNING what was inserted, read the stored hashes of the rest.
func (s *Service) Push(ctx context.Context, sess OfficeSession, items []syncwire.PushItem) ([]syncwire.PushResult, error) {
	results := make([]syncwire.PushResult, len(items))
	counts := map[syncwire.ItemStatus]int{}
	decoded, order := decodeInLockOrder(items)
	err := s.write(ctx, func(tx *gorm.DB, at time.Time) error {
		clear(counts)
		var quarantined []pushQuarantineRow
		reject := func(i int, status syncwire.ItemStatus, reason string) {
			results[i].Status, results[i].Reason = status, reason
			r := results[i]
			quarantined = append(quarantined, pushQuarantineRow{ID: newID(), OfficeID: sess.OfficeID, Status: string(status), Entity: string(r.Kind), EntityID: r.ID, Version: r.Version, Hash: items[i].Hash, Reason: reason, Body: items[i].Record, ReceivedAt: at})
		}
		var cands []int // items to store, in lock order
		for _, i := range order {
			results[i] = syncwire.PushResult{Index: i}
			if reason, retry := s.checkItem(sess, items[i], decoded[i], &results[i]); retry {
				results[i].Status, results[i].Reason = syncwire.Retry, reason
			} else if reason != "" {
				reject(i, syncwire.Rejected, reason)
			} else {
				cands = append(cands, i)
			}
		}
		keys := make([]recordKey, len(cands))
		for j, i := range cands {
			keys[j] = recordKey{string(results[i].Kind), results[i].ID, results[i].Version}
		}
		owners, err := recordOwners(tx, keys)
		if err != nil {
			return err
		}
		var rows []officeRecordRow
		var rowItems []int
		for _, i := range cands {
			r := results[i]
			if owner, ok := owners[[2]string{string(r.Kind), r.ID}]; ok && owner != sess.OfficeID {
				reject(i, syncwire.Rejected, fmt.Sprintf("%s %s belongs to another office", r.Kind, r.ID))
				continue
			}
			rows = append(rows, officeRecordRow{Entity: string(r.Kind), EntityID: r.ID, Version: r.Version, Hash: items[i].Hash, OfficeID: sess.OfficeID, UnitCode: sess.UnitCode, Body: items[i].Record, ReceivedAt: at})
			rowItems = append(rowItems, i)
		}
		inserted, err := insertRecords(tx, rows)
		if err != nil {
			return err
		}
		var lookup []recordKey
		for j, row := range rows {
			k := recordKey{row.Entity, row.EntityID, row.Version}
			if inserted[k] {
				delete(inserted, k) // a second copy of the same version in this batch is not "applied"
				results[rowItems[j]].Status = syncwire.Applied
				continue
			}
			lookup = append(lookup, k)
		}
		stored, err := recordHashes(tx, lookup)
		if err != nil {
			return err
		}
		for j, row := range rows {
			i := rowItems[j]
			if results[i].Status != "" {
				continue
			}
			if stored[recordKey{row.Entity, row.EntityID, row.Version}] == row.Hash {
				results[i].Status = syncwire.Duplicate
				continue
			}
			reject(i, syncwire.Conflict, fmt.Sprintf("version %d of %s %s was already received with other content; kept aside for the province to look at", row.Version, row.Entity, row.EntityID))
		}
		if err := s.notePushed(tx, sess, items, decoded, results); err != nil {
			return err
		}
		if err := s.afterStore(tx, sess, at, results, decoded); err != nil { // report columns, purges (purge.go)
			return err
		}
		if err := s.anchorAudit(tx, sess, at, decoded, results); err != nil {
			return err
		}
		if err := quarantine(tx, quarantined); err != nil {
			return err
		}
		for _, r := range results {
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

// checkItem decides what needs no database: a damaged item (retry) or an invalid one (the
// reason for rejecting it). It fills res's kind, id and version when the record decodes.
func (s *Service) checkItem(sess OfficeSession, item syncwire.PushItem, d decoded, res *syncwire.PushResult) (reason string, retry bool) {
	if item.Hash != syncwire.Hash(item.Record) {
		return "the record's bytes do not match its hash (damaged on the way): send it again", true
	}
	if d.err != nil {
		return d.err.Error(), false
	}
	kind, id, version := d.rec.Key()
	res.Kind, res.ID, res.Version = kind, id, version
	switch {
	case !syncwire.OfficeOwned(kind):
		return fmt.Sprintf("%s records belong to the province; an office cannot push them", kind), false
	case id == "" || len(id) > 200:
		return "the record has no usable id", false
	case version < 1:
		return "the record's version must be 1 or more", false
	}
	if unit := unitOf(d.rec); unit != "" && unit != sess.UnitCode {
		return fmt.Sprintf("the record is unit %s's; this office is unit %s", unit, sess.UnitCode), false
	}
	return "", false
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
	case *syncwire.Purge:
		return v.OfficeUnitCode
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
