package accountlist

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/unicode/norm"

	"giaydiduong/backend/domain"
)

var today = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

func sample() List {
	return List{
		Header: Header{SendingUnit: "UBND Phường Mỹ Tho", SendingUnitCode: "28261", Signer: "Trần Văn Bình", SignerTitle: "Chủ tịch", Date: "2026-11-30"},
		Entries: []Entry{
			{FullName: "Nguyễn Thị Hoà", IDNumber: "082185000123", Title: "Công chức một cửa", Unit: "UBND Phường Mỹ Tho", Phone: "0912345678", Email: "hoa@mytho.gov.vn", Role: RoleReceive},
			{FullName: "Trần Văn Bình", IDNumber: "082070000456", Title: "Chủ tịch", Unit: "UBND Phường Mỹ Tho", Role: RoleSign, HasToken: true, ActsFor: []string{"28261", "28264"}},
			{FullName: "Lê Văn Tâm", IDNumber: "082080000789", Title: "Quản trị", Unit: "UBND Phường Mỹ Tho", Role: RoleAdmin},
		},
	}
}

func written(t *testing.T, l List) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, l); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestWriteThenReadGivesTheSameList(t *testing.T) {
	l := sample()
	res, err := Read(bytes.NewReader(written(t, l)), Options{Today: today, UnitInForce: func(c string) bool { return c != "99999" }})
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() || res.Total != 3 || res.Valid != 3 || res.Header != l.Header {
		t.Fatalf("result: %+v", res)
	}
	for i, a := range res.Accounts {
		want := l.Entries[i]
		if a.Row != firstRow+i || a.FullName != want.FullName || a.IDNumber != want.IDNumber || a.Role != want.Role ||
			a.HasToken != want.HasToken || len(a.ActsFor) != len(want.ActsFor) || a.DomainRole != want.Role.DomainRole() {
			t.Fatalf("row %d: %+v, want %+v", i, a, want)
		}
	}
	if res.Accounts[1].DomainRole != domain.RoleApprover || res.Accounts[0].DomainRole != domain.RoleClerk {
		t.Fatalf("roles: %+v", res.Accounts)
	}
}

func TestEveryBadRowIsReportedWithItsColumn(t *testing.T) {
	var b bytes.Buffer
	if err := Template(&b); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	for r, v := range []string{"UBND Phường Mỹ Tho", "28261", "Trần Văn Bình", "Chủ tịch", "30/11/2026"} {
		f.SetCellStr(Sheet, "C"+itoa(3+r), v)
	}
	rows := []struct {
		cells  []any
		column string
	}{
		{[]any{1, norm.NFD.String("Nguyễn Thị Hoà"), "082185000123", "", "UBND", "", "", "Tiếp nhận", "", "Không"}, ""},
		{[]any{2, "Trần Văn A", "08218500012", "", "UBND", "", "", "Xét duyệt", "", "Có"}, "C"},
		{[]any{3, "Trần Văn B", "082070000456", "", "UBND", "", "", "Thủ quỹ", "", "Có"}, "H"},
		{[]any{4, "Trần Văn C", "082070000457", "", "UBND", "", "c@@x", "Ký", "", "Có"}, "G"},
		{[]any{5, "Trần Văn D", "082070000458", "", "UBND", "", "", "Ký", "2826", "Có"}, "I"},
		{[]any{6, "Trần Văn E", "082070000459", "", "UBND", "", "", "Ký", "99999", "Có"}, "I"},
		{[]any{7, "Trần Văn G", "082070000460", "", "", "", "", "Ký", "", "Có"}, "E"},
		{[]any{8, "Trần Văn H", "082070000461", "", "UBND", "12345", "", "Ký", "", "Có"}, "F"},
		{[]any{9, "Trần Văn I", "082070000462", "", "UBND", "", "", "Ký", "", "Chắc là có"}, "J"},
		{[]any{10, "Trần Văn K", "082185000123", "", "UBND", "", "", "Ký", "", "Có"}, "C"}, // repeats row 10's CCCD
	}
	for i, r := range rows {
		f.SetSheetRow(Sheet, "A"+itoa(firstRow+i), &r.cells)
	}
	f.SetCellFormula(Sheet, "B"+itoa(firstRow+len(rows)), `="Lê "&"Văn"`)
	f.SetCellStr(Sheet, "C"+itoa(firstRow+len(rows)), "082070000463")
	f.SetCellStr(Sheet, "E"+itoa(firstRow+len(rows)), "UBND")
	f.SetCellStr(Sheet, "H"+itoa(firstRow+len(rows)), "Ký")
	f.SetCellStr(Sheet, "J"+itoa(firstRow+len(rows)), "Có")
	var out bytes.Buffer
	f.WriteTo(&out)
	res, err := Read(&out, Options{Today: today, UnitInForce: func(c string) bool { return c != "99999" }})
	if err != nil {
		t.Fatal(err)
	}
	got := map[int]string{}
	for _, p := range res.Problems {
		if _, dup := got[p.Row]; dup {
			t.Fatalf("row %d reported twice: %+v", p.Row, res.Problems)
		}
		got[p.Row] = p.Column
		if p.VI == "" || p.EN == "" {
			t.Fatalf("problem without words: %+v", p)
		}
	}
	want := map[int]string{}
	for i, r := range rows {
		if r.column != "" {
			want[firstRow+i] = r.column
		}
	}
	want[firstRow+len(rows)] = "B"
	if len(got) != len(want) {
		t.Fatalf("problems %v, want %v", got, want)
	}
	for r, c := range want {
		if got[r] != c {
			t.Fatalf("row %d: column %q, want %q (%+v)", r, got[r], c, res.Problems)
		}
	}
	if res.Valid != 1 || res.Accounts[0].FullName != "Nguyễn Thị Hoà" || !norm.NFC.IsNormalString(res.Accounts[0].FullName) {
		t.Fatalf("valid rows: %+v", res.Accounts)
	}
}

