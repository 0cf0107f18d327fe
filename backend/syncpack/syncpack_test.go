package syncpack_test

import (
	"bytes"
	"fmt"
	"testing"

	"giaydiduong/backend/audit"
	"giaydiduong/backend/syncpack"
	"giaydiduong/backend/syncwire"
)

func item(t *testing.T, r syncwire.Record) syncwire.PushItem {
	t.Helper()
	b, err := syncwire.Encode(r)
	if err != nil {
		t.Fatal(err)
	}
	return syncwire.PushItem{Record: b, Hash: syncwire.Hash(b)}
}

func chained(prev string, seq int64) syncwire.AuditEvent {
	e := audit.Event{Seq: seq, ID: "01a2342d-097d-7d3a-9bac-81ecf5aefdfc", At: "2026-11-28T02:00:00Z", Actor: "canbo", Action: "permit.issue", Entity: "permit", EntityID: "p1", Data: `{"n":1}`, PrevHash: prev}
	e.Hash = audit.HashOf(e)
	return syncwire.AuditEvent{Seq: e.Seq, ID: e.ID, At: e.At, Actor: e.Actor, Action: e.Action, Entity: e.Entity, EntityID: e.EntityID, Data: e.Data, PrevHash: e.PrevHash, Hash: e.Hash}
}

func TestPackUnpackGivesBackTheExactRecords(t *testing.T) {
	a1 := chained("0000000000000000000000000000000000000000000000000000000000000000", 1)
	a2 := chained(a1.Hash, 2)
	forged := chained(a2.Hash, 3)
	forged.Hash = "ffff" + forged.Hash[4:] // not its hash: must travel as it is
	items := []syncwire.PushItem{
		item(t, syncwire.Permit{ID: "p1", Version: 1, UnitCode: "28261", QR: "GDD1:6BFOXN*TS0BI$ZDFRH"}),
		item(t, syncwire.Permit{ID: "p2", Version: 1, UnitCode: "28261", QR: "not base45 at all"}),
		item(t, a1), item(t, a2), item(t, forged),
		{Record: []byte("garbage"), Hash: syncwire.Hash([]byte("garbage"))},
	}
	b, order, err := syncpack.Pack(items)
	if err != nil {
		t.Fatal(err)
	}
	wantFlags := []uint{syncwire.PackedQR, 0, syncwire.PackedAuditHash, syncwire.PackedAuditHash | syncwire.PackedPrevHash, syncwire.PackedPrevHash, 0}
	if fmt.Sprint(order) != "[5 2 3 4 0 1]" {
		t.Fatalf("order %v: want the kinds grouped, each in its order", order)
	}
	for j, i := range order {
		if b.Records[j].Flags != wantFlags[i] {
			t.Errorf("item %d packed with flags %d, want %d", i, b.Records[j].Flags, wantFlags[i])
		}
	}
	back, intact := syncpack.Unpack(b)
	if !intact {
		t.Fatal("the batch does not match its digest")
	}
	for j, i := range order {
		if string(back[j].Record) != string(items[i].Record) || back[j].Hash != items[i].Hash {
			t.Errorf("item %d came back changed", i)
		}
	}
	// A record damaged on the way fails the batch's digest.
	b.Records[4].Bytes[0] ^= 1
	if _, intact := syncpack.Unpack(b); intact {
		t.Fatal("a damaged record passed the digest")
	}
}

func TestCompressedBodyRoundTripAndBound(t *testing.T) {
	b, _, _ := syncpack.Pack([]syncwire.PushItem{item(t, syncwire.Permit{ID: "p1", Version: 1, QR: "GDD1:6BFOXN*TS0BI$ZDFRH"})})
	body, err := syncwire.MarshalCompressed(b)
	if err != nil {
		t.Fatal(err)
	}
	var got syncwire.PushBatch
	if err := syncwire.UnmarshalCompressed(bytesReader(body), 1<<20, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Records) != 1 {
		t.Fatalf("got %d records", len(got.Records))
	}
	// A small body that expands past the limit is refused as too large.
	big, _ := syncwire.MarshalCompressed(make([]byte, 2<<20))
	if err := syncwire.UnmarshalCompressed(bytesReader(big), 1<<20, &got); err != syncwire.ErrBodyTooLarge {
		t.Fatalf("a zstd bomb: %v", err)
	}
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
