package app

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"giaydiduong/backend/domain"
	"giaydiduong/backend/permit"
	"giaydiduong/backend/permit/permittest"
	"giaydiduong/backend/render"
)

// needTool fails the test (never skips it) when an external program the test relies on is
// missing, naming the Debian package that provides it.
func needTool(t testing.TB, name, debianPackage string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is missing: apt-get install %s (%v)", name, debianPackage, err)
	}
	return path
}

// runTool runs an external program and returns its stdout; a failure shows stderr.
func runTool(t testing.TB, name string, args ...string) []byte {
	t.Helper()
	out, err := toolOutput(name, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func toolOutput(name string, args ...string) ([]byte, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "LANG=C.UTF-8", "LC_ALL=C.UTF-8")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.Bytes(), fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return stdout.Bytes(), nil
}

// cccdProvinceCodes are birth-registration province codes of the Mekong delta and around.
var cccdProvinceCodes = []string{"082", "082", "082", "080", "083", "079", "087", "092", "086", "001"}

// citizenFor makes an application for a generated permit as a clerk would enter it: the
// generator's name, birth year, purpose, route and plate, a CCCD number consistent with the
// gender and birth year (province code, 0/1 for a man/woman born in the 1900s or 2/3 in the
// 2000s, the year's last two digits, then six digits ending in the permit's IDLast4), and the
// generator's window length starting today.
func (f *fixture) citizenFor(rng *rand.Rand, p permit.Payload) domain.ApplicationInput {
	gender := domain.Male
	if strings.Contains(" "+p.FullName+" ", " Thị ") || (!strings.Contains(" "+p.FullName+" ", " Văn ") && rng.IntN(2) == 0) {
		gender = domain.Female
	}
	digit := 0
	if p.BirthYear >= 2000 {
		digit = 2
	}
	if gender == domain.Female {
		digit++
	}
	id := fmt.Sprintf("%s%d%02d%02d%s", cccdProvinceCodes[rng.IntN(len(cccdProvinceCodes))], digit, p.BirthYear%100, rng.IntN(100), p.IDLast4)
	birth := time.Date(p.BirthYear, time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
	vehicle := domain.VehicleWalk
	switch {
	case p.VehiclePlate == "":
		if rng.IntN(2) == 0 {
			vehicle = domain.VehicleBicycle
		}
	case p.VehiclePlate[3] == '-': // "63A-123.45": a car's or a truck's
		vehicle = domain.VehicleCar
		if rng.IntN(3) == 0 {
			vehicle = domain.VehicleTruck
		}
	default:
		vehicle = domain.VehicleMotorbike
	}
	days := int(p.ValidTo.Start(permit.VietnamTime).Sub(p.ValidFrom.Start(permit.VietnamTime)).Hours() / 24)
	street, _, _ := strings.Cut(p.RouteFrom, ",")
	return domain.ApplicationInput{
		FullName: p.FullName, BirthDate: birth.Format(time.DateOnly), Gender: gender, IDNumber: id,
		Phone: fmt.Sprintf("091%07d", rng.IntN(10_000_000)), ResidenceCommuneCode: DemoUnitCode, ResidenceStreet: street,
		PurposeCode: p.PurposeCode, RouteFrom: p.RouteFrom, RouteTo: p.RouteTo, VehicleType: vehicle, VehiclePlate: p.VehiclePlate,
		ValidFrom: f.day(0), ValidTo: f.day(days),
	}
}

// allowPurposes adds the generator's custom purpose codes to the office's rules, as an office
// admin would for a locality that lists its own reasons for travel.
func (f *fixture) allowPurposes(t testing.TB, payloads []permit.Payload) {
	t.Helper()
	rules := domain.DefaultRules(DemoUnitCode)
	for _, p := range payloads {
		if _, ok := rules.Purpose(p.PurposeCode); !ok {
			rules.Purposes = append(rules.Purposes, domain.Purpose{Code: p.PurposeCode, VI: "Mục đích riêng của địa phương: " + p.PurposeCode, EN: p.PurposeCode})
		}
	}
	in := RulesInput{PermitsRequired: true, Purposes: rules.Purposes, MaxDays: rules.MaxDays, CurfewStart: rules.CurfewStart, CurfewEnd: rules.CurfewEnd}
	if _, err := f.UpdateRules(f.ctx, f.admin, in); err != nil {
		t.Fatalf("rules with the generator's purposes: %v", err)
	}
}

// checkRealistic makes sure the generated data is what the issue asks for: names up to 40
// characters with every Vietnamese tone mark among them, and long place names.
func checkRealistic(t testing.TB, payloads []permit.Payload) {
	t.Helper()
	tones := map[rune]string{0x0301: "sắc", 0x0300: "huyền", 0x0309: "hỏi", 0x0303: "ngã", 0x0323: "nặng"}
	seen := map[rune]bool{}
	longestName, longestRoute := 0, 0
	for _, p := range payloads {
		longestName = max(longestName, utf8.RuneCountInString(p.FullName))
		longestRoute = max(longestRoute, utf8.RuneCountInString(p.RouteFrom), utf8.RuneCountInString(p.RouteTo))
		for _, r := range norm.NFD.String(p.FullName) {
			seen[r] = true
		}
	}
	for r, name := range tones {
		if !seen[r] {
			t.Errorf("no generated name has the %s tone mark", name)
		}
	}
	if longestName > 40 || longestName < 35 {
		t.Errorf("longest name has %d characters, want 35 to 40", longestName)
	}
	if longestRoute < 50 {
		t.Errorf("longest place name has %d characters, want long ones (50 or more)", longestRoute)
	}
}

// enterApproveIssue takes one application through the office: the clerk enters it, the
// leader approves it, the clerk issues its permit.
func (f *fixture) enterApproveIssue(in domain.ApplicationInput) (Permit, Application, error) {
	a, err := f.AddApplication(f.ctx, f.clerk, in, false)
	if err != nil {
		return Permit{}, a, fmt.Errorf("add: %w", err)
	}
	if a, err = f.ApproveApplication(f.ctx, f.approver, a.ID); err != nil {
		return Permit{}, a, fmt.Errorf("approve: %w", err)
	}
	p, err := f.IssuePermit(f.ctx, f.clerk, a.ID)
	if err != nil {
		return p, a, fmt.Errorf("issue: %w", err)
	}
	return p, a, nil
}

// zbarXML is what `zbarimg --xml` prints: one source per image, its symbols under index.
type zbarXML struct {
	Sources []struct {
		Href  string `xml:"href,attr"`
		Index []struct {
			Symbols []struct {
				Type string `xml:"type,attr"`
				Data struct {
					Format string `xml:"format,attr"`
					Text   string `xml:",chardata"`
				} `xml:"data"`
			} `xml:"symbol"`
		} `xml:"index"`
	} `xml:"source"`
}

var pageFileRE = regexp.MustCompile(`-0*([0-9]+)\.pgm$`)

// scanPDFPages rasterises every page of pdf at 150 dpi with pdftoppm and reads its QR codes
// with zbarimg, an implementation independent of ours, then calls check with the page number
// (from 1) and the texts zbarimg found on it. Chunks of pages go through both tools on every
// core, and check runs as each chunk is read, so it must be safe for concurrent use.
//
// The pages are written as 8-bit grey PGM, not PNG: the pixels are the same, and pdftoppm's
// PNG compression alone costs 150 ms a page, more than rasterising and decoding together.
func scanPDFPages(t testing.TB, pdf []byte, pages int, check func(page int, texts []string)) {
	t.Helper()
	dir := t.TempDir()
	pdfPath := filepath.Join(dir, "batch.pdf")
	if err := os.WriteFile(pdfPath, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	const chunk = 50
	firsts := make(chan int)
	go func() {
		for first := 1; first <= pages; first += chunk {
			firsts <- first
		}
		close(firsts)
	}()
	var (
		mu   sync.Mutex
		errs []error
		seen = make([]bool, pages)
		wg   sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
	}
	for range max(2, runtime.NumCPU()) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for first := range firsts {
				last := min(first+chunk-1, pages)
				prefix := filepath.Join(dir, fmt.Sprintf("c%04d", first))
				if _, err := toolOutput("pdftoppm", "-r", "150", "-gray", "-f", strconv.Itoa(first), "-l", strconv.Itoa(last), pdfPath, prefix); err != nil {
					fail(err)
					continue
				}
				files, _ := filepath.Glob(prefix + "-*.pgm")
				if len(files) != last-first+1 {
					fail(fmt.Errorf("pdftoppm pages %d-%d wrote %d files", first, last, len(files)))
					continue
				}
				// Exit status 4 means some image had no symbol; check reports the page.
				out, err := toolOutput("zbarimg", append([]string{"--xml", "-q", "--nodbus", "-Sdisable", "-Sqrcode.enable"}, files...)...)
				var res zbarXML
				if xerr := xml.Unmarshal(out, &res); xerr != nil {
					fail(fmt.Errorf("zbarimg output for pages %d-%d: %v (%v)", first, last, xerr, err))
					continue
				}
				for _, src := range res.Sources {
					m := pageFileRE.FindStringSubmatch(src.Href)
					page := 0
					if m != nil {
						page, _ = strconv.Atoi(m[1])
					}
					if page < first || page > last {
						fail(fmt.Errorf("zbarimg reported a file %q outside pages %d-%d", src.Href, first, last))
						continue
					}
					var texts []string
					for _, ix := range src.Index {
						for _, sym := range ix.Symbols {
							if sym.Data.Format != "" {
								fail(fmt.Errorf("page %d: QR data in %s format", page, sym.Data.Format))
							}
							texts = append(texts, sym.Data.Text)
						}
					}
					mu.Lock()
					seen[page-1] = true
					mu.Unlock()
					check(page, texts)
				}
				for _, f := range files {
					os.Remove(f)
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		t.Error(err)
	}
	if i := slices.Index(seen, false); i >= 0 {
		t.Errorf("zbarimg did not report page %d", i+1)
	}
}

// TestRoundTrip1000 is the issue's round trip with real tools: 1,000 generated permits
// (realistic Vietnamese names with every tone mark, long place names) entered, approved and
// issued through the service layer; one batch PDF; every page rasterised at 150 dpi by
// pdftoppm and decoded by zbarimg; each decoded text is exactly the issued QR and verifies as
// VALID. It is the slowest test of the package (most of it in pdftoppm and zbarimg), so it
// runs in parallel with the others and spreads its own work over every core.
func TestRoundTrip1000(t *testing.T) {
	t.Parallel()
	needTool(t, "pdftoppm", "poppler-utils")
	needTool(t, "zbarimg", "zbar-tools")
	const n = 1000
	if MaxBatch < n {
		t.Fatalf("MaxBatch %d < %d", MaxBatch, n)
	}
	f := newFixture(t)
	gen := permittest.NewGenerator(20261128)
	payloads := make([]permit.Payload, n)
	for i := range payloads {
		payloads[i] = gen.Next()
	}
	checkRealistic(t, payloads)
	f.allowPurposes(t, payloads)
	rng := rand.New(rand.NewPCG(3, 1000))

	inputs := make([]domain.ApplicationInput, n)
	for i, p := range payloads {
		inputs[i] = f.citizenFor(rng, p)
	}

	// Clerks at two desks: enter, approve (the leader) and issue, two permits at a time.
	start := time.Now()
	numbers := make([]string, n)
	qrs := make([]string, n)
	apps := make([]Application, n)
	var (
		next atomic.Int64
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for range max(2, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				pm, a, err := f.enterApproveIssue(inputs[i])
				if err != nil {
					mu.Lock()
					errs = append(errs, fmt.Errorf("permit %d (%+v): %w", i, inputs[i], err))
					mu.Unlock()
					next.Store(n)
					return
				}
				numbers[i], qrs[i], apps[i] = pm.Number, pm.QR, a
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatal(errs[0])
	}
	issued := time.Since(start)

	start = time.Now()
	pdf, err := f.PermitsPDF(f.ctx, f.clerk, numbers, render.A5, ForExport)
	if err != nil {
		t.Fatal(err)
	}
	rendered := time.Since(start)

	// Every page read back and verified, as a checkpoint would.
	start = time.Now()
	var valid, bad atomic.Int64
	report := func(format string, args ...any) {
		if bad.Add(1) <= 20 {
			t.Errorf(format, args...)
		}
	}
	scanPDFPages(t, pdf, n, func(page int, texts []string) {
		i := page - 1
		if len(texts) != 1 {
			report("page %d (%s): zbarimg found %d QR codes, want 1", page, numbers[i], len(texts))
			return
		}
		if texts[0] != qrs[i] {
			report("page %d (%s): zbarimg read\n%q\nwant the issued QR\n%q", page, numbers[i], texts[0], qrs[i])
			return
		}
		v, err := f.Verify(f.ctx, f.clerk, texts[0])
		if err != nil {
			report("page %d: verify: %v", page, err)
			return
		}
		if v.Status != permit.StatusValid {
			report("page %d (%s): %s (%s)", page, numbers[i], v.Status, v.Detail)
			return
		}
		if pl := v.Payload; pl.Number != numbers[i] || pl.FullName != apps[i].FullName || pl.RouteFrom != apps[i].RouteFrom ||
			pl.RouteTo != apps[i].RouteTo || pl.VehiclePlate != apps[i].VehiclePlate || pl.PurposeCode != apps[i].PurposeCode {
			report("page %d: payload %+v does not match application %+v", page, pl, apps[i].Application)
			return
		}
		valid.Add(1)
	})
	scanned := time.Since(start)
	if got := valid.Load(); got != n {
		t.Fatalf("%d of %d permits came back VALID", got, n)
	}
	longest := slices.MaxFunc(apps, func(a, b Application) int { return len([]rune(a.FullName)) - len([]rune(b.FullName)) })
	t.Logf("%d permits: enter + approve + issue %v, one batch PDF %v (%.1f MB), pdftoppm -r 150 + zbarimg + Verify %v; total %v; longest name %q (%d characters)",
		n, issued.Round(time.Millisecond), rendered.Round(time.Millisecond), float64(len(pdf))/1e6, scanned.Round(time.Millisecond),
		(issued + rendered + scanned).Round(time.Millisecond), longest.FullName, len([]rune(longest.FullName)))
}

// newBenchFixture is newFixture for benchmarks: the demo office on a real SQLite file.
func newBenchFixture(b *testing.B) *fixture {
	b.Helper()
	ctx := context.Background()
	a, err := Open(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { a.Close() })
	f := &fixture{App: a, ctx: ctx, now: time.Date(2026, 11, 28, 9, 0, 0, 0, vietnam)}
	a.Now = func() time.Time { return f.now }
	if err := a.SeedDemo(ctx); err != nil {
		b.Fatal(err)
	}
	for _, u := range []struct {
		name string
		dst  *Actor
	}{{"canbo", &f.clerk}, {"lanhdao", &f.approver}} {
		if *u.dst, err = a.Login(ctx, u.name, DemoPassword); err != nil {
			b.Fatalf("login %s: %v", u.name, err)
		}
	}
	return f
}

// approvedTB enters an application as the clerk and approves it as the leader.
func (f *fixture) approvedTB(tb testing.TB) Application {
	tb.Helper()
	a, err := f.AddApplication(f.ctx, f.clerk, f.input(), false)
	if err == nil {
		a, err = f.ApproveApplication(f.ctx, f.approver, a.ID)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

// BenchmarkIssueSignRender is one permit from an approved application to its PDF, through the
// service layer: IssuePermit (next gapless number, payload, ES256 signature, base45 text, saved
// in one durable transaction with its audit event), then PermitsPDF of that permit as the
// preview the clerk checks before printing. Entering and approving the application is not
// timed. Target: < 20 ms.
func BenchmarkIssueSignRender(b *testing.B) {
	f := newBenchFixture(b)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		app := f.approvedTB(b)
		b.StartTimer()
		p, err := f.IssuePermit(f.ctx, f.clerk, app.ID)
		if err != nil {
			b.Fatal(err)
		}
		pdf, err := f.PermitsPDF(f.ctx, f.clerk, []string{p.Number}, render.A5, ForPreview)
		if err != nil || len(pdf) < 1000 {
			b.Fatalf("PermitsPDF: %d bytes, %v", len(pdf), err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1e3/float64(b.N), "ms/op")
}

// BenchmarkVerifyText verifies one permit's QR text as the office's verify screen does: the
// office's trust and revocation lists and curfew rules read from its database, the signature
// checked, the trust status reported. Target: < 1 ms.
func BenchmarkVerifyText(b *testing.B) {
	f := newBenchFixture(b)
	p, err := f.IssuePermit(f.ctx, f.clerk, f.approvedTB(b).ID)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		v, err := f.Verify(f.ctx, f.clerk, p.QR)
		if err != nil || v.Status != permit.StatusValid {
			b.Fatalf("Verify: %s %v", v.Status, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/1e3/float64(b.N), "µs/op")
}
