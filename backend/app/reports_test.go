package app

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"giaydiduong/backend/report"
)

// reportOffice has 300 paper permits over 40 days of 2021 and three walk-in permits today:
// one revoked, one handed over, one waiting for its hand signature.
func reportOffice(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t)
	file, _ := backfillWorkbook(t, f, 300, 0)
	if rep, err := f.ImportBackfill(f.ctx, f.clerk, bytes.NewReader(file), true, nil); err != nil || rep.Added != 300 {
		t.Fatalf("import: %+v %v", rep, err)
	}
	for i := 0; i < 3; i++ {
		p, err := f.IssuePermit(f.ctx, f.clerk, f.approved(t).ID)
		if err != nil {
			t.Fatal(err)
		}
		switch i {
		case 0:
			if _, err := f.RevokePermit(f.ctx, f.approver, p.Number, "Sai thông tin"); err != nil {
				t.Fatal(err)
			}
		case 1:
			if _, err := f.MarkHandSigned(f.ctx, f.clerk, p.Number); err != nil {
				t.Fatal(err)
			}
			if _, err := f.HandOver(f.ctx, f.clerk, p.Number); err != nil {
				t.Fatal(err)
			}
		}
	}
	return f
}

func TestReportTotalsEqualIndependentCounts(t *testing.T) {
	f := reportOffice(t)
	s, err := f.ReportSummary(f.ctx, f.clerk, "2021-01-01", "2026-12-31")
	if err != nil {
		t.Fatal(err)
	}
	// Counted straight from the tables, by another route: the application's purpose and
	// the issue time converted to the office's day by SQLite.
	count := func(where string, args ...any) int64 {
		var n int64
		q := f.DB().Table("permits p").Joins("JOIN applications a ON a.id = p.application_id").
			Where("date(p.issued_at, '+7 hours') BETWEEN '2021-01-01' AND '2026-12-31'")
		if where != "" {
			q = q.Where(where, args...)
		}
		if err := q.Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	if want := count(""); s.Total != want || want != 303 {
		t.Fatalf("total %d, counted %d", s.Total, want)
	}
	for _, b := range s.ByDay {
		if want := count("date(p.issued_at, '+7 hours') = ?", b.Key); b.Count != want {
			t.Errorf("day %s: %d, counted %d", b.Key, b.Count, want)
		}
	}
	for _, b := range s.ByPurpose {
		if want := count("a.purpose_code = ?", b.Key); b.Count != want {
			t.Errorf("purpose %s: %d, counted %d", b.Key, b.Count, want)
		}
	}
	for _, b := range s.ByUnit {
		if want := count("a.office_unit_code = ?", b.Key); b.Count != want {
			t.Errorf("unit %s: %d, counted %d", b.Key, b.Count, want)
		}
	}
	for _, b := range s.ByStatus {
		if want := count("p.status = ?", b.Key); b.Count != want {
			t.Errorf("status %s: %d, counted %d", b.Key, b.Count, want)
		}
	}
	channels := map[string]string{
		report.ChannelPaper:         "p.qr = ''",
		report.ChannelWalkInDigital: "p.qr <> '' AND p.signature_kind = 'digital'",
		report.ChannelWalkInHand:    "p.qr <> '' AND p.signature_kind = 'hand'",
	}
	sum := int64(0)
	for _, b := range s.ByChannel {
		if want := count(channels[b.Key]); b.Count != want {
			t.Errorf("channel %s: %d, counted %d", b.Key, b.Count, want)
		}
		sum += b.Count
	}
	if sum != s.Total || len(s.ByDay) < 40 {
		t.Errorf("channels sum to %d of %d; %d days", sum, s.Total, len(s.ByDay))
	}
	if _, err := f.ReportSummary(f.ctx, f.clerk, "2021-02-01", "2021-01-01"); codeOf(err) != CodeValidation {
		t.Errorf("reversed period: %v", err)
	}
}

func TestDailyRegisterPDFAndExcelHoldEveryRow(t *testing.T) {
	f := reportOffice(t)
	const day = "2021-08-10"
	reg, err := f.DailyRegister(f.ctx, f.clerk, day)
	if err != nil {
		t.Fatal(err)
	}
	var want int64
	f.DB().Table("permits").Where("date(issued_at, '+7 hours') = ?", day).Count(&want)
	if int64(len(reg.Lines)) != want || want < 5 {
		t.Fatalf("register has %d lines, the day has %d permits", len(reg.Lines), want)
	}
	dir := t.TempDir()

	pdfPath := filepath.Join(dir, "so.pdf")
	var pdf bytes.Buffer
	if err := f.WriteDailyRegisterPDF(f.ctx, f.clerk, day, &pdf); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(pdfPath, pdf.Bytes(), 0o600)
	out, err := exec.Command("pdftotext", "-layout", pdfPath, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := string(out)
	for _, h := range []string{"SỔ THEO DÕI CẤP GIẤY ĐI ĐƯỜNG", "STT", "Số giấy", "Họ tên", "Năm sinh", "Nơi cư trú", "Lộ trình", "Người ký", "Ghi chú"} {
		if !strings.Contains(text, h) {
			t.Errorf("PDF lacks %q", h)
		}
	}
	for _, l := range reg.Lines {
		if !strings.Contains(text, l.Number) || !strings.Contains(text, l.IDNumber) {
			t.Errorf("PDF lacks row %d (%s, %s)", l.STT, l.Number, l.IDNumber)
		}
	}

	var xb bytes.Buffer
	if err := f.WriteDailyRegisterXLSX(f.ctx, f.clerk, day, &xb); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(bytes.NewReader(xb.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	sheet := x.GetSheetName(0)
	rows, _ := x.GetRows(sheet)
	if got := strings.Join(rows[3], "|"); got != strings.Join(report.RegisterHeaders, "|") {
		t.Fatalf("header row %q", got)
	}
	for i, l := range reg.Lines {
		r := i + 5
		for c := 1; c <= len(report.RegisterHeaders); c++ {
			cell, _ := excelize.CoordinatesToCellName(c, r)
			if fm, _ := x.GetCellFormula(sheet, cell); fm != "" {
				t.Fatalf("%s holds a formula %q", cell, fm)
			}
		}
		if got := rows[r-1]; got[0] != fmt.Sprint(l.STT) || got[1] != l.Number || got[4] != l.IDNumber || got[11] != l.Note {
			t.Errorf("row %d: %q", r, got)
		}
	}

	// LibreOffice opens it and reads the same values.
	xlsxPath := filepath.Join(dir, "so.xlsx")
	os.WriteFile(xlsxPath, xb.Bytes(), 0o600)
	cmd := exec.CommandContext(f.ctx, "soffice", "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless",
		"--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", filepath.Join(dir, "csv"), xlsxPath)
	if o, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, o)
	}
	fcsv, err := os.Open(filepath.Join(dir, "csv", "so.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer fcsv.Close()
	cr := csv.NewReader(fcsv)
	cr.FieldsPerRecord = -1
	recs, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4+len(reg.Lines) {
		t.Fatalf("LibreOffice reads %d rows, want %d", len(recs), 4+len(reg.Lines))
	}
	for i, l := range reg.Lines {
		if r := recs[4+i]; r[1] != l.Number || r[2] != l.FullName || r[11] != l.Note {
			t.Errorf("LibreOffice row %d: %q", i+5, r)
		}
	}
	if !strings.Contains(reg.Lines[0].Note, PaperMark) {
		t.Errorf("paper permit not marked: %q", reg.Lines[0].Note)
	}
}
