package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"giaydiduong/backend/app"
	"giaydiduong/backend/domain"
	"giaydiduong/backend/province"
	"giaydiduong/backend/province/provincetest"
)

// gddctl sync reports what it pulled; the account the province made then signs in.
func TestSyncPullsProvinceAccounts(t *testing.T) {
	p := provincetest.New(t, filepath.Join(t.TempDir(), "server.db"))
	if err := p.Svc.UnlockRoot(filepath.Join(p.Dir, province.RootKeyFile), provincetest.RootPassphrase); err != nil {
		t.Fatal(err)
	}
	url := p.Serve(t)
	dir := demoDir(t)
	ctx := context.Background()
	o, err := p.Svc.AddOffice(ctx, "test", province.NewOfficeInput{UnitCode: app.DemoUnitCode})
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("GDD_PASSWORD", app.DemoPassword)
	runOK(t, nil, "--data", dir, "--user", "quantri", "--json", "enroll", "--server", url, "--code", o.Code)
	if _, err := p.Svc.CreateAccount(ctx, "cli:so", province.AccountInput{UnitCode: app.DemoUnitCode, Username: "quantri.tinh", FullName: "Phạm Văn Tâm", Role: domain.RoleOfficeAdmin, Password: "mat-khau-tinh-9"}); err != nil {
		t.Fatal(err)
	}
	var rep app.SyncReport
	runOK(t, &rep, "--data", dir, "--json", "sync")
	if rep.Pulled != 4 || rep.Pull.Feeds["accounts"] != 4 || !rep.InSync {
		t.Fatalf("sync: %+v", rep)
	}
	t.Setenv("GDD_PASSWORD", "mat-khau-tinh-9")
	if out := runOK(t, nil, "--data", dir, "--user", "quantri.tinh", "rules", "show"); !strings.Contains(out, "version") {
		t.Fatalf("rules show as the province's admin: %s", out)
	}
	t.Setenv("GDD_PASSWORD", app.DemoPassword)
	if msg := runFail(t, "--data", dir, "--user", "quantri", "rules", "show"); !strings.Contains(msg, "chưa được tỉnh cấp") {
		t.Fatalf("the local admin after enrollment: %s", msg)
	}
}
