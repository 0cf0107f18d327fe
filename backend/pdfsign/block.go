package pdfsign

import (
	"bytes"
	"crypto/x509"
	_ "embed"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"strings"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Noto Serif, cut down to Latin and Vietnamese (fonts/OFL.txt says how), so the block reads
// the same on an office PC without Vietnamese fonts.
var (
	//go:embed fonts/NotoSerif-Regular-vi.ttf
	fontRegular []byte
	//go:embed fonts/NotoSerif-Bold-vi.ttf
	fontBold []byte

	fontsOnce sync.Once
	fonts     [2]*opentype.Font
	fontsErr  error
)

// pxPerPt is the block image's resolution: 4 pixels a point is 288 dpi, sharp when printed.
const pxPerPt = 4

// ink is the blue of a signature block in Vietnamese e-documents.
var ink = color.RGBA{0x1a, 0x3d, 0x8f, 0xff}

func loadFonts() ([2]*opentype.Font, error) {
	fontsOnce.Do(func() {
		for i, data := range [][]byte{fontRegular, fontBold} {
			if fonts[i], fontsErr = opentype.Parse(data); fontsErr != nil {
				return
			}
		}
	})
	return fonts, fontsErr
}

type blockLine struct {
	text string
	bold bool
}

// blockLines is the block's text: who signed, for which unit, when, why and where.
func blockLines(ap Appearance, cert *x509.Certificate) []blockLine {
	lines := []blockLine{{"Ký bởi: " + ap.Name, true}}
	if o := strings.Join(cert.Subject.Organization, ", "); o != "" {
		lines = append(lines, blockLine{"Cơ quan: " + o, false})
	}
	lines = append(lines, blockLine{"Ngày ký: " + ap.Time.In(vietnamTime).Format("02/01/2006 15:04:05") + " (GMT+7)", false})
	if ap.Reason != "" {
		lines = append(lines, blockLine{"Lý do: " + ap.Reason, false})
	}
	if ap.Location != "" {
		lines = append(lines, blockLine{"Nơi ký: " + ap.Location, false})
	}
	return lines
}

// blockImage draws the signature block, w×h points, as a PNG: a white box with a blue frame
// and the lines at the largest size that fits.
func blockImage(ap Appearance, cert *x509.Certificate, w, h float64) ([]byte, error) {
	fs, err := loadFonts()
	if err != nil {
		return nil, fmt.Errorf("load font: %w", err)
	}
	pw, ph := int(w*pxPerPt+0.5), int(h*pxPerPt+0.5)
	img := image.NewRGBA(image.Rect(0, 0, pw, ph))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	border := max(2, pw/200)
	for _, r := range []image.Rectangle{
		image.Rect(0, 0, pw, border), image.Rect(0, ph-border, pw, ph),
		image.Rect(0, 0, border, ph), image.Rect(pw-border, 0, pw, ph),
	} {
		draw.Draw(img, r, image.NewUniform(ink), image.Point{}, draw.Src)
	}

	lines := blockLines(ap, cert)
	pad := float64(4 * border)
	availW, availH := float64(pw)-2*pad, float64(ph)-2*pad
	size := availH / (float64(len(lines)) * 1.3)
	var faces [2]font.Face
	for ; size >= 4; size *= 0.92 {
		for _, f := range faces {
			if f != nil {
				_ = f.Close()
			}
		}
		for i := range faces {
			if faces[i], err = opentype.NewFace(fs[i], &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone}); err != nil {
				return nil, fmt.Errorf("font face: %w", err)
			}
		}
		widest := 0.0
		for _, l := range lines {
			widest = max(widest, float64(font.MeasureString(faces[face(l)], l.text).Round()))
		}
		if widest <= availW {
			break
		}
	}
	defer func() {
		for _, f := range faces {
			_ = f.Close()
		}
	}()
	lineH := size * 1.3
	top := pad + (availH-lineH*float64(len(lines)))/2
	for i, l := range lines {
		d := font.Drawer{Dst: img, Src: image.NewUniform(ink), Face: faces[face(l)],
			Dot: fixed.P(int(pad), int(top+lineH*float64(i)+size))}
		d.DrawString(l.text)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encode png: %w", err)
	}
	return buf.Bytes(), nil
}

func face(l blockLine) int {
	if l.bold {
		return 1
	}
	return 0
}
