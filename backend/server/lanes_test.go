package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"giaydiduong/backend/audit"
	"giaydiduong/backend/pki"
	"giaydiduong/backend/province"
	"giaydiduong/backend/province/provincetest"
	"giaydiduong/backend/syncclient"
	"giaydiduong/backend/syncwire"
)

func randomBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, 7))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func scanPage(id, unit, sha, thumb string) syncwire.ScanPage {
	return syncwire.ScanPage{ID: id, Version: 1, UnitCode: unit, Status: "review", Reason: "no QR", Page: 1, SourceName: "scan.pdf",
		MediaType: "image/jpeg", SHA256: sha, ThumbSHA256: thumb, ScannedBy: "canbo", CreatedAt: "2026-12-01T01:02:03Z", UpdatedAt: "2026-12-01T01:02:03Z"}
}

func serverErrStatus(err error) int {
	var se *syncclient.ServerError
	if errors.As(err, &se) {
		return se.Status
	}
	return 0
}

// The attachments lane: only after a record refers to a file may its office send it; the
// hash is checked on arrival; PUT is idempotent; another office can neither send nor probe
// it; the push result says, per record, what is expected and what is held.
func TestBlobLane(t *testing.T) {
	eachEngine(t, func(t *testing.T, e provincetest.Engine) {
		ctx := context.Background()
		p := provincetest.New(t, e.DSN)
		url := p.Serve(t)
		a := enrolledClient(t, p, url, "28261")
		b := enrolledClient(t, p, url, "28264")
		page, thumb := randomBytes(1, 150<<10), randomBytes(2, 8<<10)
		hp, ht := syncclient.BlobHash(page), syncclient.BlobHash(thumb)

		if _, err := a.HasBlob(ctx, hp); serverErrStatus(err) != 403 {
			t.Fatalf("HEAD before any record refers to it: %v", err)
		}
		if err := a.PutBlob(ctx, hp, page); serverErrStatus(err) != 403 {
			t.Fatalf("PUT before any record refers to it: %v", err)
		}
		if _, err := a.HasBlob(ctx, "NOT-A-HASH"); serverErrStatus(err) != 400 {
			t.Fatalf("HEAD of a malformed hash: %v", err)
		}
		rec := item(t, scanPage("page-1", "28261", hp, ht))
		res, err := a.Push(ctx, []syncwire.PushItem{rec})
		if err != nil || res[0].Status != syncwire.Applied {
			t.Fatalf("push: %+v %v", res, err)
		}
		want := []syncwire.AttachmentState{{SHA256: hp}, {SHA256: ht}}
		if fmt.Sprint(res[0].Attachments) != fmt.Sprint(want) {
			t.Fatalf("attachments expected %+v, want %+v", res[0].Attachments, want)
		}
		if ok, err := a.HasBlob(ctx, hp); err != nil || ok {
			t.Fatalf("HEAD before the upload: %v %v", ok, err)
		}

		damaged := bytes.Clone(page)
		damaged[len(damaged)/2] ^= 0xff
		if err := a.PutBlob(ctx, hp, damaged); !errors.Is(err, syncclient.ErrBlobMismatch) {
			t.Fatalf("a damaged upload: %v", err)
		}
		if err := a.PutBlob(ctx, hp, page[:len(page)/2]); !errors.Is(err, syncclient.ErrBlobMismatch) {
			t.Fatalf("a truncated upload: %v", err)
		}
		if n := tableCount(t, p, "blobs"); n != 0 {
			t.Fatalf("%d blobs stored from damaged uploads", n)
		}

		for range 2 { // idempotent
			if err := a.PutBlob(ctx, hp, page); err != nil {
				t.Fatal(err)
			}
		}
		if got, ok, err := p.Svc.Blob(ctx, hp); err != nil || !ok || !bytes.Equal(got, page) {
			t.Fatalf("stored blob differs (%v %v)", ok, err)
		}
		if n := tableCount(t, p, "blobs"); n != 1 {
			t.Fatalf("%d blobs after two uploads of one", n)
		}

		// Another office: refused, nothing written, and it cannot tell the file exists.
		before := snapshot(t, p)
		if _, err := b.HasBlob(ctx, hp); serverErrStatus(err) != 403 {
			t.Fatalf("another office's HEAD: %v", err)
		}
		if err := b.PutBlob(ctx, ht, thumb); serverErrStatus(err) != 403 {
			t.Fatalf("another office's PUT: %v", err)
		}
		sameCounts(t, before, snapshot(t, p))

		res, err = a.Push(ctx, []syncwire.PushItem{rec})
		if err != nil || res[0].Status != syncwire.Duplicate {
			t.Fatalf("push again: %+v %v", res, err)
		}
		want = []syncwire.AttachmentState{{SHA256: hp, Present: true}, {SHA256: ht}}
		if fmt.Sprint(res[0].Attachments) != fmt.Sprint(want) {
			t.Fatalf("attachments %+v, want %+v", res[0].Attachments, want)
		}
		if err := a.PutBlob(ctx, ht, thumb); err != nil {
			t.Fatal(err)
		}
		states, err := p.Svc.RecordAttachments(ctx, syncwire.KindScanPage, "page-1", 1)
		if err != nil || len(states) != 2 || !states[0].Present || !states[1].Present {
			t.Fatalf("record attachments %+v %v", states, err)
		}
		count, err := p.Svc.PermitCount(ctx, "28261")
		if err != nil || len(count.Units) != 1 || count.Units[0].AttachmentsExpected != 2 || count.Units[0].AttachmentsPresent != 2 {
			t.Fatalf("permit count %+v %v", count, err)
		}
	})
}

