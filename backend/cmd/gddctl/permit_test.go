package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"giaydiduong/backend/app"
	"giaydiduong/backend/permit"
	"giaydiduong/backend/printing/cupstest"
)

// permitJSON is what `permit issue|show|revoke --json` prints.
type permitJSON struct {
	Number       string `json:"number"`
	Status       string `json:"status"`
	QR           string `json:"qr"`
	RevokeReason string `json:"revoke_reason"`
	PrintCount   int    `json:"print_count"`
	Application  struct {
		ID       string `json:"id"`
		FullName string `json:"full_name"`
	} `json:"application"`
}

// verifyJSON is what `verify --json` prints for one permit.
type verifyJSON struct {
	Result   permit.Status `json:"result"`
	Warnings []string      `json:"warnings"`
	Permit   *struct {
		Number   string `json:"number"`
		FullName string `json:"full_name"`
	} `json:"permit"`
	Revocation *struct {
		Reason string `json:"reason"`
	} `json:"revocation"`
}

// tool fails the test when an external program is missing, naming its Debian package.
func tool(t *testing.T, name, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is missing: apt-get install %s (%v)", name, pkg, err)
	}
	return path
}

func toolRun(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

var pageSizeRE = regexp.MustCompile(`(?m)^Page size:\s+([0-9.]+ x [0-9.]+) pts`)

// pdfInfo returns the page count and page size pdfinfo reports.
func pdfInfo(t *testing.T, path string) (pages, size string) {
	t.Helper()
	out := toolRun(t, tool(t, "pdfinfo", "poppler-utils"), path)
	if m := regexp.MustCompile(`(?m)^Pages:\s+([0-9]+)$`).FindStringSubmatch(out); m != nil {
		pages = m[1]
	}
	if m := pageSizeRE.FindStringSubmatch(out); m != nil {
		size = m[1]
	}
	return pages, size
}

// approvedApplication adds an application as the clerk and approves it as the leader.
func approvedApplication(t *testing.T, dir string, in map[string]string) string {
	t.Helper()
	var a appJSON
	// Tests call this again and again for the same citizen: that is deliberate here.
	runOK(t, &a, "--data", dir, "--user", "canbo", "application", "add", "--allow-duplicate", "--json", writeJSON(t, in))
	runOK(t, &a, "--data", dir, "--user", "lanhdao", "application", "approve", a.ID, "--json")
	if a.Status != "approved" {
		t.Fatalf("application %s is %s after approve", a.ID, a.Status)
	}
	return a.ID
}

// runVerify runs `verify ... --json` and decodes what it printed, whether or not it failed.
func runVerify(t *testing.T, args ...string) (verifyJSON, error) {
	t.Helper()
	out, err := run(t, append(args, "--json")...)
	var v verifyJSON
	if jerr := json.Unmarshal([]byte(out), &v); jerr != nil {
		t.Fatalf("gddctl %s: stdout is not one verdict as JSON (%v, exit error %v):\n%s", strings.Join(args, " "), jerr, err, out)
	}
	return v, err
}

// TestPermitCommands is the gddctl contract: issue, show, pdf (A5 and --a4), trust
// export, verify by text, with a bundle and a pinned root and no office, from the PDF and from
// a scanned image; revoke (approver only); verify then says REVOKED and fails.
func TestPermitCommands(t *testing.T) {
	dir := demoDir(t)
	t.Setenv("GDD_PASSWORD", app.DemoPassword)
	tmp := t.TempDir()
	appID := approvedApplication(t, dir, appInput())

	var issued permitJSON
	runOK(t, &issued, "--data", dir, "--user", "canbo", "permit", "issue", appID, "--json")
	if !regexp.MustCompile(`^`+app.DemoUnitCode+`/20[0-9]{2}/[0-9]{6}$`).MatchString(issued.Number) ||
		issued.Status != "awaiting_hand_signature" || !strings.HasPrefix(issued.QR, permit.Prefix) {
		t.Fatalf("permit issue printed number %q, status %q, qr %q", issued.Number, issued.Status, issued.QR)
	}
	if msg := runFail(t, "--data", dir, "--user", "canbo", "permit", "issue", appID); !strings.Contains(msg, "đã được cấp") {
		t.Errorf("issuing twice failed with %q", msg)
	}

	var shown permitJSON
	runOK(t, &shown, "--data", dir, "permit", "show", issued.Number, "--json")
	if shown.Number != issued.Number || shown.QR != issued.QR || shown.Status != issued.Status || shown.Application.ID != appID || shown.Application.FullName != "Nguyễn Văn Dũng" {
		t.Errorf("permit show printed %+v, want the issued permit", shown)
	}
	if msg := runFail(t, "--data", dir, "permit", "show", app.DemoUnitCode+"/2020/999999"); !strings.Contains(msg, "Không tìm thấy") {
		t.Errorf("show of an unknown number failed with %q", msg)
	}

	t.Run("pdf", func(t *testing.T) {
		var second permitJSON
		runOK(t, &second, "--data", dir, "--user", "canbo", "permit", "issue", approvedApplication(t, dir, appInput()), "--json")
		a5 := filepath.Join(tmp, "a5.pdf")
		runOK(t, nil, "--data", dir, "permit", "pdf", issued.Number, second.Number, "-o", a5)
		if pages, size := pdfInfo(t, a5); pages != "2" || size != "419.53 x 595.28" {
			t.Errorf("permit pdf of two numbers: %s pages of %s pt, want 2 pages of A5 (419.53 x 595.28)", pages, size)
		}
		if msg := runFail(t, "--data", dir, "permit", "pdf", second.Number, second.Number, "-o", filepath.Join(tmp, "twice.pdf")); !strings.Contains(msg, "hai lần") {
			t.Errorf("permit pdf of one number twice failed with %q", msg)
		}
		var p permitJSON
		if runOK(t, &p, "--data", dir, "permit", "show", second.Number, "--json"); p.PrintCount != 1 {
			t.Errorf("print count %d after one export and a refused one, want 1", p.PrintCount)
		}
		a4 := filepath.Join(tmp, "a4.pdf")
		runOK(t, nil, "--data", dir, "permit", "pdf", issued.Number, "-o", a4, "--a4")
		if pages, size := pdfInfo(t, a4); pages != "1" || size != "595.28 x 841.89" {
			t.Errorf("permit pdf --a4: %s pages of %s pt, want 1 page of A4 (595.28 x 841.89)", pages, size)
		}
		if msg := runFail(t, "--data", dir, "permit", "pdf", issued.Number); !strings.Contains(msg, "-o") {
			t.Errorf("permit pdf without -o failed with %q", msg)
		}
	})

	bundle, root := filepath.Join(tmp, "trust.bundle"), filepath.Join(tmp, "root.pem")
	runOK(t, nil, "--data", dir, "trust", "export", "-o", bundle)
	runOK(t, nil, "--data", dir, "trust", "root", "-o", root)
	noOffice := t.TempDir() // a checkpoint laptop: no office database at all

	t.Run("verify valid", func(t *testing.T) {
		v, err := runVerify(t, "--data", dir, "verify", "--text", issued.QR)
		if err != nil || v.Result != permit.StatusValid || v.Permit == nil || v.Permit.Number != issued.Number || v.Warnings == nil {
			t.Errorf("verify --text: %+v, %v; want VALID for %s with a warnings list", v, err, issued.Number)
		}
		v, err = runVerify(t, "--data", noOffice, "verify", "--trust", bundle, "--root", root, "--text", issued.QR)
		if err != nil || v.Result != permit.StatusValid || v.Permit.FullName != "Nguyễn Văn Dũng" {
			t.Errorf("verify with a bundle and a pinned root: %+v, %v", v, err)
		}
		if entries, _ := os.ReadDir(noOffice); len(entries) != 0 {
			t.Errorf("verify --trust --root wrote %d files into --data", len(entries))
		}
		// The PDF the office exports, and a 150 dpi scan of it.
		exported := filepath.Join(tmp, "verify.pdf")
		runOK(t, nil, "--data", dir, "permit", "pdf", issued.Number, "-o", exported)
		v, err = runVerify(t, "--data", dir, "verify", "--pdf", exported)
		if err != nil || v.Result != permit.StatusValid || v.Permit.Number != issued.Number {
			t.Errorf("verify --pdf: %+v, %v", v, err)
		}
		toolRun(t, tool(t, "pdftoppm", "poppler-utils"), "-r", "150", "-png", "-singlefile", exported, filepath.Join(tmp, "scan"))
		v, err = runVerify(t, "--data", dir, "verify", "--image", filepath.Join(tmp, "scan.png"))
		if err != nil || v.Result != permit.StatusValid || v.Permit.Number != issued.Number {
			t.Errorf("verify --image: %+v, %v", v, err)
		}
		v, err = runVerify(t, "--data", noOffice, "verify", "--trust", bundle, "--root", root, "--image", filepath.Join(tmp, "scan.png"))
		if err != nil || v.Result != permit.StatusValid {
			t.Errorf("verify --trust --root --image: %+v, %v", v, err)
		}
	})

	t.Run("bundle from another root", func(t *testing.T) {
		other, err := permit.GenerateSoftwareSigner()
		if err != nil {
			t.Fatal(err)
		}
		pem, err := permit.MarshalPublicKeyPEM(other.Public())
		if err != nil {
			t.Fatal(err)
		}
		wrong := filepath.Join(tmp, "other-root.pem")
		if err := os.WriteFile(wrong, pem, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := run(t, "--data", noOffice, "verify", "--trust", bundle, "--root", wrong, "--text", issued.QR, "--json")
		if err == nil || strings.Contains(out, string(permit.StatusValid)) {
			t.Fatalf("a bundle checked against another root was accepted: %v\n%s", err, out)
		}
		if msg := oneLine(err); !strings.Contains(msg, "không do tỉnh ký") {
			t.Errorf("refusal %q does not say the bundle is not signed by the province", msg)
		}
	})

	t.Run("revoke", func(t *testing.T) {
		reason := "Khai sai nơi làm việc"
		if msg := runFail(t, "--data", dir, "--user", "canbo", "permit", "revoke", issued.Number, "--reason", reason); !strings.Contains(msg, "not allowed") {
			t.Errorf("revoke as clerk failed with %q, want the forbidden reason", msg)
		}
		if msg := runFail(t, "--data", dir, "--user", "lanhdao", "permit", "revoke", issued.Number); !strings.Contains(msg, "lý do") {
			t.Errorf("revoke without --reason failed with %q", msg)
		}
		var p permitJSON
		runOK(t, &p, "--data", dir, "permit", "show", issued.Number, "--json")
		if p.Status != issued.Status {
			t.Fatalf("refused revocations changed the permit to %s", p.Status)
		}
		runOK(t, &p, "--data", dir, "--user", "lanhdao", "permit", "revoke", issued.Number, "--reason", reason, "--json")
		if p.Status != "revoked" || p.RevokeReason != reason {
			t.Fatalf("revoke printed %+v", p)
		}
		v, err := runVerify(t, "--data", dir, "verify", "--text", issued.QR)
		if err == nil || v.Result != permit.StatusRevoked || v.Revocation == nil || v.Revocation.Reason != reason {
			t.Errorf("verify after revocation: %+v, %v; want REVOKED with the reason, and a failure exit", v, err)
		}
		// Checkpoints learn of it from the next bundle.
		fresh := filepath.Join(tmp, "trust2.bundle")
		runOK(t, nil, "--data", dir, "trust", "export", "-o", fresh)
		if v, err := runVerify(t, "--data", noOffice, "verify", "--trust", fresh, "--root", root, "--text", issued.QR); err == nil || v.Result != permit.StatusRevoked {
			t.Errorf("verify with the new bundle: %+v, %v; want REVOKED", v, err)
		}
		if v, err := runVerify(t, "--data", noOffice, "verify", "--trust", bundle, "--root", root, "--text", issued.QR); err != nil || v.Result != permit.StatusValid {
			t.Errorf("verify with the bundle from before the revocation: %+v, %v; want VALID", v, err)
		}
	})
}

// startCUPS starts the real CUPS (once) and returns the cups-pdf output directory.
func startCUPS(t *testing.T) string { return cupstest.OutDir(t) }

// TestPermitPrint prints a permit on the cups-pdf queue GDD-PDF with `permit print`.
func TestPermitPrint(t *testing.T) {
	outDir := startCUPS(t)
	dir := demoDir(t)
	t.Setenv("GDD_PASSWORD", app.DemoPassword)
	var issued permitJSON
	runOK(t, &issued, "--data", dir, "--user", "canbo", "permit", "issue", approvedApplication(t, dir, appInput()), "--json")

	var job struct {
		ID      string `json:"id"`
		Printer string `json:"printer"`
	}
	runOK(t, &job, "--data", dir, "--user", "canbo", "permit", "print", issued.Number, "--printer", "GDD-PDF", "--json")
	if job.Printer != "GDD-PDF" || !strings.HasPrefix(job.ID, "GDD-PDF-") {
		t.Fatalf("permit print printed job %+v", job)
	}
	suffix := "-job_" + strings.TrimPrefix(job.ID, "GDD-PDF-") + ".pdf"
	var out string
	for deadline := time.Now().Add(60 * time.Second); out == "" && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		entries, _ := os.ReadDir(outDir)
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), suffix) {
				out = filepath.Join(outDir, e.Name())
			}
		}
	}
	if out == "" {
		t.Fatalf("no *%s in %s after 60 s", suffix, outDir)
	}
	t.Cleanup(func() { os.Remove(out) })
	// cups-pdf may still be writing the file it has just created.
	var pages string
	for deadline := time.Now().Add(10 * time.Second); pages != "1" && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if _, err := exec.Command("pdfinfo", out).Output(); err == nil {
			pages, _ = pdfInfo(t, out)
		}
	}
	if pages != "1" {
		t.Errorf("the printed PDF %s has %q pages, want 1", out, pages)
	}
	var p permitJSON
	runOK(t, &p, "--data", dir, "permit", "show", issued.Number, "--json")
	if p.PrintCount != 1 {
		t.Errorf("print count %d after one print, want 1", p.PrintCount)
	}
	if msg := runFail(t, "--data", dir, "permit", "print", issued.Number, "--printer", "May-In-Khong-Co"); !strings.Contains(msg, "Không tìm thấy máy in") {
		t.Errorf("printing on an unknown printer failed with %q", msg)
	}
}
