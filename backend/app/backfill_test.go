package app

import (
	"archive/zip"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/unicode/norm"

	"giaydiduong/backend/audit"
	"giaydiduong/backend/backfill"
	"giaydiduong/backend/domain"
	"giaydiduong/backend/outbox"
)

// faultKinds are the ways a backfill row goes wrong, each with the column it must be reported in.
var faultKinds = []struct {
	name, column string
	spoil        func(row []any, line int)
}{
	{"malformed CCCD", "H", func(r []any, _ int) { r[7] = "08208500012" }},
	{"future issue date", "B", func(r []any, _ int) { r[1] = "15/12/2026"; r[17] = "15/12/2026"; r[18] = "20/12/2026" }},
	{"impossible issue date", "B", func(r []any, _ int) { r[1] = "31/02/2021" }},
	{"impossible birth date", "F", func(r []any, _ int) { r[5] = "30/02/1985" }},
	{"unknown purpose", "M", func(r []any, _ int) { r[12] = "Đi du lịch" }},
	{"unit not in force", "J", func(r []any, _ int) { r[9] = "99999" }},
	{"formula", "O", nil}, // set as a cell formula by backfillWorkbook
	{"missing name", "E", func(r []any, _ int) { r[4] = "" }},
	{"valid before issue", "R", func(r []any, _ int) { r[17] = "01/08/2021" }},
	{"bad date text", "S", func(r []any, _ int) { r[18] = "hai mươi" }},
}

// backfillRow is a valid row; line varies the date forms, name forms and communes.
func backfillRow(line int, communes []string) []any {
	day := time.Date(2021, 8, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 5+line%40)
	year := 1950 + line%50
	gender, digit := "Nam", 0
	if line%2 == 1 {
		gender, digit = "Nữ", 1
	}
	name := "Nguyễn Thị Hòa"
	if line%3 == 0 {
		name = norm.NFD.String("trần văn dũng") // Excel on Windows often stores decomposed text
	}
	var issued any
	switch line % 3 {
	case 0:
		issued = day.Format("02/01/2006")
	case 1:
		issued = day.Format("2006-01-02")
	default:
		issued = day // an Excel date cell (a serial number)
	}
	return []any{
		fmt.Sprintf("%d/GĐĐ", line), issued, "Trần Văn Bình", "Phó Chủ tịch", name,
		fmt.Sprintf("%02d/%02d/%d", 1+line%28, 1+line%12, year), gender,
		fmt.Sprintf("082%d%02d%06d", digit, year%100, line), "", communes[line%len(communes)], "Ấp Bình Thạnh", "",
		"Đi làm việc tại cơ quan, doanh nghiệp", "Ấp Bình Thạnh", "Chợ Mỹ Tho", "Xe máy", "63B1-123.45",
		day.Format("02/01/2006"), day.AddDate(0, 0, 6).Format("02/01/2006"), "",
	}
}

