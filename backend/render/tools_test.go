package render

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The tests check the PDFs with independent programs rather than with fpdf:
// poppler for text, page size and rasterising, zbar for reading the QR.

// tool returns the path of a required program, failing the test with the
// Debian package to install when it is missing.
func tool(t testing.TB, name, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not found (%v): install it with `apt-get install -y %s`", name, err, pkg)
	}
	return path
}

func run(t testing.TB, name string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(name, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v: %s", name, strings.Join(args, " "), err, stderr.String())
	}
	return out
}

// writePDF renders into a file in the test's temporary directory.
func writePDF(t testing.TB, name string, render func(*bytes.Buffer) error) string {
	t.Helper()
	var buf bytes.Buffer
	if err := render(&buf); err != nil {
		t.Fatalf("render %s: %v", name, err)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// pdfText returns the text of each page, in page order.
func pdfText(t testing.TB, path string) []string {
	t.Helper()
	bin := tool(t, "pdftotext", "poppler-utils")
	out := string(run(t, bin, "-enc", "UTF-8", path, "-"))
	// pdftotext ends every page with a form feed.
	pages := strings.Split(out, "\f")
	return pages[:len(pages)-1]
}

// squash collapses runs of white space, so a value wrapped over several
// lines compares equal to the value itself.
func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

type pdfInfo struct {
	pages  int
	width  float64 // points
	height float64
}

func readInfo(t testing.TB, path string) pdfInfo {
	t.Helper()
	bin := tool(t, "pdfinfo", "poppler-utils")
	var info pdfInfo
	for _, line := range strings.Split(string(run(t, bin, path)), "\n") {
		key, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		value = strings.TrimSpace(value)
		switch key {
		case "Pages":
			n, err := strconv.Atoi(value)
			if err != nil {
				t.Fatalf("pdfinfo Pages %q: %v", value, err)
			}
			info.pages = n
		case "Page size":
			// "419.53 x 595.28 pts (A5)"
			if _, err := fmt.Sscanf(value, "%g x %g", &info.width, &info.height); err != nil {
				t.Fatalf("pdfinfo Page size %q: %v", value, err)
			}
		}
	}
	return info
}

// rasterise renders every page at 150 dpi, the lowest resolution an office
// printer or a phone photo is likely to give, and returns the PNG paths in
// page order.
func rasterise(t testing.TB, path string) []string {
	t.Helper()
	bin := tool(t, "pdftoppm", "poppler-utils")
	prefix := filepath.Join(t.TempDir(), "page")
	run(t, bin, "-r", "150", "-png", path, prefix)
	pngs, err := filepath.Glob(prefix + "-*.png")
	if err != nil {
		t.Fatal(err)
	}
	// pdftoppm pads page numbers to a common width, so a sort is page order.
	sort.Strings(pngs)
	return pngs
}

// decodeQR reads the one QR code on an image with zbarimg and returns its
// text exactly (zbarimg --raw ends each symbol with one newline).
func decodeQR(t testing.TB, png string) (string, error) {
	bin := tool(t, "zbarimg", "zbar-tools")
	cmd := exec.Command(bin, "--raw", "-q", "-Sdisable", "-Sqrcode.enable", png)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("zbarimg %s: %w (no QR found?) %s", filepath.Base(png), err, stderr.String())
	}
	text, ok := strings.CutSuffix(string(out), "\n")
	if !ok || strings.Contains(text, "\n") {
		return "", fmt.Errorf("zbarimg %s: want one symbol, got %q", filepath.Base(png), out)
	}
	return text, nil
}

// decodeAll decodes every page's QR, on all CPUs.
func decodeAll(t testing.TB, pngs []string) []string {
	t.Helper()
	texts := make([]string, len(pngs))
	errs := make([]error, len(pngs))
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				texts[i], errs[i] = decodeQR(t, pngs[i])
			}
		}()
	}
	for i := range pngs {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("page %d: %v", i+1, err)
		}
	}
	return texts
}

const base45Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

// base45 encodes as RFC 9285 does: two bytes to three characters.
func base45(b []byte) string {
	var out []byte
	for i := 0; i+1 < len(b); i += 2 {
		n := int(b[i])<<8 | int(b[i+1])
		out = append(out, base45Alphabet[n%45], base45Alphabet[n/45%45], base45Alphabet[n/2025])
	}
	if len(b)%2 == 1 {
		n := int(b[len(b)-1])
		out = append(out, base45Alphabet[n%45], base45Alphabet[n/45])
	}
	return string(out)
}

// qrText makes a realistic permit QR text: a signed payload is 190-210
// bytes, so its base45 form is about 290-320 characters.
func qrText(r *rand.Rand) string {
	return "GDD1:" + base45(randomBytes(r, 190+r.IntN(21)))
}

