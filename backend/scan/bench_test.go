package scan_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"giaydiduong/backend/render"
	"giaydiduong/backend/scan"
	"giaydiduong/backend/scan/scantest"
)

// The figures behind docs/BENCHMARKS.md ("Scanned signed copies"): 100 permits with
// QR texts as long as real ones, printed, rasterised by poppler, signed and stamped, and
// degraded as office scanners and phones degrade them. Decoding is checked against the
// printed text: a wrong read fails the benchmark, as does fewer than 99 of 100 read on the
// combined degradations at 200 and 300 dpi and on phone photos.

// benchPages is 100 as the issue asks; GDD_SCAN_BENCH_PAGES lowers it on a crowded machine
// (the gate then needs all but 1%, rounded down, of the pages read).
var benchPages = func() int {
	if n, err := strconv.Atoi(os.Getenv("GDD_SCAN_BENCH_PAGES")); err == nil && n > 0 {
		return n
	}
	return 100
}()

const base45Chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

func permitTexts(n int) []string {
	r := rand.New(rand.NewPCG(2026, 12))
	out := make([]string, n)
	for i := range out {
		b := []byte("GDD1:")
		for range 250 + r.IntN(80) {
			b = append(b, base45Chars[r.IntN(len(base45Chars))])
		}
		out[i] = string(b)
	}
	return out
}

func permitPDF(b testing.TB, texts []string) []byte {
	b.Helper()
	ps := make([]render.Permit, len(texts))
	for i, t := range texts {
		ps[i] = render.Permit{Number: fmt.Sprintf("82000/2026/%06d", i+1), AuthorityName: "UBND THÀNH PHỐ MỸ THO", IssuingUnitName: "UBND XÃ TÂN MỸ CHÁNH",
			PlaceName: "Tân Mỹ Chánh", FullName: "Nguyễn Thị Minh Khai", BirthDate: "01/01/1990", Gender: "Nữ", IDNumber: "082190001234",
			Residence: "Ấp Tân Hòa, xã Tân Mỹ Chánh", Purpose: "Đi làm", RouteFrom: "Ấp Tân Hòa", RouteTo: fmt.Sprintf("Phường %d, Thành phố Mỹ Tho", i%9+1),
			ValidFrom: "01/12/2026", ValidTo: "05/12/2026", IssuedAt: time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC),
			Signature: render.Signature{Kind: render.SignatureHand, SignerName: "Trần Văn Đức", SignerTitle: "Chủ tịch"}, QR: t}
	}
	var buf bytes.Buffer
	if err := render.Permits(&buf, ps, render.Options{Paper: render.A4}); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

type condition struct {
	name string
	dpi  int
	d    func(r *rand.Rand, i int) scantest.Degradation
	gate bool // must read ≥ 99 of 100
}

var conditions = []condition{
	{"clean-200dpi", 200, func(*rand.Rand, int) scantest.Degradation { return scantest.Degradation{Quality: 90} }, false},
	{"rotated-200dpi", 200, func(r *rand.Rand, _ int) scantest.Degradation {
		return scantest.Degradation{Angle: (r.Float64()*2 - 1) * 3, Quality: 90}
	}, false},
	{"upside-down-200dpi", 200, func(*rand.Rand, int) scantest.Degradation { return scantest.Degradation{UpsideDown: true, Quality: 90} }, false},
	{"blur-200dpi", 200, func(*rand.Rand, int) scantest.Degradation { return scantest.Degradation{Blur: 1.2, Quality: 90} }, false},
	{"noise-200dpi", 200, func(*rand.Rand, int) scantest.Degradation { return scantest.Degradation{Noise: 10, Quality: 90} }, false},
	{"jpeg60-200dpi", 200, func(*rand.Rand, int) scantest.Degradation { return scantest.Degradation{Quality: 60} }, false},
	{"clean-300dpi", 300, func(*rand.Rand, int) scantest.Degradation { return scantest.Degradation{Quality: 90} }, false},
	{"phone-only-12mp", 200, func(*rand.Rand, int) scantest.Degradation { return scantest.Degradation{Phone: true, Quality: 90} }, false},
	{"all-200dpi", 200, scantest.Office, true},
	{"all-150dpi", 150, scantest.Office, false},
	{"all-300dpi", 300, scantest.Office, true},
	{"phone-12mp", 200, scantest.Phone, true},
}

var (
	rasterMu sync.Mutex
	texts    = permitTexts(benchPages)
	sets     = map[string][][]byte{}
)

