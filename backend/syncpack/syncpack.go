// Package syncpack is the compact push body's packing: each record travels as its canonical
// syncwire encoding with what the province can rebuild taken out (an audit event's hashes,
// which it recomputes from the chain; a permit QR's base45, which hides the text its COSE
// bytes repeat from the application), and the province rebuilds the exact canonical bytes.
// The batch digest over the office's own content hashes proves the rebuild: a record that
// does not come back byte for byte makes the batch "retry", never a wrong record stored.
// Both sides link it; it imports only the shared packages.
package syncpack

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"giaydiduong/backend/audit"
	"giaydiduong/backend/permit"
	"giaydiduong/backend/syncwire"
)

// Pack makes the compact request for items, grouped by kind (each kind's items in their
// order): records of one shape side by side compress better (about 296 B a permit against 309
// B in queue order, BenchmarkWireBytesPerPermit), and items are independent anyway.
// Records[j] is items[order[j]]: the answer's status j is that item's.
func Pack(all []syncwire.PushItem) (b syncwire.PushBatch, order []int, err error) {
	order = make([]int, len(all))
	kinds := make([]syncwire.Kind, len(all))
	for i, it := range all {
		order[i] = i
		kinds[i], _, _, _ = syncwire.KeyOf(it.Record)
	}
	slices.SortStableFunc(order, func(x, y int) int { return cmp.Compare(kinds[x], kinds[y]) })
	items := make([]syncwire.PushItem, len(all))
	for j, i := range order {
		items[j] = all[i]
	}
	hashes := make([]string, len(items))
	b = syncwire.PushBatch{Records: make([]syncwire.PackedRecord, len(items))}
	prevAudit := ""
	for i, it := range items {
		hashes[i] = it.Hash
		b.Records[i] = syncwire.PackedRecord{Record: it.Record}
		rec, err := syncwire.Decode(it.Record)
		if err != nil {
			continue // sent as it is: the province says why it is refused
		}
		var flags uint
		var qr []byte
		switch r := rec.(type) {
		case *syncwire.Permit:
			if raw, ok := packQR(r); ok {
				flags, qr = flags|syncwire.PackedQR, raw
			}
		case *syncwire.AuditEvent:
			hash := r.Hash
			flags |= packAudit(r, prevAudit)
			prevAudit = hash
		}
		if flags == 0 {
			continue
		}
		enc, err := syncwire.Encode(rec)
		if err != nil {
			continue
		}
		b.Records[i] = syncwire.PackedRecord{Record: enc, Bytes: qr, Flags: flags}
	}
	d, err := syncwire.BatchDigest(hashes)
	if err != nil {
		return syncwire.PushBatch{}, nil, err
	}
	b.Digest = d
	return b, order, nil
}

// Unpack rebuilds the items of a received batch (the hashes computed here); intact is false
// when they do not match the batch's digest.
func Unpack(b syncwire.PushBatch) (items []syncwire.PushItem, intact bool) {
	items = make([]syncwire.PushItem, len(b.Records))
	hashes := make([]string, len(b.Records))
	prevAudit := ""
	for i, p := range b.Records {
		rec, hash, err := unpack(p, prevAudit)
		if err != nil {
			rec, hash = p.Record, "" // not ours to fix: the push says why it is refused, or the digest fails
		}
		if hash != "" {
			prevAudit = hash
		}
		items[i] = syncwire.PushItem{Record: rec, Hash: syncwire.Hash(rec)}
		hashes[i] = items[i].Hash
	}
	d, _ := syncwire.BatchDigest(hashes)
	return items, string(d) == string(b.Digest)
}

// packQR takes the base45 out of a permit's QR text, when it comes back exactly.
func packQR(r *syncwire.Permit) ([]byte, bool) {
	prefix, text, found := strings.Cut(r.QR, ":")
	if !found || text == "" {
		return nil, false
	}
	raw, err := permit.FromBase45(text)
	if err != nil || permit.Base45(raw) != text {
		return nil, false
	}
	r.QR = prefix + ":"
	return raw, true
}

// packAudit takes out what the province recomputes.
func packAudit(r *syncwire.AuditEvent, prevAudit string) uint {
	var flags uint
	if audit.HashOf(auditEvent(*r)) == r.Hash {
		flags |= syncwire.PackedAuditHash
		r.Hash = ""
	}
	if prevAudit != "" && r.PrevHash == prevAudit {
		flags |= syncwire.PackedPrevHash
		r.PrevHash = ""
	}
	return flags
}

// unpack rebuilds one record; auditHash is its hash when it is an audit event (the next
// event's previous hash may be left out for it).
func unpack(p syncwire.PackedRecord, prevAudit string) (record []byte, auditHash string, err error) {
	if p.Flags == 0 {
		if kind, _, _, err := syncwire.KeyOf(p.Record); err != nil || kind != syncwire.KindAuditEvent {
			return p.Record, "", nil
		}
	}
	if p.Flags&^(syncwire.PackedQR|syncwire.PackedAuditHash|syncwire.PackedPrevHash) != 0 {
		return nil, "", fmt.Errorf("unknown packing flags %d", p.Flags)
	}
	rec, err := syncwire.Decode(p.Record)
	if err != nil {
		return nil, "", err
	}
	switch r := rec.(type) {
	case *syncwire.Permit:
		if p.Flags != syncwire.PackedQR {
			return nil, "", fmt.Errorf("packing flags %d on a permit", p.Flags)
		}
		r.QR += permit.Base45(p.Bytes)
	case *syncwire.AuditEvent:
		if p.Flags&syncwire.PackedQR != 0 {
			return nil, "", fmt.Errorf("packing flags %d on an audit event", p.Flags)
		}
		if p.Flags&syncwire.PackedPrevHash != 0 {
			r.PrevHash = prevAudit
		}
		if p.Flags&syncwire.PackedAuditHash != 0 {
			r.Hash = audit.HashOf(auditEvent(*r))
		}
		auditHash = r.Hash
	default:
		return nil, "", fmt.Errorf("packing flags %d on a %T", p.Flags, rec)
	}
	if p.Flags == 0 {
		return p.Record, auditHash, nil
	}
	out, err := syncwire.Encode(rec)
	return out, auditHash, err
}

func auditEvent(r syncwire.AuditEvent) audit.Event {
	return audit.Event{Seq: r.Seq, ID: r.ID, At: r.At, Actor: r.Actor, Action: r.Action, Entity: r.Entity, EntityID: r.EntityID, Data: r.Data, PrevHash: r.PrevHash, Hash: r.Hash}
}
