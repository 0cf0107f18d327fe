package main

import (
	"os"
	"path/filepath"
	"testing"

	"giaydiduong/backend/accountlist"
	"giaydiduong/backend/app"
)

// TestAccountListExportReadsBack: the office admin lists two people, exports the list on the
// province's template, and the file reads back (as the province reads it) with every row valid.
func TestAccountListExportReadsBack(t *testing.T) {
	dir := demoDir(t)
	t.Setenv("GDD_PASSWORD", app.DemoPassword)
	tpl := filepath.Join(t.TempDir(), "mau-tai-khoan.xlsx")
	runOK(t, nil, "--data", dir, "accounts", "template", "-o", tpl)
	if _, err := run(t, "--data", dir, "accounts", "check", tpl); err == nil {
		t.Fatal("an empty template passed the check")
	}
	runOK(t, nil, "--data", dir, "--user", "quantri", "accounts", "add", "--name", "nguyễn thị hoà", "--cccd", "082185000123",
		"--unit", "UBND Phường Mỹ Tho", "--role", "tiếp-nhận", "--phone", "0912 345 678")
	runOK(t, nil, "--data", dir, "--user", "quantri", "accounts", "add", "--name", "Trần Văn Bình", "--cccd", "082070000456",
		"--unit", "UBND Phường Mỹ Tho", "--role", "ký", "--token", "--acts-for", "28261")
	if _, err := run(t, "--data", dir, "--user", "quantri", "accounts", "add", "--name", "Lê Văn C", "--cccd", "123",
		"--unit", "UBND", "--role", "ký"); err == nil {
		t.Fatal("a malformed CCCD was added")
	}
	if _, err := run(t, "--data", dir, "--user", "canbo", "accounts", "list"); err == nil {
		t.Fatal("a clerk read the list")
	}
	out := filepath.Join(t.TempDir(), "danh-sach.xlsx")
	runOK(t, nil, "--data", dir, "--user", "quantri", "accounts", "export", "-o", out, "--signer", "Trần Văn Bình", "--signer-title", "Chủ tịch")
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := accountlist.Read(f, accountlist.Options{})
	if err != nil || !res.OK() || res.Valid != 2 || res.Header.Signer != "Trần Văn Bình" || res.Header.SendingUnitCode == "" {
		t.Fatalf("read back: %+v %v", res, err)
	}
	if res.Accounts[0].FullName != "Nguyễn Thị Hoà" || res.Accounts[0].Phone != "0912345678" || !res.Accounts[1].HasToken || res.Accounts[1].Role != accountlist.RoleSign {
		t.Fatalf("rows: %+v", res.Accounts)
	}
	var checked accountlist.Result
	runOK(t, &checked, "--data", dir, "--json", "accounts", "check", out)
	if checked.Valid != 2 {
		t.Fatalf("check: %+v", checked)
	}
}

func TestPurgeRunByAdminOnly(t *testing.T) {
	dir := demoDir(t)
	t.Setenv("GDD_PASSWORD", app.DemoPassword)
	if _, err := run(t, "--data", dir, "--user", "canbo", "purge", "run"); err == nil {
		t.Fatal("a clerk purged")
	}
	runOK(t, nil, "--data", dir, "--user", "quantri", "purge", "retention", "30")
	var r app.PurgeResult
	runOK(t, &r, "--data", dir, "--user", "quantri", "--json", "purge", "run")
	if r.RetentionDays != 30 || r.ExpiredBefore == "" || r.MessageVI == "" {
		t.Fatalf("purge: %+v", r)
	}
}
