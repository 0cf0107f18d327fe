package scan

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"

	xdraw "golang.org/x/image/draw"
)

// StoredDPI is the resolution pages are kept at: 12 pt text stays legible and the QR still
// decodes from the stored copy.
const StoredDPI = 150

// MaxStoredBytes bounds one stored A4 page; the quality loop guarantees it.
const MaxStoredBytes = 150 << 10

// ThumbWidth is the thumbnail's width in pixels (the review list and the permit panel).
const ThumbWidth = 240

// Stored is a page as kept: an upright JPEG at StoredDPI and its thumbnail.
type Stored struct {
	JPEG          []byte
	Thumb         []byte
	Width, Height int
	Colour        bool // kept in colour because the page has a red seal
	Quality       int
	DPI           int
}

// Normalise turns a page upright (rotation is the page's clockwise quarter turns, from FindQR), scales it to StoredDPI and
// encodes it as JPEG: in colour when a red seal is on it (grey would merge seal and
// signature), else in grey (grey, when not nil, is img already converted), lowering the quality until it fits MaxStoredBytes and, past
// the lowest quality, the resolution.
func Normalise(img image.Image, grey *image.Gray, dpi float64, rotation int) (Stored, error) {
	if dpi <= 0 {
		dpi = StoredDPI
	}
	colour := hasRedSeal(img)
	target := float64(StoredDPI)
	for attempt := 0; attempt < 6; attempt++ {
		scale := min(1, target/dpi)
		b := img.Bounds()
		w, h := max(1, int(float64(b.Dx())*scale+0.5)), max(1, int(float64(b.Dy())*scale+0.5))
		var page image.Image
		if yc, ok := img.(*image.YCbCr); ok && colour {
			// A scanner's JPEG: shrink its planes as they are and encode them without a
			// round trip through RGB.
			page = rotateYCbCr(shrinkYCbCr(yc, w, h), 4-rotation)
		} else if colour {
			dst := image.NewRGBA(image.Rect(0, 0, w, h))
			xdraw.BiLinear.Scale(dst, dst.Bounds(), img, b, xdraw.Src, nil)
			page = rotateRGBA(dst, 4-rotation)
		} else {
			if grey == nil {
				grey = Grey(img)
			}
			page = rotate(shrinkGray(grey, w, h), 4-rotation)
		}
		start := 55
		if !colour {
			start = 50
		}
		for q := start; q >= 20; q -= 7 {
			var buf bytes.Buffer
			if err := jpeg.Encode(&buf, page, &jpeg.Options{Quality: q}); err != nil {
				return Stored{}, fmt.Errorf("encode page: %w", err)
			}
			if buf.Len() <= MaxStoredBytes {
				thumb, err := thumbnail(page)
				if err != nil {
					return Stored{}, err
				}
				pb := page.Bounds()
				return Stored{JPEG: buf.Bytes(), Thumb: thumb, Width: pb.Dx(), Height: pb.Dy(), Colour: colour, Quality: q, DPI: int(min(target, dpi) + 0.5)}, nil
			}
		}
		target *= 0.85
	}
	return Stored{}, fmt.Errorf("page does not fit %d KB even at %.0f dpi", MaxStoredBytes>>10, target)
}

func thumbnail(page image.Image) ([]byte, error) {
	b := page.Bounds()
	w := min(ThumbWidth, b.Dx())
	h := max(1, b.Dy()*w/b.Dx())
	var dst xdraw.Image
	if _, ok := page.(*image.Gray); ok {
		dst = image.NewGray(image.Rect(0, 0, w, h))
	} else {
		dst = image.NewRGBA(image.Rect(0, 0, w, h))
	}
	xdraw.ApproxBiLinear.Scale(dst, dst.Bounds(), page, b, xdraw.Src, nil)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 70}); err != nil {
		return nil, fmt.Errorf("encode thumbnail: %w", err)
	}
	return buf.Bytes(), nil
}

