package render

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
)

// Signature kinds.
const (
	SignatureDigital = "digital"
	SignatureHand    = "hand"
)

// ErrNoPermits is returned when Permits is given nothing to print.
var ErrNoPermits = errors.New("render: no permits to print")

// ErrUnknownSignature is returned for a Signature.Kind other than
// "digital", "hand" or empty.
var ErrUnknownSignature = errors.New("render: unknown signature kind")

// Signature describes how the permit is, or will be, signed.
type Signature struct {
	// Kind is "digital" (signed with a USB token: the block says so) or
	// "hand" (printed for a leader to sign and stamp: the block leaves room).
	// Empty means "hand".
	Kind        string
	SignerName  string
	SignerTitle string // e.g. "CHỦ TỊCH"
	SignedAt    time.Time
	// Widget leaves the digital block's frame empty for a PDF signature widget to fill
	// (Options.SignatureBox says where it is): the certificate token signs the file itself.
	Widget bool
}

// Permit is everything printed on one travel permit. Text is printed as
// given after NFC normalisation; dates are already formatted dd/MM/yyyy.
type Permit struct {
	Number          string // "28291/2026/000123"
	AuthorityName   string // superior body, e.g. "UBND THÀNH PHỐ MỸ THO"
	IssuingUnitName string // e.g. "UBND XÃ TÂN MỸ CHÁNH"
	PlaceName       string // for "Tân Mỹ Chánh, ngày 28 tháng 11 năm 2026"

	FullName  string
	BirthDate string // dd/MM/yyyy
	Gender    string // "Nam" or "Nữ"
	IDNumber  string
	Phone     string

	Residence string
	Workplace string
	Purpose   string
	RouteFrom string
	RouteTo   string
	Vehicle   string // "Xe mô tô, xe máy — 63-B1 123.45"
	ValidFrom string // dd/MM/yyyy
	ValidTo   string // dd/MM/yyyy
	Note      string

	IssuedAt  time.Time
	Signature Signature

	// QR is the signed "GDD1:…" text, encoded byte for byte (trailing spaces
	// are data).
	QR string
	// Reprint is 0 for the original; N > 0 prints "Bản in lại lần N".
	Reprint int
	// Demo marks a permit from a trial installation as worthless.
	Demo bool
}

// Permits writes one page per permit into a single PDF, for printing one
// permit or a whole batch.
func Permits(w io.Writer, permits []Permit, opt Options) error {
	if len(permits) == 0 {
		return ErrNoPermits
	}
	g, err := geometryFor(opt.Paper)
	if err != nil {
		return err
	}
	for i := range permits {
		switch permits[i].Signature.Kind {
		case "", SignatureHand, SignatureDigital:
		default:
			return fmt.Errorf("permit %d (%s): %w %q", i, permits[i].Number, ErrUnknownSignature, permits[i].Signature.Kind)
		}
	}
	texts := make([]string, len(permits))
	for i := range permits {
		texts[i] = permits[i].QR
	}
	symbols, bad, err := encodeAll(texts)
	if err != nil {
		return fmt.Errorf("permit %d (%s): %w", bad, permits[bad].Number, err)
	}

	title := "Giấy đi đường"
	if len(permits) == 1 {
		title += " " + permits[0].Number
	}
	pdf, err := newDocument(g, title, clean(permits[0].IssuingUnitName))
	if err != nil {
		return err
	}
	// Plan every page before adding the first: measuring text selects fonts,
	// which fpdf would otherwise write into the current page.
	p := &planner{pdf: pdf}
	pages := make([][]func(*fpdf.Fpdf), len(permits))
	for i := range permits {
		p.ops, p.sigBox = nil, [4]float64{}
		if err := planPermitFitted(p, g, &permits[i], symbols[i]); err != nil {
			return fmt.Errorf("permit %d (%s): %w", i, permits[i].Number, err)
		}
		pages[i] = p.ops
		if opt.SignatureBox != nil && permits[i].Signature.Kind == SignatureDigital {
			// fpdf measures from the top in millimetres; PDF user space from the bottom in points.
			b := p.sigBox
			pt := 72 / 25.4
			opt.SignatureBox(i+1, [4]float64{b[0] * pt, (g.h - b[3]) * pt, b[2] * pt, (g.h - b[1]) * pt})
		}
	}
	for i, ops := range pages {
		pdf.AddPage()
		for _, op := range ops {
			op(pdf)
		}
		pages[i] = nil // let a large batch's plans go as they are drawn
	}
	return output(pdf, w)
}