// longName is 40 characters and carries all six tones (ngang, huyền,
// sắc, hỏi, ngã, nặng) and the letters ă, ê, ô, ơ, ư, đ.
const longName = "Đặng Tôn Nữ Hoàng Ngọc Thủy Ánh Dương Lễ"

var (
	surnames = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Phan", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"}
	middles  = []string{"Thị", "Văn", "Hữu", "Đức", "Ngọc", "Thanh", "Minh", "Quốc", "Thùy", "Kiều Mỹ", "Thị Ngọc", "Hoàng Bảo"}
	givens   = []string{"Hương", "Phượng", "Nguyệt", "Dũng", "Tuấn", "Hải", "Yến", "Trâm", "Khoa", "Lộc", "Quỳnh", "Thủy", "Hằng", "Ánh", "Đạt", "Lễ"}
	communes = []string{"Tân Mỹ Chánh", "Mỹ Phong", "Đạo Thạnh", "Thới Sơn", "Trung An", "Long Định", "Hòa Khánh", "Tân Hương", "Vĩnh Kim", "Kim Sơn", "Phú Mỹ", "Bình Phục Nhứt", "Hậu Thành", "Long Bình Điền"}
	district = []string{"thành phố Mỹ Tho", "huyện Châu Thành", "huyện Cái Bè", "huyện Cai Lậy", "thị xã Gò Công", "huyện Chợ Gạo", "huyện Tân Phước", "huyện Gò Công Đông"}
	purposes = []string{"Đi làm", "Mua lương thực, thực phẩm, thuốc men", "Khám, chữa bệnh", "Vận chuyển hàng hóa thiết yếu", "Công vụ", "Việc khẩn cấp (tang lễ, cấp cứu người thân)"}
	vehicles = []string{"Xe mô tô, xe máy — 63-B1 123.45", "Xe ô tô con — 63A-456.78", "Xe đạp", "Đi bộ", "Xe tải — 63C-012.34"}
)

func pick(r *rand.Rand, list []string) string { return list[r.IntN(len(list))] }

// testPermit builds a varied, realistic permit; seq makes its number unique.
func testPermit(r *rand.Rand, seq int) Permit {
	name := pick(r, surnames) + " " + pick(r, middles) + " " + pick(r, givens)
	if r.IntN(5) == 0 {
		name = longName
	}
	home := pick(r, communes)
	dist := pick(r, district)
	issued := time.Date(2026, time.Month(1+r.IntN(12)), 1+r.IntN(28), 7+r.IntN(10), r.IntN(60), 0, 0, vietnamTime)
	p := Permit{
		Number:          fmt.Sprintf("28291/2026/%06d", seq),
		AuthorityName:   "UBND " + strings.ToUpper(dist),
		IssuingUnitName: "UBND XÃ " + strings.ToUpper(home),
		PlaceName:       home,
		FullName:        name,
		BirthDate:       fmt.Sprintf("%02d/%02d/%d", 1+r.IntN(28), 1+r.IntN(12), 1940+r.IntN(70)),
		Gender:          pick(r, []string{"Nam", "Nữ"}),
		IDNumber:        fmt.Sprintf("082%09d", r.IntN(1_000_000_000)),
		Phone:           fmt.Sprintf("09%08d", r.IntN(100_000_000)),
		Residence:       fmt.Sprintf("Số %d, ấp %s, xã %s, %s, tỉnh Tiền Giang", 1+r.IntN(400), pick(r, communes), home, dist),
		Workplace:       "Công ty TNHH Chế biến Thủy sản Xuất khẩu " + pick(r, communes) + ", khu công nghiệp Mỹ Tho, phường 10, thành phố Mỹ Tho",
		Purpose:         pick(r, purposes),
		RouteFrom:       "Xã " + home + ", " + dist,
		RouteTo:         "Bệnh viện Đa khoa Trung tâm Tiền Giang, số 2 Hùng Vương, phường 1, thành phố Mỹ Tho",
		Vehicle:         pick(r, vehicles),
		ValidFrom:       issued.Format("02/01/2006"),
		ValidTo:         issued.AddDate(0, 0, 14).Format("02/01/2006"),
		IssuedAt:        issued,
		Signature:       Signature{Kind: SignatureHand, SignerName: "Trần Văn Đức", SignerTitle: "Chủ tịch"},
		QR:              qrText(r),
	}
	if r.IntN(2) == 0 {
		p.Signature = Signature{Kind: SignatureDigital, SignerName: "Phạm Thị Ngọc Hằng", SignerTitle: "Phó Chủ tịch", SignedAt: issued.Add(5 * time.Minute)}
	}
	if r.IntN(3) == 0 {
		p.Note = "Chỉ được đi lại trong khung giờ từ 06 giờ 00 đến 18 giờ 00; xuất trình kèm CCCD khi được kiểm tra."
	}
	if r.IntN(6) == 0 {
		p.Reprint = 1 + r.IntN(3)
	}
	return p
}
