package app

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"giaydiduong/backend/audit"
	"giaydiduong/backend/printing"
	"giaydiduong/backend/printing/cupstest"
	"giaydiduong/backend/render"
)

// The printing tests print on a real CUPS (package cupstest).

const cupsQueue = cupstest.Queue

// cupsOutDir starts CUPS (once) and returns where cups-pdf writes what GDD-PDF prints.
func cupsOutDir(t *testing.T) string { return cupstest.OutDir(t) }

// recordingSpooler is the real spooler, keeping the PDF of every job it accepted. cups-pdf's
// output goes through pdftops and Ghostscript, whose Type 3 fonts carry no usable text (pdftotext
// reads "✒✓✔✕…" whatever the renderer), so what a job says is read from the PDF the office sent;
// what CUPS made of it is checked for its pages.
type recordingSpooler struct {
	printing.Spooler
	mu   sync.Mutex
	sent map[string][]byte
}

func recordPrints(f *fixture) *recordingSpooler {
	r := &recordingSpooler{Spooler: f.Spooler, sent: map[string][]byte{}}
	f.Spooler = r
	return r
}

func (r *recordingSpooler) Print(ctx context.Context, printer string, pdf []byte, title string, copies int) (printing.Job, error) {
	job, err := r.Spooler.Print(ctx, printer, pdf, title, copies)
	if err == nil {
		r.mu.Lock()
		r.sent[job.ID] = bytes.Clone(pdf)
		r.mu.Unlock()
	}
	return job, err
}

// text is what pdftotext reads in the PDF sent as job.
func (r *recordingSpooler) text(t *testing.T, job printing.Job) string {
	t.Helper()
	r.mu.Lock()
	pdf, ok := r.sent[job.ID]
	r.mu.Unlock()
	if !ok {
		t.Fatalf("no PDF was sent as job %s", job.ID)
	}
	return toolPDFText(t, writeTemp(t, "sent.pdf", pdf))
}

