package app

import (
	"testing"

	"giaydiduong/backend/outbox"
	"giaydiduong/backend/syncwire"
)

// TestOutboxHoldsWireRecords: what a state change queues is the record's syncwire form, in
// canonical encoding with its content hash, never the database row (an account's carries
// no password hash).
func TestOutboxHoldsWireRecords(t *testing.T) {
	f := newFixture(t)
	a, err := f.AddApplication(f.ctx, f.clerk, f.input(), false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.ApproveApplication(f.ctx, f.approver, a.ID); err != nil {
		t.Fatal(err)
	}
	u, err := f.AddUser(f.ctx, f.admin, UserInput{Username: "canbo2", FullName: "Lê Thị Thu", Role: "clerk", Password: "mat-khau-du-dai"})
	if err != nil {
		t.Fatal(err)
	}
	var entries []outbox.Entry
	if err := f.DB().Where("entity_id IN ?", []string{a.ID, u.ID}).Order("seq").Find(&entries).Error; err != nil {
		t.Fatal(err)
	}
	if len(entries) != 3 {
		t.Fatalf("%d outbox entries, want 3 (create, approve, user)", len(entries))
	}
	for _, e := range entries {
		if e.SchemaVersion != syncwire.SchemaVersion || e.ContentHash != syncwire.Hash(e.Record) || e.Payload != "" {
			t.Errorf("entry %d: schema %d, hash %s of %d bytes, payload %q", e.Seq, e.SchemaVersion, e.ContentHash, len(e.Record), e.Payload)
		}
		rec, err := syncwire.Decode(e.Record)
		if err != nil {
			t.Fatalf("entry %d: %v", e.Seq, err)
		}
		kind, id, version := rec.Key()
		if string(kind) != e.Entity || id != e.EntityID || version != e.Version {
			t.Errorf("entry %d is %s %s v%d but holds %s %s v%d", e.Seq, e.Entity, e.EntityID, e.Version, kind, id, version)
		}
	}
	approved, ok := mustDecode(t, entries[1].Record).(*syncwire.Application)
	if !ok || approved.Status != "approved" || approved.FullName != a.FullName || approved.DecidedBy != f.approver.UserID || approved.DecidedAt == "" {
		t.Errorf("approved application on the wire: %+v", approved)
	}
	account, ok := mustDecode(t, entries[2].Record).(*syncwire.Account)
	if !ok || account.Username != "canbo2" || account.Role != "clerk" || !account.Active {
		t.Errorf("account on the wire: %+v", account)
	}
}

func mustDecode(t *testing.T, b []byte) syncwire.Record {
	t.Helper()
	r, err := syncwire.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
