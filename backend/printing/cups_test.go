//go:build linux

package printing

// These tests print on a real CUPS: TestMain runs scripts/start-cups.sh, which installs CUPS
// and cups-pdf when missing, starts cupsd and makes the queue GDD-PDF whose output is a PDF
// file in the directory the script prints last. If the script fails, every test fails.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"giaydiduong/backend/printing/cupstest"
)

const queue = "GDD-PDF"

// cupsOutDir is where cups-pdf writes what GDD-PDF prints.
var cupsOutDir string

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	var err error
	if cupsOutDir, err = cupstest.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: %v\n", err)
		return 1
	}
	return m.Run()
}

// admin runs a CUPS command the tests need to set the scene (cupsdisable, lp, ...).
func admin(t *testing.T, stdin []byte, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "LANG=C", "LC_ALL=C")
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// allJobs lists every job CUPS remembers, on every queue, completed or not.
func allJobs(t *testing.T) []string {
	t.Helper()
	return parseJobIDs(admin(t, nil, "lpstat", "-W", "all", "-o"))
}

// waitDone polls JobDone until it reports true, for at most limit.
func waitDone(t *testing.T, s Spooler, job Job, limit time.Duration) time.Duration {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	start := time.Now()
	for {
		done, err := s.JobDone(ctx, job)
		if err != nil {
			t.Fatalf("JobDone(%v): %v", job, err)
		}
		if done {
			return time.Since(start)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("job %v not done after %v; queue:\n%s", job, limit, admin(t, nil, "lpstat", "-l", "-o", job.Printer))
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func token(t *testing.T) string {
	t.Helper()
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b[:])
}

func findPrinterT(t *testing.T, s Spooler) Printer {
	t.Helper()
	list, err := s.Printers(context.Background())
	if err != nil {
		t.Fatalf("Printers: %v", err)
	}
	p, ok := findPrinter(list, queue)
	if !ok {
		t.Fatalf("Printers = %+v, no %s", list, queue)
	}
	return p
}

func TestPrintersListsQueue(t *testing.T) {
	p := findPrinterT(t, New())
	if p.State != StateIdle && p.State != StatePrinting {
		t.Errorf("state = %q, want idle or printing", p.State)
	}
	if !p.Accepting {
		t.Error("not accepting")
	}
	if !strings.Contains(p.Description, "GiayDiDuong PDF") {
		t.Errorf("description = %q", p.Description)
	}
}

// TestPrintThreePages prints a 3-page A5 PDF and reads back what cups-pdf wrote.
func TestPrintThreePages(t *testing.T) {
	s := New()
	tok := token(t)
	title := tok + " Giấy đi đường 000123/2026" // cups-pdf cuts file names at 64 bytes
	start := time.Now()
	job, err := s.Print(context.Background(), queue, makePDF(3, a5W, a5H), title, 1)
	if err != nil {
		t.Fatalf("Print: %v", err)
	}
	if job.Printer != queue || !regexp.MustCompile(`^GDD-PDF-[0-9]+$`).MatchString(job.ID) {
		t.Fatalf("job = %+v", job)
	}
	waited := waitDone(t, s, job, 60*time.Second)

	// cups-pdf names its file "<title, escaped>-job_<id>.pdf" (Label 2 in start-cups.sh).
	suffix := "-job_" + job.ID[len(queue)+1:] + ".pdf"
	var file string
	for _, name := range dirNames(t, cupsOutDir) {
		if strings.Contains(name, tok) && strings.HasSuffix(name, suffix) {
			file = filepath.Join(cupsOutDir, name)
		}
	}
	if file == "" {
		t.Fatalf("no *%s*%s in %s: %q", tok, suffix, cupsOutDir, dirNames(t, cupsOutDir))
	}
	info := admin(t, nil, "pdfinfo", file)
	if !regexp.MustCompile(`(?m)^Pages:\s+3$`).MatchString(info) {
		t.Fatalf("pdfinfo %s:\n%s", file, info)
	}
	// The A5 page size went to CUPS as media=A5, so the output is A5, not the queue's A4.
	if !regexp.MustCompile(`(?m)^Page size:.*\(A5\)`).MatchString(info) {
		t.Errorf("output not A5:\n%s", info)
	}
	t.Logf("job %s done %v after Print (%v polling); output %s", job.ID, time.Since(start).Round(time.Millisecond), waited.Round(time.Millisecond), file)
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestPrintRejectsBadInput(t *testing.T) {
	s := New()
	pdf := makePDF(1, a4W, a4H)
	tests := []struct {
		name    string
		printer string
		pdf     []byte
		copies  int
		kind    error
		want    []string
	}{
		{"unknown printer", "May-In-Khong-Co", pdf, 1, ErrPrinterNotFound, []string{"Không tìm thấy máy in", "May-In-Khong-Co"}},
		{"printer name case", strings.ToLower(queue), pdf, 1, ErrPrinterNotFound, []string{strings.ToLower(queue)}},
		{"instance that does not exist", queue + "/a5", pdf, 1, ErrPrinterNotFound, []string{queue + "/a5"}},
		{"no printer", "", pdf, 1, ErrPrinterNotFound, []string{"Chưa chọn máy in"}},
		{"not a PDF", queue, []byte("GIẤY ĐI ĐƯỜNG\n"), 1, ErrNotPDF, []string{"không phải PDF"}},
		{"empty document", queue, nil, 1, ErrNotPDF, []string{"không phải PDF"}},
		{"0 copies", queue, pdf, 0, ErrCopies, []string{"từ 1 đến 50", "0"}},
		{"51 copies", queue, pdf, 51, ErrCopies, []string{"từ 1 đến 50", "51"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := allJobs(t)
			job, err := s.Print(context.Background(), tt.printer, tt.pdf, "bad input", tt.copies)
			if !errors.Is(err, tt.kind) {
				t.Fatalf("Print = %+v, %v; want %v", job, err, tt.kind)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if after := allJobs(t); len(after) != len(before) {
				t.Errorf("jobs went from %d to %d: %v", len(before), len(after), after)
			}
		})
	}
}

// TestPausedPrinter: a paused (disabled) queue shows as paused, Print refuses it without
// queueing anything, and a job that was already waiting on it is reported as such by JobDone.
func TestPausedPrinter(t *testing.T) {
	s := New()
	reason := "Hết giấy " + token(t)
	admin(t, nil, "cupsdisable", "-r", reason, queue)
	t.Cleanup(func() { admin(t, nil, "cupsenable", queue) })

	p := findPrinterT(t, s)
	if p.State != StatePaused || !p.Accepting {
		t.Fatalf("paused printer listed as %+v", p)
	}

	before := allJobs(t)
	_, err := s.Print(context.Background(), queue, makePDF(1, a5W, a5H), "paused", 1)
	if !errors.Is(err, ErrPrinterPaused) || !strings.Contains(err.Error(), "đang tạm dừng") || !strings.Contains(err.Error(), reason) {
		t.Fatalf("Print on a paused printer: %v", err)
	}
	if after := allJobs(t); len(after) != len(before) {
		t.Fatalf("a job was queued on the paused printer: %v", after)
	}

	// A job queued before the pause (here with lp itself) waits; JobDone says why.
	m := requestIDRE.FindStringSubmatch(admin(t, makePDF(1, a5W, a5H), "lp", "-d", queue, "-t", "queued before pause"))
	if m == nil {
		t.Fatal("lp printed no request id")
	}
	job := Job{ID: m[1], Printer: queue}
	done, err := s.JobDone(context.Background(), job)
	if done || !errors.Is(err, ErrPrinterPaused) || !strings.Contains(err.Error(), job.ID) || !strings.Contains(err.Error(), "Đừng in lại") {
		t.Fatalf("JobDone on a paused printer = %v, %v", done, err)
	}
	admin(t, nil, "cupsenable", queue)
	waitDone(t, s, job, 60*time.Second)
	if p := findPrinterT(t, s); p.State == StatePaused {
		t.Fatalf("still paused after cupsenable: %+v", p)
	}
}

func TestRejectingPrinter(t *testing.T) {
	s := New()
	admin(t, nil, "cupsreject", "-r", "bảo trì", queue)
	t.Cleanup(func() { admin(t, nil, "cupsaccept", queue) })

	if p := findPrinterT(t, s); p.Accepting || p.State == StatePaused {
		t.Fatalf("rejecting printer listed as %+v", p)
	}
	before := allJobs(t)
	_, err := s.Print(context.Background(), queue, makePDF(1, a5W, a5H), "rejected", 1)
	if !errors.Is(err, ErrNotAccepting) || !strings.Contains(err.Error(), "từ chối") {
		t.Fatalf("Print on a rejecting printer: %v", err)
	}
	if after := allJobs(t); len(after) != len(before) {
		t.Fatalf("a job was queued on the rejecting printer: %v", after)
	}
}

// TestSchedulerDown points the clients at a socket nobody listens on, as when cupsd is stopped.
func TestSchedulerDown(t *testing.T) {
	c := newCUPS()
	c.extraEnv = []string{"CUPS_SERVER=" + filepath.Join(t.TempDir(), "cups.sock")}
	_, err := c.Printers(context.Background())
	if !errors.Is(err, ErrSpoolerDown) || !strings.Contains(err.Error(), "CUPS chưa chạy") {
		t.Fatalf("Printers without cupsd: %v", err)
	}
	_, err = c.Print(context.Background(), queue, makePDF(1, a5W, a5H), "down", 1)
	if !errors.Is(err, ErrSpoolerDown) {
		t.Fatalf("Print without cupsd: %v", err)
	}
}

func TestJobDoneEdgeCases(t *testing.T) {
	s := New()
	tests := []struct {
		name     string
		job      Job
		wantDone bool
		kind     error
	}{
		{"empty job", Job{}, false, ErrInvalidJob},
		{"no printer", Job{ID: queue + "-1"}, false, ErrInvalidJob},
		{"job not queued", Job{ID: queue + "-999999", Printer: queue}, true, nil},
		{"printer gone", Job{ID: "May-In-Khong-Co-1", Printer: "May-In-Khong-Co"}, false, ErrPrinterNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done, err := s.JobDone(context.Background(), tt.job)
			if done != tt.wantDone || (tt.kind == nil) != (err == nil) || (tt.kind != nil && !errors.Is(err, tt.kind)) {
				t.Fatalf("JobDone(%+v) = %v, %v; want %v, %v", tt.job, done, err, tt.wantDone, tt.kind)
			}
		})
	}
}

func TestCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	before := allJobs(t)
	_, err := New().Print(ctx, queue, makePDF(1, a5W, a5H), "cancelled", 1)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Print with a cancelled context: %v", err)
	}
	if after := allJobs(t); len(after) != len(before) {
		t.Fatalf("a job was queued with a cancelled context: %v", after)
	}
}
