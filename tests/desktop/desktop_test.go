//go:build desktop

// Package desktop starts the real desktop binary in a real X server (Xvfb) and checks what a
// person would see. `make desktop-smoke` and `make bench` run it with GDD_DESKTOP_BIN set.
package desktop

import (
	"bufio"
	"bytes"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func binary(tb testing.TB) string {
	bin := os.Getenv("GDD_DESKTOP_BIN")
	if bin == "" {
		tb.Fatal("GDD_DESKTOP_BIN must name the built desktop binary (make desktop-smoke sets it)")
	}
	return bin
}

// xvfb starts a virtual X server and returns its DISPLAY.
func xvfb(tb testing.TB) string {
	r, w, err := os.Pipe()
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1280x900x24", "-nolisten", "tcp")
	cmd.ExtraFiles = []*os.File{w}
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start Xvfb: %v", err)
	}
	w.Close()
	tb.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil {
		tb.Fatalf("Xvfb gave no display: %v", err)
	}
	return ":" + strings.TrimSpace(line)
}

// window is one run of the desktop app.
type window struct {
	cmd   *exec.Cmd
	ready chan int64 // since_start_ms of the first "ui ready"
	log   *bytes.Buffer
}

var readyLine = regexp.MustCompile(`ui ready.*screen=(\w+).*since_start_ms=(\d+)`)

func start(tb testing.TB, display, dataDir string) *window {
	cmd := exec.Command(binary(tb), "--data", dataDir, "--demo")
	cmd.Env = append(os.Environ(), "DISPLAY="+display, "LANG=vi_VN.UTF-8")
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	w := &window{cmd: cmd, ready: make(chan int64, 1), log: &bytes.Buffer{}}
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			w.log.WriteString(sc.Text() + "\n")
			if m := readyLine.FindStringSubmatch(sc.Text()); m != nil && m[1] == "login" {
				ms, _ := strconv.ParseInt(m[2], 10, 64)
				select {
				case w.ready <- ms:
				default:
				}
			}
		}
	}()
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start %s: %v", binary(tb), err)
	}
	tb.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
		pw.Close()
	})
	return w
}

func (w *window) waitReady(tb testing.TB) int64 {
	select {
	case ms := <-w.ready:
		return ms
	case <-time.After(60 * time.Second):
		tb.Fatalf("the login screen never reported ready; output:\n%s", w.log)
		return 0
	}
}

// stop closes the window the way the OS does on shutdown, and expects a clean exit.
func (w *window) stop(tb testing.TB) {
	w.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- w.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			tb.Fatalf("the app did not exit cleanly: %v\n%s", err, w.log)
		}
	case <-time.After(15 * time.Second):
		tb.Fatalf("the app did not exit within 15 s of SIGTERM")
	}
}

func screenshot(tb testing.TB, display, path string) image.Image {
	out, err := exec.Command("import", "-display", display, "-window", "root", "png:"+path).CombinedOutput()
	if err != nil {
		tb.Fatalf("screenshot: %v %s", err, out)
	}
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		tb.Fatal(err)
	}
	return img
}

func TestDesktopSmoke(t *testing.T) {
	display := xvfb(t)
	w := start(t, display, t.TempDir())
	ms := w.waitReady(t)
	time.Sleep(500 * time.Millisecond) // let the first paint reach the X server
	shotDir := os.Getenv("GDD_SCREENSHOT_DIR")
	if shotDir == "" {
		shotDir = t.TempDir()
	}
	img := screenshot(t, display, filepath.Join(shotDir, "desktop-login.png"))

	// Not blank: the login screen draws a form with text, so many pixels differ from the
	// background and several colours are used.
	b := img.Bounds()
	bg := img.At(b.Min.X+b.Dx()/2, b.Max.Y-5)
	colours := map[[3]uint32]bool{}
	differ := 0
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			colours[[3]uint32{r >> 8, g >> 8, bl >> 8}] = true
			if img.At(x, y) != bg {
				differ++
			}
		}
	}
	total := (b.Dx() / 2) * (b.Dy() / 2)
	t.Logf("login screen ready %d ms after start; %d colours, %.1f%% of pixels off the background", ms, len(colours), 100*float64(differ)/float64(total))
	if len(colours) < 16 || differ < total/100 {
		t.Fatalf("the window looks blank: %d colours, %d of %d pixels differ", len(colours), differ, total)
	}
	w.stop(t)
}

// memKB sums VmRSS and Pss over pid and its descendants (WebKitGTK runs the page in child
// processes). RSS counts shared libraries once per process; PSS splits them, so the PSS sum
// is what the app really costs the machine.
func memKB(pid int) (mainRSS, totalRSS, totalPSS int64) {
	kids := map[int][]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p))
		if err != nil {
			continue
		}
		fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(fields) > 1 {
			pp, _ := strconv.Atoi(fields[1])
			kids[pp] = append(kids[pp], p)
		}
	}
	field := func(path, name string) int64 {
		data, err := os.ReadFile(path)
		if err != nil {
			return 0
		}
		for _, line := range strings.Split(string(data), "\n") {
			if v, ok := strings.CutPrefix(line, name+":"); ok {
				kb, _ := strconv.ParseInt(strings.Fields(v)[0], 10, 64)
				return kb
			}
		}
		return 0
	}
	var walk func(p int)
	walk = func(p int) {
		rss := field(fmt.Sprintf("/proc/%d/status", p), "VmRSS")
		if p == pid {
			mainRSS = rss
		}
		totalRSS += rss
		totalPSS += field(fmt.Sprintf("/proc/%d/smaps_rollup", p), "Pss")
		for _, k := range kids[p] {
			walk(k)
		}
	}
	walk(pid)
	return mainRSS, totalRSS, totalPSS
}

// BenchmarkColdStart measures process start to the login screen drawn, on an office that is
// already set up, and the memory of the running app once it is idle at that screen.
func BenchmarkColdStart(b *testing.B) {
	display := xvfb(b)
	data := b.TempDir()
	first := start(b, display, data) // sets up the demo office once
	first.waitReady(b)
	first.stop(b)
	var msTotal, rssMain, rssTotal, pssTotal int64
	n := 0
	for b.Loop() {
		w := start(b, display, data)
		msTotal += w.waitReady(b)
		b.StopTimer()
		time.Sleep(2 * time.Second) // idle at the login screen
		m, tot, pss := memKB(w.cmd.Process.Pid)
		rssMain += m
		rssTotal += tot
		pssTotal += pss
		n++
		w.stop(b)
		b.StartTimer()
	}
	b.ReportMetric(float64(msTotal)/float64(n), "ms-to-login")
	b.ReportMetric(float64(rssMain)/float64(n)/1024, "MB-rss-main")
	b.ReportMetric(float64(rssTotal)/float64(n)/1024, "MB-rss-with-webkit")
	b.ReportMetric(float64(pssTotal)/float64(n)/1024, "MB-pss-with-webkit")
}
