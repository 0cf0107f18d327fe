package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"giaydiduong/backend/app"
)

// Finding 10: an exported permit PDF (citizens' personal data) is readable by its owner only,
// even when it overwrites a file that was readable by everyone.
func TestFinding10_ExportedPDFIsOwnerOnly(t *testing.T) {
	dir := demoDir(t)
	t.Setenv("GDD_PASSWORD", app.DemoPassword)
	var issued permitJSON
	runOK(t, &issued, "--data", dir, "--user", "canbo", "permit", "issue", approvedApplication(t, dir, appInput()), "--json")
	out := filepath.Join(t.TempDir(), "permit.pdf")
	if err := os.WriteFile(out, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	runOK(t, nil, "--data", dir, "permit", "pdf", issued.Number, "-o", out)
	st, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 || st.Size() < 1000 {
		t.Errorf("exported PDF mode %v size %d, want 0600", st.Mode().Perm(), st.Size())
	}
}

// Finding 5: `gddctl ui serve` refuses to listen anywhere but loopback.
func TestFinding5_UIServeRefusesNonLoopback(t *testing.T) {
	dir := demoDir(t)
	for _, addr := range []string{"0.0.0.0:0", ":0"} {
		msg := runFail(t, "--data", dir, "ui", "serve", "--addr", addr, "--dir", "")
		if !strings.Contains(msg, "loopback") {
			t.Errorf("ui serve --addr %s: %q", addr, msg)
		}
	}
}

// Finding 7 in gddctl: an approver lists the account changes made by others, and --ack marks
// them seen, as the window's login notice does.
func TestFinding7_UserNotices(t *testing.T) {
	dir := demoDir(t)
	t.Setenv("GDD_PASSWORD", app.DemoPassword)
	in := writeJSON(t, map[string]string{"username": "pho", "full_name": "Trần Văn Phó", "role": "approver", "password": "demo12345"})
	runOK(t, nil, "--data", dir, "--user", "quantri", "user", "add", in)
	var list []struct {
		Action   string `json:"action"`
		Username string `json:"username"`
		Actor    string `json:"actor"`
		EventID  string `json:"event_id"`
	}
	runOK(t, &list, "--data", dir, "--user", "lanhdao", "user", "notices", "--ack", "--json")
	if len(list) == 0 || list[0].Action != "user.create" || list[0].Username != "pho" || list[0].Actor != "quantri" || list[0].EventID == "" {
		t.Fatalf("notices: %+v", list)
	}
	runOK(t, &list, "--data", dir, "--user", "lanhdao", "user", "notices", "--json")
	if len(list) != 0 {
		t.Errorf("after --ack: %+v", list)
	}
}
