package scan

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"
	"io"
	"math"
	"sync"

	"github.com/hhrutter/tiff"
)

// Limits bound what a scanned file may cost before any pixel is decoded.
type Limits struct {
	MaxFileBytes int64 // whole file
	MaxPixels    int   // one page
	MaxPages     int   // one file
}

// DefaultLimits: 50 megapixels is an A4 page at 600 dpi with room to spare (a phone photo is
// 12); a 200 dpi stack of 100 colour JPEG pages is about 60 MB.
var DefaultLimits = Limits{MaxFileBytes: 200 << 20, MaxPixels: 50_000_000, MaxPages: 1000}

// MinDPI is the resolution below which a page is read but the clerk is told to scan again:
// at 150 dpi a blurred permit QR decodes about two times in three.
const MinDPI = 150

// A4 in inches: the resolution of a page without a density tag is estimated from it.
const a4LongInch = 297 / 25.4

// Format is what a file was recognised as.
type Format string

// Formats accepted.
const (
	FormatJPEG Format = "jpeg"
	FormatPNG  Format = "png"
	FormatTIFF Format = "tiff"
	FormatPDF  Format = "pdf"
)

// Page is one page of a scanned file, not yet decoded: opening a 100-page stack costs its
// headers only, and each page is decoded by the worker that reads it.
type Page struct {
	Index         int // from 1
	Width, Height int
	DPI           float64 // from the file's density tag, else estimated as if the page were A4
	DPIKnown      bool
	// Err, when set, says why this page cannot be read (over the size limits, no image in a
	// PDF page); the other pages of the file are still read.
	Err    *Error
	decode func() (image.Image, error)
}

// Decode decodes the page's pixels. A panic inside a third-party decoder on a hostile file
// becomes a refusal.
func (p Page) Decode() (img image.Image, err error) {
	if p.Err != nil {
		return nil, p.Err
	}
	defer func() {
		if r := recover(); r != nil {
			img, err = nil, corrupt(fmt.Sprint(r))
		}
	}()
	img, err = p.decode()
	if err != nil {
		if _, ok := err.(*Error); ok {
			return nil, err
		}
		return nil, corrupt(err.Error())
	}
	return img, nil
}

// LowResolution reports whether the page should be scanned again at a higher resolution.
func (p Page) LowResolution() bool { return p.DPI > 0 && p.DPI < MinDPI-1 }

// Error says, in Vietnamese and English, why a file or page was refused. Code is stable for
// scripts (gddctl --json) and the review queue.
type Error struct{ Code, VI, EN string }

func (e *Error) Error() string { return e.EN }

func refuse(vi, en string) error { return &Error{Code: "refused", VI: vi, EN: en} }

func corrupt(detail string) *Error {
	return &Error{Code: "corrupt", VI: "Tệp bị hỏng hoặc không đầy đủ, không đọc được", EN: "The file is corrupt or truncated: " + detail}
}

// Refusal codes.
const (
	CodeEmpty       = "empty"
	CodeTooLarge    = "too_large"
	CodeUnsupported = "unsupported"
	CodeCorrupt     = "corrupt"
	CodeEncrypted   = "encrypted"
	CodeNoImage     = "no_image"
)

// Sniff recognises a file by its first bytes, never by its name.
func Sniff(data []byte) (Format, bool) {
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}):
		return FormatJPEG, true
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return FormatPNG, true
	case bytes.HasPrefix(data, []byte("II*\x00")), bytes.HasPrefix(data, []byte("MM\x00*")):
		return FormatTIFF, true
	case bytes.HasPrefix(data, []byte("%PDF-")):
		return FormatPDF, true
	}
	return "", false
}

