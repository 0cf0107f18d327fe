package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"giaydiduong/backend/app"
	"giaydiduong/backend/backfill"
)

// TestBackfillAndReports fills the template gddctl writes with two good rows and one bad,
// checks it, commits it, commits it again, and reads the register and the summary back.
func TestBackfillAndReports(t *testing.T) {
	dir := demoDir(t)
	t.Setenv("GDD_PASSWORD", app.DemoPassword)
	tpl := filepath.Join(t.TempDir(), "mau.xlsx")
	runOK(t, nil, "--data", dir, "backfill", "template", "-o", tpl)

	x, err := excelize.OpenFile(tpl)
	if err != nil {
		t.Fatal(err)
	}
	if list := x.GetSheetList(); len(list) != 4 || list[0] != backfill.DataSheet {
		t.Fatalf("sheets %q", list)
	}
	if dvs, _ := x.GetDataValidations(backfill.DataSheet); len(dvs) != 3 {
		t.Fatalf("%d drop-down lists, want gender, purpose, vehicle", len(dvs))
	}
	example, _ := x.GetRows(backfill.ExampleSheet)
	rows := [][]any{}
	for i, paper := range []string{"1/GĐĐ", "2/GĐĐ", "3/GĐĐ"} {
		r := make([]any, len(example[1]))
		for j, v := range example[1] {
			r[j] = v
		}
		r[0] = paper
		r[19] = ""
		if i == 2 {
			r[7] = "12345" // a malformed CCCD
		}
		rows = append(rows, r)
	}
	for i := range rows {
		if err := x.SetSheetRow(backfill.DataSheet, "A"+string(rune('2'+i)), &rows[i]); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join(t.TempDir(), "giay.xlsx")
	if err := x.SaveAs(file); err != nil {
		t.Fatal(err)
	}
	x.Close()

	var rep app.BackfillReport
	runOK(t, &rep, "--data", dir, "--user", "canbo", "--json", "backfill", "import", file)
	if rep.Valid != 2 || rep.Invalid != 1 || rep.Committed || len(rep.Problems) != 1 || rep.Problems[0].Row != 4 || rep.Problems[0].Column != "H" {
		t.Fatalf("check: %+v", rep)
	}
	runOK(t, &rep, "--data", dir, "--user", "canbo", "--json", "backfill", "import", file, "--commit")
	if rep.Added != 2 {
		t.Fatalf("commit: %+v", rep)
	}
	runOK(t, &rep, "--data", dir, "--user", "canbo", "--json", "backfill", "import", file, "--commit")
	if rep.Added != 0 || rep.AlreadyEntered != 2 {
		t.Fatalf("second commit: %+v", rep)
	}
	if msg := runFail(t, "--data", dir, "--user", "quantri", "backfill", "import", file, "--commit"); !strings.Contains(msg, "không có quyền") {
		t.Fatalf("office admin: %s", msg)
	}

	var reg struct {
		Lines []struct {
			Number string `json:"so_giay"`
			Note   string `json:"ghi_chu"`
		} `json:"lines"`
	}
	runOK(t, &reg, "--data", dir, "--json", "report", "daily", "--date", "2021-08-15")
	if len(reg.Lines) != 2 || reg.Lines[0].Number != "1/GĐĐ" || !strings.Contains(reg.Lines[0].Note, app.PaperMark) {
		t.Fatalf("register: %+v", reg)
	}
	for _, ext := range []string{".pdf", ".xlsx"} {
		out := filepath.Join(t.TempDir(), "so"+ext)
		runOK(t, nil, "--data", dir, "report", "daily", "--date", "2021-08-15", "-o", out)
		if st, err := os.Stat(out); err != nil || st.Size() < 1000 {
			t.Fatalf("%s: %v", out, err)
		}
	}
	var sum struct {
		Total     int64 `json:"total"`
		ByChannel []struct {
			Key   string `json:"key"`
			Count int64  `json:"count"`
		} `json:"by_channel"`
	}
	runOK(t, &sum, "--data", dir, "--json", "report", "summary", "--from", "2021-08-01", "--to", "2021-08-31")
	if sum.Total != 2 || len(sum.ByChannel) != 1 || sum.ByChannel[0].Key != "paper_backfill" {
		t.Fatalf("summary: %+v", sum)
	}
	runFail(t, "--data", dir, "report", "summary", "--from", "2021-08-31", "--to", "2021-08-01")
}
