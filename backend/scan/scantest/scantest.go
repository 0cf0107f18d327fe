// Package scantest makes office-like scans of printed permits for tests and benchmarks:
// a permit PDF is rasterised by poppler (pdftoppm, an independent renderer), given a drawn
// signature and a red seal, degraded as a cheap feeder scanner or a phone degrades a page,
// and bundled into multi-page PDF and TIFF files as scanners write them.
package scantest

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"sync"
)

// Degradation is what happens to one page between the printer and the file.
type Degradation struct {
	Angle      float64 // degrees, small feed skew
	UpsideDown bool
	Blur       float64 // Gaussian sigma in pixels (0 none)
	Noise      float64 // Gaussian noise sigma in grey levels
	Quality    int     // JPEG quality
	Phone      bool    // perspective, uneven light, page on a darker desk
}

// Office is the mix the issue asks for: up to ±3° skew, every seventh page upside down,
// blur 1.2, noise, JPEG quality 60.
func Office(r *rand.Rand, i int) Degradation {
	return Degradation{Angle: (r.Float64()*2 - 1) * 3, UpsideDown: i%7 == 3, Blur: 1.2, Noise: 6, Quality: 60}
}

// Phone is a 12-megapixel phone photo: the page smaller than the frame, a trapezoid, light
// falling off to one side.
func Phone(r *rand.Rand, i int) Degradation {
	d := Office(r, i)
	d.Phone = true
	d.Blur = 1.0
	d.Quality = 80
	return d
}

