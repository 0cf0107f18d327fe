package scan_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"giaydiduong/backend/scan"
	"giaydiduong/backend/scan/scantest"
)

// A few printed permits, as scans in every orientation and format the import accepts.
func fewPages(t *testing.T, dpi int, d []scantest.Degradation) ([][]byte, []string) {
	t.Helper()
	txt := permitTexts(len(d))
	r := rand.New(rand.NewPCG(3, 3))
	var out [][]byte
	err := scantest.Rasterise(permitPDF(t, txt), dpi, func(i int, m *image.RGBA) error {
		scantest.SignAndStamp(m, float64(dpi), r)
		j, err := scantest.Degrade(m, d[i], r)
		out = append(out, j)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out, txt
}

func TestEveryOrientationAndFormat(t *testing.T) {
	d := []scantest.Degradation{
		{Quality: 80, Angle: 2.5},
		{Quality: 80, UpsideDown: true, Blur: 1},
		{Quality: 60, Noise: 8, Angle: -3},
	}
	pages, txt := fewPages(t, 200, d)
	// A page fed sideways: turn the first one a quarter.
	img, err := jpeg.Decode(bytes.NewReader(pages[0]))
	if err != nil {
		t.Fatal(err)
	}
	side := turn(img)
	var sideJPEG, pngBuf bytes.Buffer
	jpeg.Encode(&sideJPEG, side, &jpeg.Options{Quality: 80})
	png.Encode(&pngBuf, img)
	pdf, err := scantest.PDF(pages, 200)
	if err != nil {
		t.Fatal(err)
	}
	tif, err := scantest.TIFF(pages, 200)
	if err != nil {
		t.Fatal(err)
	}
	strips, err := scantest.TIFFStrips(pages, 200, 64)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name      string
		file      []byte
		want      []string
		rotations []int
	}{
		{"pdf", pdf, txt, []int{0, 2, 0}},
		{"tiff", tif, txt, []int{0, 2, 0}},
		{"tiff, YCbCr JPEG in strips", strips, txt, []int{0, 2, 0}},
		{"tiff, YCbCr JPEG in strips by libtiff (ImageMagick)", libtiffStrips(t, pages), txt, []int{0, 2, 0}},
		{"png", pngBuf.Bytes(), txt[:1], []int{0}},
		{"sideways jpeg", sideJPEG.Bytes(), txt[:1], []int{1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ps, err := scan.Open(c.file, scan.DefaultLimits)
			if err != nil {
				t.Fatal(err)
			}
			if len(ps) != len(c.want) {
				t.Fatalf("%d pages, want %d", len(ps), len(c.want))
			}
			for i, p := range ps {
				if p.DPI < 195 || p.DPI > 205 {
					t.Errorf("page %d: %.0f dpi", i+1, p.DPI)
				}
				rd, err := scan.ReadPage(context.Background(), p)
				if err != nil {
					t.Fatal(err)
				}
				if rd.Found == nil || rd.Found.Text != c.want[i] {
					t.Errorf("page %d: QR not read (%+v)", i+1, rd.Found)
					continue
				}
				if rd.Found.Rotation != c.rotations[i] {
					t.Errorf("page %d: rotation %d, want %d", i+1, rd.Found.Rotation, c.rotations[i])
				}
				st := rd.Stored
				if len(st.JPEG) > scan.MaxStoredBytes || st.Width < 1200 || st.Width > 1290 || st.Height < 1700 || !st.Colour || len(st.Thumb) == 0 {
					t.Errorf("page %d stored as %dx%d, %d KB, colour %v", i+1, st.Width, st.Height, len(st.JPEG)>>10, st.Colour)
				}
				// The stored copy is upright: its QR reads from the layout's own place.
				back, err := jpeg.Decode(bytes.NewReader(st.JPEG))
				if err != nil {
					t.Fatal(err)
				}
				if f, ok := scan.FindQR(context.Background(), scan.Grey(back), float64(st.DPI)); !ok || f.Text != c.want[i] || f.Rotation != 0 {
					t.Errorf("page %d: stored copy not upright or unreadable: %+v %v", i+1, f, ok)
				}
			}
		})
	}
}

// libtiffStrips has ImageMagick (libtiff underneath) write the pages as one TIFF whose pages
// are JPEG-compressed YCbCr in strips of 64 rows, as scanner software saves a stack.
func libtiffStrips(t *testing.T, pages [][]byte) []byte {
	t.Helper()
	tool, err := exec.LookPath("convert")
	if err != nil {
		t.Fatal("ImageMagick's convert is needed (scripts/ensure-deps.sh test installs imagemagick)")
	}
	dir := t.TempDir()
	args := []string{"-units", "PixelsPerInch", "-density", "200"}
	for i, p := range pages {
		name := filepath.Join(dir, fmt.Sprintf("p%d.jpg", i))
		if err := os.WriteFile(name, p, 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, name)
	}
	out := filepath.Join(dir, "stack.tif")
	args = append(args, "-colorspace", "YCbCr", "-compress", "JPEG", "-quality", "85", "-define", "tiff:rows-per-strip=64", out)
	if b, err := exec.Command(tool, args...).CombinedOutput(); err != nil {
		t.Fatalf("convert: %v: %s", err, b)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestTIFFStripsKeepColour: a red seal in a JPEG-in-strips page comes out red (the strips'
// YCbCr is converted, not read as RGB), and every strip lands at its place.
func TestTIFFStripsKeepColour(t *testing.T) {
	m := image.NewRGBA(image.Rect(0, 0, 300, 200))
	for y := range 200 {
		for x := range 300 {
			c := color.RGBA{250, 250, 250, 255}
			if y >= 150 { // the last strip (rows 128–199 in strips of 64) holds the red band
				c = color.RGBA{208, 32, 32, 255}
			}
			m.SetRGBA(x, y, c)
		}
	}
	var j bytes.Buffer
	jpeg.Encode(&j, m, &jpeg.Options{Quality: 95})
	for _, c := range []struct {
		name string
		file []byte
	}{{"built", must(scantest.TIFFStrips([][]byte{j.Bytes()}, 200, 64))}, {"libtiff", libtiffStrips(t, [][]byte{j.Bytes()})}} {
		t.Run(c.name, func(t *testing.T) {
			ps, err := scan.Open(c.file, scan.DefaultLimits)
			if err != nil {
				t.Fatal(err)
			}
			img, err := ps[0].Decode()
			if err != nil {
				t.Fatal(err)
			}
			if img.Bounds().Dx() != 300 || img.Bounds().Dy() != 200 {
				t.Fatalf("decoded %v", img.Bounds())
			}
			for _, p := range []struct {
				x, y  int
				red   bool
				where string
			}{{10, 10, false, "first strip"}, {150, 100, false, "second strip"}, {150, 180, true, "last strip"}} {
				r, g, b, _ := img.At(p.x, p.y).RGBA()
				r, g, b = r>>8, g>>8, b>>8
				isRed := r > 170 && g < 80 && b < 80
				isWhite := r > 220 && g > 220 && b > 220
				if p.red && !isRed || !p.red && !isWhite {
					t.Errorf("%s (%d,%d): rgb(%d,%d,%d)", p.where, p.x, p.y, r, g, b)
				}
			}
		})
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

func turn(m image.Image) *image.RGBA {
	b := m.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dy(), b.Dx()))
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			out.Set(b.Dy()-1-(y-b.Min.Y), x-b.Min.X, m.At(x, y))
		}
	}
	return out
}

func TestLowResolutionWarns(t *testing.T) {
	pages, _ := fewPages(t, 120, []scantest.Degradation{{Quality: 85}})
	ps, err := scan.Open(pages[0], scan.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	rd, err := scan.ReadPage(context.Background(), ps[0])
	if err != nil {
		t.Fatal(err)
	}
	if !rd.LowDPI || rd.Warning == nil || rd.Warning.VI != "Ảnh quét có độ phân giải thấp; quét lại ở 200 dpi trở lên" {
		t.Errorf("120 dpi page: low %v warning %+v", rd.LowDPI, rd.Warning)
	}
}

func TestRefusals(t *testing.T) {
	var small bytes.Buffer
	png.Encode(&small, image.NewGray(image.Rect(0, 0, 8, 8)))
	lim := scan.DefaultLimits
	lim.MaxFileBytes = 1 << 20
	cases := []struct {
		name, code string
		data       []byte
		lim        scan.Limits
	}{
		{"empty", scan.CodeEmpty, nil, lim},
		{"gif", scan.CodeUnsupported, []byte("GIF89a...."), lim},
		{"truncated png", scan.CodeCorrupt, small.Bytes()[:len(small.Bytes())-6], lim},
		{"over the file size", scan.CodeTooLarge, append([]byte{0xFF, 0xD8, 0xFF}, make([]byte, 2<<20)...), lim},
		{"tiff with a page past the end", scan.CodeCorrupt, []byte("II*\x00\xff\x00\x00\x00"), lim},
		{"pdf without end", scan.CodeCorrupt, []byte("%PDF-1.4\n1 0 obj\n"), lim},
	}
	for _, c := range cases {
		_, err := scan.Open(c.data, c.lim)
		se, ok := err.(*scan.Error)
		if !ok || se.Code != c.code || se.VI == "" || se.EN == "" {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
}

func TestCompleteNeedsTheEnd(t *testing.T) {
	var j bytes.Buffer
	jpeg.Encode(&j, image.NewGray(image.Rect(0, 0, 64, 64)), nil)
	tif, err := scantest.TIFF([][]byte{j.Bytes(), j.Bytes()}, 200)
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := scantest.PDF([][]byte{j.Bytes()}, 200)
	if err != nil {
		t.Fatal(err)
	}
	for name, f := range map[string][]byte{"jpeg": j.Bytes(), "tiff": tif, "pdf": pdf} {
		if !scan.Complete(f) {
			t.Errorf("%s: complete file not recognised", name)
		}
		if scan.Complete(f[:len(f)*2/3]) {
			t.Errorf("%s: two thirds of the file taken as complete", name)
		}
	}
}

// TestTIFFStripsThatDoNotFitAreRefused: a page whose strips do not tile it (the rows per
// strip rewritten) is refused as corrupt before any strip is decoded.
func TestTIFFStripsThatDoNotFitAreRefused(t *testing.T) {
	m := image.NewRGBA(image.Rect(0, 0, 120, 200))
	var j bytes.Buffer
	jpeg.Encode(&j, m, &jpeg.Options{Quality: 80})
	file := must(scantest.TIFFStrips([][]byte{j.Bytes()}, 200, 64))
	// RowsPerStrip (278), LONG, count 1, value 64 → 32: the page now "needs" 7 strips, has 4.
	entry := []byte{0x16, 0x01, 0x04, 0x00, 0x01, 0, 0, 0, 64, 0, 0, 0}
	at := bytes.Index(file, entry)
	if at < 0 {
		t.Fatal("no RowsPerStrip entry")
	}
	file[at+8] = 32
	ps, err := scan.Open(file, scan.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ps[0].Decode()
	var se *scan.Error
	if !errors.As(err, &se) || se.Code != scan.CodeCorrupt {
		t.Errorf("strips that do not fit: %v, want refused as corrupt", err)
	}
}
