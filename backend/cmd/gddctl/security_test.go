package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"giaydiduong/backend/app"
)

// TestFinding2_VerifySaysWhatTheSignatureMeans: gddctl verify shows that an office-key
// permit is vouched for by the office's system only, and that the paper must carry the
// leader's handwritten signature and red seal. Before, it printed the verdict alone.
func TestFinding2_VerifySaysWhatTheSignatureMeans(t *testing.T) {
	dir := demoDir(t)
	t.Setenv("GDD_PASSWORD", app.DemoPassword)
	var issued permitJSON
	runOK(t, &issued, "--data", dir, "--user", "canbo", "permit", "issue", approvedApplication(t, dir, appInput()), "--json")
	out := runOK(t, nil, "--data", dir, "verify", "--text", issued.QR)
	if !strings.Contains(out, "VALID") || !strings.Contains(out, "Kiểm tra chữ ký tay và con dấu đỏ trên giấy") || strings.Contains(out, "Ký số bởi") {
		t.Errorf("verify of an office-key permit printed:\n%s", out)
	}
	if !strings.Contains(out, "lists ") {
		t.Errorf("verify does not say which lists it used and how old they are:\n%s", out)
	}
	var v struct {
		Signer struct {
			Kind string `json:"kind"`
		} `json:"signer"`
	}
	runOK(t, &v, "--data", dir, "verify", "--text", issued.QR, "--json")
	if v.Signer.Kind != "office" {
		t.Errorf("verify --json gives signer kind %q, want office", v.Signer.Kind)
	}
}

// TestFinding9_PermitNumberSpellings: a number typed without its leading zeros names the
// same permit; a non-number is refused with a reason.
func TestFinding9_PermitNumberSpellings(t *testing.T) {
	dir := demoDir(t)
	t.Setenv("GDD_PASSWORD", app.DemoPassword)
	var issued permitJSON
	runOK(t, &issued, "--data", dir, "--user", "canbo", "permit", "issue", approvedApplication(t, dir, appInput()), "--json")
	short := strings.Replace(issued.Number, "/000001", "/1", 1)
	var shown permitJSON
	runOK(t, &shown, "--data", dir, "permit", "show", short, "--json")
	if shown.Number != issued.Number {
		t.Errorf("permit show %s found %q", short, shown.Number)
	}
	if msg := runFail(t, "--data", dir, "permit", "show", "abc"); !strings.Contains(msg, "Số giấy đi đường không hợp lệ") {
		t.Errorf("permit show abc failed with %q", msg)
	}
}

// TestFinding8_CheckpointNeverGoesBackToOlderLists: a checkpoint that keeps --state refuses a
// bundle older than one it has used (a replayed bundle would hide a newer revocation).
func TestFinding8_CheckpointNeverGoesBackToOlderLists(t *testing.T) {
	dir := demoDir(t)
	t.Setenv("GDD_PASSWORD", app.DemoPassword)
	var issued permitJSON
	runOK(t, &issued, "--data", dir, "--user", "canbo", "permit", "issue", approvedApplication(t, dir, appInput()), "--json")
	tmp := t.TempDir()
	older, newer, root, state := filepath.Join(tmp, "1.bundle"), filepath.Join(tmp, "2.bundle"), filepath.Join(tmp, "root.pem"), filepath.Join(tmp, "state.json")
	runOK(t, nil, "--data", dir, "trust", "export", "-o", older)
	runOK(t, nil, "--data", dir, "--user", "lanhdao", "permit", "revoke", issued.Number, "--reason", "Cấp nhầm người")
	runOK(t, nil, "--data", dir, "trust", "export", "-o", newer)
	runOK(t, nil, "--data", dir, "trust", "root", "-o", root)
	checkpoint := t.TempDir()

	v, err := runVerify(t, "--data", checkpoint, "verify", "--trust", newer, "--root", root, "--state", state, "--text", issued.QR)
	if v.Result != "REVOKED" || err == nil {
		t.Fatalf("with the newer bundle: %+v %v", v, err)
	}
	if msg := runFail(t, "--data", checkpoint, "verify", "--trust", older, "--root", root, "--state", state, "--text", issued.QR); !strings.Contains(msg, "cũ hơn") {
		t.Errorf("the older bundle (without the revocation) after the newer one: %q", msg)
	}
	if data, err := os.ReadFile(state); err != nil || !strings.Contains(string(data), "trust_sequence") {
		t.Errorf("state file: %q %v", data, err)
	}
}
