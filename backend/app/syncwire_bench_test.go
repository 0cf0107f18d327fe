package app

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"

	"giaydiduong/backend/audit"
	"giaydiduong/backend/domain"
	"giaydiduong/backend/outbox"
	"giaydiduong/backend/store"
	"giaydiduong/backend/syncpack"
	"giaydiduong/backend/syncwire"
)

// variedInput is a walk-in whose name, card, phone, birth date and street differ from the
// next one's, so the compressed sizes below are not flattered by repetition.
func (f *fixture) variedInput(r *rand.Rand) domain.ApplicationInput {
	family := []string{"Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Phan", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"}
	middle := []string{"Văn", "Thị", "Hữu", "Minh", "Ngọc", "Thanh", "Quốc", "Kim", "Đức", "Thị Kim", "Hoàng"}
	given := []string{"An", "Bình", "Cường", "Dũng", "Đào", "Giang", "Hạnh", "Hùng", "Khánh", "Lan", "Long", "Mai", "Nam", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trí", "Vy", "Yến", "Tường Vi"}
	streets := []string{"Ấp Tân Hòa", "Ấp Mỹ Lợi", "Số 12 Đường Lê Lợi", "Tổ 5, Khu phố 3", "Ấp Bình Đông", "Số 47/3 Đường Nguyễn Trãi"}
	in := f.input()
	in.FullName = family[r.IntN(len(family))] + " " + middle[r.IntN(len(middle))] + " " + given[r.IntN(len(given))]
	year := 1950 + r.IntN(55)
	in.BirthDate = fmt.Sprintf("%04d-%02d-%02d", year, 1+r.IntN(12), 1+r.IntN(28))
	century := 0 // the fourth digit: male, born in the 1900s
	if year >= 2000 {
		century = 2
	}
	in.IDNumber = fmt.Sprintf("082%d%02d%06d", century, year%100, r.IntN(1000000))
	in.Phone = fmt.Sprintf("091%07d", r.IntN(10000000))
	in.ResidenceStreet = streets[r.IntN(len(streets))]
	in.VehiclePlate = fmt.Sprintf("63-B%d %03d.%02d", 1+r.IntN(9), r.IntN(1000), r.IntN(100))
	return in
}

// BenchmarkWireBytesPerPermit measures what one walk-in permit costs on the wire when the
// office pushes it: every record version the office queued for it (the application as
// entered and as approved, the permit) and its audit events, taken through the service layer
// for 200 varied walk-ins and sent as one batch of each form. The JSON body (records in
// base64 beside hex hashes) gzipped is the baseline; the compact body is what the client
// sends now.
func BenchmarkWireBytesPerPermit(b *testing.B) {
	const permits = 200
	f := newBenchFixture(b)
	r := rand.New(rand.NewPCG(1, 2))
	var before int64
	f.DB().Model(&audit.Event{}).Select("COALESCE(MAX(seq), 0)").Scan(&before)
	var firstOutbox int64
	f.DB().Model(&outbox.Entry{}).Select("COALESCE(MAX(seq), 0)").Scan(&firstOutbox)
	for range permits {
		if _, _, err := f.enterApproveIssue(f.variedInput(r)); err != nil {
			b.Fatal(err)
		}
	}
	var entries []outbox.Entry
	f.DB().Where("seq > ?", firstOutbox).Order("seq").Find(&entries)
	var events []audit.Event
	f.DB().Where("seq > ?", before).Order("seq").Find(&events)
	var items []syncwire.PushItem
	kinds := map[string]int{}
	for _, e := range entries {
		if syncwire.OfficeOwned(syncwire.Kind(e.Entity)) {
			items = append(items, syncwire.PushItem{Record: e.Record, Hash: e.ContentHash})
			kinds[e.Entity]++
		}
	}
	for _, e := range events {
		rec, err := syncwire.Encode(store.AuditWire(e))
		if err != nil {
			b.Fatal(err)
		}
		items = append(items, syncwire.PushItem{Record: rec, Hash: syncwire.Hash(rec)})
		kinds["audit_event"]++
	}
	jsonBody, _ := json.Marshal(syncwire.PushRequest{Items: items})
	var z bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
	zw.Write(jsonBody)
	zw.Close()
	var compact []byte
	var batch syncwire.PushBatch
	for b.Loop() {
		var err error
		batch, _, err = syncpack.Pack(items)
		if err != nil {
			b.Fatal(err)
		}
		if compact, err = syncwire.MarshalCompressed(batch); err != nil {
			b.Fatal(err)
		}
	}
	back, intact := syncpack.Unpack(batch)
	if !intact || len(back) != len(items) {
		b.Fatal("the packed batch does not unpack to the same records")
	}
	// As the office sends them: batches of SyncBatch records (1,200 records here: one batch of
	// 1,000 and one of 200), each compressed on its own.
	var batched int
	for off := 0; off < len(items); off += SyncBatch {
		part, _, err := syncpack.Pack(items[off:min(off+SyncBatch, len(items))])
		if err != nil {
			b.Fatal(err)
		}
		body, err := syncwire.MarshalCompressed(part)
		if err != nil {
			b.Fatal(err)
		}
		batched += len(body)
	}
	b.ReportMetric(float64(batched)/permits, "zstdcborB/permit-in-office-batches")
	b.Logf("records per permit: %v", kinds)
	b.ReportMetric(float64(len(items))/permits, "records/permit")
	b.ReportMetric(float64(len(jsonBody))/permits, "jsonB/permit")
	b.ReportMetric(float64(z.Len())/permits, "jsongzipB/permit")
	b.ReportMetric(float64(len(compact))/permits, "zstdcborB/permit")
}