// pagesFor builds (once) the degraded JPEG pages of a condition.
func pagesFor(b testing.TB, c condition) [][]byte {
	rasterMu.Lock()
	defer rasterMu.Unlock()
	if p, ok := sets[c.name]; ok {
		return p
	}
	pdf := permitPDF(b, texts)
	r := rand.New(rand.NewPCG(7, uint64(len(c.name))))
	var out [][]byte
	err := scantest.Rasterise(pdf, c.dpi, func(i int, m *image.RGBA) error {
		scantest.SignAndStamp(m, float64(c.dpi), r)
		j, err := scantest.Degrade(m, c.d(r, i), r)
		out = append(out, j)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	sets[c.name] = out
	return out
}

type outcome struct {
	read    bool
	wrong   bool
	stored  int
	elapsed time.Duration
}

// process runs the import's pipeline on JPEG pages with workers goroutines: open (limits),
// decode, find the QR, normalise for storage.
func process(b testing.TB, pages [][]byte, workers int) []outcome {
	out := make([]outcome, len(pages))
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				start := time.Now()
				ps, err := scan.Open(pages[i], scan.DefaultLimits)
				if err != nil {
					b.Error(err)
					continue
				}
				rd, err := scan.ReadPage(context.Background(), ps[0])
				if err != nil {
					b.Error(err)
					continue
				}
				o := outcome{stored: len(rd.Stored.JPEG), elapsed: time.Since(start)}
				if rd.Found != nil {
					o.read = true
					o.wrong = rd.Found.Text != texts[i]
				}
				out[i] = o
			}
		}()
	}
	for i := range pages {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

// BenchmarkScanPipeline is pages matched per second on all cores (GOMAXPROCS workers, as
// the import runs), per resolution, with the combined degradations.
func BenchmarkScanPipeline(b *testing.B) {
	for _, name := range []string{"all-200dpi", "all-300dpi", "phone-12mp"} {
		var c condition
		for _, x := range conditions {
			if x.name == name {
				c = x
			}
		}
		b.Run(name, func(b *testing.B) {
			pages := pagesFor(b, c)
			b.ResetTimer()
			cpu0 := cpuTime()
			var last []outcome
			for range b.N {
				last = process(b, pages, runtime.GOMAXPROCS(0))
			}
			b.StopTimer()
			n := float64(b.N * len(pages))
			b.ReportMetric(n/b.Elapsed().Seconds(), "pages/s")
			// The machine is shared: CPU time per page says what 2 idle cores would do.
			perPage := (cpuTime() - cpu0).Seconds() / n
			b.ReportMetric(perPage*1000, "cpu-ms/page")
			b.ReportMetric(2/perPage, "pages/s-2-idle-cores")
			sizes := make([]int, 0, len(last))
			for _, o := range last {
				sizes = append(sizes, o.stored)
			}
			slices.Sort(sizes)
			b.ReportMetric(float64(sizes[len(sizes)/2])/1024, "KB-median")
			b.ReportMetric(float64(sizes[len(sizes)-1])/1024, "KB-max")
			if sizes[len(sizes)-1] > scan.MaxStoredBytes {
				b.Errorf("a stored page is %d KB, over %d KB", sizes[len(sizes)-1]>>10, scan.MaxStoredBytes>>10)
			}
		})
	}
}

// BenchmarkDecodeRate reports the share of pages each degradation lets the cascade read (run it with -benchtime 1x; the rate does not depend on b.N).
func BenchmarkDecodeRate(b *testing.B) {
	for _, c := range conditions {
		b.Run(c.name, func(b *testing.B) {
			pages := pagesFor(b, c)
			b.ResetTimer()
			var res []outcome
			for range b.N {
				res = process(b, pages, runtime.GOMAXPROCS(0))
			}
			b.StopTimer()
			read, wrong := 0, 0
			var cpu []time.Duration
			for _, o := range res {
				if o.read {
					read++
				}
				if o.wrong {
					wrong++
				}
				cpu = append(cpu, o.elapsed)
			}
			slices.Sort(cpu)
			b.ReportMetric(100*float64(read)/float64(len(pages)), "read-%")
			b.ReportMetric(float64(cpu[len(cpu)/2].Milliseconds()), "ms/page-wall")
			if wrong > 0 {
				b.Errorf("%s: %d pages read as another permit's text", c.name, wrong)
			}
			if need := len(pages) - len(pages)/100; c.gate && read < need {
				b.Errorf("%s: %d of %d read, want at least %d", c.name, read, len(pages), need)
			}
		})
	}
}