// backfillWorkbook writes n data rows on the template; every (n/faulty)-th row is spoiled.
// It returns the file and, for each spoiled row, the column its problem must name.
func backfillWorkbook(t testing.TB, f *fixture, n, faulty int) ([]byte, map[int]string) {
	t.Helper()
	var tpl bytes.Buffer
	if err := f.BackfillTemplate(f.ctx, f.clerk, &tpl); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(&tpl)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	var communes []string
	// The rows are of August 2021: their communes are those in force then.
	units, _ := f.UnitList("2021-08-15", "")
	for _, u := range units {
		if u.Level == domain.LevelCommune {
			communes = append(communes, u.Code)
		}
	}
	dateStyle, _ := x.NewStyle(&excelize.Style{NumFmt: 14})
	want := map[int]string{}
	step := 0
	if faulty > 0 {
		step = n / faulty
	}
	for i := 0; i < n; i++ {
		line := i + 2
		row := backfillRow(line, communes)
		formula := false
		if step > 0 && i%step == step/2 && len(want) < faulty {
			k := faultKinds[len(want)%len(faultKinds)]
			if k.name == "formula" {
				formula = true
			} else {
				k.spoil(row, line)
			}
			want[line] = k.column
		}
		cell := fmt.Sprintf("A%d", line)
		if err := x.SetSheetRow(backfill.DataSheet, cell, &row); err != nil {
			t.Fatal(err)
		}
		if _, ok := row[1].(time.Time); ok {
			x.SetCellStyle(backfill.DataSheet, fmt.Sprintf("B%d", line), fmt.Sprintf("B%d", line), dateStyle)
		}
		if formula {
			x.SetCellFormula(backfill.DataSheet, fmt.Sprintf("O%d", line), `="Chợ "&"Mỹ Tho"`)
		}
	}
	// One duplicate of row 2 at the end: the same paper number and issue date.
	dup := backfillRow(2, communes)
	dupLine := n + 2
	if faulty > 0 {
		x.SetSheetRow(backfill.DataSheet, fmt.Sprintf("A%d", dupLine), &dup)
		want[dupLine] = "A"
	}
	var out bytes.Buffer
	if _, err := x.WriteTo(&out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes(), want
}

func problemColumns(t *testing.T, rep BackfillReport) map[int]string {
	t.Helper()
	got := map[int]string{}
	for _, p := range rep.Problems {
		if prev, ok := got[p.Row]; ok {
			t.Errorf("row %d has more than one problem: %s and %s (%s)", p.Row, prev, p.Column, p.VI)
		}
		got[p.Row] = p.Column
	}
	return got
}

func sameColumns(t *testing.T, got, want map[int]string) {
	t.Helper()
	var rows []int
	for r := range want {
		rows = append(rows, r)
	}
	for r := range got {
		if _, ok := want[r]; !ok {
			rows = append(rows, r)
		}
	}
	sort.Ints(rows)
	for _, r := range rows {
		if got[r] != want[r] {
			t.Errorf("row %d: problem in column %q, want %q", r, got[r], want[r])
		}
	}
}

func TestBackfillImportReportsEveryFaultyRowOnceAndIsIdempotent(t *testing.T) {
	f := newFixture(t)
	const n, faulty = 10000, 49 // and one in-file duplicate: 50 faulty rows
	t0 := time.Now()
	file, want := backfillWorkbook(t, f, n, faulty)
	t.Logf("workbook written in %v", time.Since(t0))
	if len(want) != 50 {
		t.Fatalf("fixture spoiled %d rows, want 50", len(want))
	}

	rep, err := f.ImportBackfill(f.ctx, f.clerk, bytes.NewReader(file), false, nil)
	if err != nil {
		t.Fatal(err)
	}
	sameColumns(t, problemColumns(t, rep), want)
	if rep.Total != n+1 || rep.Invalid != 50 || rep.Valid != n-49 || rep.ToAdd != rep.Valid || rep.Committed {
		t.Fatalf("dry run: %+v", rep)
	}
	var permits int64
	f.DB().Table("permits").Count(&permits)
	if permits != 0 {
		t.Fatalf("a dry run wrote %d permits", permits)
	}

	t.Logf("validated in %v", time.Since(t0))
	t0 = time.Now()
	_, events0, queued0 := f.counts(t)
	rep, err = f.ImportBackfill(f.ctx, f.clerk, bytes.NewReader(file), true, nil)
	t.Logf("imported in %v", time.Since(t0))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Added != n-49 {
		t.Fatalf("added %d, want %d", rep.Added, n-49)
	}
	_, events1, queued1 := f.counts(t)
	if events1-events0 != int64(rep.Added) || queued1-queued0 != 2*int64(rep.Added) {
		t.Fatalf("audit +%d, outbox +%d for %d rows", events1-events0, queued1-queued0, rep.Added)
	}
	f.DB().Table("permits").Where("channel = 'paper_backfill' AND qr = '' AND status = 'issued'").Count(&permits)
	if permits != int64(rep.Added) {
		t.Fatalf("%d paper permits stored, want %d", permits, rep.Added)
	}
	// Names reach the database in NFC, whatever form the cell held.
	var names []string
	f.DB().Table("applications").Distinct("full_name").Pluck("full_name", &names)
	for _, nm := range names {
		if !norm.NFC.IsNormalString(nm) {
			t.Errorf("name %q stored decomposed", nm)
		}
	}
	var dung int64
	f.DB().Table("applications").Where("full_name = ?", "Trần Văn Dũng").Count(&dung)
	if dung == 0 {
		t.Errorf("the decomposed lower-case name was not stored as Trần Văn Dũng: %q", names)
	}

	rep, err = f.ImportBackfill(f.ctx, f.clerk, bytes.NewReader(file), true, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Added != 0 || rep.AlreadyEntered != n-49 {
		t.Fatalf("second import added %d (already entered %d)", rep.Added, rep.AlreadyEntered)
	}

	// Lists and lookups mark them.
	list, err := f.ListPermits(f.ctx, f.clerk, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(list) == 0 || list[0].Mark != PaperMark {
		t.Fatalf("list does not mark paper permits: %+v", list[0].Mark)
	}
	v, err := f.Verify(f.ctx, f.clerk, list[0].Number)
	if err != nil {
		t.Fatal(err)
	}
	if v.Paper == nil || v.Paper.Mark != PaperMark {
		t.Fatalf("verify by number: %+v", v)
	}
	if rep, err := audit.Verify(f.ctx, f.DB()); err != nil || !rep.OK {
		t.Fatalf("audit chain after import: %+v %v", rep, err)
	}
	var bad int64
	f.DB().Model(&outbox.Entry{}).Where("entity = ''").Count(&bad)
	if bad != 0 {
		t.Fatal("outbox entries without kind")
	}
}

func TestBackfillRefusesBadFilesAndRoles(t *testing.T) {
	f := newFixture(t)
	good, _ := backfillWorkbook(t, f, 3, 0)

	x, _ := excelize.OpenReader(bytes.NewReader(good))
	x.SetCellStr(backfill.DataSheet, "E1", "Tên")
	var changed bytes.Buffer
	x.WriteTo(&changed)
	var locked bytes.Buffer
	if err := x.Write(&locked, excelize.Options{Password: "123456"}); err != nil {
		t.Fatal(err)
	}
	x.Close()

	for _, c := range []struct {
		name string
		data []byte
		code string
	}{
		{"not a workbook", []byte("họ tên,ngày sinh\n"), "not_xlsx"},
		{"zip but not xlsx", zipOf(t), "not_xlsx"},
		{"header changed", changed.Bytes(), "header_changed"},
		{"password", locked.Bytes(), "encrypted"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.ImportBackfill(f.ctx, f.clerk, bytes.NewReader(c.data), true, nil)
			e := AsError(err)
			if e == nil || e.Code != CodeValidation || len(e.Fields) != 1 || e.Fields[0].Code != c.code {
				t.Fatalf("got %+v, want file refusal %s", e, c.code)
			}
		})
	}
	if _, err := f.ImportBackfill(f.ctx, f.admin, bytes.NewReader(good), true, nil); codeOf(err) != CodeForbidden {
		t.Fatalf("office admin import: %v", err)
	}
	if rep, err := f.ImportBackfill(f.ctx, f.approver, bytes.NewReader(good), true, nil); err != nil || rep.Added != 3 {
		t.Fatalf("approver import: %+v %v", rep, err)
	}
	var permits int64
	f.DB().Table("permits").Count(&permits)
	if permits != 3 {
		t.Fatalf("refused files wrote: %d permits", permits)
	}
}

func zipOf(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	w, _ := z.Create("a.txt")
	w.Write([]byte("x"))
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestBackfillLibreOfficeFileImportsLikeExcelize saves the test workbook through LibreOffice
// Calc (which rewrites shared strings, styles, dates and formulas its own way) and expects the
// same verdict row for row.
func TestBackfillLibreOfficeFileImportsLikeExcelize(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Fatal("soffice is required (scripts/ensure-deps.sh test installs libreoffice-calc-nogui)")
	}
	f := newFixture(t)
	file, want := backfillWorkbook(t, f, 1000, 19)
	dir := t.TempDir()
	in := filepath.Join(dir, "in", "backfill.xlsx")
	os.MkdirAll(filepath.Dir(in), 0o700)
	if err := os.WriteFile(in, file, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(f.ctx, soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless",
		"--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", filepath.Join(dir, "out"), in)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	lo, err := os.ReadFile(filepath.Join(dir, "out", "backfill.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(lo, file) {
		t.Fatal("LibreOffice did not rewrite the file")
	}
	a, err := f.ImportBackfill(f.ctx, f.clerk, bytes.NewReader(file), false, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.ImportBackfill(f.ctx, f.clerk, bytes.NewReader(lo), true, nil)
	if err != nil {
		t.Fatal(err)
	}
	sameColumns(t, problemColumns(t, b), want)
	if a.Valid != b.Valid || b.Added != a.Valid {
		t.Fatalf("excelize file: %d valid; LibreOffice file: %d valid, %d added", a.Valid, b.Valid, b.Added)
	}
	// The same rows from the other file add nothing.
	if again, err := f.ImportBackfill(f.ctx, f.clerk, bytes.NewReader(file), true, nil); err != nil || again.Added != 0 {
		t.Fatalf("excelize file after the LibreOffice one: %+v %v", again, err)
	}
}

// BenchmarkBackfillImport10k imports a 10,000-row file, validation included, into a fresh
// office each time (a second import of the same file would add nothing).
func BenchmarkBackfillImport10k(b *testing.B) {
	f := newFixture(b)
	file, _ := backfillWorkbook(b, f, 10000, 0)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		g := newFixture(b)
		b.StartTimer()
		rep, err := g.ImportBackfill(g.ctx, g.clerk, bytes.NewReader(file), true, nil)
		if err != nil || rep.Added != 10000 {
			b.Fatalf("import: %+v %v", rep, err)
		}
	}
}

// BenchmarkBackfillValidate10k checks the same file without writing: the reader's share.
func BenchmarkBackfillValidate10k(b *testing.B) {
	f := newFixture(b)
	file, _ := backfillWorkbook(b, f, 10000, 0)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if rep, err := f.ImportBackfill(f.ctx, f.clerk, bytes.NewReader(file), false, nil); err != nil || rep.Valid != 10000 {
			b.Fatalf("validate: %+v %v", rep, err)
		}
	}
}
