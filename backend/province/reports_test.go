package province_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"giaydiduong/backend/province"
	"giaydiduong/backend/province/provincetest"
	"giaydiduong/backend/syncwire"
)

func pushItem(t testing.TB, r syncwire.Record) syncwire.PushItem {
	t.Helper()
	b, err := syncwire.Encode(r)
	if err != nil {
		t.Fatal(err)
	}
	return syncwire.PushItem{Record: b, Hash: syncwire.Hash(b)}
}

func officeSession(t testing.TB, p *provincetest.Province, unit string) province.OfficeSession {
	t.Helper()
	o, err := p.Svc.AddOffice(context.Background(), "test", province.NewOfficeInput{UnitCode: unit, Name: "UBND " + unit})
	if err != nil {
		t.Fatal(err)
	}
	return province.OfficeSession{OfficeID: o.OfficeID, UnitCode: unit}
}

// permitRecords is one office's permits: an application and a permit each, over 10 days,
// three channels, two purposes.
func permitRecords(unit string, n int) []syncwire.Record {
	var out []syncwire.Record
	for i := 0; i < n; i++ {
		day := fmt.Sprintf("2021-08-%02d", 1+i%10)
		channel, kind, qr := "walk_in", "hand", "GDD1.x"
		switch i % 3 {
		case 1:
			kind = "digital"
		case 2:
			channel, qr = "paper_backfill", ""
		}
		purpose := []string{"work", "medical"}[i%2]
		app := syncwire.Application{ID: fmt.Sprintf("%s-a%d", unit, i), Version: 1, OfficeUnitCode: unit, Status: "approved",
			FullName: "Nguyễn Văn An", BirthDate: "1980-01-02", IDNumber: "082080000001", Phone: "0912345678", ResidenceStreet: "Ấp 1",
			PurposeCode: purpose, RouteFrom: "Mỹ Tho", RouteTo: "Cái Bè", ValidFrom: day, ValidTo: day}
		p := syncwire.Permit{ID: fmt.Sprintf("%s-p%d", unit, i), Version: 1, Number: fmt.Sprintf("%s/2021/%06d", unit, i+1), UnitCode: unit,
			ApplicationID: app.ID, Status: "issued", QR: qr, SignatureKind: kind, Channel: channel, IssuedOn: day, PurposeCode: purpose,
			IssuedAt: day + "T02:00:00Z", SignerName: "Trần Văn Bình"}
		out = append(out, &app, &p)
	}
	return out
}

func pushAll(t *testing.T, p *provincetest.Province, sess province.OfficeSession, recs []syncwire.Record) {
	t.Helper()
	items := make([]syncwire.PushItem, len(recs))
	for i, r := range recs {
		items[i] = pushItem(t, r)
	}
	res, err := p.Svc.Push(context.Background(), sess, items)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Status != syncwire.Applied && r.Status != syncwire.Duplicate {
			t.Fatalf("push: %+v", r)
		}
	}
}

