package app

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"giaydiduong/backend/audit"
	"giaydiduong/backend/domain"
)

// crashChildEnv makes the test binary a child that adds applications until it is killed.
const crashChildEnv = "GDD_CRASH_CHILD_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(laneCrashChildEnv); dir != "" {
		os.Exit(laneCrashChild(dir))
	}
	if dir := os.Getenv(scanCrashChildEnv); dir != "" {
		os.Exit(scanCrashChild(dir))
	}
	if dir := os.Getenv(crashChildEnv); dir != "" {
		if err := crashChild(dir); err != nil {
			fmt.Fprintln(os.Stderr, "crash child:", err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	code := m.Run()
	if bigDir != "" {
		os.RemoveAll(bigDir)
	}
	if stack != nil {
		os.RemoveAll(stack.dir) // the scanned stack's office (scans_test.go)
	}
	os.Exit(code)
}

// crashChild reports "saved ID" only after AddApplication returned, exactly when the UI
// would tell the clerk the application is saved.
func crashChild(dir string) error {
	ctx := context.Background()
	a, err := Open(ctx, dir)
	if err != nil {
		return err
	}
	clerk, err := a.Login(ctx, "canbo", DemoPassword)
	if err != nil {
		return err
	}
	today := time.Now().In(vietnam).Format(time.DateOnly)
	out := bufio.NewWriter(os.Stdout)
	for i := 0; ; i++ {
		in := domain.ApplicationInput{
			FullName: "Trần Thị Kim Chi", BirthDate: "1990-01-01", Gender: domain.Female, IDNumber: "082190001234",
			ResidenceCommuneCode: DemoUnitCode, PurposeCode: "work", RouteFrom: "Ấp Tân Hòa", RouteTo: fmt.Sprintf("Điểm %d", i),
			VehicleType: domain.VehicleWalk, ValidFrom: today, ValidTo: today,
		}
		res, err := a.AddApplicationWith(ctx, clerk, in, AddOptions{AllowDuplicate: true})
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "saved %s\n", res.ID)
		out.Flush()
	}
}

func TestCrashKill9LosesNothingSaved(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	a.Close()

	rng := rand.New(rand.NewPCG(20261128, 9))
	var mu sync.Mutex
	saved := map[string]bool{}
	for round := 0; round < 20; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+dir)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				if id, ok := strings.CutPrefix(sc.Text(), "saved "); ok {
					mu.Lock()
					saved[id] = true
					mu.Unlock()
				}
			}
		}()
		// Any moment: during start-up and migration, mid-transaction, between commits.
		time.Sleep(time.Duration(50+rng.IntN(900)) * time.Millisecond)
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		<-done
		cmd.Wait()
		if strings.Contains(stderr.String(), "crash child:") {
			t.Fatalf("round %d: child failed on its own: %s", round, stderr.String())
		}
	}
	if len(saved) < 20 {
		t.Fatalf("only %d applications reported saved over 20 rounds: the child is not exercising writes", len(saved))
	}

	a, err = Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var integrity string
	if err := a.DB().Raw("PRAGMA integrity_check").Scan(&integrity).Error; err != nil || integrity != "ok" {
		t.Fatalf("integrity_check = %q, %v", integrity, err)
	}
	var present []string
	a.DB().Table("applications").Pluck("id", &present)
	have := map[string]bool{}
	for _, id := range present {
		have[id] = true
	}
	for id := range saved {
		if !have[id] {
			t.Errorf("application %s was reported saved and is gone", id)
		}
	}
	// Each application came with its audit event and outbox entry, or not at all.
	var events, queued int64
	a.DB().Model(&audit.Event{}).Where("action = 'application.create'").Count(&events)
	a.DB().Table("outbox").Where("entity = 'application'").Count(&queued)
	if events != int64(len(present)) || queued < int64(len(present)) {
		t.Errorf("%d applications, %d create events, %d outbox entries", len(present), events, queued)
	}
	if r, err := audit.Verify(ctx, a.DB()); err != nil || !r.OK {
		t.Errorf("audit chain after crashes: %+v %v", r, err)
	}
	t.Logf("%d applications reported saved across 20 kills, all present", len(saved))
}
