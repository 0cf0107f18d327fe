package app

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"giaydiduong/backend/domain"
	"giaydiduong/backend/store"
	"giaydiduong/backend/token/softfido"
)

var (
	family = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"}
	middle = []string{"Văn", "Thị", "Hữu", "Minh", "Ngọc", "Thanh", "Quốc", "Thị Kim", "Hoàng", "Đức", "Thị Mỹ", "Công"}
	given  = []string{"Dũng", "Anh", "Hùng", "Hà", "Lan", "Tuấn", "Nhung", "Phúc", "Đào", "Khoa", "Trinh", "Sơn", "Yến", "Lộc", "Thảo", "Đông", "Hiếu", "Nguyệt"}
)

var (
	bigOnce sync.Once
	bigDir  string // removed by TestMain: it outlives each benchmark's own TempDir
	bigApp  *App
	bigErr  error
	bigUser Actor
)

// bigOffice is a demo office holding 100,000 realistic applications, built once per run by
// bulk insert (building it through AddApplication would take minutes of fsyncs).
func bigOffice(b *testing.B) (*App, Actor) {
	bigOnce.Do(func() {
		ctx := context.Background()
		if bigDir, bigErr = os.MkdirTemp("", "gdd-bench-"); bigErr != nil {
			return
		}
		var a *App
		if a, bigErr = Open(ctx, bigDir); bigErr != nil {
			return
		}
		if bigErr = a.SeedDemo(ctx); bigErr != nil {
			return
		}
		var clerk store.User
		a.DB().First(&clerk, "username = ?", "canbo")
		rng := rand.New(rand.NewPCG(1, 2))
		statuses := []string{"submitted", "approved", "approved", "rejected", "draft"}
		purposes := []string{"work", "medical", "essential_goods", "essential_service"}
		base := time.Date(2021, 9, 1, 0, 0, 0, 0, time.UTC)
		batch := make([]store.Application, 0, 1000)
		for i := 0; i < 100_000; i++ {
			name := family[rng.IntN(len(family))] + " " + middle[rng.IntN(len(middle))] + " " + given[rng.IntN(len(given))]
			id := fmt.Sprintf("082%d%02d%06d", rng.IntN(2), 60+rng.IntN(40), rng.IntN(1_000_000))
			at := base.Add(time.Duration(i) * time.Minute)
			batch = append(batch, store.Application{
				ID: newID(), Version: 1, OfficeUnitCode: DemoUnitCode, Status: statuses[rng.IntN(len(statuses))],
				FullName: name, SearchText: domain.FoldForSearch(name) + " " + id, BirthDate: "1980-01-01", Gender: "male", IDNumber: id,
				ResidenceCommuneCode: DemoUnitCode, PurposeCode: purposes[rng.IntN(len(purposes))], RouteFrom: "Ấp Tân Hòa", RouteTo: "Phường 5",
				VehicleType: "walk", ValidFrom: "2021-09-01", ValidTo: "2021-09-07", RulesVersion: 1, CreatedBy: clerk.ID, CreatedAt: at, UpdatedAt: at,
			})
			if len(batch) == cap(batch) {
				if bigErr = a.DB().CreateInBatches(batch, 100).Error; bigErr != nil {
					return
				}
				batch = batch[:0]
			}
		}
		a.DB().Exec("ANALYZE")
		bigApp = a
		bigUser, bigErr = a.Login(ctx, "canbo", DemoPassword)
	})
	if bigErr != nil {
		b.Fatal(bigErr)
	}
	return bigApp, bigUser
}

// BenchmarkSearch100k is one list query, as the clerk types it, over 100,000 applications.
func BenchmarkSearch100k(b *testing.B) {
	a, clerk := bigOffice(b)
	ctx := context.Background()
	for _, c := range []struct {
		name   string
		filter ListFilter
	}{
		{"name_no_diacritics", ListFilter{Search: "nguyen van dung"}},
		{"name_with_diacritics", ListFilter{Search: "Trần Thị Kim Đào"}},
		{"id_number_prefix", ListFilter{Search: "082195"}},
		{"status_and_name", ListFilter{Status: "submitted", Search: "hung"}},
		{"no_match", ListFilter{Search: "zzzz"}},
		{"first_page_no_filter", ListFilter{}},
	} {
		b.Run(c.name, func(b *testing.B) {
			c.filter.PageSize = 20
			for b.Loop() {
				page, err := a.ListApplications(ctx, clerk, c.filter)
				if err != nil {
					b.Fatal(err)
				}
				if c.name != "no_match" && page.Total == 0 {
					b.Fatalf("%+v found nothing", c.filter)
				}
			}
		})
	}
}