func TestProvinceReportsAcrossOfficesAndPurge(t *testing.T) {
	eachEngine(t, func(t *testing.T, e provincetest.Engine) {
		ctx := context.Background()
		p := provincetest.New(t, e.DSN)
		a, b := officeSession(t, p, "28261"), officeSession(t, p, "28264")
		pushAll(t, p, a, permitRecords("28261", 30))
		pushAll(t, p, b, permitRecords("28264", 12))
		// A later version of one permit (revoked) replaces its counted status.
		rev := permitRecords("28261", 1)[1].(*syncwire.Permit)
		rev.Version, rev.Status = 2, "revoked"
		pushAll(t, p, a, []syncwire.Record{rev})

		s, err := p.Svc.ReportSummary(ctx, "2021-08-01", "2021-08-31", province.ReportFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if s.Total != 42 || len(s.ByDay) != 10 || len(s.ByUnit) != 2 || len(s.ByChannel) != 3 {
			t.Fatalf("summary: %+v", s)
		}
		var revoked int64
		for _, st := range s.ByStatus {
			if st.Key == "revoked" {
				revoked = st.Count
			}
		}
		if revoked != 1 {
			t.Fatalf("statuses: %+v", s.ByStatus)
		}
		one, err := p.Svc.ReportSummary(ctx, "2021-08-01", "2021-08-31", province.ReportFilter{UnitCode: "28264"})
		if err != nil || one.Total != 12 {
			t.Fatalf("one office: %+v %v", one, err)
		}
		reg, err := p.Svc.DailyRegister(ctx, "2021-08-01", province.ReportFilter{UnitCode: "28261"})
		if err != nil || len(reg.Lines) != 3 || reg.Lines[0].FullName != "Nguyễn Văn An" {
			t.Fatalf("register: %+v %v", reg, err)
		}

		// The office purges three applications and their permits: the province's copies
		// lose their personal data, every version; the figures stay the same.
		purge := &syncwire.Purge{ID: "purge-1", Version: 1, OfficeUnitCode: "28261", ExpiredBefore: "2021-11-01", RetentionDays: 90,
			ApplicationIDs: []string{"28261-a0", "28261-a3", "28261-a6"}, PermitIDs: []string{"28261-p0", "28261-p3", "28261-p6"}, ScanPageIDs: []string{}}
		// A purged permit's signed PDF, received through the attachments lane.
		db := p.Svc.DB()
		if err := db.Exec("INSERT INTO blobs (sha256, size, data, office_id, received_at) VALUES (?, 1, ?, ?, ?)", "sha-pdf", []byte{1}, a.OfficeID, time.Now().UTC()).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Exec("INSERT INTO record_attachments (entity, entity_id, version, sha256, office_id) VALUES ('permit', '28261-p0', 1, 'sha-pdf', ?)", a.OfficeID).Error; err != nil {
			t.Fatal(err)
		}
		pushAll(t, p, a, []syncwire.Record{purge})
		var blobs int64
		db.Table("blobs").Where("sha256 = 'sha-pdf'").Count(&blobs)
		if blobs != 0 {
			t.Fatal("the purged permit's file stayed at the province")
		}
		after, err := p.Svc.ReportSummary(ctx, "2021-08-01", "2021-08-31", province.ReportFilter{})
		if err != nil || !reflect.DeepEqual(s, after) {
			t.Fatalf("figures changed by the purge:\n%+v\n%+v %v", s, after, err)
		}
		reg, err = p.Svc.DailyRegister(ctx, "2021-08-01", province.ReportFilter{UnitCode: "28261"})
		if err != nil || len(reg.Lines) != 3 {
			t.Fatalf("register after purge: %+v %v", reg, err)
		}
		purged := 0
		for _, l := range reg.Lines {
			if l.FullName == "" && l.IDNumber == "" {
				purged++
			}
		}
		if purged != 1 { // of day 1's three (a0, a10, a20) only a0 was purged
			t.Fatalf("%d purged lines on 2021-08-01: %+v", purged, reg.Lines)
		}
		// A copy of a purged application that arrives after the purge is stored purged.
		late := permitRecords("28261", 4)[6].(*syncwire.Application)
		late.Version = 2
		pushAll(t, p, a, []syncwire.Record{late})
		var row struct{ Body []byte }
		p.Svc.DB().Table("office_records").Select("body").Where("entity = 'application' AND entity_id = ? AND version = 2", late.ID).Scan(&row)
		rec, err := syncwire.Decode(row.Body)
		if err != nil || rec.(*syncwire.Application).FullName != "" || rec.(*syncwire.Application).PurposeCode != "medical" {
			t.Fatalf("late copy: %+v %v", rec, err)
		}
		var events int64
		p.Svc.DB().Table("audit_events").Where("action = 'office.purge'").Count(&events)
		if events != 1 {
			t.Fatalf("%d purge events", events)
		}
		if _, err := p.Svc.ReportSummary(ctx, "2021-09-01", "2021-08-01", province.ReportFilter{}); err == nil {
			t.Fatal("a reversed period was accepted")
		}
	})
}
