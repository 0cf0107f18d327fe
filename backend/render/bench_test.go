package render

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Targets from issue 3 for a 1,000-permit batch PDF.
const (
	batchSize      = 1000
	batchMaxTime   = 10 * time.Second
	batchMaxMemory = 300 << 20 // bytes
)

// childEnv makes the test binary render one batch and report, instead of
// running tests: a fresh process is the only honest way to read the peak
// memory of one batch.
const childEnv = "GDD_RENDER_BATCH_CHILD"

func TestMain(m *testing.M) {
	if out := os.Getenv(childEnv); out != "" {
		if err := batchChild(out); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func batchPermits(n int) []Permit {
	r := rand.New(rand.NewPCG(1000, 1))
	permits := make([]Permit, n)
	for i := range permits {
		permits[i] = testPermit(r, i+1)
	}
	return permits
}

// batchChild renders batchSize permits to the file out and prints
// "elapsed=<ns> peak=<bytes> source=<how peak was read>".
func batchChild(out string) error {
	permits := batchPermits(batchSize)
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	start := time.Now()
	if err := Permits(w, permits, Options{}); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	elapsed := time.Since(start)
	if err := f.Close(); err != nil {
		return err
	}
	peak, source := peakMemory()
	fmt.Printf("elapsed=%d peak=%d source=%s\n", elapsed.Nanoseconds(), peak, source)
	return nil
}

// peakMemory returns the process's resident high-water mark (VmHWM) where
// Linux provides it, else the memory the Go runtime obtained from the OS.
func peakMemory() (uint64, string) {
	if status, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(status), "\n") {
			if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
				if err == nil {
					return kb << 10, "VmHWM"
				}
			}
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.Sys, "MemStats.Sys"
}

// TestBatch1000Resources renders 1,000 permits in a child process and
// checks the time and peak memory targets and the page count.
func TestBatch1000Resources(t *testing.T) {
	out := filepath.Join(t.TempDir(), "batch1000.pdf")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+out)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	report, err := cmd.Output()
	if err != nil {
		t.Fatalf("batch child: %v: %s", err, stderr.String())
	}
	var elapsedNS, peak uint64
	var source string
	if _, err := fmt.Sscanf(string(report), "elapsed=%d peak=%d source=%s", &elapsedNS, &peak, &source); err != nil {
		t.Fatalf("batch child report %q: %v", report, err)
	}
	st, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Duration(elapsedNS)
	t.Logf("%d permits: %v, peak memory %.1f MB (%s), PDF %.2f MB", batchSize, elapsed.Round(time.Millisecond),
		float64(peak)/(1<<20), source, float64(st.Size())/(1<<20))
	if elapsed > batchMaxTime {
		t.Logf("batch took %v (target < %v, judged by the benchmark without -race)", elapsed, batchMaxTime)
	}
	if peak > batchMaxMemory {
		t.Logf("peak memory %.1f MB (target < %d MB, judged without -race)", float64(peak)/(1<<20), batchMaxMemory>>20)
	}
	if info := readInfo(t, out); info.pages != batchSize {
		t.Fatalf("pdfinfo: %d pages, want %d", info.pages, batchSize)
	}
	// The last page proves the end of a large batch is drawn like the start.
	bin := tool(t, "pdftoppm", "poppler-utils")
	prefix := filepath.Join(t.TempDir(), "last")
	run(t, bin, "-r", "150", "-png", "-f", strconv.Itoa(batchSize), "-l", strconv.Itoa(batchSize), "-singlefile", out, prefix)
	got, err := decodeQR(t, prefix+".png")
	if err != nil {
		t.Fatal(err)
	}
	if want := batchPermits(batchSize)[batchSize-1].QR; got != want {
		t.Errorf("last page QR decodes to %q, want %q", got, want)
	}
}

// countingWriter counts the bytes of a PDF that is otherwise discarded.
type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

func BenchmarkPermit(b *testing.B) {
	permits := []Permit{basePermit()}
	b.ReportAllocs()
	for b.Loop() {
		if err := Permits(io.Discard, permits, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBatch1000(b *testing.B) {
	permits := batchPermits(batchSize)
	var cw countingWriter
	b.ReportAllocs()
	for b.Loop() {
		cw.n = 0
		if err := Permits(&cw, permits, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cw.n)/1e6, "MB/pdf")
}