// Rasterise renders every page of a PDF at dpi with pdftoppm and hands each page to fn in
// order, ten pages at a time (two pdftoppm processes per chunk), so a 100-page stack never
// holds more than a chunk of full-size bitmaps.
func Rasterise(pdf []byte, dpi int, fn func(i int, m *image.RGBA) error) error {
	tool, err := exec.LookPath("pdftoppm")
	if err != nil {
		return fmt.Errorf("pdftoppm not found (apt-get install -y poppler-utils): %w", err)
	}
	dir, err := os.MkdirTemp("", "scantest-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	in := filepath.Join(dir, "in.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		return err
	}
	info, err := exec.Command("pdfinfo", in).Output()
	if err != nil {
		return fmt.Errorf("pdfinfo: %w", err)
	}
	n := 0
	for _, line := range bytes.Split(info, []byte("\n")) {
		if f := bytes.Fields(line); len(f) == 2 && string(f[0]) == "Pages:" {
			n, _ = strconv.Atoi(string(f[1]))
		}
	}
	if n == 0 {
		return errors.New("pdfinfo: no pages")
	}
	const chunk = 10
	for start := 1; start <= n; start += chunk {
		end := min(n, start+chunk-1)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for w := range 2 {
			first := start + w*(end-start+1)/2
			last := start + (w+1)*(end-start+1)/2 - 1
			if first > last {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				out, err := exec.Command(tool, "-r", strconv.Itoa(dpi), "-f", strconv.Itoa(first), "-l", strconv.Itoa(last), in, filepath.Join(dir, "p")).CombinedOutput()
				if err != nil {
					errs[w] = fmt.Errorf("pdftoppm: %v: %s", err, out)
				}
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return err
		}
		files, _ := filepath.Glob(filepath.Join(dir, "p-*.ppm"))
		sort.Slice(files, func(i, j int) bool { return pageNo(files[i]) < pageNo(files[j]) })
		if len(files) != end-start+1 {
			return fmt.Errorf("pdftoppm wrote %d pages of %d", len(files), end-start+1)
		}
		for _, f := range files {
			m, err := readPPM(f)
			if err != nil {
				return err
			}
			os.Remove(f)
			if err := fn(pageNo(f)-1, m); err != nil {
				return err
			}
		}
	}
	return nil
}

func pageNo(name string) int {
	base := filepath.Base(name)
	n, _ := strconv.Atoi(base[2 : len(base)-4])
	return n
}

func readPPM(name string) (*image.RGBA, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := bufio.NewReader(f)
	var magic string
	var w, h, maxv int
	if _, err := fmt.Fscan(r, &magic, &w, &h, &maxv); err != nil || magic != "P6" || maxv != 255 {
		return nil, fmt.Errorf("%s: not a P6 PPM (%v)", name, err)
	}
	if _, err := r.ReadByte(); err != nil {
		return nil, err
	}
	raw := make([]byte, w*h*3)
	if _, err := ioReadFull(r, raw); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < w*h; i++ {
		copy(m.Pix[4*i:4*i+3], raw[3*i:3*i+3])
		m.Pix[4*i+3] = 255
	}
	return m, nil
}

func ioReadFull(r *bufio.Reader, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		k, err := r.Read(b[n:])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// SignAndStamp draws a leader's pen signature and a red round seal over the signature block
// (lower right, where render leaves room), at dpi.
func SignAndStamp(m *image.RGBA, dpi float64, r *rand.Rand) {
	mm := dpi / 25.4
	b := m.Bounds()
	cx, cy := float64(b.Dx())*0.68, float64(b.Dy())*0.85
	// Seal: a red ring of 36 mm with an inner ring and a star, partly under the signature.
	red := color.RGBA{200, 30, 40, 255}
	sx, sy := cx-8*mm, cy-2*mm
	for a := 0.0; a < 2*math.Pi; a += 0.5 / (18 * mm) {
		for _, rad := range []float64{17.5 * mm, 12.5 * mm} {
			dot(m, sx+rad*math.Cos(a), sy+rad*math.Sin(a), 0.6*mm, red)
		}
	}
	// The seal's lettering between the rings, as short strokes.
	for a := 0.0; a < 2*math.Pi; a += 0.09 {
		line(m, sx+13.8*mm*math.Cos(a), sy+13.8*mm*math.Sin(a), sx+16.2*mm*math.Cos(a+0.03), sy+16.2*mm*math.Sin(a+0.03), 0.4*mm, red)
	}
	for k := range 5 {
		a := float64(k)*4*math.Pi/5 - math.Pi/2
		b := float64(k+1)*4*math.Pi/5 - math.Pi/2
		line(m, sx+6*mm*math.Cos(a), sy+6*mm*math.Sin(a), sx+6*mm*math.Cos(b), sy+6*mm*math.Sin(b), 0.4*mm, red)
	}
	// Signature: a few connected pen loops in dark blue ink.
	ink := color.RGBA{20, 30, 110, 255}
	x, y := cx-15*mm, cy
	for range 40 {
		nx := x + (r.Float64()*2-0.6)*3*mm
		ny := cy + (r.Float64()*2-1)*5*mm
		line(m, x, y, nx, ny, 0.3*mm, ink)
		x, y = nx, ny
	}
}

func dot(m *image.RGBA, x, y, rad float64, c color.RGBA) {
	for yy := int(y - rad); yy <= int(y+rad); yy++ {
		for xx := int(x - rad); xx <= int(x+rad); xx++ {
			if (float64(xx)-x)*(float64(xx)-x)+(float64(yy)-y)*(float64(yy)-y) <= rad*rad && image.Pt(xx, yy).In(m.Bounds()) {
				i := m.PixOffset(xx, yy)
				// Ink darkens what is under it and never lightens the print.
				m.Pix[i] = min(m.Pix[i], c.R)
				m.Pix[i+1] = min(m.Pix[i+1], c.G)
				m.Pix[i+2] = min(m.Pix[i+2], c.B)
			}
		}
	}
}

func line(m *image.RGBA, x0, y0, x1, y1, w float64, c color.RGBA) {
	n := int(math.Hypot(x1-x0, y1-y0)/(w/2)) + 1
	for i := 0; i <= n; i++ {
		t := float64(i) / float64(n)
		dot(m, x0+(x1-x0)*t, y0+(y1-y0)*t, w/2, c)
	}
}

// Degrade applies d to a signed page and returns the JPEG a scanner would write.
func Degrade(src *image.RGBA, d Degradation, r *rand.Rand) ([]byte, error) {
	m := src
	if d.Phone {
		m = phone(m, r)
	} else if d.Angle != 0 || d.UpsideDown {
		a := d.Angle
		if d.UpsideDown {
			a += 180
		}
		m = rotateBy(m, a)
	}
	if d.Blur > 0 {
		m = gaussian(m, d.Blur)
	}
	if d.Noise > 0 {
		for i := 0; i < len(m.Pix); i += 4 {
			n := int(r.NormFloat64() * d.Noise)
			for k := range 3 {
				v := int(m.Pix[i+k]) + n
				m.Pix[i+k] = uint8(min(255, max(0, v)))
			}
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: d.Quality}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// rotateBy turns m by deg degrees about its centre (bilinear, white outside), as a feeder
// pulling a sheet crooked does.
func rotateBy(m *image.RGBA, deg float64) *image.RGBA {
	b := m.Bounds()
	w, h := b.Dx(), b.Dy()
	out := image.NewRGBA(b)
	s, c := math.Sincos(deg * math.Pi / 180)
	cx, cy := float64(w)/2, float64(h)/2
	parallel(h, func(y int) {
		for x := 0; x < w; x++ {
			dx, dy := float64(x)-cx, float64(y)-cy
			sx, sy := c*dx+s*dy+cx, -s*dx+c*dy+cy
			sample(m, out, x, y, sx, sy)
		}
	})
	return out
}

func sample(m, out *image.RGBA, x, y int, sx, sy float64) {
	w, h := m.Bounds().Dx(), m.Bounds().Dy()
	o := out.PixOffset(x, y)
	x0, y0 := int(math.Floor(sx)), int(math.Floor(sy))
	if x0 < 0 || y0 < 0 || x0+1 >= w || y0+1 >= h {
		out.Pix[o], out.Pix[o+1], out.Pix[o+2], out.Pix[o+3] = 255, 255, 255, 255
		return
	}
	fx, fy := sx-float64(x0), sy-float64(y0)
	i00, i10 := m.PixOffset(x0, y0), m.PixOffset(x0+1, y0)
	i01, i11 := m.PixOffset(x0, y0+1), m.PixOffset(x0+1, y0+1)
	for k := range 3 {
		v := float64(m.Pix[i00+k])*(1-fx)*(1-fy) + float64(m.Pix[i10+k])*fx*(1-fy) + float64(m.Pix[i01+k])*(1-fx)*fy + float64(m.Pix[i11+k])*fx*fy
		out.Pix[o+k] = uint8(v + 0.5)
	}
	out.Pix[o+3] = 255
}

// phone puts the page, as a trapezoid, into a 4000×3000-ish portrait frame on a grey desk
// with light falling off to one side.
func phone(m *image.RGBA, r *rand.Rand) *image.RGBA {
	const W, H = 3000, 4000
	out := image.NewRGBA(image.Rect(0, 0, W, H))
	sw, sh := float64(m.Bounds().Dx()), float64(m.Bounds().Dy())
	// Page corners in the photo: top narrower than the bottom (camera tilted), skewed a little.
	tl := [2]float64{420 + r.Float64()*80, 300 + r.Float64()*60}
	tr := [2]float64{2580 - r.Float64()*80, 320 + r.Float64()*60}
	bl := [2]float64{260 + r.Float64()*60, 3720 - r.Float64()*60}
	br := [2]float64{2740 - r.Float64()*60, 3700 - r.Float64()*60}
	parallel(H, func(y int) {
		for x := 0; x < W; x++ {
			// Invert the bilinear quad map approximately: v from the vertical, u along the row.
			v := (float64(y) - (tl[1]+tr[1])/2) / ((bl[1]+br[1])/2 - (tl[1]+tr[1])/2)
			lx := tl[0] + (bl[0]-tl[0])*v
			rx := tr[0] + (br[0]-tr[0])*v
			u := (float64(x) - lx) / (rx - lx)
			o := out.PixOffset(x, y)
			light := 0.75 + 0.25*float64(x)/W
			if u < 0 || u > 1 || v < 0 || v > 1 {
				g := uint8(90 * light)
				out.Pix[o], out.Pix[o+1], out.Pix[o+2], out.Pix[o+3] = g, g, g+8, 255
				continue
			}
			sample(m, out, x, y, u*(sw-2), v*(sh-2))
			for k := range 3 {
				out.Pix[o+k] = uint8(float64(out.Pix[o+k]) * light)
			}
		}
	})
	return out
}

// gaussian blurs with repeated [1 2 1]/4 passes (each adds 0.5 to the variance), which is
// close to a Gaussian of the given sigma and cheap on integers.
func gaussian(m *image.RGBA, sigma float64) *image.RGBA {
	passes := max(1, int(math.Round(2*sigma*sigma)))
	b := m.Bounds()
	w, h := b.Dx(), b.Dy()
	out := image.NewRGBA(b)
	copy(out.Pix, m.Pix)
	for range passes {
		parallel(h, func(y int) {
			row := out.Pix[y*out.Stride : y*out.Stride+4*w]
			var prev [4]int
			for k := range 4 {
				prev[k] = int(row[k])
			}
			for x := 0; x < w; x++ {
				nx := min(x+1, w-1)
				for k := range 3 {
					c := int(row[4*x+k])
					row[4*x+k] = uint8((prev[k] + 2*c + int(row[4*nx+k]) + 2) >> 2)
					prev[k] = c
				}
			}
		})
		parallel(w, func(x int) {
			var prev [3]int
			for k := range 3 {
				prev[k] = int(out.Pix[4*x+k])
			}
			for y := 0; y < h; y++ {
				ny := min(y+1, h-1)
				o, n := y*out.Stride+4*x, ny*out.Stride+4*x
				for k := range 3 {
					c := int(out.Pix[o+k])
					out.Pix[o+k] = uint8((prev[k] + 2*c + int(out.Pix[n+k]) + 2) >> 2)
					prev[k] = c
				}
			}
		})
	}
	return out
}

func parallel(n int, f func(i int)) {
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				f(i)
			}
		}()
	}
	wg.Wait()
}

// PDF bundles JPEG pages into one PDF the way a scanner does: each page one DCTDecode image
// drawn over the whole page, sized for dpi.
func PDF(pages [][]byte, dpi float64) ([]byte, error) {
	var buf bytes.Buffer
	offsets := []int{0}
	obj := func(body string, stream []byte) {
		offsets = append(offsets, buf.Len())
		fmt.Fprintf(&buf, "%d 0 obj\n%s", len(offsets)-1, body)
		if stream != nil {
			buf.WriteString("\nstream\n")
			buf.Write(stream)
			buf.WriteString("\nendstream")
		}
		buf.WriteString("\nendobj\n")
	}
	buf.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	n := len(pages)
	// Objects: 1 catalog, 2 pages, then per page: page, image, content.
	kids := ""
	for i := range n {
		kids += fmt.Sprintf("%d 0 R ", 3+3*i)
	}
	obj("<< /Type /Catalog /Pages 2 0 R >>", nil)
	obj(fmt.Sprintf("<< /Type /Pages /Count %d /Kids [%s] >>", n, kids), nil)
	for i, jp := range pages {
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(jp))
		if err != nil {
			return nil, fmt.Errorf("page %d: %w", i+1, err)
		}
		wpt, hpt := float64(cfg.Width)*72/dpi, float64(cfg.Height)*72/dpi
		img, content := 4+3*i, 5+3*i
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Resources << /XObject << /Im0 %d 0 R >> >> /Contents %d 0 R >>", wpt, hpt, img, content), nil)
		cs := "/DeviceRGB"
		if cfg.ColorModel == color.GrayModel {
			cs = "/DeviceGray"
		}
		obj(fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s /BitsPerComponent 8 /Filter /DCTDecode /Length %d >>", cfg.Width, cfg.Height, cs, len(jp)), jp)
		c := fmt.Sprintf("q %.2f 0 0 %.2f 0 0 cm /Im0 Do Q", wpt, hpt)
		obj(fmt.Sprintf("<< /Length %d >>", len(c)), []byte(c))
	}
	xref := buf.Len()
	fmt.Fprintf(&buf, "xref\n0 %d\n0000000000 65535 f \n", len(offsets))
	for _, o := range offsets[1:] {
		fmt.Fprintf(&buf, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&buf, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets), xref)
	return buf.Bytes(), nil
}

// TIFF bundles JPEG pages into one multi-page TIFF as scanner drivers write a stack: each
// page one strip holding its JPEG stream (Compression 7, YCbCr), with its resolution.
// (ImageMagick's convert holds every page in memory and hits its resource policy on a
// 100-page stack.)
func TIFF(pages [][]byte, dpi int) ([]byte, error) {
	var buf bytes.Buffer
	le := binary.LittleEndian
	buf.WriteString("II*\x00")
	binary.Write(&buf, le, uint32(0)) // first IFD offset, patched below
	prevNext := 4
	for i, jp := range pages {
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(jp))
		if err != nil {
			return nil, fmt.Errorf("page %d: %w", i+1, err)
		}
		for buf.Len()%2 != 0 {
			buf.WriteByte(0)
		}
		stripAt := buf.Len()
		buf.Write(jp)
		for buf.Len()%2 != 0 {
			buf.WriteByte(0)
		}
		// Out-of-line values: BitsPerSample, XResolution, YResolution.
		bpsAt := buf.Len()
		binary.Write(&buf, le, [3]uint16{8, 8, 8})
		resAt := buf.Len()
		binary.Write(&buf, le, [2]uint32{uint32(dpi), 1})
		spp, photometric := uint32(3), uint32(6)
		if cfg.ColorModel == color.GrayModel {
			spp, photometric = 1, 1
		}
		type entry struct {
			tag, typ uint16
			n, v     uint32
		}
		entries := []entry{
			{256, 4, 1, uint32(cfg.Width)}, {257, 4, 1, uint32(cfg.Height)},
			{258, 3, spp, uint32(bpsAt)}, {259, 3, 1, 7}, {262, 3, 1, photometric},
			{273, 4, 1, uint32(stripAt)}, {277, 3, 1, spp}, {278, 4, 1, uint32(cfg.Height)},
			{279, 4, 1, uint32(len(jp))}, {282, 5, 1, uint32(resAt)}, {283, 5, 1, uint32(resAt)}, {296, 3, 1, 2},
		}
		if spp == 1 {
			entries[2].v = 8
		}
		ifdAt := buf.Len()
		b := buf.Bytes()
		le.PutUint32(b[prevNext:], uint32(ifdAt))
		binary.Write(&buf, le, uint16(len(entries)))
		for _, e := range entries {
			binary.Write(&buf, le, e.tag)
			binary.Write(&buf, le, e.typ)
			binary.Write(&buf, le, e.n)
			if e.typ == 3 && e.n == 1 {
				binary.Write(&buf, le, [2]uint16{uint16(e.v), 0})
			} else {
				binary.Write(&buf, le, e.v)
			}
		}
		prevNext = buf.Len()
		binary.Write(&buf, le, uint32(0))
	}
	return buf.Bytes(), nil
}

