package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"giaydiduong/backend/app"
	"giaydiduong/backend/province"
	"giaydiduong/backend/province/provincetest"
	"giaydiduong/backend/syncclient"
)

func TestEnrollWithProvince(t *testing.T) {
	p := provincetest.New(t, filepath.Join(t.TempDir(), "server.db"))
	url := p.Serve(t)
	add := func(unit string) province.NewOffice {
		o, err := p.Svc.AddOffice(context.Background(), "test", province.NewOfficeInput{UnitCode: unit})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	dir := demoDir(t)
	t.Setenv("GDD_PASSWORD", app.DemoPassword)

	// A clerk may not enroll the office; nothing is made.
	o := add(app.DemoUnitCode)
	if msg := runFail(t, "--data", dir, "--user", "canbo", "enroll", "--server", url, "--code", o.Code); !strings.Contains(msg, "không có quyền") {
		t.Fatalf("clerk: %s", msg)
	}
	if _, err := os.Stat(filepath.Join(dir, syncclient.KeyFile)); err == nil {
		t.Fatal("a refused enrollment made a key")
	}
	// A code for another unit is refused and stays usable for its own office.
	other := add("28291")
	if msg := runFail(t, "--data", dir, "--user", "quantri", "enroll", "--server", url, "--code", other.Code); !strings.Contains(msg, "28291") {
		t.Fatalf("another unit's code: %s", msg)
	}
	var n int64
	p.Svc.DB().Table("enrollment_codes").Where("used_at IS NOT NULL").Count(&n)
	if n != 0 {
		t.Fatal("the other unit's code was used")
	}

	var id syncclient.Identity
	runOK(t, &id, "--data", dir, "--user", "quantri", "--json", "enroll", "--server", url, "--code", o.Code)
	if id.OfficeID != o.OfficeID || id.UnitCode != app.DemoUnitCode || id.Serial == "" {
		t.Fatalf("enrollment %+v", id)
	}
	var st struct {
		Enrolled   bool                `json:"enrolled"`
		Enrollment syncclient.Identity `json:"enrollment"`
	}
	runOK(t, &st, "--data", dir, "--json", "enroll", "status")
	if !st.Enrolled || st.Enrollment.Serial != id.Serial {
		t.Fatalf("status %+v", st)
	}
	// Enrolled, the office's own admin no longer signs in (accounts come from the province), so
	// a second enrollment is refused at sign-in already.
	if msg := runFail(t, "--data", dir, "--user", "quantri", "enroll", "--server", url, "--code", o.Code); !strings.Contains(msg, "chưa được tỉnh cấp") {
		t.Fatalf("second enrollment: %s", msg)
	}
	db := openDB(t, dir)
	var events int
	if err := db.QueryRow(`SELECT COUNT(*) FROM audit_events WHERE action = 'office.enroll' AND actor = 'quantri'`).Scan(&events); err != nil || events != 1 {
		t.Fatalf("audit events: %d %v", events, err)
	}
}
