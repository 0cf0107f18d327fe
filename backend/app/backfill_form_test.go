package app

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"strings"
	"testing"

	"giaydiduong/backend/backfill"
	"giaydiduong/backend/domain"
)

// paperCopyJPEG is a scanned A4 paper permit at 150 dpi: text-like lines and a red seal.
func paperCopyJPEG(t *testing.T, shade uint8) []byte {
	t.Helper()
	m := image.NewRGBA(image.Rect(0, 0, 1240, 1754))
	for y := 0; y < 1754; y++ {
		for x := 0; x < 1240; x++ {
			c := color.RGBA{255, 255, shade, 255}
			if y%40 < 4 && x > 100 && x < 1100 && y > 150 && y < 1300 {
				c = color.RGBA{30, 30, 30, 255}
			}
			if dx, dy := x-900, y-1450; dx*dx+dy*dy < 120*120 && dx*dx+dy*dy > 100*100 {
				c = color.RGBA{210, 20, 30, 255}
			}
			m.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// communeOn is a commune in force on day.
func communeOn(f *fixture, day string) string {
	units, _ := f.UnitList(day, "")
	for _, u := range units {
		if u.Level == domain.LevelCommune {
			return u.Code
		}
	}
	return ""
}

func paperForm(f *fixture, number string) backfill.Form {
	return backfill.Form{
		PaperNumber: number, IssuedOn: "2021-08-10", SignerName: "trần văn bình", SignerTitle: "Phó Chủ tịch",
		Application: domain.ApplicationInput{
			FullName: "Nguyễn Thị Hoà", BirthDate: "1985-03-02", Gender: domain.Female, IDNumber: "082185000123",
			ResidenceCommuneCode: communeOn(f, "2021-08-15"), ResidenceStreet: "Ấp Bình Thạnh", PurposeCode: "work",
			RouteFrom: "Ấp Bình Thạnh", RouteTo: "Chợ Mỹ Tho", VehicleType: domain.VehicleMotorbike, VehiclePlate: "63B1-123.45",
			ValidFrom: "2021-08-10", ValidTo: "2021-08-16",
		},
	}
}

func TestBackfillFormStoresPaperPermitWithItsScan(t *testing.T) {
	f := newFixture(t)
	form := paperForm(f, "125/GĐĐ")
	p, err := f.BackfillPermit(f.ctx, f.clerk, form, &PaperScan{Name: "giay-125.jpg", Data: paperCopyJPEG(t, 250)})
	if err != nil {
		t.Fatal(err)
	}
	if p.Channel != ChannelPaperBackfill || p.Mark != PaperMark || p.QR != "" || p.PaperNumber != "125/GĐĐ" || p.SignerName != "Trần Văn Bình" {
		t.Fatalf("permit: %+v", p.Permit)
	}
	pg, err := f.PermitScan(f.ctx, f.clerk, p.Number)
	if err != nil || pg == nil || pg.BlobSHA256 == nil {
		t.Fatalf("scan of the paper copy: %+v %v", pg, err)
	}
	img, err := f.ScanImage(f.ctx, f.clerk, pg.ID, false)
	if err != nil || len(img) == 0 || len(img) > 150<<10 {
		t.Fatalf("stored page: %d bytes, %v", len(img), err)
	}
	var events int64
	f.DB().Table("audit_events").Where("action IN ?", []string{"permit.backfill", "scan.paper_copy"}).Count(&events)
	if events != 2 {
		t.Fatalf("%d audit events, want 2", events)
	}

	// The same paper again is refused as entered, whatever the scan; nothing is added.
	if _, err := f.BackfillPermit(f.ctx, f.clerk, form, nil); codeOf(err) != CodeConflict {
		t.Fatalf("second entry: %v", err)
	}
	// The verify result of its number says it is a paper permit.
	v, err := f.Verify(f.ctx, f.clerk, p.Number)
	if err != nil || v.Paper == nil || v.Paper.Mark != PaperMark {
		t.Fatalf("verify: %+v %v", v, err)
	}
}

func TestBackfillFormRefusesBadInputNamingTheField(t *testing.T) {
	f := newFixture(t)
	cases := []struct {
		name, field string
		spoil       func(*backfill.Form)
		scan        *PaperScan
	}{
		{"future issue date", "issued_on", func(x *backfill.Form) { x.IssuedOn = "2099-01-01" }, nil},
		{"no paper number", "paper_number", func(x *backfill.Form) { x.PaperNumber = "" }, nil},
		{"malformed CCCD", "id_number", func(x *backfill.Form) { x.Application.IDNumber = "08218500012" }, nil},
		{"unit not in force", "residence_commune_code", func(x *backfill.Form) { x.Application.ResidenceCommuneCode = "99999" }, nil},
		{"not a scan", "file", func(*backfill.Form) {}, &PaperScan{Name: "x.jpg", Data: []byte("not an image")}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			form := paperForm(f, "9/GĐĐ")
			c.spoil(&form)
			_, err := f.BackfillPermit(f.ctx, f.clerk, form, c.scan)
			e := AsError(err)
			if e == nil || e.Code != CodeValidation || len(e.Fields) == 0 || e.Fields[0].Field != c.field || !strings.Contains(e.VI, e.Fields[0].VI) && c.field != "file" {
				t.Fatalf("error: %+v", e)
			}
		})
	}
	var permits int64
	f.DB().Table("permits").Count(&permits)
	if permits != 0 {
		t.Fatalf("refused forms wrote %d permits", permits)
	}
	if _, err := f.BackfillPermit(f.ctx, f.admin, paperForm(f, "10/GĐĐ"), nil); codeOf(err) != CodeForbidden {
		t.Fatalf("office admin: %v", err)
	}
}