// chainEvents makes n events of an office's audit chain after prev (seq from, hashes as
// backend/audit computes them).
func chainEvents(from int64, prev string, n int, note string) []syncwire.AuditEvent {
	var out []syncwire.AuditEvent
	for i := range n {
		e := audit.Event{Seq: from + int64(i), ID: fmt.Sprintf("ev-%s-%d", note, from+int64(i)), At: "2026-12-01T01:02:03Z", Actor: "canbo",
			Action: "application.create", Entity: "application", EntityID: "a", Data: `{"note":"` + note + `"}`, PrevHash: prev}
		b, _ := json.Marshal(e)
		sum := sha256.Sum256(b)
		e.Hash = hex.EncodeToString(sum[:])
		prev = e.Hash
		out = append(out, syncwire.AuditEvent{Seq: e.Seq, ID: e.ID, At: e.At, Actor: e.Actor, Action: e.Action, Entity: e.Entity, EntityID: e.EntityID, Data: e.Data, PrevHash: e.PrevHash, Hash: e.Hash})
	}
	return out
}

const genesis = "0000000000000000000000000000000000000000000000000000000000000000"

func pushEvents(t *testing.T, c *syncclient.Client, evs ...syncwire.AuditEvent) []syncwire.PushResult {
	t.Helper()
	var items []syncwire.PushItem
	for _, e := range evs {
		items = append(items, item(t, e))
	}
	res, err := c.Push(context.Background(), items)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func lastReceipt(t *testing.T, c *syncclient.Client) syncwire.AuditReceipt {
	t.Helper()
	rs := c.TakeReceipts()
	if len(rs) == 0 {
		t.Fatal("no audit receipt")
	}
	r := rs[len(rs)-1]
	if err := c.VerifyReceipt(r); err != nil {
		t.Fatalf("receipt: %v", err)
	}
	return r
}

func checkOf(t *testing.T, p *provincetest.Province, unit string) province.OfficeAuditCheck {
	t.Helper()
	cs, err := p.Svc.AuditCheck(context.Background(), unit)
	if err != nil || len(cs) != 1 {
		t.Fatalf("audit check: %+v %v", cs, err)
	}
	return cs[0]
}

// The province receipts an office's chain head as far as it continues; a gap waits for the
// missing event; a second event at a receipted place or a changed event is a fork, flagged
// and never receipted.
func TestAuditAnchoring(t *testing.T) {
	eachEngine(t, func(t *testing.T, e provincetest.Engine) {
		p := provincetest.New(t, e.DSN)
		url := p.Serve(t)
		c := enrolledClient(t, p, url, "28261")
		chain := chainEvents(1, genesis, 6, "real")

		pushEvents(t, c, chain[:3]...)
		if r := lastReceipt(t, c); r.Seq != 3 || r.Hash != chain[2].Hash {
			t.Fatalf("receipt %+v", r)
		}
		forged := lastReceiptOrNil(c)
		if forged != nil {
			t.Fatal("receipts were not taken")
		}

		// Event 4 is late (retry): 5 arrives first. The receipt stays at 3; the check says gap.
		pushEvents(t, c, chain[4])
		if r := lastReceipt(t, c); r.Seq != 3 {
			t.Fatalf("receipt over a gap: %+v", r)
		}
		if ck := checkOf(t, p, "28261"); ck.OK || len(ck.Flags) != 1 || ck.Flags[0].Kind != province.FlagGap || ck.Flags[0].Seq != 4 {
			t.Fatalf("gap not reported: %+v", ck)
		}
		pushEvents(t, c, chain[3])
		if r := lastReceipt(t, c); r.Seq != 5 || r.Hash != chain[4].Hash {
			t.Fatalf("receipt after the gap healed: %+v", r)
		}
		if ck := checkOf(t, p, "28261"); !ck.OK || ck.AnchoredSeq != 5 || ck.Events != 5 {
			t.Fatalf("healed chain: %+v", ck)
		}

		// A repeat of a receipted batch (its answer was lost) brings the receipt again.
		pushEvents(t, c, chain[:2]...)
		if r := lastReceipt(t, c); r.Seq != 5 {
			t.Fatalf("receipt on a repeat: %+v", r)
		}

		// The office rewrites its log from event 2 on, hashes recomputed, and sends it.
		rewritten := chainEvents(2, chain[0].Hash, 4, "rewritten") // 2..5, all receipted already
		pushEvents(t, c, rewritten...)
		if r := lastReceipt(t, c); r.Seq != 5 || r.Hash != chain[4].Hash {
			t.Fatalf("a rewrite moved the receipt: %+v", r)
		}
		ck := checkOf(t, p, "28261")
		if ck.OK || len(ck.Flags) == 0 || ck.Flags[0].Kind != province.FlagFork {
			t.Fatalf("fork not flagged: %+v", ck)
		}
		// The same event id with other content is a conflict, and a fork too.
		changed := chain[1]
		changed.Data = `{"note":"edited"}`
		if res := pushEvents(t, c, changed); res[0].Status != syncwire.Conflict {
			t.Fatalf("changed event: %+v", res)
		}
		ck = checkOf(t, p, "28261")
		forks := 0
		for _, f := range ck.Flags {
			if f.Kind == province.FlagFork && f.Seq == 2 {
				forks++
			}
		}
		if forks != 1 { // one flag per (kind, seq)
			t.Fatalf("flags %+v", ck.Flags)
		}
		// The true chain goes on; the fork stays flagged.
		pushEvents(t, c, chain[5])
		if r := lastReceipt(t, c); r.Seq != 6 {
			t.Fatalf("receipt after the fork: %+v", r)
		}
		if ck := checkOf(t, p, "28261"); ck.OK {
			t.Fatal("the fork was forgotten")
		}
		// Two different events for the next place, not receipted yet: a fork at the head; the
		// receipt stops before it.
		next := chainEvents(7, chain[5].Hash, 1, "a")[0]
		other := chainEvents(7, chain[5].Hash, 1, "b")[0]
		pushEvents(t, c, next, other)
		if r := lastReceipt(t, c); r.Seq != 6 {
			t.Fatalf("receipt over a fork at the head: %+v", r)
		}
		head := false
		for _, f := range checkOf(t, p, "28261").Flags {
			head = head || (f.Kind == province.FlagFork && f.Seq == 7)
		}
		if !head {
			t.Fatal("the fork at the head was not flagged")
		}
		root, err := p.Svc.RootCertificate(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		r := pushAndReceipt(t, c, chain[5]) // a repeat: the receipt of 6 again
		r.Seq = 99
		if pki.VerifyRootSignature(root.PublicKey, r.SignedBytes(), r.Signature) == nil {
			t.Fatal("an altered receipt verified")
		}
	})
}

func lastReceiptOrNil(c *syncclient.Client) *syncwire.AuditReceipt {
	rs := c.TakeReceipts()
	if len(rs) == 0 {
		return nil
	}
	return &rs[len(rs)-1]
}

func pushAndReceipt(t *testing.T, c *syncclient.Client, e syncwire.AuditEvent) syncwire.AuditReceipt {
	t.Helper()
	pushEvents(t, c, e)
	return lastReceipt(t, c)
}