// planPermitFitted lays out a permit, shrinking the type step by step when
// long names and places would push the signature block off the page.
func planPermitFitted(p *planner, g geometry, pm *Permit, q *qrSymbol) error {
	for s := 1.0; s >= 0.7-1e-9; s -= 0.05 {
		p.ops = p.ops[:0]
		if planPermit(p, g, pm, q, s) {
			return nil
		}
	}
	return ErrDoesNotFit
}

// field is one "Label: value" row of the permit body. A value holds
// paragraphs, each wrapped on its own; label2/value2 share the row when
// they fit on it.
type field struct {
	label  string
	value  []string
	bold   bool
	label2 string
	value2 string
}

func permitFields(pm *Permit) []field {
	fields := []field{
		{label: "Họ và tên:", value: []string{clean(pm.FullName)}, bold: true},
		{label: "Ngày sinh:", value: []string{clean(pm.BirthDate)}, label2: "Giới tính:", value2: clean(pm.Gender)},
		{label: "Số CCCD/CMND:", value: []string{clean(pm.IDNumber)}, label2: "Điện thoại:", value2: clean(pm.Phone)},
		{label: "Nơi cư trú:", value: []string{clean(pm.Residence)}},
		{label: "Nơi làm việc:", value: []string{clean(pm.Workplace)}},
		{label: "Mục đích:", value: []string{clean(pm.Purpose)}},
		{label: "Lộ trình:", value: []string{"Từ " + clean(pm.RouteFrom), "Đến " + clean(pm.RouteTo)}},
		{label: "Phương tiện:", value: []string{clean(pm.Vehicle)}},
		{label: "Thời hạn:", value: []string{"từ ngày " + clean(pm.ValidFrom) + " đến hết ngày " + clean(pm.ValidTo)}, bold: true},
	}
	if note := clean(pm.Note); note != "" {
		fields = append(fields, field{label: "Ghi chú:", value: []string{note}})
	}
	return fields
}

// planPermit lays out one permit page at type scale s (1 = full size) and
// reports whether it fits.
func planPermit(p *planner, g geometry, pm *Permit, q *qrSymbol, s float64) bool {
	u := g.scale * s
	cw := g.contentWidth()
	left, right := g.marginX, g.w-g.marginX

	if pm.Demo {
		planDemo(p, g)
	}
	if pm.Reprint > 0 {
		p.font(italic, 8*g.scale)
		p.textRight(right, g.top-4*g.scale, fmt.Sprintf("Bản in lại lần %d", pm.Reprint))
	}

	y := planHeader(p, g, u, g.top, headerBlock{
		authority:  bodyName(pm.AuthorityName),
		unit:       bodyName(pm.IssuingUnitName),
		leftExtra:  []string{"Số: " + clean(pm.Number)},
		rightExtra: dateLine(clean(pm.PlaceName), pm.IssuedAt),
	})

	y += 4 * u
	p.font(bold, 16*u)
	p.textCentered(g.w/2, p.baseline(y), "GIẤY ĐI ĐƯỜNG")
	y += p.lineHeight() + 2.5*u

	// Body: labels in one column, values wrapped in the next.
	size := 10 * u
	p.font(regular, size)
	labelW := 0.0
	fields := permitFields(pm)
	for _, f := range fields {
		labelW = max(labelW, p.width(f.label))
	}
	labelW += 2 * u
	valueX := left + labelW
	valueW := right - valueX
	pairX := left + cw*0.56
	lh := p.lineHeight()
	for _, f := range fields {
		p.font(regular, size)
		p.text(left, p.baseline(y), f.label)
		style := regular
		if f.bold {
			style = bold
		}
		if f.label2 != "" {
			p.font(style, size)
			v1 := f.value[0]
			if valueX+p.width(v1)+2*u < pairX {
				// Both pairs on one row.
				p.text(valueX, p.baseline(y), v1)
				p.font(regular, size)
				p.text(pairX, p.baseline(y), f.label2)
				p.text(pairX+p.width(f.label2)+1.5*u, p.baseline(y), f.value2)
				y += lh
				continue
			}
		}
		for _, para := range f.value {
			p.font(style, size)
			lines := p.wrap(para, valueW)
			if len(lines) == 0 {
				y += lh
				continue
			}
			for _, line := range lines {
				p.text(valueX, p.baseline(y), line)
				y += lh
			}
		}
		if f.label2 != "" {
			// The first value was too long to share its row.
			p.font(regular, size)
			p.text(left, p.baseline(y), f.label2)
			p.text(valueX, p.baseline(y), f.value2)
			y += lh
		}
	}
	bodyEnd := y

	// Footer pinned to the bottom margin, so the QR sits in the same place
	// on every page of a batch: QR lower left, signature block lower right.
	module := g.moduleSize(q)
	side := q.side(module)
	capSize := max(7*u, 6)
	p.font(regular, capSize)
	caption := []string{"Quét mã QR để kiểm tra giấy đi đường"}
	if p.width(caption[0]) > side+4*g.scale {
		caption = []string{"Quét mã QR để kiểm tra", "giấy đi đường"}
	}
	capLH := p.lineHeight()
	qrBlockH := side + float64(len(caption)+1)*capLH

	sigX := left + side + 6*g.scale
	sigW := right - sigX
	sigH := planSignature(p, g, u, sigX, sigW, 0, pm.Signature, true)

	footerH := max(qrBlockH, sigH)
	footerTop := g.h - g.bottom - footerH
	if bodyEnd+3*u > footerTop {
		return false
	}

	qrTop := g.h - g.bottom - qrBlockH
	planQR(p, q, left, qrTop, module)
	cy := qrTop + side
	cx := left + side/2
	p.font(regular, capSize)
	for _, line := range caption {
		p.textCentered(cx, p.baseline(cy), line)
		cy += capLH
	}
	p.font(bold, capSize)
	p.textCentered(cx, p.baseline(cy), clean(pm.Number))

	planSignature(p, g, u, sigX, sigW, footerTop, pm.Signature, false)
	return true
}