// Open checks a scanned file against lim and lists its pages. A file that cannot be read at
// all is refused with an *Error; a page that cannot be read carries its own Err.
func Open(data []byte, lim Limits) ([]Page, error) {
	if len(data) == 0 {
		return nil, &Error{Code: CodeEmpty, VI: "Tệp trống (0 byte)", EN: "The file is empty (0 bytes)"}
	}
	if int64(len(data)) > lim.MaxFileBytes {
		return nil, &Error{Code: CodeTooLarge,
			VI: fmt.Sprintf("Tệp quá lớn (%d MB); tối đa %d MB", len(data)>>20, lim.MaxFileBytes>>20),
			EN: fmt.Sprintf("The file is too large (%d MB); at most %d MB", len(data)>>20, lim.MaxFileBytes>>20)}
	}
	f, ok := Sniff(data)
	if !ok {
		return nil, &Error{Code: CodeUnsupported, VI: "Định dạng tệp không được hỗ trợ; dùng PDF, TIFF, JPEG hoặc PNG",
			EN: "Unsupported file format; use PDF, TIFF, JPEG or PNG"}
	}
	if !Complete(data) {
		return nil, corrupt("the " + string(f) + " ends early")
	}
	var pages []Page
	var err error
	switch f {
	case FormatJPEG:
		pages, err = openStill(data, jpeg.DecodeConfig, jpeg.Decode, jfifDPI(data))
	case FormatPNG:
		pages, err = openStill(data, png.DecodeConfig, png.Decode, pngDPI(data))
	case FormatTIFF:
		pages, err = openTIFF(data)
	case FormatPDF:
		pages, err = openPDF(data, lim)
	}
	if err != nil {
		return nil, err
	}
	if len(pages) == 0 {
		return nil, &Error{Code: CodeEmpty, VI: "Tệp không có trang nào", EN: "The file has no pages"}
	}
	if len(pages) > lim.MaxPages {
		return nil, &Error{Code: CodeTooLarge, VI: fmt.Sprintf("Tệp có %d trang; tối đa %d", len(pages), lim.MaxPages),
			EN: fmt.Sprintf("The file has %d pages; at most %d", len(pages), lim.MaxPages)}
	}
	for i := range pages {
		pages[i].Index = i + 1
		if pages[i].Err == nil {
			checkPixels(&pages[i], lim)
		}
	}
	// A single image over the limits is refused as a file; a stack keeps its other pages
	// and files the big one for review.
	if (f == FormatJPEG || f == FormatPNG) && pages[0].Err != nil {
		return nil, pages[0].Err
	}
	return pages, nil
}

func checkPixels(p *Page, lim Limits) {
	if p.Width <= 0 || p.Height <= 0 {
		p.Err = corrupt("page has no size")
		return
	}
	if px := int64(p.Width) * int64(p.Height); px > int64(lim.MaxPixels) {
		p.Err = &Error{Code: CodeTooLarge,
			VI: fmt.Sprintf("Trang %d quá lớn (%d×%d điểm ảnh, %.0f megapixel); tối đa %d megapixel", p.Index, p.Width, p.Height, float64(px)/1e6, lim.MaxPixels/1_000_000),
			EN: fmt.Sprintf("Page %d is too large (%d×%d pixels, %.0f megapixels); at most %d megapixels", p.Index, p.Width, p.Height, float64(px)/1e6, lim.MaxPixels/1_000_000)}
	}
}

// setDPI uses the file's density when it has one that is plausible for a scan, else
// estimates it from the page's long side as if it were A4.
func setDPI(p *Page, tagged float64) {
	if tagged >= 50 && tagged <= 2400 {
		p.DPI, p.DPIKnown = tagged, true
		return
	}
	p.DPI = math.Round(float64(max(p.Width, p.Height)) / a4LongInch)
}

func openStill(data []byte, cfg func(io.Reader) (image.Config, error), dec func(io.Reader) (image.Image, error), dpi float64) ([]Page, error) {
	c, err := cfg(bytes.NewReader(data))
	if err != nil {
		return nil, corrupt(err.Error())
	}
	p := Page{Width: c.Width, Height: c.Height, decode: func() (image.Image, error) { return dec(bytes.NewReader(data)) }}
	setDPI(&p, dpi)
	return []Page{p}, nil
}

// jfifDPI reads the density of a JFIF APP0 segment (0 when absent).
func jfifDPI(data []byte) float64 {
	// FF D8, FF E0, length(2), "JFIF\0", version(2), units(1), Xdensity(2)
	if len(data) < 20 || data[2] != 0xFF || data[3] != 0xE0 || string(data[6:11]) != "JFIF\x00" {
		return 0
	}
	x := float64(binary.BigEndian.Uint16(data[14:16]))
	switch data[13] {
	case 1:
		return x
	case 2:
		return x * 2.54
	}
	return 0
}

// pngDPI reads a pHYs chunk in metres (0 when absent).
func pngDPI(data []byte) float64 {
	for off := 8; off+12 <= len(data); {
		n := int(binary.BigEndian.Uint32(data[off:]))
		typ := string(data[off+4 : off+8])
		if typ == "IDAT" || n < 0 || off+12+n > len(data) {
			return 0
		}
		if typ == "pHYs" && n == 9 && data[off+16] == 1 {
			return float64(binary.BigEndian.Uint32(data[off+8:])) * 0.0254
		}
		off += 12 + n
	}
	return 0
}

