package render

import (
	"errors"
	"fmt"
	"image"
	"runtime"
	"strconv"
	"sync"

	"github.com/go-pdf/fpdf"
	"github.com/makiuchi-d/gozxing"
	qrdecode "github.com/makiuchi-d/gozxing/qrcode"
	"github.com/makiuchi-d/gozxing/qrcode/decoder"
	"github.com/makiuchi-d/gozxing/qrcode/encoder"
)

// quietZone is the white border a QR symbol needs, in modules (ISO 18004).
const quietZone = 4

// ErrEmptyQR is returned for a permit without QR text: a permit that a
// checkpoint cannot verify must not be printed.
var ErrEmptyQR = errors.New("render: permit has no QR text")

// qrRun is a horizontal run of dark modules: n modules from (x, y).
type qrRun struct{ x, y, n int16 }

// qrSymbol is an encoded QR code reduced to what drawing needs.
type qrSymbol struct {
	dim  int // modules per side, quiet zone excluded
	runs []qrRun
}

// version returns the QR version (1-40) the symbol was encoded at.
func (q *qrSymbol) version() int { return (q.dim - 17) / 4 }

// isAlphanumeric reports whether s fits the QR alphanumeric set, which the
// base45 permit text is made for: 5.5 bits a character instead of 8.
func isAlphanumeric(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9', c >= 'A' && c <= 'Z':
		case c == ' ', c == '$', c == '%', c == '*', c == '+', c == '-', c == '.', c == '/', c == ':':
		default:
			return false
		}
	}
	return true
}

// encodeQR encodes text exactly, trailing spaces included, at error correction level Q,
// with a mask pattern under which gozxing (the pure-Go decoder the scan import uses) reads
// the symbol in all four orientations: with the mask the standard's penalty picks, gozxing
// misses about 3% of perfect symbols in one orientation, which a signed copy fed upside down
// or sideways would hit. The encoder's own choice is tried first, then the other seven.
func encodeQR(text string) (*qrSymbol, error) {
	if text == "" {
		return nil, ErrEmptyQR
	}
	hints := map[gozxing.EncodeHintType]any{}
	if !isAlphanumeric(text) {
		hints[gozxing.EncodeHintType_CHARACTER_SET] = "UTF-8"
	}
	code, err := encoder.Encoder_encode(text, decoder.ErrorCorrectionLevel_Q, hints)
	if err != nil {
		return nil, fmt.Errorf("render: encode qr (%d characters): %w", len(text), err)
	}
	chosen := code
	if !readsAllWays(code.GetMatrix(), text) {
		for mask := range encoder.QRCode_NUM_MASK_PATERNS {
			if mask == code.GetMaskPattern() {
				continue
			}
			hints[gozxing.EncodeHintType_QR_MASK_PATTERN] = mask
			alt, err := encoder.Encoder_encode(text, decoder.ErrorCorrectionLevel_Q, hints)
			if err == nil && alt.GetVersion().GetVersionNumber() == code.GetVersion().GetVersionNumber() && readsAllWays(alt.GetMatrix(), text) {
				chosen = alt
				break
			}
		}
	}
	m := chosen.GetMatrix()
	q := &qrSymbol{dim: m.GetWidth()}
	for y := 0; y < m.GetHeight(); y++ {
		for x := 0; x < m.GetWidth(); {
			if m.Get(x, y) != 1 {
				x++
				continue
			}
			start := x
			for x < m.GetWidth() && m.Get(x, y) == 1 {
				x++
			}
			q.runs = append(q.runs, qrRun{x: int16(start), y: int16(y), n: int16(x - start)})
		}
	}
	return q, nil
}

