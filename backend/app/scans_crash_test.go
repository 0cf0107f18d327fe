package app

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"giaydiduong/backend/audit"
	"giaydiduong/backend/scan/scantest"
	"giaydiduong/backend/store"
)

// scanCrashChildEnv makes the test binary a child that imports DIR/stack.pdf into the
// office in DIR, printing each page only once ImportScan reported it saved.
const scanCrashChildEnv = "GDD_SCAN_CRASH_CHILD_DIR"

func scanCrashChild(dir string) int {
	ctx := context.Background()
	a, err := Open(ctx, dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "scan crash child:", err)
		return 2
	}
	a.Now = func() time.Time { return fixtureClock.now }
	clerk, err := a.Login(ctx, "canbo", DemoPassword)
	if err != nil {
		fmt.Fprintln(os.Stderr, "scan crash child:", err)
		return 2
	}
	data, err := os.ReadFile(filepath.Join(dir, "stack.pdf"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "scan crash child:", err)
		return 2
	}
	out := bufio.NewWriter(os.Stdout)
	res, err := a.ImportScan(ctx, clerk, "stack.pdf", data, func(_, _ int, p ScanPageResult) {
		fmt.Fprintf(out, "saved %s %s %s\n", p.PageID, p.Status, p.PermitNumber)
		out.Flush()
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "scan crash child:", err)
		return 2
	}
	if res.Complete {
		fmt.Fprintln(out, "complete")
		out.Flush()
	}
	return 0
}

func TestScanKill9LosesNoReportedPageAndAttachesNoneTwice(t *testing.T) {
	s := buildStack(t)
	dir := t.TempDir()
	if err := copyDir(s.dir, dir); err != nil {
		t.Fatal(err)
	}
	n := min(8, len(s.pages))
	file, err := scantest.PDF(s.pages[:n], 200)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "stack.pdf"), file, 0o600); err != nil {
		t.Fatal(err)
	}
	reported := map[string]string{} // page id → status + permit, as the child printed it
	rng := rand.New(rand.NewPCG(9, 9))
	complete := false
	kills := 0
	for round := 0; round < 30 && !complete; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), scanCrashChildEnv+"="+dir)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string)
		go func() {
			defer close(lines)
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				lines <- sc.Text()
			}
		}()
		// Kill it after a few more pages were reported (or at once, on odd rounds: start-up,
		// mid-decoding, mid-transaction).
		want := rng.IntN(3)
		var timer <-chan time.Time
		if round%2 == 1 {
			timer = time.After(time.Duration(300+rng.IntN(3000)) * time.Millisecond)
		}
		killed := false
	read:
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					break read
				}
				if l == "complete" {
					complete = true
					continue
				}
				if f := strings.Fields(l); len(f) >= 3 && f[0] == "saved" {
					_, again := reported[f[1]] // pages saved by an earlier round are reported again
					reported[f[1]] = strings.Join(f[2:], " ")
					if !again {
						want--
					}
					if want < 0 && !killed {
						cmd.Process.Kill()
						killed = true
					}
				}
			case <-timer:
				if !killed {
					cmd.Process.Kill()
					killed = true
				}
			}
		}
		cmd.Wait()
		if killed {
			kills++
		}
		if strings.Contains(stderr.String(), "scan crash child:") {
			t.Fatalf("round %d: child failed on its own: %s", round, stderr.String())
		}
	}
	if !complete {
		t.Fatalf("the import never completed over 30 rounds (%d pages reported)", len(reported))
	}
	if kills < 2 {
		t.Fatalf("only %d kills: the test did not interrupt the import", kills)
	}
	a, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var pages []store.ScanPage
	a.DB().Find(&pages)
	if len(pages) != n {
		t.Errorf("%d scan pages for a %d-page file: a page was lost or filed twice", len(pages), n)
	}
	byID := map[string]store.ScanPage{}
	perPermit := map[string]int{}
	for _, p := range pages {
		byID[p.ID] = p
		if p.PermitID != nil {
			perPermit[*p.PermitID]++
		}
	}
	for id, st := range reported {
		p, ok := byID[id]
		if !ok {
			t.Errorf("page %s was reported saved (%s) and is gone", id, st)
			continue
		}
		if !strings.HasPrefix(st, p.Status) {
			t.Errorf("page %s reported %s, stored %s", id, st, p.Status)
		}
	}
	for permitID, k := range perPermit {
		if k != 1 {
			t.Errorf("permit %s has %d pages attached", permitID, k)
		}
	}
	var signed int64
	a.DB().Model(&store.Permit{}).Where("hand_signed_page IS NOT NULL").Count(&signed)
	if int(signed) != len(perPermit) {
		t.Errorf("%d permits name a signed page, %d pages are attached", signed, len(perPermit))
	}
	if rep, err := audit.Verify(context.Background(), a.DB()); err != nil || !rep.OK {
		t.Errorf("audit chain after the kills: %+v %v", rep, err)
	}
	t.Logf("%d kills, %d pages reported before the end", kills, len(reported))
}
