package main

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"giaydiduong/backend/app"
	"giaydiduong/backend/scan/scantest"
)

type scanImportJSON struct {
	File  string `json:"file"`
	Pages []struct {
		PageID       string `json:"page_id"`
		Status       string `json:"status"`
		PermitNumber string `json:"permit_number"`
		Reason       string `json:"reason"`
		MessageVI    string `json:"message_vi"`
	} `json:"pages"`
	Matched int `json:"matched"`
	Error   *struct {
		VI string `json:"vi"`
	} `json:"error"`
}

// signedScans issues permits, prints them with `permit pdf`, and returns the signed copies
// as a scanner gives them back (the second one upside down), one JPEG a page.
func signedScans(t *testing.T, dir string, n int) ([]string, [][]byte) {
	t.Helper()
	var numbers []string
	for range n {
		appID := approvedApplication(t, dir, appInput())
		var issued permitJSON
		runOK(t, &issued, "--data", dir, "--user", "canbo", "permit", "issue", appID, "--json")
		numbers = append(numbers, issued.Number)
	}
	pdfPath := filepath.Join(t.TempDir(), "print.pdf")
	runOK(t, nil, append(append([]string{"--data", dir, "permit", "pdf"}, numbers...), "--a4", "-o", pdfPath)...)
	pdf, err := os.ReadFile(pdfPath)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(4, 4))
	var pages [][]byte
	err = scantest.Rasterise(pdf, 200, func(i int, m *image.RGBA) error {
		scantest.SignAndStamp(m, 200, r)
		j, err := scantest.Degrade(m, scantest.Degradation{Angle: 1.5, UpsideDown: i == 1, Blur: 1, Noise: 5, Quality: 60}, r)
		pages = append(pages, j)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return numbers, pages
}

func TestScanCommands(t *testing.T) {
	dir := demoDir(t)
	t.Setenv("GDD_PASSWORD", app.DemoPassword)
	numbers, pages := signedScans(t, dir, 2)
	tmp := t.TempDir()
	stack, err := scantest.PDF(pages, 200)
	if err != nil {
		t.Fatal(err)
	}
	blank := image.NewRGBA(image.Rect(0, 0, 1654, 2339))
	for i := range blank.Pix {
		blank.Pix[i] = 255
	}
	blankJPEG, err := scantest.Degrade(blank, scantest.Degradation{Quality: 80}, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"stack.pdf": stack, "empty.jpg": nil, "blank.jpg": blankJPEG}
	for name, b := range files {
		os.WriteFile(filepath.Join(tmp, name), b, 0o600)
	}
	// One refused file makes the command fail, and the others are still imported.
	out, err := run(t, "--data", dir, "--user", "canbo", "scan", "import", filepath.Join(tmp, "stack.pdf"), filepath.Join(tmp, "empty.jpg"), filepath.Join(tmp, "blank.jpg"), "--json")
	if err == nil || !strings.Contains(oneLine(err), "Tệp trống") {
		t.Fatalf("import with an empty file: %v", err)
	}
	var res []scanImportJSON
	if err := json.Unmarshal([]byte(out), &res); err != nil || len(res) != 3 {
		t.Fatalf("import --json: %v\n%s", err, out)
	}
	if res[0].Matched != 2 || res[0].Pages[0].PermitNumber != numbers[0] || res[0].Pages[1].PermitNumber != numbers[1] {
		t.Errorf("stack.pdf: %+v", res[0])
	}
	if res[1].Error == nil || res[2].Pages[0].Status != "review" || res[2].Pages[0].Reason != "unreadable" || res[2].Pages[0].MessageVI == "" {
		t.Errorf("empty and blank: %+v %+v", res[1], res[2])
	}
	var shown permitJSON
	runOK(t, &shown, "--data", dir, "permit", "show", numbers[1], "--json")
	if shown.Status != "hand_signed" {
		t.Errorf("permit after its scan: %s", shown.Status)
	}
	var queue []struct {
		ID     string `json:"id"`
		Reason string `json:"reason"`
	}
	runOK(t, &queue, "--data", dir, "--user", "canbo", "scan", "review", "--json")
	if len(queue) != 1 || queue[0].ID != res[2].Pages[0].PageID {
		t.Fatalf("review queue: %+v", queue)
	}
	img := filepath.Join(tmp, "page.jpg")
	runOK(t, nil, "--data", dir, "--user", "canbo", "scan", "image", queue[0].ID, "-o", img)
	if b, err := os.ReadFile(img); err != nil || !bytes.HasPrefix(b, []byte{0xFF, 0xD8}) {
		t.Errorf("scan image: %v", err)
	}
	if msg := runFail(t, "--data", dir, "--user", "canbo", "scan", "assign", queue[0].ID, numbers[0]); !strings.Contains(msg, "bản quét") {
		t.Errorf("assign to a permit that has its page: %q", msg)
	}
	runOK(t, nil, "--data", dir, "--user", "canbo", "scan", "discard", queue[0].ID, "--reason", "Tờ giấy trắng")
	runOK(t, &queue, "--data", dir, "--user", "canbo", "scan", "review", "--json")
	if len(queue) != 0 {
		t.Errorf("review queue after discard: %+v", queue)
	}

	// The search a clerk matches a review page with: a third permit, found by its name
	// without diacritics; the two with their pages are not offered.
	third := approvedApplication(t, dir, appInput())
	var issued permitJSON
	runOK(t, &issued, "--data", dir, "--user", "canbo", "permit", "issue", third, "--json")
	var found []permitJSON
	runOK(t, &found, "--data", dir, "--user", "canbo", "scan", "find", "nguyen", "--json")
	if len(found) != 1 || found[0].Number != issued.Number {
		t.Errorf("scan find: %+v, want only %s", found, issued.Number)
	}

	// The office admin lowers the size limit: gddctl refuses a bigger file before reading it.
	if msg := runFail(t, "--data", dir, "--user", "canbo", "settings", "set", "--scan-max-file-mb", "1"); msg == "" {
		t.Error("a clerk changed the scan size limit")
	}
	runOK(t, nil, "--data", dir, "--user", "quantri", "settings", "set", "--scan-max-file-mb", "1")
	big := filepath.Join(tmp, "big.pdf")
	os.WriteFile(big, append(append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte(" "), 1_200_000)...), "\n%%EOF\n"...), 0o600)
	if msg := runFail(t, "--data", dir, "--user", "canbo", "scan", "import", big); !strings.Contains(msg, "tối đa 1 MB") {
		t.Errorf("import over the office limit: %q", msg)
	}
}