// BenchmarkAddApprove enters one application and approves it through the service layer:
// validation, two durable (fsync'd) transactions, audit events and outbox entries.
func BenchmarkAddApprove(b *testing.B) {
	ctx := context.Background()
	a, err := Open(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	if err := a.SeedDemo(ctx); err != nil {
		b.Fatal(err)
	}
	clerk, _ := a.Login(ctx, "canbo", DemoPassword)
	approver, _ := a.Login(ctx, "lanhdao", DemoPassword)
	today := time.Now().In(vietnam).Format(time.DateOnly)
	in := domain.ApplicationInput{
		FullName: "Nguyễn Văn Dũng", BirthDate: "1995-03-15", Gender: domain.Male, IDNumber: "082095001234",
		ResidenceCommuneCode: DemoUnitCode, PurposeCode: "work", RouteFrom: "Ấp Tân Hòa", RouteTo: "Phường 5",
		VehicleType: domain.VehicleMotorbike, VehiclePlate: "63B112345", ValidFrom: today, ValidTo: today,
	}
	for b.Loop() {
		res, err := a.AddApplicationWith(ctx, clerk, in, AddOptions{AllowDuplicate: true})
		if err != nil {
			b.Fatal(err)
		}
		if res, err = a.ApproveApplication(ctx, approver, res.ID); err != nil || res.Status != "approved" {
			b.Fatal(err)
		}
	}
}

// BenchmarkBaselineTwoCommits is the floor under BenchmarkAddApprove: two bare durable
// commits on the same kind of database, so the figure shows what the service layer adds.
func BenchmarkBaselineTwoCommits(b *testing.B) {
	db, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "base.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close(db)
	db.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
	for i := 0; b.Loop(); i++ {
		if err := db.Exec("INSERT INTO t (id, v) VALUES (?, 'x')", i).Error; err != nil {
			b.Fatal(err)
		}
		if err := db.Exec("UPDATE t SET v = 'y' WHERE id = ?", i).Error; err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSignBatch measures a leader's batch signing end to end through the service layer:
// each permit signed on the token, checked, and saved in its own transaction (PKCS#11 also
// renders and signs the PDF). The baseline is the hand-signature path, which saves the same
// state change without a token. Reported as permits/s; each op is a batch of 20.
func BenchmarkSignBatch(b *testing.B) {
	const n = 20
	run := func(b *testing.B, f *fixture, sign func(numbers []string) error) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			numbers := f.issued(b, n)
			b.StartTimer()
			if err := sign(numbers); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "permits/s")
	}
	b.Run("baseline-hand-signed", func(b *testing.B) {
		f := newFixture(b)
		run(b, f, func(numbers []string) error {
			for _, num := range numbers {
				if _, err := f.MarkHandSigned(f.ctx, f.clerk, num); err != nil {
					return err
				}
			}
			return nil
		})
	})
	b.Run("fido-hid", func(b *testing.B) {
		f := newFixture(b)
		f.enrollSoft(b, f.softKey(b, softfido.Config{}), "")
		run(b, f, func(numbers []string) error {
			res, err := f.SignPermits(f.ctx, f.approver, SignInput{Numbers: numbers, Token: TokenRef{Kind: TokenFIDO}}, nil)
			if err == nil && len(res.Signed) != len(numbers) {
				err = fmt.Errorf("signed %d of %d: %s", len(res.Signed), len(numbers), res.MessageEN)
			}
			return err
		})
	})
	b.Run("pkcs11-softhsm", func(b *testing.B) {
		env := softHSM(b)
		f := newFixture(b)
		f.now = time.Now().In(vietnam)
		f.Tokens = NewTokens(nil, nil)
		b.Cleanup(f.Tokens.Close)
		ref := TokenRef{Kind: TokenPKCS11, Library: env.Lib, Slot: env.Slot}
		if _, err := f.EnrollToken(f.ctx, f.admin, EnrollInput{Officer: "lanhdao", Token: ref, PIN: env.PIN}, nil); err != nil {
			b.Fatal(err)
		}
		run(b, f, func(numbers []string) error {
			res, err := f.SignPermits(f.ctx, f.approver, SignInput{Numbers: numbers, Token: ref, PIN: env.PIN}, nil)
			if err == nil && len(res.Signed) != len(numbers) {
				err = fmt.Errorf("signed %d of %d: %s", len(res.Signed), len(numbers), res.MessageEN)
			}
			return err
		})
	})
}

// BenchmarkOpenUnits is what start-up spends on units for an office database: check that
// it holds the shipped list, read every version from SQLite and index it.
func BenchmarkOpenUnits(b *testing.B) {
	f := newFixture(b)
	var ru0, ru1 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	n := 0
	for b.Loop() {
		if err := f.ensureUnits(f.ctx); err != nil {
			b.Fatal(err)
		}
		if err := f.loadUnits(f.ctx); err != nil {
			b.Fatal(err)
		}
		n++
	}
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	cpu := (ru1.Utime.Nano() + ru1.Stime.Nano()) - (ru0.Utime.Nano() + ru0.Stime.Nano())
	b.ReportMetric(float64(cpu)/1e6/float64(n), "cpu-ms/op")
}
