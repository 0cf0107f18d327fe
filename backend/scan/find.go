package scan

import (
	"context"
	"image"
	"math"
	"strings"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// PermitPrefix starts every permit QR text; other QR codes on a page are not the permit's.
const PermitPrefix = "GDD1:"

// Region is a part of the page as fractions of its width and height, top left origin.
type Region struct{ X0, Y0, X1, Y1 float64 }

// Upside is r on a page turned 180°.
func (r Region) Upside() Region { return Region{1 - r.X1, 1 - r.Y1, 1 - r.X0, 1 - r.Y0} }

// PermitQRRegion is where render puts the QR on both paper sizes (lower left, above the
// bottom margin; see render.QRRegion), widened for a crooked feed and a page scanned on a
// larger platen.
var PermitQRRegion = Region{0.0, 0.66, 0.45, 1.0}

// Found is the permit QR read from a page.
type Found struct {
	Text string `json:"-"`
	// Rotation is how far the page is turned clockwise, in quarter turns (0 upright, 2
	// upside down), from the QR's finder patterns; normalising turns the page back.
	Rotation int `json:"rotation"`
	// Step names the cascade step that read the code (for the decode-rate figures).
	Step string `json:"step"`
}

// FindQR reads the permit QR on a page with the crop-first cascade: the QR's place on the
// layout and its upside-down place, each plain then preprocessed (upscaled when the scan is
// coarse, denoised and sharpened, median-filtered, turned a quarter); then the lower and upper
// halves; the whole page last. Cropping first is both the fastest and the most reliable (see
// docs/research on scans): gozxing on a whole A4 page finds a 30 mm QR about half as often.
// ok is false when no step reads a permit QR; other QR codes on the page are ignored.
func FindQR(ctx context.Context, g *image.Gray, dpi float64) (Found, bool) {
	regions := []struct {
		name string
		r    Region
	}{
		{"layout", PermitQRRegion},
		{"layout-upside-down", PermitQRRegion.Upside()},
	}
	var steps []prep
	if dpi > 0 && dpi < 180 {
		steps = append(steps, prep{"upscale", upscale2})
	}
	steps = append(steps,
		prep{"denoise-sharpen", func(g *image.Gray) *image.Gray { return sharpen(boxBlur(g)) }},
		prep{"sharpen", sharpen},
		prep{"median-sharpen", func(g *image.Gray) *image.Gray { return sharpen(median3(g)) }},
		prep{"turn90", func(g *image.Gray) *image.Gray { return rotate(g, 1) }},
		prep{"turn270", func(g *image.Gray) *image.Gray { return rotate(g, 3) }},
	)
	crops := make([]*image.Gray, len(regions))
	for i, r := range regions {
		crops[i] = cropGray(g, r.r)
		if f, ok := decodeGray(crops[i], false); ok {
			f.Step = r.name
			return f, true
		}
	}
	for _, s := range steps {
		for i, r := range regions {
			if ctx.Err() != nil {
				return Found{}, false
			}
			c := s.fn(crops[i])
			if f, ok := decodeGray(c, true); ok {
				f.Step = r.name + "+" + s.name
				// The code was read on the crop turned a quarter: undo that turn.
				if s.name == "turn90" {
					f.Rotation = (f.Rotation + 3) % 4
				} else if s.name == "turn270" {
					f.Rotation = (f.Rotation + 1) % 4
				}
				return f, true
			}
		}
	}
	// A phone photo or a page fed sideways puts the code elsewhere: halves, then the page.
	for _, r := range []struct {
		name string
		r    Region
	}{{"lower-half", Region{0, 0.5, 1, 1}}, {"upper-half", Region{0, 0, 1, 0.5}}, {"left-half", Region{0, 0, 0.5, 1}}, {"right-half", Region{0.5, 0, 1, 1}}} {
		if ctx.Err() != nil {
			return Found{}, false
		}
		if f, ok := decodeGray(cropGray(g, r.r), true); ok {
			f.Step = r.name
			return f, true
		}
	}
	if f, ok := decodeGray(g, true); ok {
		f.Step = "whole-page"
		return f, true
	}
	return Found{}, false
}

type prep struct {
	name string
	fn   func(*image.Gray) *image.Gray
}

var qrReader = qrcode.NewQRCodeReader

// decodeGray runs gozxing on a grey image, hybrid binariser then a global threshold (which
// copes better with a large, evenly lit symbol).
func decodeGray(g *image.Gray, hard bool) (Found, bool) {
	b := g.Bounds()
	if b.Dx() < 21 || b.Dy() < 21 {
		return Found{}, false
	}
	pix := g.Pix
	if g.Stride != b.Dx() || b.Min != (image.Point{}) {
		g = cloneGray(g)
		pix = g.Pix
	}
	src, err := gozxing.NewPlanarYUVLuminanceSource(pix, b.Dx(), b.Dy(), 0, 0, b.Dx(), b.Dy(), false)
	if err != nil {
		return Found{}, false
	}
	hints := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_CHARACTER_SET: "UTF-8"}
	if hard {
		hints[gozxing.DecodeHintType_TRY_HARDER] = true
	}
	bins := []gozxing.Binarizer{gozxing.NewHybridBinarizer(src)}
	if hard {
		bins = append(bins, gozxing.NewGlobalHistgramBinarizer(src))
	}
	for _, bin := range bins {
		bmp, err := gozxing.NewBinaryBitmap(bin)
		if err != nil {
			continue
		}
		res, err := qrReader().Decode(bmp, hints)
		if err != nil || !strings.HasPrefix(res.GetText(), PermitPrefix) {
			continue
		}
		return Found{Text: res.GetText(), Rotation: rotationOf(res.GetResultPoints())}, true
	}
	return Found{}, false
}

// rotationOf turns the finder pattern centres (bottom left, top left, top right) into the
// page's clockwise quarter turns: upright, top left → top right points along +x.
func rotationOf(pts []gozxing.ResultPoint) int {
	if len(pts) < 3 {
		return 0
	}
	dx := pts[2].GetX() - pts[1].GetX()
	dy := pts[2].GetY() - pts[1].GetY()
	a := math.Atan2(dy, dx) // image y grows downwards: a clockwise turn is a positive angle
	q := int(math.Round(a/(math.Pi/2))) % 4
	if q < 0 {
		q += 4
	}
	return q
}