// TestScanWatchMatches drops a scanned stack into the watched folder the way a network
// scanner does and sees its pages matched.
func TestScanWatchMatches(t *testing.T) {
	dir := demoDir(t)
	t.Setenv("GDD_PASSWORD", app.DemoPassword)
	numbers, pages := signedScans(t, dir, 1)
	watched := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	var out bytes.Buffer
	done := make(chan error, 1)
	go func() {
		c := &cli{out: &out}
		root := c.root()
		root.SetArgs([]string{"--data", dir, "--user", "canbo", "scan", "watch", watched, "--stable", "300ms", "--poll", "100ms", "--json"})
		root.SetErr(&out)
		done <- root.ExecuteContext(ctx)
	}()
	// Written under a temporary name, then renamed, as scanner firmware does.
	tmp := filepath.Join(watched, ".scan0001.jpg.part")
	os.WriteFile(tmp, pages[0], 0o600)
	os.Rename(tmp, filepath.Join(watched, "scan0001.jpg"))
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if _, err := os.Stat(filepath.Join(watched, "done", "scan0001.jpg")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("the dropped file was not processed: %s", out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var shown permitJSON
	runOK(t, &shown, "--data", dir, "permit", "show", numbers[0], "--json")
	if shown.Status != "hand_signed" {
		t.Errorf("permit after the watched folder: %s; output %s", shown.Status, out.String())
	}
}
