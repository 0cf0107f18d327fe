package scan

import (
	"image"
	"image/color"
	"image/draw"
	"slices"
)

// Grey converts a decoded page to 8-bit luminance, taking the Y plane of a JPEG as it is.
func Grey(img image.Image) *image.Gray {
	b := img.Bounds()
	out := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	switch m := img.(type) {
	case *image.YCbCr:
		for y := 0; y < b.Dy(); y++ {
			i := m.YOffset(b.Min.X, b.Min.Y+y)
			copy(out.Pix[y*out.Stride:y*out.Stride+b.Dx()], m.Y[i:i+b.Dx()])
		}
	case *image.Gray:
		for y := 0; y < b.Dy(); y++ {
			i := m.PixOffset(b.Min.X, b.Min.Y+y)
			copy(out.Pix[y*out.Stride:y*out.Stride+b.Dx()], m.Pix[i:i+b.Dx()])
		}
	case *image.RGBA:
		for y := 0; y < b.Dy(); y++ {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			o := out.Pix[y*out.Stride:]
			for x := 0; x < b.Dx(); x++ {
				r, g, bl := uint32(row[4*x]), uint32(row[4*x+1]), uint32(row[4*x+2])
				o[x] = uint8((19595*r + 38470*g + 7471*bl + 1<<15) >> 16)
			}
		}
	default:
		draw.Draw(out, out.Bounds(), img, b.Min, draw.Src)
	}
	return out
}

func cloneGray(g *image.Gray) *image.Gray {
	b := g.Bounds()
	out := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := 0; y < b.Dy(); y++ {
		i := g.PixOffset(b.Min.X, b.Min.Y+y)
		copy(out.Pix[y*out.Stride:(y+1)*out.Stride], g.Pix[i:i+b.Dx()])
	}
	return out
}

func cropGray(g *image.Gray, r Region) *image.Gray {
	b := g.Bounds()
	rect := image.Rect(
		b.Min.X+int(r.X0*float64(b.Dx())), b.Min.Y+int(r.Y0*float64(b.Dy())),
		b.Min.X+int(r.X1*float64(b.Dx())), b.Min.Y+int(r.Y1*float64(b.Dy())),
	).Intersect(b)
	return cloneGray(g.SubImage(rect).(*image.Gray))
}

// rotate turns g clockwise by q quarter turns.
func rotate(g *image.Gray, q int) *image.Gray {
	q = ((q % 4) + 4) % 4
	b := g.Bounds()
	w, h := b.Dx(), b.Dy()
	if q == 0 {
		return cloneGray(g)
	}
	var out *image.Gray
	if q == 2 {
		out = image.NewGray(image.Rect(0, 0, w, h))
	} else {
		out = image.NewGray(image.Rect(0, 0, h, w))
	}
	for y := 0; y < h; y++ {
		row := g.Pix[g.PixOffset(b.Min.X, b.Min.Y+y):]
		for x := 0; x < w; x++ {
			v := row[x]
			switch q {
			case 1:
				out.Pix[x*out.Stride+(h-1-y)] = v
			case 2:
				out.Pix[(h-1-y)*out.Stride+(w-1-x)] = v
			case 3:
				out.Pix[(w-1-x)*out.Stride+y] = v
			}
		}
	}
	return out
}

// upscale2 doubles a coarse crop bilinearly, so modules of 2-3 pixels reach the 4-5 the
// binariser resolves.
func upscale2(g *image.Gray) *image.Gray {
	g = cloneGray(g)
	w, h := g.Bounds().Dx(), g.Bounds().Dy()
	out := image.NewGray(image.Rect(0, 0, 2*w, 2*h))
	at := func(x, y int) int { return int(g.Pix[min(y, h-1)*g.Stride+min(x, w-1)]) }
	for y := 0; y < 2*h; y++ {
		sy, fy := y/2, y%2
		for x := 0; x < 2*w; x++ {
			sx, fx := x/2, x%2
			v := at(sx, sy)*(2-fx)*(2-fy) + at(sx+1, sy)*fx*(2-fy) + at(sx, sy+1)*(2-fx)*fy + at(sx+1, sy+1)*fx*fy
			out.Pix[y*out.Stride+x] = uint8(v / 4)
		}
	}
	return out
}

