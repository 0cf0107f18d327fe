// Package scan finds QR codes in what offices and checkpoints are handed: photos, scans and
// PDF files. Bad files are refused with a reason before they cost much memory.
package scan

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // phones and scanners give JPEG or PNG
	_ "image/png"
	"os"
	"os/exec"
	"path/filepath"
	"sort"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// Limits: a phone photo is ~12 Mpx; far beyond that is refused before decoding.
const (
	MaxImageBytes  = 20 << 20
	MaxImagePixels = 40_000_000
	MaxPDFBytes    = 50 << 20
	MaxPDFPages    = 1000
)

// QRFromImage returns the text of the QR code in a PNG or JPEG image.
func QRFromImage(data []byte) (string, error) {
	if len(data) == 0 {
		return "", refuse("Tệp ảnh trống", "The image file is empty")
	}
	if len(data) > MaxImageBytes {
		return "", refuse(fmt.Sprintf("Ảnh quá lớn (%d MB); tối đa %d MB", len(data)>>20, MaxImageBytes>>20),
			fmt.Sprintf("Image too large (%d MB); at most %d MB", len(data)>>20, MaxImageBytes>>20))
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return "", refuse("Tệp không phải ảnh PNG/JPEG hợp lệ", "Not a valid PNG or JPEG image")
	}
	if cfg.Width*cfg.Height > MaxImagePixels {
		return "", refuse(fmt.Sprintf("Ảnh quá lớn (%dx%d điểm ảnh)", cfg.Width, cfg.Height), fmt.Sprintf("Image too large (%dx%d pixels)", cfg.Width, cfg.Height))
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return "", refuse("Ảnh bị hỏng, không đọc được", "The image is corrupt")
	}
	// One pass over the whole image reads a card's or a clear photo's code; a permit that
	// pass misses (blurred, small in the frame, a gozxing orientation miss) gets the
	// crop-first cascade, which reads it far more often.
	text, err := qrFrom(img)
	if err == nil {
		return text, nil
	}
	if f, ok := FindQR(context.Background(), Grey(img), 0); ok {
		return f.Text, nil
	}
	return "", err
}

func qrFrom(img image.Image) (string, error) {
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return "", refuse("Không xử lý được ảnh", "Could not process the image")
	}
	hints := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true, gozxing.DecodeHintType_CHARACTER_SET: "UTF-8"}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, hints)
	if err != nil {
		var nf gozxing.NotFoundException
		if errors.As(err, &nf) {
			return "", refuse("Không tìm thấy mã QR trong ảnh", "No QR code found in the image")
		}
		return "", refuse("Không đọc được mã QR trong ảnh", "Could not read the QR code in the image")
	}
	return res.GetText(), nil
}

// PageQR is the QR text found on one page of a PDF, or why none was.
type PageQR struct {
	Page int    `json:"page"`
	Text string `json:"text,omitempty"`
	Err  error  `json:"-"`
}

// QRsFromPDF rasterises each page at 150 dpi with poppler's pdftoppm and reads its QR code.
func QRsFromPDF(ctx context.Context, pdf []byte) ([]PageQR, error) {
	if len(pdf) > MaxPDFBytes {
		return nil, refuse(fmt.Sprintf("Tệp PDF quá lớn (%d MB)", len(pdf)>>20), fmt.Sprintf("PDF too large (%d MB)", len(pdf)>>20))
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		return nil, refuse("Tệp không phải PDF", "Not a PDF file")
	}
	tool, err := exec.LookPath("pdftoppm")
	if err != nil {
		return nil, refuse("Cần cài poppler (pdftoppm) để đọc mã QR trong PDF", "Reading QR codes in PDFs needs poppler's pdftoppm")
	}
	dir, err := os.MkdirTemp("", "gdd-pdf-")
	if err != nil {
		return nil, fmt.Errorf("read pdf: %w", err)
	}
	defer os.RemoveAll(dir)
	in := filepath.Join(dir, "in.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		return nil, fmt.Errorf("read pdf: %w", err)
	}
	cmd := exec.CommandContext(ctx, tool, "-r", "150", "-gray", "-png", "-l", fmt.Sprint(MaxPDFPages), in, filepath.Join(dir, "p"))
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, &Error{Code: CodeCorrupt, VI: "Tệp PDF bị hỏng, không đọc được", EN: "The PDF is corrupt: " + string(bytes.TrimSpace(out))}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "p-*.png"))
	if len(files) == 0 {
		return nil, refuse("Tệp PDF không có trang nào", "The PDF has no pages")
	}
	sort.Strings(files) // pdftoppm zero-pads page numbers, so names sort in page order
	pages := make([]PageQR, len(files))
	for i, f := range files {
		pages[i].Page = i + 1
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("read pdf page %d: %w", i+1, err)
		}
		pages[i].Text, pages[i].Err = QRFromImage(data)
	}
	return pages, nil
}
