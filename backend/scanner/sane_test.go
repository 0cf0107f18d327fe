//go:build !windows

package scanner

import (
	"context"
	"errors"
	"image/jpeg"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// SANE's own "test" device: a 10-sheet feeder, and a read status that can be set to
// SANE_STATUS_JAMMED. scanimage comes from sane-utils (scripts/ensure-deps.sh).
func needScanimage(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("scanimage"); err != nil {
		t.Fatalf("scanimage not found (%v): install it with `apt-get install -y sane-utils` (scripts/ensure-deps.sh does)", err)
	}
}

var testDevice = Options{Device: "test", Source: "Automatic Document Feeder", DPI: 50, Mode: "Gray",
	Extra: []string{"-x", "200", "-y", "200", "--test-picture", "Grid"}}

func TestFeederScansTheWholeStack(t *testing.T) {
	needScanimage(t)
	st, err := Scan(context.Background(), testDevice)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Cleanup()
	if len(st.Pages) != 10 {
		t.Fatalf("%d pages from a 10-sheet feeder", len(st.Pages))
	}
	for _, p := range st.Pages {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := jpeg.DecodeConfig(f)
		f.Close()
		if err != nil || cfg.Width < 390 || cfg.Width > 400 {
			t.Errorf("%s: %dx%d %v, want 200 mm at 50 dpi", p, cfg.Width, cfg.Height, err)
		}
	}
}

func TestJamKeepsWhatWasScannedAndSaysWhereItStopped(t *testing.T) {
	needScanimage(t)
	dir := t.TempDir()
	// The test device jams on every read when told to, so the jam is simulated after four
	// sheets: four scanned, then the feed goes on from sheet 5 and jams there.
	first := testDevice
	first.Dir = dir
	first.Extra = append(append([]string(nil), first.Extra...), "--batch-count=4")
	st, err := Scan(context.Background(), first)
	if err != nil || len(st.Pages) != 4 {
		t.Fatalf("first run: %d pages, %v", len(st.Pages), err)
	}
	jam := testDevice
	jam.Dir, jam.StartPage = dir, 5
	jam.Extra = append(append([]string(nil), jam.Extra...), "--read-return-value", "SANE_STATUS_JAMMED")
	st2, err := Scan(context.Background(), jam)
	var se *Error
	if !errors.As(err, &se) || se.Code != "jammed" || se.NextPage != 5 || len(st2.Pages) != 0 {
		t.Fatalf("jam: %+v pages %v", err, st2.Pages)
	}
	if !strings.Contains(se.VI, "kẹt giấy ở tờ 5") || !strings.Contains(se.EN, "sheet 5") {
		t.Errorf("jam message does not say where it stopped: %s / %s", se.VI, se.EN)
	}
	// The four sheets before the jam are still there, and nothing half-scanned is.
	left, _ := os.ReadDir(dir)
	if len(left) != 4 {
		t.Errorf("%d files after the jam, want the 4 scanned before it", len(left))
	}
}

func TestNoDevice(t *testing.T) {
	needScanimage(t)
	_, err := Scan(context.Background(), Options{Device: "test:no-such-device", DPI: 50})
	var se *Error
	if !errors.As(err, &se) || se.VI == "" {
		t.Fatalf("missing device: %v", err)
	}
}
