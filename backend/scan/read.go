package scan

import (
	"context"
	"fmt"
)

// Read is what one page gave: its permit QR if one was read, the page as it will be stored,
// and a warning for the clerk.
type Read struct {
	Index   int
	Found   *Found
	Stored  Stored
	LowDPI  bool
	DPI     float64
	Warning *Error
	Problem *Error // the page could not be read at all (over the limits, corrupt, no image)
}

// LowDPIWarning is shown for a page scanned below MinDPI.
var LowDPIWarning = &Error{Code: "low_resolution", VI: "Ảnh quét có độ phân giải thấp; quét lại ở 200 dpi trở lên",
	EN: "The scan's resolution is low; scan again at 200 dpi or more"}

// ReadPage decodes a page, finds its permit QR and normalises it for storage. A page that
// cannot be decoded is returned with Problem set, never dropped.
func ReadPage(ctx context.Context, p Page) (Read, error) {
	r := Read{Index: p.Index, DPI: p.DPI, LowDPI: p.LowResolution()}
	if r.LowDPI {
		r.Warning = LowDPIWarning
	}
	img, err := p.Decode()
	if err != nil {
		e, ok := err.(*Error)
		if !ok {
			return r, fmt.Errorf("page %d: %w", p.Index, err)
		}
		r.Problem = e
		return r, nil
	}
	if err := ctx.Err(); err != nil {
		return r, err
	}
	g := Grey(img)
	rotation := 0
	if f, ok := FindQR(ctx, g, p.DPI); ok {
		r.Found = &f
		rotation = f.Rotation
	}
	if err := ctx.Err(); err != nil {
		return r, err
	}
	st, err := Normalise(img, g, p.DPI, rotation)
	if err != nil {
		return r, fmt.Errorf("page %d: %w", p.Index, err)
	}
	r.Stored = st
	return r, nil
}
