package main

import (
	"strings"
	"testing"

	"giaydiduong/backend/app"
)

// readyJSON is one row of `permit ready --json`.
type readyJSON struct {
	Stage       string      `json:"stage"`
	Permit      *permitJSON `json:"permit"`
	Application struct {
		ID       string `json:"id"`
		FullName string `json:"full_name"`
	} `json:"application"`
}

// TestPermitReadyCommands: the counter panel from the command line, printing on the real
// cups-pdf queue: ready lists the approved application, issue-print issues and prints it,
// hand-over needs --hand-signed for a permit still waiting for the pen, print-ready prints
// what was not printed yet.
func TestPermitReadyCommands(t *testing.T) {
	startCUPS(t)
	dir := demoDir(t)
	t.Setenv("GDD_PASSWORD", app.DemoPassword)
	in := appInput()
	in["full_name"] = "Võ Thị Sẵn Sàng"
	appID := approvedApplication(t, dir, in)
	runOK(t, nil, "--data", dir, "--user", "quantri", "settings", "set", "--default-printer", "GDD-PDF")

	var rows []readyJSON
	runOK(t, &rows, "--data", dir, "--user", "canbo", "permit", "ready", "--json")
	if len(rows) == 0 || rows[0].Stage != "to_issue" || rows[0].Application.ID != appID || rows[0].Application.FullName != "Võ Thị Sẵn Sàng" || rows[0].Permit != nil {
		t.Fatalf("permit ready: %+v, want the new approved application first, to issue", rows)
	}

	var res struct {
		Permit permitJSON `json:"permit"`
		Job    struct {
			ID      string `json:"id"`
			Printer string `json:"printer"`
		} `json:"job"`
	}
	runOK(t, &res, "--data", dir, "--user", "canbo", "permit", "issue-print", appID, "--json")
	if res.Permit.Number == "" || res.Permit.PrintCount != 1 || res.Job.Printer != "GDD-PDF" || !strings.HasPrefix(res.Job.ID, "GDD-PDF-") {
		t.Fatalf("issue-print: %+v", res)
	}
	runOK(t, &rows, "--data", dir, "--user", "canbo", "permit", "ready", "--json")
	if rows[0].Stage != "to_sign" || rows[0].Permit == nil || rows[0].Permit.Number != res.Permit.Number {
		t.Errorf("after issue-print the first row is %+v", rows[0])
	}

	if msg := runFail(t, "--data", dir, "--user", "canbo", "permit", "hand-over", res.Permit.Number); !strings.Contains(msg, "chưa có chữ ký") {
		t.Errorf("hand-over of an unsigned permit failed with %q", msg)
	}
	var p permitJSON
	runOK(t, &p, "--data", dir, "--user", "canbo", "permit", "handover", res.Permit.Number, "--hand-signed", "--json")
	if p.Status != "issued" {
		t.Errorf("after hand-over --hand-signed the permit is %s", p.Status)
	}

	var batch struct {
		Issued  []string `json:"issued"`
		Printed []string `json:"printed"`
	}
	// The demo's own approved application is still waiting: the batch issues and prints it.
	runOK(t, &batch, "--data", dir, "--user", "canbo", "permit", "print-ready", "--json")
	if len(batch.Issued) != 1 || len(batch.Printed) != 1 || batch.Printed[0] == res.Permit.Number {
		t.Errorf("print-ready: %+v", batch)
	}
	if msg := runFail(t, "--data", dir, "--user", "canbo", "permit", "print-ready"); !strings.Contains(msg, "Không có giấy nào") {
		t.Errorf("a second print-ready failed with %q", msg)
	}
}