// TIFF: golang.org/x/image/tiff reads only the first page, so the IFD chain is walked here
// and each page decoded at its offset with github.com/hhrutter/tiff (G4, LZW, JPEG-in-TIFF).

const (
	tagWidth, tagHeight    = 256, 257
	tagXRes, tagResUnit    = 282, 296
	tagStripOffsets        = 273
	tagStripByteCounts     = 279
	tagTileOffsets         = 324
	tagTileByteCounts      = 325
	maxTIFFPages           = 10000
	tiffShort, tiffLong    = 3, 4
	tiffRational           = 5
	tiffIFDEntry, tiffIFDs = 12, 2
	tagCompression         = 259
	tagPhotometric         = 262
	tagRowsPerStrip        = 278
	tagTileWidth           = 322
	tagTileLength          = 323
	tagJPEGTables          = 347
	compressionJPEG        = 7
	photometricYCbCr       = 6
)

type ifd struct {
	offset        int64
	width, height int
	dpi           float64
	compression   uint32
	photometric   uint32
	rowsPerStrip  int         // 0: the whole page is one strip
	tileW, tileH  int         // set when the page is tiled rather than stripped
	strips        [][2]uint32 // offset, length (of strips or tiles)
	jpegTables    []byte
}

// tiffIFDs walks the IFD chain, checking every offset and every strip lies inside the file.
func walkTIFF(data []byte) ([]ifd, error) {
	if len(data) < 8 {
		return nil, fmt.Errorf("header cut short")
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if data[0] == 'M' {
		bo = binary.BigEndian
	}
	var out []ifd
	seen := map[uint32]bool{}
	next := bo.Uint32(data[4:8])
	for next != 0 {
		if seen[next] || len(out) >= maxTIFFPages {
			return nil, fmt.Errorf("IFD chain loops")
		}
		seen[next] = true
		off := int(next)
		if off < 8 || off+tiffIFDs > len(data) {
			return nil, fmt.Errorf("IFD offset %d outside the file", off)
		}
		n := int(bo.Uint16(data[off:]))
		end := off + tiffIFDs + n*tiffIFDEntry
		if end+4 > len(data) {
			return nil, fmt.Errorf("IFD at %d cut short", off)
		}
		d := ifd{offset: int64(off)}
		var xres float64
		unit := uint32(2)
		var offsets, counts []uint32
		for i := range n {
			e := data[off+tiffIFDs+i*tiffIFDEntry:]
			tag, typ, cnt := bo.Uint16(e), bo.Uint16(e[2:]), bo.Uint32(e[4:])
			val := func(k uint32) uint32 {
				size := uint32(2)
				if typ == tiffLong {
					size = 4
				}
				p := e[8:12]
				if cnt*size > 4 {
					at := bo.Uint32(e[8:])
					if uint64(at)+uint64(cnt)*uint64(size) > uint64(len(data)) {
						return math.MaxUint32
					}
					p = data[at:]
				}
				if typ == tiffLong {
					return bo.Uint32(p[k*4:])
				}
				return uint32(bo.Uint16(p[k*2:]))
			}
			list := func() []uint32 {
				if cnt > 1<<20 {
					return []uint32{math.MaxUint32}
				}
				v := make([]uint32, cnt)
				for k := range cnt {
					v[k] = val(k)
				}
				return v
			}
			switch tag {
			case tagWidth:
				d.width = int(val(0))
			case tagHeight:
				d.height = int(val(0))
			case tagResUnit:
				unit = val(0)
			case tagXRes:
				if typ == tiffRational {
					at := bo.Uint32(e[8:])
					if int(at)+8 <= len(data) {
						num, den := bo.Uint32(data[at:]), bo.Uint32(data[at+4:])
						if den != 0 {
							xres = float64(num) / float64(den)
						}
					}
				}
			case tagCompression:
				d.compression = val(0)
			case tagPhotometric:
				d.photometric = val(0)
			case tagRowsPerStrip:
				d.rowsPerStrip = int(min(val(0), 1<<30))
			case tagTileWidth:
				d.tileW = int(min(val(0), 1<<30))
			case tagTileLength:
				d.tileH = int(min(val(0), 1<<30))
			case tagJPEGTables:
				at := bo.Uint32(e[8:])
				if cnt > 4 && uint64(at)+uint64(cnt) <= uint64(len(data)) {
					d.jpegTables = data[at : at+cnt]
				}
			case tagStripOffsets, tagTileOffsets:
				offsets = list()
			case tagStripByteCounts, tagTileByteCounts:
				counts = list()
			}
		}
		if len(offsets) != len(counts) {
			return nil, fmt.Errorf("page %d: strip table mismatched", len(out)+1)
		}
		for k := range offsets {
			if uint64(offsets[k])+uint64(counts[k]) > uint64(len(data)) {
				return nil, fmt.Errorf("page %d: image data past the end of the file", len(out)+1)
			}
			d.strips = append(d.strips, [2]uint32{offsets[k], counts[k]})
		}
		switch unit {
		case 2:
			d.dpi = xres
		case 3:
			d.dpi = xres * 2.54
		}
		out = append(out, d)
		next = bo.Uint32(data[end:])
	}
	return out, nil
}

func openTIFF(data []byte) ([]Page, error) {
	ifds, err := walkTIFF(data)
	if err != nil {
		return nil, corrupt(err.Error())
	}
	pages := make([]Page, len(ifds))
	for i, d := range ifds {
		pages[i] = Page{Width: d.width, Height: d.height, decode: func() (image.Image, error) {
			// JPEG pages in YCbCr (what scanner drivers and libtiff write) are decoded here;
			// github.com/hhrutter/tiff reads the other JPEG pages, G4 and LZW.
			if d.compression == compressionJPEG && (len(d.strips) == 1 || d.photometric == photometricYCbCr) {
				return tiffJPEG(data, d)
			}
			return tiff.DecodeAt(bytes.NewReader(data), d.offset)
		}}
		setDPI(&pages[i], d.dpi)
	}
	return pages, nil
}

var pdfMu sync.Mutex

// tiffJPEG decodes a page stored as JPEG strips or tiles: each is a JPEG stream of its own
// (abbreviated when the page's JPEGTables hold the shared quantisation and Huffman tables,
// which are spliced in before its scan), drawn at its place on the page. Reading the streams
// directly keeps them in YCbCr, which github.com/hhrutter/tiff does not accept. Every
// stream's size is checked from its header, before its pixels are decoded, against the place
// the page gives it.
func tiffJPEG(data []byte, d ifd) (image.Image, error) {
	cellW, cellH := d.width, d.height
	across := 1
	switch {
	case d.tileW > 0 && d.tileH > 0:
		cellW, cellH = d.tileW, d.tileH
		across = (d.width + cellW - 1) / cellW
	case d.rowsPerStrip > 0 && d.rowsPerStrip < d.height:
		cellH = d.rowsPerStrip
	}
	down := (d.height + cellH - 1) / cellH
	if len(d.strips) != across*down {
		return nil, fmt.Errorf("JPEG page of %d×%d in %d pieces, want %d", d.width, d.height, len(d.strips), across*down)
	}
	var page draw.Image
	for k, st := range d.strips {
		s := data[st[0] : st[0]+st[1]]
		if len(d.jpegTables) > 4 && bytes.HasPrefix(d.jpegTables, []byte{0xFF, 0xD8}) {
			sos := bytes.Index(s, []byte{0xFF, 0xDA})
			if sos < 0 {
				return nil, fmt.Errorf("JPEG strip %d without a scan", k+1)
			}
			tables := bytes.TrimSuffix(d.jpegTables[2:], []byte{0xFF, 0xD9})
			s = append(append(append([]byte(nil), s[:sos]...), tables...), s[sos:]...)
		}
		if len(d.strips) == 1 {
			return jpeg.Decode(bytes.NewReader(s))
		}
		x0, y0 := (k%across)*cellW, (k/across)*cellH
		// A tile is always whole; a page's last strip may be shorter.
		wantW, wantH := cellW, cellH
		if d.tileW == 0 {
			wantH = min(cellH, d.height-y0)
		}
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(s))
		if err != nil {
			return nil, fmt.Errorf("JPEG strip %d: %w", k+1, err)
		}
		// A writer may also code the last strip at the full strip height.
		okH := cfg.Height == wantH || d.tileW == 0 && cfg.Height == cellH
		if cfg.Width != wantW || !okH {
			return nil, fmt.Errorf("JPEG strip %d is %d×%d, want %d×%d", k+1, cfg.Width, cfg.Height, wantW, wantH)
		}
		part, err := jpeg.Decode(bytes.NewReader(s))
		if err != nil {
			return nil, fmt.Errorf("JPEG strip %d: %w", k+1, err)
		}
		if page == nil {
			r := image.Rect(0, 0, d.width, d.height)
			if _, grey := part.(*image.Gray); grey {
				page = image.NewGray(r)
			} else {
				page = image.NewRGBA(r)
			}
		}
		draw.Draw(page, image.Rect(x0, y0, x0+cfg.Width, y0+cfg.Height), part, part.Bounds().Min, draw.Src)
	}
	return page, nil
}