// printedFile waits (at most 60 s) for the job to complete and returns the PDF cups-pdf wrote
// for it: "<title, escaped>-job_<id>.pdf".
func (f *fixture) printedFile(t *testing.T, dir string, job printing.Job) string {
	t.Helper()
	if job.Printer != cupsQueue || !strings.HasPrefix(job.ID, cupsQueue+"-") {
		t.Fatalf("job %+v is not on %s", job, cupsQueue)
	}
	suffix := "-job_" + strings.TrimPrefix(job.ID, cupsQueue+"-") + ".pdf"
	deadline := time.Now().Add(60 * time.Second)
	for {
		done, err := f.Spooler.JobDone(f.ctx, job)
		if err != nil {
			t.Fatalf("JobDone(%+v): %v", job, err)
		}
		if done {
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if strings.HasSuffix(e.Name(), suffix) {
					path := filepath.Join(dir, e.Name())
					t.Cleanup(func() { os.Remove(path) })
					return path
				}
			}
		}
		if time.Now().After(deadline) {
			out, _ := exec.Command("lpstat", "-l", "-o", cupsQueue).CombinedOutput()
			t.Fatalf("job %s: done=%v and no *%s in %s after 60 s; queue:\n%s", job.ID, done, suffix, dir, out)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

var pagesRE = regexp.MustCompile(`(?m)^Pages:\s+([0-9]+)$`)

// toolPageCount counts pages with pdfinfo.
func toolPageCount(t *testing.T, path string) string {
	t.Helper()
	needTool(t, "pdfinfo", "poppler-utils")
	m := pagesRE.FindStringSubmatch(string(runTool(t, "pdfinfo", path)))
	if m == nil {
		t.Fatalf("pdfinfo %s printed no page count", path)
	}
	return m[1]
}

// toolPDFText is the text of a PDF as pdftotext reads it, white space squashed.
func toolPDFText(t *testing.T, path string) string {
	t.Helper()
	needTool(t, "pdftotext", "poppler-utils")
	return strings.Join(strings.Fields(string(runTool(t, "pdftotext", "-enc", "UTF-8", path, "-"))), " ")
}

func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// issued issues n permits from fresh approved applications.
func (f *fixture) issued(t testing.TB, n int) []string {
	t.Helper()
	numbers := make([]string, n)
	for i := range numbers {
		p, err := f.IssuePermit(f.ctx, f.clerk, f.approved(t).ID)
		if err != nil {
			t.Fatal(err)
		}
		numbers[i] = p.Number
	}
	return numbers
}

// copies returns each permit's print count and its number of audit events for action.
func (f *fixture) copies(t *testing.T, numbers []string, action string) (counts, events []int) {
	t.Helper()
	for _, n := range numbers {
		p, err := f.GetPermit(f.ctx, f.clerk, n)
		if err != nil {
			t.Fatal(err)
		}
		var k int64
		if err := f.DB().Model(&audit.Event{}).Where("action = ? AND entity = 'permit' AND entity_id = ?", action, p.ID).Count(&k).Error; err != nil {
			t.Fatal(err)
		}
		counts, events = append(counts, p.PrintCount), append(events, int(k))
	}
	return counts, events
}

func equalInts(a []int, v int) bool {
	for _, x := range a {
		if x != v {
			return false
		}
	}
	return len(a) > 0
}

// TestPrintPermitsOnCUPS prints a batch of three on the cups-pdf queue: the job completes, its
// output has the three pages, each permit counts one copy with its audit event, and a second
// print says "Bản in lại lần 1".
func TestPrintPermitsOnCUPS(t *testing.T) {
	t.Parallel()
	dir := cupsOutDir(t)
	f := newFixture(t)
	sent := recordPrints(f)
	numbers := f.issued(t, 3)

	start := time.Now()
	job, err := f.PrintPermits(f.ctx, f.clerk, numbers, cupsQueue, render.A5)
	if err != nil {
		t.Fatalf("PrintPermits: %v", err)
	}
	out := f.printedFile(t, dir, job)
	t.Logf("job %s printed in %v: %s", job.ID, time.Since(start).Round(time.Millisecond), filepath.Base(out))
	if got := toolPageCount(t, out); got != "3" {
		t.Errorf("cups-pdf output has %s pages, want 3", got)
	}
	text := sent.text(t, job)
	for _, n := range numbers {
		if !strings.Contains(text, n) {
			t.Errorf("the batch sent to the printer lacks permit %s: %q", n, text)
		}
	}
	if strings.Contains(text, "Bản in lại") {
		t.Errorf("a first print is labelled as a reprint: %q", text)
	}
	if counts, events := f.copies(t, numbers, "permit.print"); !equalInts(counts, 1) || !equalInts(events, 1) {
		t.Errorf("after one print: print counts %v, permit.print events %v; want 1 each", counts, events)
	}

	job2, err := f.PrintPermits(f.ctx, f.clerk, numbers[:1], cupsQueue, render.A5)
	if err != nil {
		t.Fatalf("reprint: %v", err)
	}
	if job2.ID == job.ID {
		t.Fatalf("the reprint reused job %s", job.ID)
	}
	out2 := f.printedFile(t, dir, job2)
	if text := sent.text(t, job2); !strings.Contains(text, "Bản in lại lần 1") || !strings.Contains(text, numbers[0]) {
		t.Errorf("the reprint of %s does not say \"Bản in lại lần 1\": %q", numbers[0], text)
	}
	if got := toolPageCount(t, out2); got != "1" {
		t.Errorf("reprint of one permit has %s pages", got)
	}
	if counts, events := f.copies(t, numbers[:1], "permit.print"); counts[0] != 2 || events[0] != 2 {
		t.Errorf("after the reprint: print count %d, %d events; want 2 and 2", counts[0], events[0])
	}
}

// TestPrintPermitsPrinterChoice: an unknown printer is refused in Vietnamese and counts no
// copy; with no printer given the office default is used, and without a default the refusal
// names the printer field.
func TestPrintPermitsPrinterChoice(t *testing.T) {
	t.Parallel()
	dir := cupsOutDir(t)
	f := newFixture(t)
	numbers := f.issued(t, 1)

	_, err := f.PrintPermits(f.ctx, f.clerk, numbers, "May-In-Khong-Co", render.A5)
	if e := AsError(err); e == nil || !strings.Contains(e.VI, "Không tìm thấy máy in") || !strings.Contains(e.VI, "May-In-Khong-Co") {
		t.Errorf("unknown printer: %v, want a Vietnamese \"Không tìm thấy máy in\" naming it", err)
	}
	if counts, events := f.copies(t, numbers, "permit.print"); counts[0] != 0 || events[0] != 0 {
		t.Errorf("a refused print counted a copy: print count %d, %d events", counts[0], events[0])
	}

	_, err = f.PrintPermits(f.ctx, f.clerk, numbers, "", render.A5)
	if e := AsError(err); e == nil || e.Code != CodeValidation || len(e.Fields) != 1 || e.Fields[0].Field != "printer" || e.Fields[0].VI == "" {
		t.Errorf("no printer and no default: %+v, want a validation error on \"printer\"", e)
	}
	if counts, _ := f.copies(t, numbers, "permit.print"); counts[0] != 0 {
		t.Errorf("print count %d after a refused print", counts[0])
	}

	if _, err := f.UpdateSettings(f.ctx, f.admin, Settings{IdleLockMinutes: 5, FourEyes: true, DefaultPrinter: cupsQueue}); err != nil {
		t.Fatal(err)
	}
	job, err := f.PrintPermits(f.ctx, f.clerk, numbers, "", render.A4)
	if err != nil {
		t.Fatalf("print on the default printer: %v", err)
	}
	if job.Printer != cupsQueue {
		t.Errorf("printed on %q, want the default %s", job.Printer, cupsQueue)
	}
	if got := toolPageCount(t, f.printedFile(t, dir, job)); got != "1" {
		t.Errorf("output has %s pages, want 1", got)
	}
	if counts, events := f.copies(t, numbers, "permit.print"); counts[0] != 1 || events[0] != 1 {
		t.Errorf("after printing on the default: print count %d, %d events; want 1 and 1", counts[0], events[0])
	}
}

// TestPreviewIsNotACopy: a preview is not handed out, so it neither counts nor labels the next
// copy a reprint; an exported file does count.
func TestPreviewIsNotACopy(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	numbers := f.issued(t, 2)
	for range 2 {
		pdf, err := f.PermitsPDF(f.ctx, f.clerk, numbers, render.A5, ForPreview)
		if err != nil {
			t.Fatal(err)
		}
		path := writeTemp(t, "preview.pdf", pdf)
		if got := toolPageCount(t, path); got != "2" {
			t.Errorf("preview of 2 permits has %s pages", got)
		}
		if strings.Contains(toolPDFText(t, path), "Bản in lại") {
			t.Error("a preview says it is a reprint")
		}
	}
	counts, events := f.copies(t, numbers, "permit.print")
	_, exports := f.copies(t, numbers, "permit.export")
	if !equalInts(counts, 0) || !equalInts(events, 0) || !equalInts(exports, 0) {
		t.Errorf("after previews: print counts %v, print events %v, export events %v; want none", counts, events, exports)
	}
	pdf, err := f.PermitsPDF(f.ctx, f.clerk, numbers[:1], render.A5, ForExport)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(toolPDFText(t, writeTemp(t, "export.pdf", pdf)), "Bản in lại") {
		t.Error("the first exported copy says it is a reprint")
	}
	if counts, exports := f.copies(t, numbers[:1], "permit.export"); counts[0] != 1 || exports[0] != 1 {
		t.Errorf("after an export: print count %d, %d export events; want 1 and 1", counts[0], exports[0])
	}
	pdf, err = f.PermitsPDF(f.ctx, f.clerk, numbers[:1], render.A5, ForPreview)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(toolPDFText(t, writeTemp(t, "preview2.pdf", pdf)), "Bản in lại lần 1") {
		t.Error("a preview after one copy does not show what the next copy will say (\"Bản in lại lần 1\")")
	}
}

// TestBatchHasOneCopyOfEach: a batch listing a permit twice would hand out two copies under
// one count; it is refused and counts nothing.
func TestBatchHasOneCopyOfEach(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	numbers := f.issued(t, 2)
	for _, use := range []PDFUse{ForPreview, ForExport} {
		_, err := f.PermitsPDF(f.ctx, f.clerk, []string{numbers[0], numbers[1], numbers[0]}, render.A5, use)
		if e := AsError(err); e == nil || e.Code != CodeValidation || len(e.Fields) != 1 || e.Fields[0].Field != "numbers" || !strings.Contains(e.VI, numbers[0]) {
			t.Errorf("use %d, a number listed twice: %v, want a validation error on numbers naming %s", use, err, numbers[0])
		}
	}
	_, err := f.PrintPermits(f.ctx, f.clerk, []string{numbers[1], numbers[1]}, "May-In-Khong-Co", render.A5)
	if codeOf(err) != CodeValidation {
		t.Errorf("printing a number twice: %v, want a validation error", err)
	}
	counts, events := f.copies(t, numbers, "permit.export")
	if !equalInts(counts, 0) || !equalInts(events, 0) {
		t.Errorf("refused batches counted copies: print counts %v, export events %v", counts, events)
	}
}

// TestApplicationFormPDF: the blank paper form is one page with its title, on A5 and A4.
func TestApplicationFormPDF(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, paper := range []render.Paper{render.A5, render.A4} {
		pdf, err := f.ApplicationFormPDF(f.ctx, paper)
		if err != nil {
			t.Fatal(err)
		}
		path := writeTemp(t, "form.pdf", pdf)
		if got := toolPageCount(t, path); got != "1" {
			t.Errorf("%s form has %s pages, want 1", paper, got)
		}
		if text := toolPDFText(t, path); !strings.Contains(text, "ĐƠN ĐỀ NGHỊ CẤP GIẤY ĐI ĐƯỜNG") {
			t.Errorf("%s form text lacks its title: %q", paper, text)
		}
	}
}