func TestBadFilesAreRefusedWhole(t *testing.T) {
	hdr := sample()
	f, _ := excelize.OpenReader(bytes.NewReader(written(t, hdr)))
	f.SetCellStr(Sheet, "B9", "Tên")
	var changed bytes.Buffer
	f.WriteTo(&changed)
	for name, data := range map[string][]byte{
		"not xlsx":       []byte("STT,Họ và tên\n1,A\n"),
		"ole/encrypted":  append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 512)...),
		"header changed": changed.Bytes(),
	} {
		if _, err := Read(bytes.NewReader(data), Options{Today: today}); err == nil {
			t.Fatalf("%s: accepted", name)
		} else if fe, ok := err.(*FileError); !ok || fe.VI == "" {
			t.Fatalf("%s: %v", name, err)
		}
	}
	// Header block problems name their row in column C.
	bad := sample()
	bad.Header.Date, bad.Header.Signer = "2027-01-01", ""
	res, err := Read(bytes.NewReader(written(t, bad)), Options{Today: today})
	if err != nil || len(res.Problems) != 2 || res.Problems[0].Row != 5 || res.Problems[1].Row != 7 || res.Problems[1].Column != "C" {
		t.Fatalf("header problems: %+v %v", res, err)
	}
}

// A list saved by LibreOffice reads as the one written here.
func TestLibreOfficeSavedListReadsTheSame(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Fatal("soffice is needed (scripts/ensure-deps.sh test installs libreoffice-calc-nogui)")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "in.xlsx")
	os.WriteFile(in, written(t, sample()), 0o600)
	outDir := filepath.Join(dir, "out")
	cmd := exec.Command(soffice, "--headless", "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--convert-to", "xlsx", "--outdir", outDir, in)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v %s", err, out)
	}
	data, err := os.ReadFile(filepath.Join(outDir, "in.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Read(bytes.NewReader(data), Options{Today: today})
	if err != nil || !res.OK() || res.Valid != 3 || res.Header != sample().Header {
		t.Fatalf("LibreOffice copy: %+v %v", res, err)
	}
}

func itoa(i int) string { return string(rune('0'+i/10%10)) + string(rune('0'+i%10)) }
