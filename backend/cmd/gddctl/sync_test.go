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

func TestSyncCommand(t *testing.T) {
	p := provincetest.New(t, filepath.Join(t.TempDir(), "server.db"))
	url := p.Serve(t)
	dir := demoDir(t)
	t.Setenv("GDD_PASSWORD", app.DemoPassword)

	if msg := runFail(t, "--data", dir, "--json", "sync"); !strings.Contains(msg, "chưa đăng ký") {
		t.Fatalf("not enrolled: %s", msg)
	}
	var st app.SyncStatus
	runOK(t, &st, "--data", dir, "--json", "sync", "status")
	if st.Enrolled || st.InSync || st.Pending == 0 {
		t.Fatalf("status before enrolling: %+v", st)
	}

	o, err := p.Svc.AddOffice(context.Background(), "test", province.NewOfficeInput{UnitCode: app.DemoUnitCode})
	if err != nil {
		t.Fatal(err)
	}
	runOK(t, nil, "--data", dir, "--user", "quantri", "--json", "enroll", "--server", url, "--code", o.Code)
	// Once enrolled, the office signs in only the province's accounts: this one comes down in the sync.
	if _, err := p.Svc.CreateAccount(context.Background(), "test", province.AccountInput{
		UnitCode: app.DemoUnitCode, Username: "canbo.tinh", FullName: "Lê Thị Hoa", Role: domain.RoleClerk, Password: "mat-khau-tinh-1",
	}); err != nil {
		t.Fatal(err)
	}
	var rep app.SyncReport
	runOK(t, &rep, "--data", dir, "--json", "sync")
	if !rep.InSync || rep.Pushed == 0 || rep.Pending != 0 || rep.Failed != 0 {
		t.Fatalf("sync: %+v", rep)
	}
	var held int64
	p.Svc.DB().Table("office_records").Where("entity <> ?", "audit_event").Count(&held)
	if held != int64(rep.Pushed) {
		t.Fatalf("the province holds %d records, the office pushed %d", held, rep.Pushed)
	}
	runOK(t, &st, "--data", dir, "--json", "sync", "status")
	if !st.Enrolled || !st.InSync || st.Pending != 0 || st.LastSuccessAt == nil || len(st.Failed) != 0 {
		t.Fatalf("status after sync: %+v", st)
	}
	// The audit chain went too, and its head came back receipted.
	if rep.Audit.Sent == 0 || st.Audit.Pending != 0 || st.Audit.ReceiptedSeq == 0 || st.Audit.Receipts == 0 {
		t.Fatalf("audit lane: report %+v, status %+v", rep.Audit, st.Audit)
	}
	var ar struct {
		OK           bool  `json:"ok"`
		Receipts     int   `json:"receipts"`
		ReceiptedSeq int64 `json:"receipted_seq"`
	}
	runOK(t, &ar, "--data", dir, "--json", "audit", "verify")
	if !ar.OK || ar.Receipts == 0 || ar.ReceiptedSeq != st.Audit.ReceiptedSeq {
		t.Fatalf("audit verify: %+v", ar)
	}
	t.Setenv("GDD_PASSWORD", "mat-khau-tinh-1")
	var panel app.SyncPanel
	runOK(t, &panel, "--data", dir, "--user", "canbo.tinh", "--json", "sync", "panel")
	// Not "in sync": signing in wrote an audit event the audit lane has yet to send.
	if panel.Pending != 0 || panel.LastSuccessAt == nil || panel.ServerURL != url || len(panel.Attention) != 0 {
		t.Fatalf("panel: %+v", panel)
	}
	var states map[string]app.RecordSyncState
	runOK(t, &states, "--data", dir, "--user", "canbo.tinh", "--json", "sync", "state", "--entity", "application", "no-such-id")
	if len(states) != 0 {
		t.Fatalf("states of an unknown id: %+v", states)
	}
}