// boxBlur is a 3×3 mean: it removes scanner noise at the cost of edges, which sharpen restores.
func boxBlur(g *image.Gray) *image.Gray {
	return filter3(g, func(n *[9]uint8) uint8 {
		s := 0
		for _, v := range n {
			s += int(v)
		}
		return uint8(s / 9)
	})
}

func median3(g *image.Gray) *image.Gray {
	return filter3(g, func(n *[9]uint8) uint8 {
		s := *n
		slices.Sort(s[:])
		return s[4]
	})
}

// sharpen is an unsharp mask: 2·p − mean(3×3).
func sharpen(g *image.Gray) *image.Gray {
	return filter3(g, func(n *[9]uint8) uint8 {
		s := 0
		for _, v := range n {
			s += int(v)
		}
		return clamp8(2*int(n[4]) - s/9)
	})
}

func clamp8(v int) uint8 {
	if v < 0 {
		return 0
	}
	if v > 255 {
		return 255
	}
	return uint8(v)
}

func filter3(g *image.Gray, f func(*[9]uint8) uint8) *image.Gray {
	g = cloneGray(g)
	w, h := g.Bounds().Dx(), g.Bounds().Dy()
	out := image.NewGray(image.Rect(0, 0, w, h))
	var n [9]uint8
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			k := 0
			for dy := -1; dy <= 1; dy++ {
				yy := min(max(y+dy, 0), h-1)
				for dx := -1; dx <= 1; dx++ {
					xx := min(max(x+dx, 0), w-1)
					n[k] = g.Pix[yy*g.Stride+xx]
					k++
				}
			}
			out.Pix[y*out.Stride+x] = f(&n)
		}
	}
	return out
}

// hasRedSeal reports whether a page carries enough saturated red (a commune's seal, 35-40 mm)
// that storing it in grey would lose what distinguishes the seal from the signature.
func hasRedSeal(img image.Image) bool {
	b := img.Bounds()
	red, total := 0, 0
	step := max(1, b.Dx()/300)
	for y := b.Min.Y; y < b.Max.Y; y += step {
		for x := b.Min.X; x < b.Max.X; x += step {
			r, g, bl, _ := color.RGBAModel.Convert(img.At(x, y)).RGBA()
			r, g, bl = r>>8, g>>8, bl>>8
			total++
			if r > 110 && r > g+50 && r > bl+40 {
				red++
			}
		}
	}
	return total > 0 && red*1000 > total // over 0.1% of the page
}

// shrinkGray scales g down to w×h by averaging the source pixels each output pixel covers,
// which keeps thin strokes of text from aliasing away.
func shrinkGray(g *image.Gray, w, h int) *image.Gray {
	b := g.Bounds()
	sw, sh := b.Dx(), b.Dy()
	out := image.NewGray(image.Rect(0, 0, w, h))
	xs := make([]int, w+1)
	for x := range xs {
		xs[x] = min(sw, x*sw/w)
	}
	for y := 0; y < h; y++ {
		y0, y1 := y*sh/h, max(y*sh/h+1, (y+1)*sh/h)
		y1 = min(y1, sh)
		for x := 0; x < w; x++ {
			x0, x1 := xs[x], max(xs[x]+1, xs[x+1])
			x1 = min(x1, sw)
			s, n := 0, 0
			for yy := y0; yy < y1; yy++ {
				row := g.Pix[g.PixOffset(b.Min.X, b.Min.Y+yy):]
				for xx := x0; xx < x1; xx++ {
					s += int(row[xx])
				}
				n += x1 - x0
			}
			out.Pix[y*out.Stride+x] = uint8((s + n/2) / max(n, 1))
		}
	}
	return out
}