// rotateRGBA turns m clockwise by q quarter turns.
func rotateRGBA(m *image.RGBA, q int) *image.RGBA {
	q = ((q % 4) + 4) % 4
	if q == 0 {
		return m
	}
	w, h := m.Bounds().Dx(), m.Bounds().Dy()
	var out *image.RGBA
	if q == 2 {
		out = image.NewRGBA(image.Rect(0, 0, w, h))
	} else {
		out = image.NewRGBA(image.Rect(0, 0, h, w))
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			s := m.Pix[y*m.Stride+4*x : y*m.Stride+4*x+4]
			var dx, dy int
			switch q {
			case 1:
				dx, dy = h-1-y, x
			case 2:
				dx, dy = w-1-x, h-1-y
			case 3:
				dx, dy = y, w-1-x
			}
			copy(out.Pix[dy*out.Stride+4*dx:], s)
		}
	}
	return out
}

func plane(pix []byte, stride int, r image.Rectangle) *image.Gray {
	return &image.Gray{Pix: pix, Stride: stride, Rect: image.Rect(0, 0, r.Dx(), r.Dy())}
}

// shrinkYCbCr scales a JPEG's planes to w×h with 4:2:0 chroma.
func shrinkYCbCr(m *image.YCbCr, w, h int) *image.YCbCr {
	b := m.Bounds()
	cw, ch := (w+1)/2, (h+1)/2
	// Chroma plane size in the source for its subsampling.
	var cr image.Rectangle
	switch m.SubsampleRatio {
	case image.YCbCrSubsampleRatio444:
		cr = image.Rect(0, 0, b.Dx(), b.Dy())
	case image.YCbCrSubsampleRatio422:
		cr = image.Rect(0, 0, (b.Dx()+1)/2, b.Dy())
	case image.YCbCrSubsampleRatio420:
		cr = image.Rect(0, 0, (b.Dx()+1)/2, (b.Dy()+1)/2)
	case image.YCbCrSubsampleRatio440:
		cr = image.Rect(0, 0, b.Dx(), (b.Dy()+1)/2)
	case image.YCbCrSubsampleRatio411:
		cr = image.Rect(0, 0, (b.Dx()+3)/4, b.Dy())
	case image.YCbCrSubsampleRatio410:
		cr = image.Rect(0, 0, (b.Dx()+3)/4, (b.Dy()+1)/2)
	}
	y := shrinkGray(plane(m.Y[m.YOffset(b.Min.X, b.Min.Y):], m.YStride, b), w, h)
	cb := shrinkGray(plane(m.Cb[m.COffset(b.Min.X, b.Min.Y):], m.CStride, cr), cw, ch)
	crp := shrinkGray(plane(m.Cr[m.COffset(b.Min.X, b.Min.Y):], m.CStride, cr), cw, ch)
	return &image.YCbCr{Y: y.Pix, Cb: cb.Pix, Cr: crp.Pix, YStride: y.Stride, CStride: cb.Stride,
		SubsampleRatio: image.YCbCrSubsampleRatio420, Rect: image.Rect(0, 0, w, h)}
}

// rotateYCbCr turns a 4:2:0 image clockwise by q quarter turns.
func rotateYCbCr(m *image.YCbCr, q int) *image.YCbCr {
	q = ((q % 4) + 4) % 4
	if q == 0 {
		return m
	}
	w, h := m.Rect.Dx(), m.Rect.Dy()
	cw, ch := (w+1)/2, (h+1)/2
	y := rotate(plane(m.Y, m.YStride, m.Rect), q)
	cb := rotate(plane(m.Cb, m.CStride, image.Rect(0, 0, cw, ch)), q)
	cr := rotate(plane(m.Cr, m.CStride, image.Rect(0, 0, cw, ch)), q)
	return &image.YCbCr{Y: y.Pix, Cb: cb.Pix, Cr: cr.Pix, YStride: y.Stride, CStride: cb.Stride,
		SubsampleRatio: image.YCbCrSubsampleRatio420, Rect: y.Rect}
}
