package scan

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"io"
	"strings"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

// openPDF lists a scanned PDF's pages by the image each embeds: a scanner writes one JPEG
// (or CCITT, Flate) image per page, which pdfcpu hands back without rendering the page. A
// page without such an image (a PDF made by software, not a scanner) is not rendered: no
// pure-Go renderer is linked in, so that page carries a refusal saying to scan the paper.
func openPDF(data []byte, lim Limits) (pages []Page, err error) {
	defer func() {
		if r := recover(); r != nil {
			pages, err = nil, corrupt(fmt.Sprint(r))
		}
	}()
	conf := model.NewDefaultConfiguration()
	conf.Cmd = model.EXTRACTIMAGES
	conf.ValidationMode = model.ValidationRelaxed
	ctx, err := api.ReadValidateAndOptimize(bytes.NewReader(data), conf)
	if err != nil {
		if errors.Is(err, pdfcpu.ErrWrongPassword) || strings.Contains(err.Error(), "password") {
			return nil, encrypted()
		}
		return nil, corrupt(err.Error())
	}
	if ctx.Encrypt != nil {
		return nil, encrypted()
	}
	if ctx.PageCount > lim.MaxPages {
		return nil, &Error{Code: CodeTooLarge, VI: fmt.Sprintf("Tệp có %d trang; tối đa %d", ctx.PageCount, lim.MaxPages),
			EN: fmt.Sprintf("The file has %d pages; at most %d", ctx.PageCount, lim.MaxPages)}
	}
	dims, err := ctx.PageDims()
	if err != nil {
		return nil, corrupt(err.Error())
	}
	pages = make([]Page, ctx.PageCount)
	for i := range pages {
		nr := i + 1
		stubs, err := pdfcpu.ExtractPageImages(ctx, nr, true)
		if err != nil {
			return nil, corrupt(fmt.Sprintf("page %d: %v", nr, err))
		}
		// The page's scan is its largest image; stamps or logos a PDF tool added are smaller.
		best, bestPx := 0, 0
		for objNr, im := range stubs {
			if px := im.Width * im.Height; !im.Thumb && !im.IsImgMask && px > bestPx {
				best, bestPx = objNr, px
			}
		}
		if bestPx == 0 {
			pages[i].Err = &Error{Code: CodeNoImage,
				VI: fmt.Sprintf("Trang %d của tệp PDF không có ảnh quét (PDF tạo bằng phần mềm, không phải máy quét); hãy quét bản giấy đã ký", nr),
				EN: fmt.Sprintf("Page %d of the PDF has no scanned image (a PDF made by software, not a scanner); scan the signed paper", nr)}
			continue
		}
		im := stubs[best]
		pages[i].Width, pages[i].Height = im.Width, im.Height
		var dpi float64
		if i < len(dims) && dims[i].Width > 0 {
			w := dims[i].Width
			if (dims[i].Width > dims[i].Height) != (im.Width > im.Height) {
				w = dims[i].Height
			}
			dpi = float64(im.Width) / (w / 72)
		}
		setDPI(&pages[i], dpi)
		pages[i].decode = func() (image.Image, error) { return pdfImage(ctx, nr, best) }
	}
	return pages, nil
}

func encrypted() error {
	return &Error{Code: CodeEncrypted, VI: "Tệp PDF được mã hóa hoặc đặt mật khẩu; hãy quét lại không đặt mật khẩu",
		EN: "The PDF is encrypted or password-protected; scan again without a password"}
}

// pdfImage decodes one embedded image. pdfcpu is not safe for concurrent use of one context,
// so pages of one PDF are extracted under a lock and decoded outside it.
func pdfImage(ctx *model.Context, pageNr, objNr int) (image.Image, error) {
	pdfMu.Lock()
	ims, err := pdfcpu.ExtractPageImages(ctx, pageNr, false)
	var raw []byte
	if err == nil {
		im, ok := ims[objNr]
		if !ok || im.Reader == nil {
			err = fmt.Errorf("page %d image vanished", pageNr)
		} else {
			raw, err = io.ReadAll(im.Reader)
		}
	}
	pdfMu.Unlock()
	if err != nil {
		return nil, corrupt(err.Error())
	}
	img, _, err := image.Decode(bytes.NewReader(raw))
	if err != nil {
		return nil, corrupt(fmt.Sprintf("page %d image: %v", pageNr, err))
	}
	return img, nil
}