// planSignature lays out the signature block in [x, x+w] from top and
// returns its height; with measure set it only measures.
func planSignature(p *planner, g geometry, u, x, w, top float64, sig Signature, measure bool) float64 {
	start := len(p.ops)
	y := top
	size := 9 * u
	p.font(bold, size)
	y = p.paragraph(x, y, w, "TM. ỦY BAN NHÂN DÂN", 'C')
	for _, line := range signerTitleLines(sig.SignerTitle) {
		y = p.paragraph(x, y, w, line, 'C')
	}
	name := clean(sig.SignerName)
	if sig.Kind == SignatureDigital {
		// A framed stamp-like box, so the digitally signed copy is
		// recognisable at a glance.
		y += 2 * u
		boxTop := y
		pad := 1.5 * u
		y += pad
		if sig.Widget {
			y += g.signatureArea * 0.6
		} else {
			p.font(bold, size)
			y = p.paragraph(x+pad, y, w-2*pad, "Đã ký số", 'C')
			p.font(regular, size)
			y = p.paragraph(x+pad, y, w-2*pad, name, 'C')
			if !sig.SignedAt.IsZero() {
				p.font(italic, 7.5*u)
				at := sig.SignedAt.In(vietnamTime).Format("02/01/2006 15:04")
				y = p.paragraph(x+pad, y, w-2*pad, "Thời gian ký: "+at+" (GMT+7)", 'C')
			}
		}
		y += pad
		p.box(x, boxTop, w, y-boxTop, 0.3*u)
		if !measure {
			p.sigBox = [4]float64{x, boxTop, x + w, y}
		}
	} else {
		p.font(italic, 7.5*u)
		y = p.paragraph(x, y, w, "(Ký, ghi rõ họ tên và đóng dấu)", 'C')
		// Left blank for the leader's signature and the unit's stamp.
		y += g.signatureArea
		if name != "" {
			p.font(bold, size)
			y = p.paragraph(x, y, w, name, 'C')
		}
	}
	if measure {
		p.ops = p.ops[:start]
	}
	return y - top
}

// signerTitleLines is the title part of the signature block. A deputy signs on the head's
// behalf ("ký thay"), so the head's title comes first with "KT.": a "Phó Chủ tịch" signs
// under "KT. CHỦ TỊCH" / "PHÓ CHỦ TỊCH"; the head signs under their own title alone.
func signerTitleLines(title string) []string {
	t := strings.ToUpper(clean(title))
	if t == "" {
		return nil
	}
	if head, ok := strings.CutPrefix(t, "PHÓ "); ok && strings.TrimSpace(head) != "" {
		return []string{"KT. " + strings.TrimSpace(head), t}
	}
	return []string{t}
}