// TIFFStrips bundles pages into one multi-page TIFF as libtiff writes JPEG-compressed
// colour pages: Photometric YCbCr with 2×2 subsampling, rowsPerStrip rows per strip, each
// strip an abbreviated JPEG stream whose quantisation and Huffman tables are kept once per
// page in the JPEGTables tag.
func TIFFStrips(pages [][]byte, dpi, rowsPerStrip int) ([]byte, error) {
	var buf bytes.Buffer
	le := binary.LittleEndian
	buf.WriteString("II*\x00")
	binary.Write(&buf, le, uint32(0))
	prevNext := 4
	pad := func() {
		for buf.Len()%2 != 0 {
			buf.WriteByte(0)
		}
	}
	for i, jp := range pages {
		img, err := jpeg.Decode(bytes.NewReader(jp))
		if err != nil {
			return nil, fmt.Errorf("page %d: %w", i+1, err)
		}
		b := img.Bounds()
		sub, ok := img.(interface {
			SubImage(image.Rectangle) image.Image
		})
		if !ok {
			return nil, fmt.Errorf("page %d: no sub-images", i+1)
		}
		var tables []byte
		var offsets, counts []uint32
		for y := b.Min.Y; y < b.Max.Y; y += rowsPerStrip {
			var s bytes.Buffer
			part := sub.SubImage(image.Rect(b.Min.X, y, b.Max.X, min(y+rowsPerStrip, b.Max.Y)))
			if err := jpeg.Encode(&s, part, &jpeg.Options{Quality: 80}); err != nil {
				return nil, err
			}
			t, abbreviated, err := splitTables(s.Bytes())
			if err != nil {
				return nil, fmt.Errorf("page %d: %w", i+1, err)
			}
			if tables == nil {
				tables = t
			}
			pad()
			offsets = append(offsets, uint32(buf.Len()))
			counts = append(counts, uint32(len(abbreviated)))
			buf.Write(abbreviated)
		}
		pad()
		tablesAt := buf.Len()
		buf.Write(tables)
		pad()
		offAt := buf.Len()
		binary.Write(&buf, le, offsets)
		cntAt := buf.Len()
		binary.Write(&buf, le, counts)
		bpsAt := buf.Len()
		binary.Write(&buf, le, [3]uint16{8, 8, 8})
		resAt := buf.Len()
		binary.Write(&buf, le, [2]uint32{uint32(dpi), 1})
		type entry struct {
			tag, typ uint16
			n, v     uint32
		}
		n := uint32(len(offsets))
		entries := []entry{
			{256, 4, 1, uint32(b.Dx())}, {257, 4, 1, uint32(b.Dy())},
			{258, 3, 3, uint32(bpsAt)}, {259, 3, 1, 7}, {262, 3, 1, 6},
			{273, 4, n, uint32(offAt)}, {277, 3, 1, 3}, {278, 4, 1, uint32(rowsPerStrip)},
			{279, 4, n, uint32(cntAt)}, {282, 5, 1, uint32(resAt)}, {283, 5, 1, uint32(resAt)}, {296, 3, 1, 2},
			{347, 7, uint32(len(tables)), uint32(tablesAt)}, {530, 3, 2, 2 | 2<<16},
		}
		if n == 1 {
			entries[5].v, entries[8].v = offsets[0], counts[0]
		}
		ifdAt := buf.Len()
		le.PutUint32(buf.Bytes()[prevNext:], uint32(ifdAt))
		binary.Write(&buf, le, uint16(len(entries)))
		for _, e := range entries {
			binary.Write(&buf, le, e.tag)
			binary.Write(&buf, le, e.typ)
			binary.Write(&buf, le, e.n)
			if e.typ == 3 && e.n == 1 {
				binary.Write(&buf, le, [2]uint16{uint16(e.v), 0})
			} else {
				binary.Write(&buf, le, e.v)
			}
		}
		prevNext = buf.Len()
		binary.Write(&buf, le, uint32(0))
	}
	return buf.Bytes(), nil
}

// splitTables moves a JPEG stream's DQT and DHT segments into a tables-only stream
// (SOI, tables, EOI) and returns the stream without them.
func splitTables(j []byte) (tables, rest []byte, err error) {
	if len(j) < 4 || j[0] != 0xFF || j[1] != 0xD8 {
		return nil, nil, errors.New("not a JPEG stream")
	}
	tables = []byte{0xFF, 0xD8}
	rest = []byte{0xFF, 0xD8}
	for off := 2; off+4 <= len(j); {
		if j[off] != 0xFF {
			return nil, nil, errors.New("JPEG segment expected")
		}
		m := j[off+1]
		if m == 0xDA {
			rest = append(rest, j[off:]...)
			return append(tables, 0xFF, 0xD9), rest, nil
		}
		l := int(binary.BigEndian.Uint16(j[off+2:]))
		seg := j[off : off+2+l]
		if m == 0xDB || m == 0xC4 {
			tables = append(tables, seg...)
		} else {
			rest = append(rest, seg...)
		}
		off += 2 + l
	}
	return nil, nil, errors.New("JPEG stream without a scan")
}
