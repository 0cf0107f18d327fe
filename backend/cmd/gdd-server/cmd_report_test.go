package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"

	"giaydiduong/backend/province"
	"giaydiduong/backend/province/provincetest"
	"giaydiduong/backend/report"
	"giaydiduong/backend/syncwire"
)

func TestReportCommands(t *testing.T) {
	for _, e := range provincetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			p := provincetest.New(t, e.DSN)
			o, err := p.Svc.AddOffice(context.Background(), "test", province.NewOfficeInput{UnitCode: "28261", Name: "UBND Phường Mỹ Tho"})
			if err != nil {
				t.Fatal(err)
			}
			app := &syncwire.Application{ID: "a1", Version: 1, OfficeUnitCode: "28261", Status: "approved", FullName: "Nguyễn Văn An",
				BirthDate: "1980-01-02", IDNumber: "082080000001", PurposeCode: "work", RouteFrom: "Mỹ Tho", RouteTo: "Cái Bè", ValidFrom: "2021-08-02", ValidTo: "2021-08-05"}
			pm := &syncwire.Permit{ID: "p1", Version: 1, Number: "TC/2021-08-02/12", UnitCode: "28261", ApplicationID: "a1", Status: "issued",
				SignatureKind: "hand", Channel: "paper_backfill", PaperNumber: "12", IssuedOn: "2021-08-02", PurposeCode: "work", IssuedAt: "2021-08-02T00:00:00Z"}
			var items []syncwire.PushItem
			for _, r := range []syncwire.Record{app, pm} {
				b, _ := syncwire.Encode(r)
				items = append(items, syncwire.PushItem{Record: b, Hash: syncwire.Hash(b)})
			}
			if _, err := p.Svc.Push(context.Background(), province.OfficeSession{OfficeID: o.OfficeID, UnitCode: "28261"}, items); err != nil {
				t.Fatal(err)
			}
			db := []string{"--data", p.Dir, "--db", e.DSN}
			var s report.Summary
			runJSON(t, &s, append(db, "report", "summary", "--from", "2021-08-01", "--to", "2021-08-31", "--json")...)
			if s.Total != 1 || s.ByChannel[0].Key != report.ChannelPaper || s.ByUnit[0].Label != "UBND Phường Mỹ Tho" {
				t.Fatalf("summary: %+v", s)
			}
			var r report.Register
			runJSON(t, &r, append(db, "report", "daily", "--date", "2021-08-02", "--json")...)
			if len(r.Lines) != 1 || r.Lines[0].Number != "12" || r.Lines[0].FullName != "Nguyễn Văn An" {
				t.Fatalf("register: %+v", r)
			}
			out := filepath.Join(t.TempDir(), "so.xlsx")
			if _, err := run(t, append(db, "report", "daily", "--date", "2021-08-02", "-o", out)...); err != nil {
				t.Fatal(err)
			}
			x, err := excelize.OpenFile(out)
			if err != nil {
				t.Fatal(err)
			}
			defer x.Close()
			rows, _ := x.GetRows(x.GetSheetName(0))
			found := false
			for _, row := range rows {
				for _, c := range row {
					if c == "Nguyễn Văn An" {
						found = true
					}
				}
			}
			if !found {
				t.Fatalf("the register workbook lacks the permit: %v", rows)
			}
			if _, err := run(t, append(db, "report", "summary", "--from", "2021-09-01", "--to", "2021-08-01")...); err == nil {
				t.Fatal("a reversed period was accepted")
			}
		})
	}
}