// readsAllWays draws the matrix at 3 pixels a module and decodes it turned 0°, 90°, 180°
// and 270°.
func readsAllWays(m *encoder.ByteMatrix, text string) bool {
	const px = 3
	n := m.GetWidth()
	side := (n + 2*quietZone) * px
	img := image.NewGray(image.Rect(0, 0, side, side))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			if m.Get(x, y) == 1 {
				for dy := 0; dy < px; dy++ {
					row := ((y+quietZone)*px + dy) * side
					for dx := 0; dx < px; dx++ {
						img.Pix[row+(x+quietZone)*px+dx] = 0
					}
				}
			}
		}
	}
	reader := qrdecode.NewQRCodeReader()
	hints := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_CHARACTER_SET: "UTF-8"}
	for turn := range 4 {
		src, err := gozxing.NewPlanarYUVLuminanceSource(img.Pix, side, side, 0, 0, side, side, false)
		if err != nil {
			return false
		}
		bmp, err := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(src))
		if err != nil {
			return false
		}
		res, err := reader.Decode(bmp, hints)
		if err != nil || res.GetText() != text {
			return false
		}
		if turn < 3 {
			img = turnGray(img)
		}
	}
	return true
}

// turnGray turns a square grey image a quarter clockwise.
func turnGray(g *image.Gray) *image.Gray {
	n := g.Rect.Dx()
	out := image.NewGray(g.Rect)
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			out.Pix[x*n+(n-1-y)] = g.Pix[y*n+x]
		}
	}
	return out
}

// encodeAll encodes many QR texts on all CPUs: encoding costs milliseconds
// per symbol and dominates a large batch. On failure it also returns the
// index of the first text that failed.
func encodeAll(texts []string) ([]*qrSymbol, int, error) {
	out := make([]*qrSymbol, len(texts))
	errs := make([]error, len(texts))
	workers := min(runtime.GOMAXPROCS(0), len(texts))
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i], errs[i] = encodeQR(texts[i])
			}
		}()
	}
	for i := range texts {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, i, err
		}
	}
	return out, 0, nil
}

// moduleSize returns the module size in mm for a symbol on g: the module
// area is at least g.qrMinWidth wide, and larger versions grow the symbol
// rather than shrink modules below g.qrMinModule.
func (g geometry) moduleSize(q *qrSymbol) float64 {
	return max(g.qrMinWidth/float64(q.dim), g.qrMinModule)
}

// side returns the symbol's width in mm, quiet zone included.
func (q *qrSymbol) side(module float64) float64 {
	return float64(q.dim+2*quietZone) * module
}

// planQR draws the symbol with the outer corner of its quiet zone at (x, y).
// The quiet zone is painted white so nothing drawn earlier (the demo
// watermark) can intrude on it. Modules are vector rectangles, one per
// horizontal run, in one path filled once: a single fill leaves no hairline
// seams between touching rectangles when a viewer or printer anti-aliases.
// The path is written in module units under a scaling matrix, which keeps
// each rectangle to a few bytes.
func planQR(p *planner, q *qrSymbol, x, y, module float64) {
	p.op(func(pdf *fpdf.Fpdf) {
		_, pageH := pdf.GetPageSize()
		k := 72 / 25.4 // points per mm
		ox := (x + quietZone*module) * k
		oy := (pageH - y - quietZone*module) * k
		s := module * k
		buf := make([]byte, 0, 64+len(q.runs)*14)
		buf = append(buf, "q\n"...)
		buf = strconv.AppendFloat(buf, s, 'f', 5, 64)
		buf = append(buf, " 0 0 "...)
		buf = strconv.AppendFloat(buf, -s, 'f', 5, 64)
		buf = append(buf, ' ')
		buf = strconv.AppendFloat(buf, ox, 'f', 3, 64)
		buf = append(buf, ' ')
		buf = strconv.AppendFloat(buf, oy, 'f', 3, 64)
		buf = append(buf, " cm\n1 g\n"...)
		qz, full := strconv.Itoa(-quietZone), strconv.Itoa(q.dim+2*quietZone)
		buf = append(buf, qz+" "+qz+" "+full+" "+full+" re f\n0 g\n"...)
		for _, r := range q.runs {
			buf = strconv.AppendInt(buf, int64(r.x), 10)
			buf = append(buf, ' ')
			buf = strconv.AppendInt(buf, int64(r.y), 10)
			buf = append(buf, ' ')
			buf = strconv.AppendInt(buf, int64(r.n), 10)
			buf = append(buf, " 1 re\n"...)
		}
		buf = append(buf, "f\nQ"...)
		pdf.RawWriteStr(string(buf))
	})
}
